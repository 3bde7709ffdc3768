import type { CommerceFigures, DipFigures, NoSignalFigures } from '../../../domain/commerce/figures.ts';
import type { Incident } from '../../../domain/incidents/incident.ts';
import { incidentPagingShown } from '../../../domain/incidents/paging-shown.ts';
import {
  currencyCode,
  deliveryLine,
  dropPct,
  duration,
  money,
  moneyPlain,
  plainData,
  seriesBlockText,
  slopeText,
  sourceName,
} from './commerce-text.ts';
import {
  ackResolveActions,
  context,
  fitEscaped,
  headerBlock,
  jsonSize,
  mrkdwn,
  packLines,
  type Rendered,
  section,
  slackDate,
  stateBlock,
  stateLabel,
} from './kit.ts';
import { LIMITS } from './limits.ts';
import { safeText, truncate } from './mrkdwn.ts';
import { pagingBadge } from './paging-badge.ts';
import type { KnownBlock, SectionBlock } from './types.ts';

/**
 * A commerce incident (REVENUE_DIP, NO_SIGNAL) in Slack: its topic, the summary pages and alerts carry,
 * the facts line, and its War Room (today against the comparison that fired, the 7-day series, the slope
 * and the source's last deliveries as evidence). Sources, currencies, topics and parse errors arrive in
 * webhooks, so every one of them is escaped like any other data.
 */

const SIGNAL_LABEL: Record<CommerceFigures['signal'], string> = {
  REVENUE_DIP: 'Revenue dip',
  NO_SIGNAL: 'No signal',
};
const MAX_DELIVERIES = 8;

/** The comparison a dip is judged by: its short name and the amount today is held against. */
function comparisonOf(d: DipFigures): { short: string; cents: number } {
  return d.comparison === 'weekday_hour' && d.weekdayBaselineCents !== null
    ? { short: 'weekday baseline', cents: d.weekdayBaselineCents }
    : { short: 'day over day', cents: d.yesterdaySameTimeCents };
}

/** "87.3% below, fires at 20%" or "at or above it". */
const dropText = (d: DipFigures): string =>
  d.drop > 0 ? `${dropPct(d.drop)} below, fires at ${dropPct(d.threshold)}` : 'at or above it';

/** Which comparison fired, with both numbers and yesterday's whole day (escaped). */
function dipSummary(f: CommerceFigures, d: DipFigures): string {
  const c = f.currency;
  const today = `today so far *${money(d.todayCents, c)}*`;
  const yesterday = `yesterday's whole day ${money(d.yesterdayCents, c)}`;
  if (d.comparison === 'weekday_hour' && d.weekdayBaselineCents !== null)
    return (
      `${today} vs *${money(d.weekdayBaselineCents, c)}*, the median of the same weekday at this hour over ` +
      `the last 4 weeks (weekday baseline): ${dropText(d)} · yesterday by this time ` +
      `${money(d.yesterdaySameTimeCents, c)}, ${yesterday}`
    );
  const history = d.weekdayBaselineAvailable ? '' : ' (not enough weekday history for a baseline)';
  return (
    `${today} vs *${money(d.yesterdaySameTimeCents, c)}* yesterday by this time (day over day)${history}: ` +
    `${dropText(d)} · ${yesterday}`
  );
}

/** "no ledger event from stripe for 31 h (usual gap ≤ 24 h)", and the parse error behind it (escaped). */
function noSignalSummary(f: CommerceFigures, s: NoSignalFigures): string {
  const src = sourceName(f.source);
  const head =
    s.lastEventAtMs === null
      ? `no ledger event from ${src} yet, silent for ${duration(s.silentMs)}`
      : `no ledger event from ${src} for ${duration(s.silentMs)}`;
  const error = s.parseError
    ? ` · its deliveries fail to parse: \`${fitEscaped(s.parseError, 200).replace(/`/g, 'ˋ')}\``
    : '';
  return `${head} (usual gap ≤ ${duration(s.limitMs)}; pages after ${duration(s.pageAfterMs)})${error}`;
}

