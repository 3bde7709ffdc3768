import type { Incident } from '../../../domain/incidents/incident.ts';
import { incidentPagingShown } from '../../../domain/incidents/paging-shown.ts';
import type { StuckDeal } from '../../../domain/revops/aggregates.ts';
import { crossesLeakBudget, type RevopsLeakFigures, stuckLeakSummary } from '../../../domain/revops/leak.ts';
import { formatUsd } from '../../../shared/money.ts';
import {
  ackResolveActions,
  context,
  count,
  fitEscaped,
  formatBurn,
  headerBlock,
  jsonSize,
  mrkdwn,
  packLines,
  plural,
  type Rendered,
  section,
  slackDate,
  stateBlock,
  stateLabel,
} from './kit.ts';
import { LIMITS } from './limits.ts';
import { safeCode, safeText, truncate } from './mrkdwn.ts';
import { pagingBadge } from './paging-badge.ts';
import type { KnownBlock, SectionBlock } from './types.ts';

/**
 * A pipeline incident (stuck deals over the leak budget, issue 14) in Slack: the summary pages and alerts
 * carry, its topic, the facts line, the Home line and its War Room (the totals against the budget, the
 * rule, the longest-stuck deals). Accounts, owners, stages and deal ids come from imported CSVs, so every
 * one of them is escaped like any other data.
 */

/** Room kept for the "…and N more" context while packing deal lines. */
const MORE_RESERVE = 200;
const SOURCE_LABEL: Record<RevopsLeakFigures['source'], string> = {
  deals: 'imported deals',
  funnel: 'funnel opportunities (no deals imported)',
};

/** "7 deals worth $1,200,000 stuck over 45 days (budget $500,000), 2.4× the budget". Numbers only. */
export const revopsSummary = (f: RevopsLeakFigures): string =>
  `${stuckLeakSummary(f)}, ${formatBurn(f.budgetMultiple)} the budget`;

/** The Home and `/leak status` figure: "7 stuck deals · $1,200,000 (budget $500,000)". */
export const revopsShort = (f: RevopsLeakFigures): string =>
  `${plural(f.stuckDeals, 'stuck deal')} · ${formatUsd(f.stuckCents)} (budget ${formatUsd(f.leakBudgetCents)})`;

/**
 * Topic parts (plain text): "SEV-2 · Stuck deals · $1,200,000 over the $500,000 budget · PAGE". The amount
 * changes only with an import or a deal reaching the rule, and the watch runs daily, so Slack's notice on a
 * topic change stays rare. Resolved, it names no paging (renderTopic says RESOLVED).
 */
export function revopsTopicParts(i: Incident, f: RevopsLeakFigures): string[] {
  const shown = incidentPagingShown(i);
  return [
    `SEV-${i.severity}`,
    'Stuck deals',
    `${formatUsd(f.stuckCents)} over the ${formatUsd(f.leakBudgetCents)} budget`,
    ...(shown.kind === 'paging' ? [shown.paging] : []),
  ];
}

const ruleText = (f: RevopsLeakFigures): string =>
  `≥ ${count(f.minDays)} days in stage and ≥ ${formatUsd(f.minCents)}`;

/** "PAGE · stuck ≥ 45 days in stage and ≥ $50,000 · imported deals · detected <date>". */
export const revopsFacts = (i: Incident, f: RevopsLeakFigures): string =>
  `${pagingBadge(incidentPagingShown(i))} · stuck ${ruleText(f)} · ${SOURCE_LABEL[f.source]} · ` +
  `detected ${slackDate(i.openedAtMs)}`;

function statsBlock(i: Incident, f: RevopsLeakFigures): SectionBlock {
  const fields = [
    `*Severity*\nSEV-${i.severity}`,
    `*Paging*\n${pagingBadge(incidentPagingShown(i))}`,
    `*Stuck deals*\n${count(f.stuckDeals)} worth ${formatUsd(f.stuckCents)}`,
    `*Leak budget*\n${formatUsd(f.leakBudgetCents)} · stuck is ${formatBurn(f.budgetMultiple)} it`,
    `*Stuck rule*\n${ruleText(f)}`,
    `*Deals from*\n${SOURCE_LABEL[f.source]}`,
  ];
  return { type: 'section', fields: fields.map((t) => mrkdwn(truncate(t, LIMITS.fieldText))) };
}

/** "• *Acme* (`D1`) · Negotiation · *$120,000* · 91 days in stage · Dana". Escaped. */
export function stuckDealLine(d: StuckDeal): string {
  return (
    `• *${safeText(d.account || '(no account)', 60)}* (\`${safeCode(d.dealId, 40)}\`) · ` +
    `${safeText(d.stage, 40)} · *${formatUsd(d.amountCents)}* · ${plural(d.daysInStage, 'day')} in stage · ` +
    `${safeText(d.owner || 'Unassigned', 40)}`
  );
}

/** Acknowledge while nobody has; Resolve until resolved, confirmed while still over the budget. */
const actionsBlock = (i: Incident, f: RevopsLeakFigures): KnownBlock | null =>
  ackResolveActions(
    i,
    crossesLeakBudget(f.stuckCents, f.leakBudgetCents)
      ? {
          title: 'Resolve while over budget?',
          text: 'The last reading still found the stuck deals over the leak budget. Resolve anyway? The next pipeline watch that finds them opens an incident again.',
        }
      : null,
  );

/** The longest-stuck deals that fit `budget` characters of block JSON, and how many more there are. */
function dealBlocks(f: RevopsLeakFigures, budget: number): KnownBlock[] {
  const listed = packLines(
    '*Longest stuck* (longest in stage first)',
    f.deals.map(stuckDealLine),
    budget - MORE_RESERVE,
  );
  const rest = f.stuckDeals - listed.shown;
  if (rest <= 0) return listed.blocks;
  const shownCents = f.deals.slice(0, listed.shown).reduce((a, d) => a + d.amountCents, 0);
  return [
    ...listed.blocks,
    context(`…and ${plural(rest, 'more stuck deal')} (${formatUsd(Math.max(0, f.stuckCents - shownCents))})`),
  ];
}

export function revopsWarRoomText(i: Incident, f: RevopsLeakFigures): string {
  return `SEV-${i.severity} · ${fitEscaped(i.title, 150)} · ${stateLabel(i)}: ${revopsSummary(f)}`;
}

/** The War Room of a pipeline incident: the stuck total against the budget, the rule, the deals. */
export function renderRevopsWarRoom(i: Incident, f: RevopsLeakFigures): Rendered {
  const blocks: KnownBlock[] = [
    headerBlock(i),
    statsBlock(i, f),
    stateBlock(i),
    { type: 'divider' },
    section(`:hourglass_flowing_sand: ${revopsSummary(f)}.`),
  ];
  const tail: KnownBlock[] = [
    context(
      `Read ${slackDate(f.evaluatedAtMs)} (days in stage as of then) by the pipeline watch · ` +
        '`/revops pipeline` for the whole pipeline',
    ),
  ];
  const actions = actionsBlock(i, f);
  if (actions) tail.push(actions);
  blocks.push(...dealBlocks(f, LIMITS.blocksJsonBudget - jsonSize([...blocks, ...tail])));
  return { text: revopsWarRoomText(i, f), blocks: [...blocks, ...tail] };
}
