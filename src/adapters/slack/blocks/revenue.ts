import type { CurrencyRevenue, RevenueView, SourceState } from '../../../app/commerce/view-model.ts';
import type { ChartOutcome } from '../../../app/sla/report.ts';
import { commerceFigures, type Incident } from '../../../domain/incidents/incident.ts';
import { commerceShort } from './commerce-incident.ts';
import {
  ago,
  currencyCode,
  deliveryLine,
  money,
  moneyPlain,
  slopeText,
  sourceName,
} from './commerce-text.ts';
import {
  channelLink,
  context,
  count,
  fitEscaped,
  incidentEmoji,
  jsonSize,
  packLines,
  plain,
  plural,
  type Rendered,
  section,
  slackDate,
  stateLabel,
} from './kit.ts';
import { LIMITS } from './limits.ts';
import { oneLine, safeCode, safeText, truncate } from './mrkdwn.ts';
import type { KnownBlock } from './types.ts';

/**
 * `/leak revenue [day]` (ephemeral): one revenue day of the ledger per currency, the reporting-currency
 * total, the open revenue incidents and the state of every source. Lists are packed into the block JSON
 * budget (SLACK.md), each to a share of what is left, with "…and N more" for the rest.
 */

const TITLE_MAX = 80;
const SOURCES_SHOWN = 3;
/** Room kept for up to three "…and N more" contexts. */
const MORE_RESERVE = 450;
/** Shares of what is left of the JSON budget: currencies, incidents, sources (an unused share rolls on). */
const SHARES = [0.35, 0.25, 0.4] as const;

export const EMPTY_LEDGER =
  ':information_source: *No revenue in the ledger yet.* Point your store and payment provider at this service:\n' +
  '• *Shopify*: Settings → Notifications → Webhooks → create webhooks (JSON) for order creation, order payment, ' +
  'order update, order cancellation and refund creation, each sent to `https://YOUR-HOST/webhooks/shopify`; ' +
  'set `SHOPIFY_WEBHOOK_SECRET` to the signing secret Shopify shows.\n' +
  '• *Stripe*: Developers → Webhooks → add an endpoint `https://YOUR-HOST/webhooks/stripe` listening to ' +
  '`charge.succeeded`, `charge.captured`, `charge.refunded`, `charge.dispute.created` and ' +
  '`charge.dispute.closed`; set `STRIPE_WEBHOOK_SECRET` to its signing secret (`whsec_…`).\n' +
  'Deliveries are stored first and parsed after; the first sale shows up here within a few minutes.';

/** "yesterday" while today is in progress, "the day before" for a past day. */
export const previousLabel = (v: RevenueView): string => (v.dayComplete ? 'the day before' : 'yesterday');

function currencyLine(v: RevenueView, c: CurrencyRevenue): string {
  const cur = c.currency;
  const sources = c.bySource
    .slice(0, SOURCES_SHOWN)
    .map((s) => `${sourceName(s.source)} ${money(s.netCents, cur)}`);
  const more =
    c.bySource.length > SOURCES_SHOWN ? ` · +${count(c.bySource.length - SOURCES_SHOWN)} more` : '';
  const by = sources.length === 0 ? '' : `\n    by source: ${sources.join(' · ')}${more}`;
  return (
    `• *${currencyCode(cur)}* · DNR *${money(c.netCents, cur)}*${v.dayComplete ? '' : ' (so far)'} · ` +
    `${previousLabel(v)} ${money(c.previousDayCents, cur)} · slope ${slopeText(c.slopeCentsPerDay, cur)}${by}`
  );
}

/** "• :red_circle: *SEV-1 · Revenue dip: shopify USD* · DETECTED · today $120.00 vs … · <#C…>". */
export function revenueIncidentLine(i: Incident): string {
  const f = commerceFigures(i);
  const link = channelLink(i.channelId);
  return (
    `${incidentEmoji(i)} *SEV-${i.severity} · ${safeText(i.title, TITLE_MAX)}* · ${stateLabel(i)}` +
    `${f ? ` · ${commerceShort(f)}` : ''}${link ? ` · ${link}` : ''}`
  );
}

/** "• *shopify* · last delivery 5 min ago · 2 failed in 24 h", then the newest delivery as evidence. */
export function sourceLine(s: SourceState, nowMs: number): string {
  const failed = s.failedLast24h > 0 ? ` · :warning: ${count(s.failedLast24h)} failed in 24 h` : '';
  const head =
    `• ${sourceName(s.source)} · last delivery ${ago(s.lastDeliveryAtMs, nowMs)} · ` +
    `last ledger event ${ago(s.lastEventAtMs, nowMs)}${failed}`;
  return s.lastDelivery === null ? head : `${head}\n  ${deliveryLine(s.lastDelivery, nowMs).slice(2)}`;
}

function reportingBlocks(v: RevenueView): KnownBlock[] {
  const r = v.reporting;
  if (r === null) return [];
  const lines = [
    `*All currencies in ${currencyCode(r.currency)}* (converted at configured rates): *${money(r.netCents, r.currency)}*`,
  ];
  if (r.missingRates.length > 0)
    lines.push(
      `_No rate for ${r.missingRates.slice(0, 20).map(currencyCode).join(', ')}${r.missingRates.length > 20 ? ', …' : ''}: ` +
        'left out of the total (set `FX_RATES`)._',
    );
  return [section(lines.join('\n'))];
}

