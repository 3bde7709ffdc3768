import { localDay } from '../../domain/commerce/days.ts';
import type { Insight, InsightLeak, RevopsReport } from '../../domain/revops/figures.ts';
import type { RevopsFilter } from '../../domain/revops/types.ts';
import { formatUsd } from '../../shared/money.ts';
import type { RevopsDigest } from './digest.ts';
import type { RevopsView } from './view.ts';
import {
  channelTable,
  churnReasonTable,
  cohortTable,
  type Fact,
  marketingFacts,
  mrrTable,
  ownerTable,
  paybackTable,
  pipelineFacts,
  revenueFacts,
  stageTable,
  stuckTable,
  type Table,
  tableLines,
} from './view-tables.ts';

/**
 * The RevOps views and the weekly digest as plain text, for `leak revops` and `leak digest`: the same
 * facts and tables the Slack blocks show (view-tables.ts), every row of them, aligned in columns.
 */

const DAY_MS = 86_400_000;

const factsTable = (facts: readonly Fact[]): Table => ({
  header: ['FIGURE', 'VALUE', 'CHANGE'],
  align: ['l', 'r', 'l'],
  rows: facts.map((f) => [
    f.label,
    f.value,
    f.compared ? (f.change ?? 'no previous figure') : 'not compared',
  ]),
});

function block(title: string, t: Table, none: string): string[] {
  return ['', title, ...(t.rows.length === 0 ? [none] : tableLines(t, Number.POSITIVE_INFINITY, 40))];
}

function slices(f: RevopsFilter): string {
  return [
    f.segment ? `segment ${f.segment}` : '',
    f.owner ? `owner ${f.owner}` : '',
    f.channel ? `channel ${f.channel}` : '',
  ]
    .filter((s) => s !== '')
    .join(', ');
}

function heading(title: string, label: string, f: RevopsFilter): string[] {
  const days = Math.max(1, Math.round((f.toMs - f.fromMs) / DAY_MS));
  const s = slices(f);
  return [
    `${title}, ${label}${s ? ` (${s})` : ''}`,
    `Changes against the ${days === 1 ? 'day' : `${days} days`} before.`,
  ];
}

function pipelineLines(r: RevopsReport): string[] {
  const p = r.pipeline;
  return [
    ...block('Headline', factsTable(pipelineFacts(r)), ''),
    ...(p.source === 'funnel' ? ['(No deals imported: figures from the funnel’s opportunities.)'] : []),
    ...block('Stages', stageTable(p), 'No open deals.'),
    ...block('Owners', ownerTable(p), 'No owner has open or closed deals in this period.'),
    ...block(
      `Stuck deals (${p.stuckTotal.deals} worth ${formatUsd(p.stuckTotal.amountCents)}), longest in stage first`,
      stuckTable(p),
      'No stuck deals.',
    ),
  ];
}

function revenueLines(r: RevopsReport): string[] {
  const v = r.revenue;
  return [
    ...block('Headline', factsTable(revenueFacts(r)), ''),
    ...block('MRR movement by month', mrrTable(v), 'No MRR history in this period.'),
    ...block('Churn reasons', churnReasonTable(v), 'No customer churned in this period.'),
    ...block('Cohort retention: % of customers still paying', cohortTable(v, 'logo', 12), 'No cohorts yet.'),
    ...block('Cohort retention: % of start MRR still paid', cohortTable(v, 'mrr', 12), 'No cohorts yet.'),
  ];
}

function marketingLines(r: RevopsReport): string[] {
  const m = r.marketing;
  return [
    ...block('Headline', factsTable(marketingFacts(r)), ''),
    ...block('Channels (leads → MQL → SQL → opportunity → won)', channelTable(m), 'No marketing spend.'),
    ...block('CAC payback by segment', paybackTable(m), 'No segment had spend or new customers.'),
  ];
}

/** The command that opens an insight's view over the report's period and slices. */
function showCommand(i: Insight, f: RevopsFilter, tz: string): string {
  const day = (ms: number) => localDay(ms, tz);
  const args = [`--from ${day(f.fromMs)}`, `--to ${day(Math.max(f.fromMs, f.toMs - 1))}`];
  if (f.segment) args.push(`--segment ${f.segment}`);
  if (f.owner) args.push(`--owner '${f.owner.replace(/'/g, "'\\''")}'`);
  if (f.channel) args.push(`--channel '${f.channel.replace(/'/g, "'\\''")}'`);
  return `leak revops ${i.view} ${args.join(' ')}`;
}

/**
 * "leak: over the leak budget, $380,000 at risk → feeds open incident #42 (SEV-2, DETECTED, #inc-…)": the
 * pipeline incident it feeds (leak-link.ts), that none is open now, or (nobody looked) the leak alone.
 */
export function leakLine(leak: InsightLeak): string {
  const risk = `${formatUsd(leak.atRiskCents)} at risk`;
  const ref = leak.incident;
  if (ref === undefined) return `leak: ${leak.reason}, ${risk}`;
  if (ref === null)
    return `leak: over the leak budget, ${risk}; no pipeline incident is open now (\`leak revops watch\` judges the deals stuck today)`;
  const channel = ref.channelName ? `, #${ref.channelName}` : '';
  return `leak: over the leak budget, ${risk} → feeds open incident #${ref.id} (SEV-${ref.severity}, ${ref.state.toUpperCase()}${channel})`;
}

export function insightLines(r: RevopsReport, tz: string): string[] {
  if (r.insights.length === 0) return ['', 'Insights: nothing stands out.'];
  const out = ['', `Insights (${r.insights.length})`];
  for (const i of r.insights) {
    out.push(`[${i.severity}] ${i.title} (confidence ${Math.round(i.confidence * 100)}%)`);
    out.push(`    ${i.detail}`);
    if (i.leak) out.push(`    ${leakLine(i.leak)}`);
    out.push(`    → ${showCommand(i, r.filter, tz)}`);
  }
  return out;
}

const TITLE = {
  pipeline: 'Pipeline',
  revenue: 'Revenue',
  marketing: 'Marketing',
  insights: 'RevOps insights',
};

/** `leak revops <view>` as text. */
export function viewText(v: RevopsView, tz: string): string {
  const r = v.report;
  const body =
    v.view === 'pipeline'
      ? pipelineLines(r)
      : v.view === 'revenue'
        ? revenueLines(r)
        : v.view === 'marketing'
          ? marketingLines(r)
          : insightLines(r, tz);
  return `${[...heading(TITLE[v.view], v.period.label, r.filter), ...body].join('\n')}\n`;
}

/** `leak digest` as text: the week's figures and changes, stuck deals, MRR, channels, insights. */
export function digestText(d: RevopsDigest): string {
  const r = d.report;
  const lines = [
    `RevOps weekly digest ${d.week.label}, ${d.week.span} (${d.timezone})${d.partial ? ', so far' : ''}`,
    'Changes against the week before.',
    ...block('Pipeline', factsTable(pipelineFacts(r)), ''),
    ...block('Revenue', factsTable(revenueFacts(r)), ''),
    ...block('Marketing', factsTable(marketingFacts(r)), ''),
    ...block(
      `Stuck deals (${r.pipeline.stuckTotal.deals} worth ${formatUsd(r.pipeline.stuckTotal.amountCents)})`,
      stuckTable(r.pipeline),
      'No stuck deals.',
    ),
    ...block('MRR movement', mrrTable(r.revenue), 'No MRR history this week.'),
    ...block('Channels', channelTable(r.marketing), 'No marketing spend this week.'),
    ...insightLines(r, d.timezone),
  ];
  return `${lines.join('\n')}\n`;
}
