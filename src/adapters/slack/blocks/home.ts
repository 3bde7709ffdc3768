import type { RevenueView } from '../../../app/commerce/view-model.ts';
import type { CrmStatusView } from '../../../app/crm/status.ts';
import type { StatusView } from '../../../app/incidents/ports.ts';
import type { RevopsView } from '../../../app/revops/view.ts';
import type { SloStatus } from '../../../domain/budget/slos.ts';
import type { Incident, IncidentFigures } from '../../../domain/incidents/incident.ts';
import type { PagingShown } from '../../../domain/incidents/paging-shown.ts';
import { formatUsd } from '../../../shared/money.ts';
import { commerceShort } from './commerce-incident.ts';
import { crmHomeBlocks } from './crm-sync.ts';
import {
  budgetGauge,
  channelLink,
  context,
  count,
  fitEscaped,
  formatBurn,
  incidentEmoji,
  issueLine,
  jsonSize,
  mrkdwn,
  packLines,
  percentLeft,
  plural,
  type Rendered,
  section,
  slackDate,
  stateLabel,
} from './kit.ts';
import { LIMITS } from './limits.ts';
import { safeText } from './mrkdwn.ts';
import { pagingBadge } from './paging-badge.ts';
import { revenueHomeBlocks } from './revenue-home.ts';
import { revopsHomeBlocks } from './revops-home.ts';
import { revopsShort } from './revops-incident.ts';
import { slaSummary } from './sla-incident.ts';
import { timelineLine } from './timeline.ts';
import type { KnownBlock } from './types.ts';

/**
 * `/leak status` (ephemeral) and the App Home tab show the same picture: open incidents, the budget, the
 * SLOs, the top issues and the latest activity. The Home tab allows 100 blocks, but the block JSON budget
 * that bites messages is kept for it too (SLACK.md): lists are packed to a share of that budget each.
 */

export const NO_SCAN = 'No scan yet — run `/leak scan`';
const ALL_CLEAR = ':white_check_mark: *All clear* — no open revenue incidents.';
/** No revenue incident open, yet the newest scan leaks: neither all clear nor paging (paging-shown.ts). */
const stillBurning = (p: Extract<PagingShown, { kind: 'still_burning' }>): string =>
  p.resolvedByHand
    ? 'resolved by hand, still burning: the next scan will reopen it'
    : 'still burning: the next scan will open an incident';
const TOP_ISSUES = 5;
const MAX_INCIDENTS = 20;
const TITLE_MAX = 80;
/** Room kept for up to three "…and N more" contexts. */
const MORE_RESERVE = 450;
/** Shares of what is left of the JSON budget, in order: incidents, issues, activity (unused share rolls on). */
const SHARES = [0.35, 0.3, 0.35] as const;

/** Floored to 0.1%: a breached 94.96% must never display as the 95% target it misses. */
export const pct = (x: number): string => `${Math.floor(x * 1000 + 1e-9) / 10}%`;

/** "burn 14.5× · $725,394 at risk", an SLA's burn and good share, a commerce or pipeline short figure. */
const incidentFigureText = (i: Incident): string => {
  const f = i.figures;
  if (f.kind === 'sla') return slaSummary(f);
  if (f.kind === 'commerce') return commerceShort(f);
  if (f.kind === 'revops') return revopsShort(f);
  return `burn ${formatBurn(f.burn)} · ${formatUsd(f.atRiskCents)} at risk`;
};

/** "$725,394 at risk", an SLA's burn and good share, a commerce or pipeline short figure. */
const worstFigureText = (i: Incident): string => {
  const f = i.figures;
  if (f.kind === 'sla') return slaSummary(f);
  if (f.kind === 'commerce') return commerceShort(f);
  if (f.kind === 'revops') return revopsShort(f);
  return `${formatUsd(f.atRiskCents)} at risk`;
};

export function incidentLine(i: Incident): string {
  const link = channelLink(i.channelId);
  return (
    `${incidentEmoji(i)} *SEV-${i.severity} · ${safeText(i.title, TITLE_MAX)}* · ${stateLabel(i)} · ` +
    `${incidentFigureText(i)}${link ? ` · ${link}` : ''}`
  );
}

export function sloLine(s: SloStatus): string {
  return (
    `${s.breached ? ':x:' : ':white_check_mark:'} *${safeText(s.name, 100)}*: ${pct(s.current)} ` +
    `(target ${pct(s.target)}) · ${pct(s.budgetShare)} of the budget (${formatUsd(s.budgetCents)})`
  );
}

function budgetBlocks(f: IncidentFigures, paging: PagingShown | null, recoveredCents: number): KnownBlock[] {
  const fields = [
    `*Recovered this week*\n${formatUsd(recoveredCents)} by fixes`,
    `*Budget left*\n\`${budgetGauge(f.budgetRemaining)}\` ${percentLeft(f.budgetRemaining)}`,
    `*Burn*\n${formatBurn(f.burn)} the monthly budget`,
    `*At risk*\n${formatUsd(f.atRiskCents)} of ${formatUsd(f.budgetCents)}`,
    `*Paging*\n${paging === null ? '—' : pagingBadge(paging)}`,
    `*Open issues*\n${count(f.openIssues)} (${count(f.highIssues)} high)`,
  ];
  const blocks: KnownBlock[] = [{ type: 'section', fields: fields.map(mrkdwn) }];
  if (f.slos.length > 0)
    blocks.push(section(['*Revenue SLOs*', ...f.slos.slice(0, 10).map(sloLine)].join('\n')));
  blocks.push(context(`Last scan ${slackDate(f.scanAsOfMs)} · scan #${safeText(f.scanId, 40)}`));
  return blocks;
}

const more = (n: number, one: string, many: string): KnownBlock[] =>
  n > 0 ? [context(`…and ${plural(n, one, many)}`)] : [];