interface List {
  heading: string;
  lines: string[];
  one: string;
  many: string;
}

/** Packs each list into its share of `available` (everything, when everything fits), with "…and N more". */
export function packLists(
  lists: readonly List[],
  available: number,
  shares: readonly number[],
): KnownBlock[][] {
  const pack = (l: List, room: number) =>
    l.lines.length === 0 ? { blocks: [], shown: 0 } : packLines(l.heading, l.lines, room);
  let packs = lists.map((l) => pack(l, available));
  if (packs.reduce((a, p) => a + jsonSize(p.blocks), 0) > available) {
    let carry = 0;
    packs = lists.map((l, n) => {
      const room = Math.floor(available * (shares[n] ?? 0)) + carry;
      const p = pack(l, room);
      carry = room - jsonSize(p.blocks);
      return p;
    });
  }
  return lists.map((l, n) => {
    const p = packs[n]!;
    const rest = l.lines.length - p.shown;
    return [...p.blocks, ...(rest > 0 ? [context(`…and ${plural(rest, l.one, l.many)}`)] : [])];
  });
}

/** The answer's fallback text (the notification and what screen readers read). */
function fallbackText(v: RevenueView): string {
  const per = v.currencies
    .slice(0, 5)
    .map(
      (c) =>
        `${moneyPlain(c.netCents, c.currency)} (${previousLabel(v)} ${moneyPlain(c.previousDayCents, c.currency)})`,
    );
  const incidents =
    v.openIncidents.length > 0 ? ` · ${plural(v.openIncidents.length, 'open revenue incident')}` : '';
  const day = truncate(oneLine(v.day), 12);
  const text =
    per.length === 0 ? `Revenue ${day}: no revenue in the ledger` : `Revenue ${day}: ${per.join(', ')}`;
  return fitEscaped(`${text}${v.currencies.length > 5 ? ', …' : ''}${incidents}`, 2_900);
}

/** What the answer says about its chart (mrkdwn), or nothing when there was no chart to share. */
export function revenueChartNote(chart: ChartOutcome): string | undefined {
  switch (chart.kind) {
    case 'uploaded':
      return ':frame_with_picture: The 7-day revenue chart is shared in this channel.';
    case 'failed':
      return chart.code === 'not_in_channel' || chart.code === 'channel_not_found'
        ? ':warning: The chart could not be shared here: invite the bot to this channel.'
        : `:warning: The chart could not be shared (\`${safeCode(chart.code, 60)}\`); the figures above are complete.`;
    case 'skipped':
      return chart.reason === 'no_channel' ? 'The chart can only be shared in a channel.' : undefined;
  }
}

/** `/leak revenue`: the day per currency, the converted total, open incidents and every source. */
export function renderRevenueView(view: RevenueView, chartNote?: string): Rendered {
  const day = truncate(oneLine(view.day), 12);
  const head: KnownBlock[] = [
    { type: 'header', text: plain(`:moneybag: Revenue · ${day}${view.dayComplete ? '' : ' (so far)'}`) },
  ];
  const foot: KnownBlock[] = [
    context(
      `As of ${slackDate(view.asOfMs)} · days in ${safeText(view.timezone, 40)} · ` +
        '`/leak revenue YYYY-MM-DD` for another day',
      ...(chartNote ? [chartNote] : []),
    ),
  ];
  if (view.currencies.length === 0 && view.sources.length === 0 && view.openIncidents.length === 0)
    return { text: fallbackText(view), blocks: [...head, section(EMPTY_LEDGER), ...foot] };

  const reporting = reportingBlocks(view);
  const noIncident =
    view.openIncidents.length === 0 ? [section(':white_check_mark: No open revenue incident.')] : [];
  const noRevenue = view.currencies.length === 0 ? [section(`No revenue on ${safeText(view.day, 12)}.`)] : [];
  const fixed = [...head, ...noRevenue, ...reporting, ...noIncident, ...foot];
  const available = LIMITS.blocksJsonBudget - jsonSize(fixed) - MORE_RESERVE;
  const [currencies, incidents, sources] = packLists(
    [
      {
        heading: '*Daily net revenue*',
        lines: view.currencies.map((c) => currencyLine(view, c)),
        one: 'more currency',
        many: 'more currencies',
      },
      {
        heading: `*Open revenue incidents (${count(view.openIncidents.length)})*`,
        lines: view.openIncidents.map(revenueIncidentLine),
        one: 'more incident',
        many: 'more incidents',
      },
      {
        heading: '*Sources*',
        lines: view.sources.map((s) => sourceLine(s, view.asOfMs)),
        one: 'more source',
        many: 'more sources',
      },
    ],
    available,
    SHARES,
  );
  const blocks = [
    ...head,
    ...noRevenue,
    ...currencies!,
    ...reporting,
    ...incidents!,
    ...noIncident,
    ...sources!,
    ...foot,
  ];
  return { text: fallbackText(view), blocks: blocks.slice(0, LIMITS.blocksPerMessage) };
}
