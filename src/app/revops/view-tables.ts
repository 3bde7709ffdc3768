import type {
  MarketingFigures,
  PipelineFigures,
  RevenueFigures,
  RevopsReport,
} from '../../domain/revops/figures.ts';
import { formatCount } from '../../shared/format.ts';
import { months, monthText, pct, usd } from './view-facts.ts';

export {
  type Fact,
  factLine,
  marketingFacts,
  months,
  monthText,
  pct,
  perDay,
  pipelineFacts,
  revenueFacts,
  usd,
} from './view-facts.ts';

/**
 * The RevOps views as facts and tables of text, once, for every surface: the Slack blocks set the tables
 * in preformatted sections, `leak revops` and `leak digest` print them, so a figure reads the same in
 * both. Pure: a RevopsReport in, strings out (money by shared/money.ts formatUsd, counts by formatCount).
 */

export interface Table {
  header: string[];
  rows: string[][];
  /** Per column: numbers right-aligned, names left. */
  align: ('l' | 'r')[];
}

/** The minus sign of the changes (U+2212), also in the column headers of what is taken away. */
const MINUS = '−';
const NUM = (n: number) => formatCount(n);

export function stageTable(p: PipelineFigures): Table {
  return {
    header: ['STAGE', 'DEALS', 'AMOUNT', 'WEIGHTED', 'AVG DAYS', 'CONV →'],
    align: ['l', 'r', 'r', 'r', 'r', 'r'],
    rows: p.stages.map((s) => [
      s.stage,
      NUM(s.deals),
      usd(s.amountCents),
      usd(s.weightedCents),
      s.avgDaysInStage === null ? '-' : s.avgDaysInStage.toFixed(1),
      pct(s.conversionPct),
    ]),
  };
}

/** Owners by open pipeline, largest first (the figures' order is the reads'; this one is the reader's). */
export function ownerTable(p: PipelineFigures): Table {
  const owners = [...p.owners].sort((a, b) => b.openCents - a.openCents || a.owner.localeCompare(b.owner));
  return {
    header: ['OWNER', 'OPEN', 'AMOUNT', 'WEIGHTED', 'WON', 'LOST', 'WIN RATE'],
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows: owners.map((o) => [
      o.owner || '(none)',
      NUM(o.openDeals),
      usd(o.openCents),
      usd(o.weightedCents),
      NUM(o.won),
      NUM(o.lost),
      pct(o.winRatePct),
    ]),
  };
}

/** Stuck deals, longest in stage first. */
export function stuckTable(p: PipelineFigures): Table {
  const stuck = [...p.stuck].sort((a, b) => b.daysInStage - a.daysInStage || b.amountCents - a.amountCents);
  return {
    header: ['DEAL', 'ACCOUNT', 'OWNER', 'STAGE', 'AMOUNT', 'DAYS'],
    align: ['l', 'l', 'l', 'l', 'r', 'r'],
    rows: stuck.map((d) => [
      d.dealId,
      d.account,
      d.owner || '(none)',
      d.stage,
      usd(d.amountCents),
      NUM(d.daysInStage),
    ]),
  };
}

export function mrrTable(v: RevenueFigures): Table {
  return {
    header: [
      'MONTH',
      'START',
      '+NEW',
      '+EXPANSION',
      '+REACTIV.',
      `${MINUS}CONTRACTION`,
      `${MINUS}CHURN`,
      'END',
    ],
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows: v.months.map((m) => [
      monthText(m.month),
      usd(m.startCents),
      usd(m.newCents),
      usd(m.expansionCents),
      usd(m.reactivationCents),
      usd(m.contractionCents),
      usd(m.churnCents),
      usd(m.endCents),
    ]),
  };
}