/** The line above the budget: no scan yet, all clear, or still burning with no revenue incident open. */
function overviewBlocks(view: StatusView): KnownBlock[] {
  const p = view.budgetPaging;
  if (p?.kind === 'still_burning')
    return [section(`:warning: *No open revenue incident* — ${stillBurning(p)}.`)];
  if (view.figures === null) return [section(`${NO_SCAN}.`)];
  return view.open.length === 0 ? [section(ALL_CLEAR)] : [];
}

/** `extra` (the Home tab's revenue section) follows the budget and counts in the fixed part of the JSON budget. */
function body(
  view: StatusView,
  recentMax: number,
  budget: number,
  head: KnownBlock[],
  extra: KnownBlock[] = [],
): KnownBlock[] {
  const f = view.figures;
  const overview = overviewBlocks(view);
  const figures = [
    ...(f === null ? [] : budgetBlocks(f, view.budgetPaging, view.recoveredThisWeekCents)),
    ...extra,
  ];

  const lists = [
    {
      heading: `*Open incidents (${count(view.open.length)})*`,
      lines: view.open.slice(0, MAX_INCIDENTS).map(incidentLine),
      total: view.open.length,
      one: 'more incident',
      many: 'more incidents',
    },
    {
      heading: '*Top issues*',
      lines: (f?.topIssues ?? []).slice(0, TOP_ISSUES).map((i) => issueLine(i, f!.scanAsOfMs)),
      total: f?.openIssues ?? 0,
      one: 'more issue',
      many: 'more issues',
    },
    {
      heading: '*Latest activity*',
      lines: view.recent
        .slice(0, recentMax)
        .map((e) => `${timelineLine(e)} · incident #${safeText(e.incidentId, 20)}`),
      total: Math.min(view.recent.length, recentMax),
      one: 'more entry',
      many: 'more entries',
    },
  ];
  const fixed = [...head, ...overview, ...figures];
  const available = budget - jsonSize(fixed) - MORE_RESERVE;
  const pack = (l: (typeof lists)[number], room: number) =>
    l.lines.length === 0 ? { blocks: [], shown: 0 } : packLines(l.heading, l.lines, room);
  // Usually everything fits; only oversized data falls back to shares, each passing on what it left unused.
  let packs = lists.map((l) => pack(l, available));
  if (packs.reduce((a, p) => a + jsonSize(p.blocks), 0) > available) {
    let carry = 0;
    packs = lists.map((l, n) => {
      const room = Math.floor(available * SHARES[n]!) + carry;
      const p = pack(l, room);
      carry = room - jsonSize(p.blocks);
      return p;
    });
  }
  const packed = lists.map((l, n) => {
    const p = packs[n]!;
    return l.lines.length === 0 ? [] : [...p.blocks, ...more(l.total - p.shown, l.one, l.many)];
  });
  const [incidents, issues, activity] = packed;
  return [...head, ...incidents!, ...overview, ...figures, ...issues!, ...activity!];
}

/** Share of the JSON budget the revenue section may take on the Home tab. */
const REVENUE_SHARE = 0.25;
/** Share of the JSON budget the RevOps "This week" section may take on the Home tab. */
const REVOPS_SHARE = 0.15;

/**
 * The App Home tab: published with views.publish, so no fallback text, and up to 100 blocks. With the
 * revenue watch configured, `revenue` (null when not, or when reading it failed) adds its section after
 * the budget; `revops` (null without RevOps data) adds "This week" after that (revops-home.ts).
 */
export function renderHome(
  view: StatusView,
  nowMs: number,
  revenue: RevenueView | null = null,
  revops: RevopsView | null = null,
  crm: readonly CrmStatusView[] = [],
): { type: 'home'; blocks: KnownBlock[] } {
  const head: KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: ':rotating_light: Revenue Leak War Room', emoji: true },
    },
    context(`Updated ${slackDate(nowMs)} · \`/leak status\` for the same view anywhere`),
  ];
  const revenueBlocks =
    revenue === null ? [] : revenueHomeBlocks(revenue, LIMITS.blocksJsonBudget * REVENUE_SHARE);
  // RevOps' "This week" only when RevOps data exists (the caller passes null otherwise).
  const revopsBlocks =
    revops === null ? [] : revopsHomeBlocks(revops, LIMITS.blocksJsonBudget * REVOPS_SHARE);
  const extra: KnownBlock[] = [
    ...(revenueBlocks.length === 0 ? [] : [{ type: 'divider' } as const, ...revenueBlocks]),
    ...(revopsBlocks.length === 0 ? [] : [{ type: 'divider' } as const, ...revopsBlocks]),
    // The CRM sync line (issue 16), when a CRM is connected: where the records come from, and how fresh.
    ...(crm.length === 0 ? [] : [{ type: 'divider' } as const, ...crm.flatMap(crmHomeBlocks)]),
  ];
  return { type: 'home', blocks: body(view, 10, LIMITS.blocksJsonBudget, head, extra) };
}

export function statusText(view: StatusView): string {
  const f = view.figures;
  if (view.open.length > 0) {
    const worst = view.open[0]!;
    return `${plural(view.open.length, 'open incident')}, worst SEV-${worst.severity}: ${fitEscaped(worst.title, 150)} (${worstFigureText(worst)})`;
  }
  const p = view.budgetPaging;
  if (p?.kind === 'still_burning') return `No open revenue incident: ${stillBurning(p)}`;
  return f === null ? NO_SCAN : 'All clear: no open revenue incidents';
}

/** `/leak status`, shown only to the person who asked. */
export function renderStatus(view: StatusView): Rendered {
  return { text: statusText(view), blocks: body(view, 5, LIMITS.blocksJsonBudget, []) };
}
