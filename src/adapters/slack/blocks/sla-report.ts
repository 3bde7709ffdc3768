import { formatMinor } from '../../../domain/commerce/money-format.ts';
import type { WeeklyRevenue } from '../../../domain/commerce/weekly.ts';
import { dayLabel, type SlaReport, type SlaWeekRow, weekRange } from '../../../domain/sla/report.ts';
import {
  formatBurn,
  formatCount,
  formatPercentLeft,
  formatShare,
  formatTarget,
} from '../../../shared/format.ts';
import { formatUsd } from '../../../shared/money.ts';
import type { Rendered } from './kit.ts';
import { LIMITS } from './limits.ts';
import { safeText } from './mrkdwn.ts';
import type { KnownBlock } from './types.ts';

/**
 * The weekly SLA report as Block Kit: one section per SLA (attainment against target, budget left, worst
 * burn, breaches, incidents, downtime, p99 trend), the revenue SLOs with dollars at risk, and dollars
 * recovered. Shares, burns and budget left are written by shared/format.ts, as the SLA War Room, App Home
 * and `leak sla report` write them, so every surface quotes the same figure for the same data. Names come from SLO documents and scans: data, so escaped. Built within the Block Kit limits
 * (limits.ts): SLAs beyond the block or JSON budget are counted, not dropped silently.
 */

const STATUS_ICON = {
  met: ':white_check_mark:',
  breached: ':red_circle:',
  no_data: ':white_circle:',
} as const;
const STATUS_WORD = { met: 'met', breached: 'breached', no_data: 'no data' } as const;

/** `230 ms`, `1.24 s`. */
export function formatMs(v: number): string {
  if (v >= 1000) return `${Number((v / 1000).toFixed(2))} s`;
  return `${Number(v.toFixed(v >= 100 ? 0 : 1))} ms`;
}

export function p99Text(p: SlaWeekRow['p99']): string {
  if (p.thisWeek === null)
    return p.previousWeek === null ? 'no values' : `no values (was ${formatMs(p.previousWeek)})`;
  if (p.previousWeek === null) return `${formatMs(p.thisWeek)} (no values the week before)`;
  const change = p.changePct === null ? '' : `, ${p.changePct >= 0 ? '+' : ''}${p.changePct.toFixed(1)}%`;
  return `${formatMs(p.thisWeek)} (was ${formatMs(p.previousWeek)}${change})`;
}

/** "1 (1 open)": the week's incidents, and how many of them are still open now. */
const incidentsText = (s: SlaWeekRow): string =>
  `${formatCount(s.incidents)}${s.openIncidents > 0 ? ` (${formatCount(s.openIncidents)} open)` : ''}`;

/**
 * Where the week's days come from: Gold, or (for a day Gold has not got yet: today so far, a night the
 * engine has not run) counted live from Silver. Days without events are not named.
 */
function sourcesLine(s: SlaWeekRow): string | null {
  const live = s.daily.filter((d) => d.live && d.attainment !== null).map((d) => dayLabel(d.dayMs));
  const parts: string[] = [];
  if (live.length > 0)
    parts.push(`:hourglass_flowing_sand: ${live.join(', ')} live, not yet in Gold (from Silver)`);
  if (s.days < 7) parts.push(`${s.days} of 7 days in Gold`);
  return parts.length === 0 ? null : parts.join(' · ');
}

function slaSection(s: SlaWeekRow): KnownBlock {
  const head =
    `${STATUS_ICON[s.status]} *${safeText(s.name, 120)}* · ${safeText(s.service, 60)} · ${s.indicator}\n` +
    (s.attainment === null
      ? `No events this week (target ${formatTarget(s.target)}).`
      : `*${formatShare(s.attainment)}* against ${formatTarget(s.target)}: *${STATUS_WORD[s.status]}*`);
  const worst =
    s.worstBurn === null ? 'none' : `${formatBurn(s.worstBurn.burn)} (${dayLabel(s.worstBurn.dayMs)})`;
  const lines = [
    `Budget left ${s.attainment === null ? '-' : formatPercentLeft(s.budgetRemaining)} (week burn ${formatBurn(s.burn)}) · worst day ${worst}`,
    `Breaches ${formatCount(s.breaches)} min · incidents ${incidentsText(s)} · downtime ${formatCount(s.downtimeMinutes)} min · p99 ${p99Text(s.p99)}`,
  ];
  const sources = sourcesLine(s);
  if (sources !== null) lines.push(sources);
  return { type: 'section', text: { type: 'mrkdwn', text: `${head}\n${lines.join('\n')}` } };
}