/** Logo (or MRR) retention by cohort: M0 … M`span` months after the start month. */
export function cohortTable(v: RevenueFigures, kind: 'logo' | 'mrr', span = 6): Table {
  const width = Math.min(span, Math.max(0, ...v.cohorts.map((c) => c.logoRetentionPct.length - 1)));
  const ks = Array.from({ length: width + 1 }, (_, k) => k);
  return {
    header: ['COHORT', 'CUSTOMERS', ...ks.map((k) => `M${k}`)],
    align: ['l', 'r', ...ks.map(() => 'r' as const)],
    rows: v.cohorts.map((c) => {
      const series = kind === 'logo' ? c.logoRetentionPct : c.mrrRetentionPct;
      return [
        monthText(c.cohort),
        NUM(c.customers),
        ...ks.map((k) => (series[k] === undefined ? '' : `${Math.round(series[k]!)}%`)),
      ];
    }),
  };
}

export function churnReasonTable(v: RevenueFigures): Table {
  return {
    header: ['CHURN REASON', 'CUSTOMERS', 'MRR'],
    align: ['l', 'r', 'r'],
    rows: v.churnReasons.map((c) => [c.reason || '(none given)', NUM(c.customers), usd(c.mrrCents)]),
  };
}

export function channelTable(m: MarketingFigures): Table {
  const row = (c: MarketingFigures['totals'], name: string) => [
    name,
    usd(c.spendCents),
    NUM(c.leads),
    NUM(c.mqls),
    NUM(c.sqls),
    NUM(c.opportunities),
    NUM(c.won),
    usd(c.cacCents),
    pct(c.roiPct, 0),
  ];
  return {
    header: ['CHANNEL', 'SPEND', 'LEADS', 'MQL', 'SQL', 'OPP', 'WON', 'CAC', 'ROI'],
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows: [
      ...m.channels.map((c) => row(c, c.channel)),
      ...(m.channels.length > 1 ? [row(m.totals, 'TOTAL')] : []),
    ],
  };
}

export function paybackTable(m: MarketingFigures): Table {
  return {
    header: ['SEGMENT', 'SPEND', 'WON', 'CAC', 'ARPA', 'PAYBACK', 'BENCHMARK', 'VERDICT'],
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    rows: m.segments.map((s) => [
      s.segment,
      usd(s.spendCents),
      NUM(s.won),
      usd(s.cacCents),
      usd(s.arpaCents),
      months(s.paybackMonths),
      months(s.benchmarkMonths),
      s.verdict,
    ]),
  };
}

/** A cell cut to `max` characters (an ellipsis marks the cut), so one long name cannot widen a table. */
const cell = (s: string, max: number): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  const points = [...flat];
  return points.length <= max ? flat : `${points.slice(0, max - 1).join('')}…`;
};

/**
 * The table as aligned lines (two spaces between columns), the first `maxRows` rows and a last line
 * "…and N more" for the rest. Text columns are cut at `maxCell` characters.
 */
export function tableLines(t: Table, maxRows = Number.POSITIVE_INFINITY, maxCell = 24): string[] {
  const shown = t.rows.slice(0, Math.max(0, maxRows)).map((r) => r.map((c) => cell(c, maxCell)));
  const all = [t.header, ...shown];
  const widths = t.header.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  const pad = (s: string, i: number) => {
    const gap = ' '.repeat(Math.max(0, widths[i]! - [...s].length));
    return t.align[i] === 'r' ? gap + s : s + gap;
  };
  const lines = all.map((r) => r.map(pad).join('  ').trimEnd());
  const rest = t.rows.length - shown.length;
  if (rest > 0) lines.push(`…and ${formatCount(rest)} more`);
  return lines;
}

/** Whether the report holds any RevOps data at all (nothing imported: every figure empty). */
export function hasRevopsData(r: RevopsReport): boolean {
  const p = r.pipeline;
  return (
    p.openDeals > 0 ||
    p.won + p.lost > 0 ||
    p.createdDeals > 0 ||
    r.revenue.mrrCents > 0 ||
    r.revenue.months.some((m) => m.startCents > 0 || m.endCents > 0) ||
    r.marketing.channels.some((c) => c.spendCents > 0 || c.leads > 0)
  );
}
