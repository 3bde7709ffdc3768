import type { RevenueView, SourceState } from '../../../app/commerce/view-model.ts';
import { commerceFigures } from '../../../domain/incidents/incident.ts';
import { ago, currencyCode, money, slopeText, sourceName } from './commerce-text.ts';
import { context, count, jsonSize, plural, section } from './kit.ts';
import { safeCode, safeText } from './mrkdwn.ts';
import { previousLabel, revenueIncidentLine } from './revenue.ts';
import type { KnownBlock } from './types.ts';

/**
 * The App Home tab's revenue section: today's DNR per currency with its slope, the open revenue incidents
 * and the sources with a problem, compact, within the JSON budget home.ts leaves it. `/leak revenue` has
 * the whole picture.
 */

const HOME_CURRENCIES = 6;
const HOME_INCIDENTS = 3;
const HOME_SOURCES = 5;

/** A source worth a look: failures in the last day, a failed newest delivery, or an open NO_SIGNAL. */
const troubled = (v: RevenueView, s: SourceState): boolean =>
  s.failedLast24h > 0 ||
  s.lastDelivery?.status === 'failed' ||
  v.openIncidents.some(
    (i) => commerceFigures(i)?.signal === 'NO_SIGNAL' && commerceFigures(i)?.source === s.source,
  );

const moreLine = (n: number, one: string, many: string): string[] =>
  n > 0 ? [`_…and ${plural(n, one, many)}_`] : [];

/** The Home tab's revenue section, compact: DNR per currency, open revenue incidents, troubled sources. */
function homeLines(v: RevenueView): string[] {
  const title = `*:moneybag: Revenue ${v.dayComplete ? safeText(v.day, 12) : 'today (so far)'}* · days in ${safeText(v.timezone, 40)}`;
  if (v.currencies.length === 0 && v.sources.length === 0)
    return [title, 'No revenue in the ledger yet: `/leak revenue` shows how to connect Shopify and Stripe.'];
  const lines = [title];
  for (const c of v.currencies.slice(0, HOME_CURRENCIES))
    lines.push(
      `• *${currencyCode(c.currency)}* ${money(c.netCents, c.currency)} · ${previousLabel(v)} ` +
        `${money(c.previousDayCents, c.currency)} · ${slopeText(c.slopeCentsPerDay, c.currency)}`,
    );
  lines.push(...moreLine(v.currencies.length - HOME_CURRENCIES, 'more currency', 'more currencies'));
  if (v.reporting !== null)
    lines.push(
      `• All in ${currencyCode(v.reporting.currency)}: ${money(v.reporting.netCents, v.reporting.currency)} (converted at configured rates)`,
    );
  for (const i of v.openIncidents.slice(0, HOME_INCIDENTS)) lines.push(revenueIncidentLine(i));
  lines.push(
    ...moreLine(v.openIncidents.length - HOME_INCIDENTS, 'more revenue incident', 'more revenue incidents'),
  );
  const bad = v.sources.filter((s) => troubled(v, s));
  for (const s of bad.slice(0, HOME_SOURCES)) {
    const last = s.lastDelivery;
    const error = last?.error ? `: \`${safeCode(last.error, 100)}\`` : '';
    lines.push(
      `• :warning: ${sourceName(s.source)}${s.failedLast24h > 0 ? ` · ${count(s.failedLast24h)} failed in 24 h` : ''} · last delivery ` +
        `${ago(s.lastDeliveryAtMs, v.asOfMs)}${last ? ` (${safeText(last.status, 12)}${error})` : ''}`,
    );
  }
  lines.push(
    ...moreLine(bad.length - HOME_SOURCES, 'more source with a problem', 'more sources with a problem'),
  );
  return lines;
}

/**
 * The App Home tab's revenue section within `budget` characters of block JSON: one section (its lines
 * dropped from the end while it does not fit) and a pointer to `/leak revenue`; nothing when not even the
 * title fits.
 */
export function revenueHomeBlocks(v: RevenueView, budget: number): KnownBlock[] {
  const lines = homeLines(v);
  const tail = context('`/leak revenue` for every source, the 7-day chart and another day');
  for (let n = lines.length; n > 0; n--) {
    const blocks = [section(lines.slice(0, n).join('\n')), tail];
    if (jsonSize(blocks) <= budget) return blocks;
  }
  return [];
}