function revenueBlocks(r: SlaReport): KnownBlock[] {
  const lines: string[] = [];
  if (r.revenue === null) lines.push('No scan ran this week: no revenue SLO figures.');
  else {
    for (const s of r.revenue.slos)
      lines.push(
        `${s.breached ? ':red_circle:' : ':white_check_mark:'} ${safeText(s.name, 90)}: *${formatShare(s.current)}* against ${formatTarget(s.target)}` +
          ` · ${formatUsd(s.atRiskCents)} at risk`,
      );
    lines.push(
      `Total at risk ${formatUsd(r.revenue.totalAtRiskCents)} as of the scan of ${new Date(r.revenue.scanAsOfMs).toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    );
  }
  lines.push(`:moneybag: ${formatUsd(r.recoveredCents)} recovered by fix packs this week.`);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*Revenue SLOs*\n${lines.join('\n')}` } },
  ];
  if (r.commerce) blocks.push(storeBlock(r.commerce));
  return blocks;
}

const MAX_STORE_LINES = 8;

/** The store's week: net revenue per currency (sales − refunds − lost disputes) and the dips that paged. */
function storeBlock(c: WeeklyRevenue): KnownBlock {
  const lines = c.currencies
    .slice(0, MAX_STORE_LINES)
    .map(
      (x) =>
        `${x.currency}: net *${formatMinor(x.netCents, x.currency)}* · sales ${formatMinor(x.salesCents, x.currency)}` +
        ` · refunds ${formatMinor(x.refundsCents, x.currency)} · lost disputes ${formatMinor(x.lostDisputesCents, x.currency)}`,
    );
  if (c.currencies.length === 0) lines.push('No store revenue was recorded this week.');
  if (c.currencies.length > MAX_STORE_LINES)
    lines.push(`…and ${c.currencies.length - MAX_STORE_LINES} more currencies.`);
  const dips = c.dips.length;
  lines.push(
    dips === 0
      ? ':white_check_mark: No revenue dip paged this week.'
      : `:chart_with_downwards_trend: ${dips} revenue ${dips === 1 ? 'dip' : 'dips'} paged: ${c.dips
          .slice(0, 5)
          .map((d) => safeText(d.title, 60))
          .join(', ')}${dips > 5 ? ', …' : ''}`,
  );
  return { type: 'section', text: { type: 'mrkdwn', text: `*Store revenue*\n${lines.join('\n')}` } };
}

/** The report; `note` (already-safe mrkdwn) is added as a last context line (where the chart went). */
export function renderSlaReport(r: SlaReport, note?: string): Rendered {
  const scope = r.service === null ? '' : ` · ${r.service}`;
  const summary =
    r.slas.length === 0
      ? r.service === null
        ? 'No SLA was in force this week. Define some with `leak sla apply -f slos.yaml`.'
        : `No SLA of service ${safeText(r.service, 60)} was in force this week.`
      : `${formatCount(r.summary.met)} met · ${formatCount(r.summary.breached)} breached · ${formatCount(r.summary.noData)} without data`;
  const head: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: `SLA report ${r.week}${scope}`.slice(0, LIMITS.headerText) },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${weekRange(r)}${r.complete ? '' : ' · *partial week, so far*'} · ${summary}`,
        },
      ],
    },
  ];
  const tail: KnownBlock[] = [{ type: 'divider' }, ...revenueBlocks(r)];
  if (note) tail.push({ type: 'context', elements: [{ type: 'mrkdwn', text: note }] });

  // SLA sections while the message stays within the block count and the JSON budget (one block kept for
  // the "more" line).
  const size = (bs: KnownBlock[]) => JSON.stringify(bs).length;
  let used = size(head) + size(tail) + 400;
  const body: KnownBlock[] = [];
  let shown = 0;
  for (const s of r.slas) {
    const block = slaSection(s);
    const cost = JSON.stringify(block).length + 1;
    if (head.length + body.length + tail.length + 2 > LIMITS.blocksPerMessage) break;
    if (used + cost > LIMITS.blocksJsonBudget) break;
    body.push(block);
    used += cost;
    shown++;
  }
  if (shown < r.slas.length)
    body.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `…and ${r.slas.length - shown} more SLAs: \`leak sla report --week ${r.week}\` lists them all.`,
        },
      ],
    });

  const text =
    `SLA report ${r.week}${scope}: ${summary.replace(/`/g, '')}` +
    (r.revenue ? `; ${formatUsd(r.revenue.totalAtRiskCents)} revenue at risk` : '') +
    `; ${formatUsd(r.recoveredCents)} recovered.`;
  return { text, blocks: [...head, ...body, ...tail] };
}

/** Usage of `/sla`. */
export const SLA_USAGE =
  '`/sla report [service] [week]` — the SLA report of a week (default: the last complete one), e.g. ' +
  '`/sla report`, `/sla report checkout 2026-W47`: attainment against target, budget left, worst burn, ' +
  'breaches, incidents, downtime and p99 per SLA, the revenue SLOs and dollars recovered; the daily ' +
  'attainment chart is shared in the channel. `/sla help` — this message.';

export function renderSlaUsage(problem?: string): Rendered {
  const text = problem ? `:warning: ${problem}\n${SLA_USAGE}` : SLA_USAGE;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*SLA reports*\n${text}` } }] };
}