/** The summary pages, alerts and the War Room carry (escaped mrkdwn). */
export function commerceSummary(f: CommerceFigures): string {
  if (f.signal === 'NO_SIGNAL' && f.noSignal) return noSignalSummary(f, f.noSignal);
  if (f.dip) return dipSummary(f, f.dip);
  return `${SIGNAL_LABEL[f.signal] ?? 'Commerce'} · ${sourceName(f.source)} ${currencyCode(f.currency)}`;
}

/** The figure without the source, raw: "today $120.00 vs $900.00 (weekday baseline)", "silent 31 h (usual ≤ 24 h)". */
function figurePlain(f: CommerceFigures): string {
  if (f.signal === 'NO_SIGNAL' && f.noSignal)
    return `silent ${duration(f.noSignal.silentMs)} (usual ≤ ${duration(f.noSignal.limitMs)})`;
  if (f.dip) {
    const cmp = comparisonOf(f.dip);
    return `today ${moneyPlain(f.dip.todayCents, f.currency)} vs ${moneyPlain(cmp.cents, f.currency)} (${cmp.short})`;
  }
  return `today ${moneyPlain(f.series.at(-1)?.netCents ?? 0, f.currency)}`;
}

/** The short figure for Home and `/leak status` lines (escaped): the dip's, or "`stripe` silent 31 h (…)". */
export const commerceShort = (f: CommerceFigures): string =>
  f.signal === 'NO_SIGNAL'
    ? `${sourceName(f.source)} ${fitEscaped(figurePlain(f), 150)}`
    : fitEscaped(figurePlain(f), 200);

/**
 * Topic parts (plain text): "SEV-1 · Revenue dip · shopify USD · today $120.00 vs $900.00 (weekday
 * baseline) · PAGE". Resolved, it names no paging (renderTopic says RESOLVED).
 */
export function commerceTopicParts(i: Incident, f: CommerceFigures): string[] {
  const shown = incidentPagingShown(i);
  const what =
    f.signal === 'REVENUE_DIP'
      ? `${plainData(f.source, 40)} ${plainData(f.currency, 8)}`
      : plainData(f.source, 40);
  // No running figure here (today's amount, hours of silence): Slack posts a notice in the channel at
  // every topic change, and the watch runs every few minutes. The War Room carries the numbers.
  return [
    `SEV-${i.severity}`,
    SIGNAL_LABEL[f.signal] ?? 'Commerce',
    what,
    ...(shown.kind === 'paging' ? [shown.paging] : []),
  ];
}

/** "PAGE · shopify · USD · days in UTC · detected <date>" (a silence names no currency). */
export function commerceFacts(i: Incident, f: CommerceFigures): string {
  const currency = f.signal === 'REVENUE_DIP' ? ` · ${currencyCode(f.currency)}` : '';
  return (
    `${pagingBadge(incidentPagingShown(i))} · ${sourceName(f.source)}${currency} · ` +
    `days in ${safeText(f.timezone, 40)} · detected ${slackDate(i.openedAtMs)}`
  );
}

function dipFields(f: CommerceFigures, d: DipFigures): string[] {
  const cmp = comparisonOf(d);
  return [
    `*DNR today (so far)*\n${money(d.todayCents, f.currency)}`,
    `*Compared with (${cmp.short})*\n${money(cmp.cents, f.currency)} · ${dropText(d)}`,
    `*Yesterday*\n${money(d.yesterdayCents, f.currency)} whole day · ${money(d.yesterdaySameTimeCents, f.currency)} by this time`,
  ];
}

function noSignalFields(s: NoSignalFigures): string[] {
  return [
    `*Silent for*\n${duration(s.silentMs)}`,
    `*Usual gap*\n≤ ${duration(s.limitMs)} (pages after ${duration(s.pageAfterMs)})`,
    `*Last ledger event*\n${s.lastEventAtMs === null ? 'never' : slackDate(s.lastEventAtMs)}`,
  ];
}

function statsBlock(i: Incident, f: CommerceFigures): SectionBlock {
  const what =
    f.signal === 'REVENUE_DIP' ? `${sourceName(f.source)} ${currencyCode(f.currency)}` : sourceName(f.source);
  const signal = `${SIGNAL_LABEL[f.signal] ?? 'Commerce'} · ${what}`;
  const specific = f.dip ? dipFields(f, f.dip) : f.noSignal ? noSignalFields(f.noSignal) : [];
  const fields = [
    `*Severity*\nSEV-${i.severity}`,
    `*Paging*\n${pagingBadge(incidentPagingShown(i))}`,
    `*Signal*\n${signal}`,
    ...specific,
    `*Slope (7 days)*\n${slopeText(f.slopeCentsPerDay, f.currency)}`,
  ];
  return {
    type: 'section',
    fields: fields.slice(0, LIMITS.fieldsPerSection).map((t) => mrkdwn(truncate(t, 1_900))),
  };
}

/** Whether the signal still fires as last evaluated: resolving then is worth a second thought. */
const stillFiring = (f: CommerceFigures): boolean =>
  f.signal === 'REVENUE_DIP'
    ? f.dip !== null && f.dip.drop >= f.dip.threshold
    : f.noSignal !== null && f.noSignal.silentMs > f.noSignal.limitMs;

/** Acknowledge while nobody has; Resolve until resolved. No Rescan, no fix packs: those are the funnel's. */
const actionsBlock = (i: Incident, f: CommerceFigures): KnownBlock | null =>
  ackResolveActions(
    i,
    stillFiring(f)
      ? {
          title: 'Resolve while it fires?',
          text: 'The last evaluation still found this signal. Resolve anyway? The next evaluation that finds it opens the incident again.',
        }
      : null,
  );

/** The source's last deliveries, as many as fit `budget` characters of block JSON. */
function evidenceBlocks(f: CommerceFigures, budget: number): KnownBlock[] {
  const lines = f.lastDeliveries.slice(0, MAX_DELIVERIES).map((d) => deliveryLine(d, f.evaluatedAtMs));
  if (lines.length === 0) {
    const none = section(`*Last deliveries*\nNo delivery from ${sourceName(f.source)} on record.`);
    return jsonSize([none]) <= budget ? [none] : [];
  }
  return packLines('*Last deliveries* (evidence, newest first)', lines, budget).blocks;
}

export function commerceWarRoomText(i: Incident, f: CommerceFigures): string {
  return truncate(
    `SEV-${i.severity} · ${fitEscaped(i.title, 150)} · ${stateLabel(i)}: ${commerceSummary(f)}`,
    2_900,
  );
}

/** The War Room of a commerce incident: DNR against its comparison, the 7-day bars, the evidence. */
export function renderCommerceWarRoom(i: Incident, f: CommerceFigures): Rendered {
  const emoji = f.signal === 'NO_SIGNAL' ? ':satellite_antenna:' : ':chart_with_downwards_trend:';
  const blocks: KnownBlock[] = [
    headerBlock(i),
    statsBlock(i, f),
    stateBlock(i),
    { type: 'divider' },
    section(`${emoji} ${commerceSummary(f)}`),
    section(
      `*Last 7 days* · DNR in ${currencyCode(f.currency)}, days in ${safeText(f.timezone, 40)}\n` +
        seriesBlockText(f.series, f.currency, true),
    ),
  ];
  const tail: KnownBlock[] = [
    context(
      `Evaluated ${slackDate(f.evaluatedAtMs)} · source ${sourceName(f.source)} · \`/leak revenue\` for every source and currency`,
    ),
  ];
  const actions = actionsBlock(i, f);
  if (actions) tail.push(actions);
  blocks.push(...evidenceBlocks(f, LIMITS.blocksJsonBudget - jsonSize([...blocks, ...tail])));
  return { text: commerceWarRoomText(i, f), blocks: [...blocks, ...tail] };
}
