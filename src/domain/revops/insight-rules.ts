/**
 * What every insight rule shares (insights.ts runs them): the input, the thresholds, and how an insight
 * states its numbers. Thresholds are DOMAIN.md §9's; the critical levels are ours (issue 14): a figure
 * this far past the line needs someone today, not at the next review.
 */
import { type Cents, formatUsd } from '../../shared/money.ts';
import type { Insight, InsightView, RevopsReport } from './figures.ts';

export type InsightInput = Omit<RevopsReport, 'insights'>;

export interface InsightOptions {
  /** The stuck rule's days in stage, for the title ("stuck over 45 days"). */
  stuckMinDays: number;
  /** Stuck pipeline worth more than this is a revenue leak (opens or feeds the incident); null: never. */
  leakBudgetCents: Cents | null;
}

export const THRESHOLDS = {
  /** Win rate under this (%) is an insight; under `critical` it is critical. */
  winRate: { warning: 20, critical: 10 },
  /** Pipeline velocity under this (cents per day): $1,000/day; critical under $500/day. */
  velocity: { warning: 100_000, critical: 50_000 },
  /** Logo churn over this (%). */
  churn: { warning: 5, critical: 10 },
  /** NRR under this (%): critical when the base shrinks by a tenth or more. */
  nrr: { warning: 105, critical: 90 },
  /** Channel ROI under this (%), when the channel won someone (CAC > 0); critical when it loses money. */
  roi: { warning: 200, critical: 0 },
} as const;

/** The period in words, as every detail states it: "2026-09-01 to 2026-11-30" (the end day inclusive). */
export function periodText(fromMs: number, toMs: number): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return `${day(fromMs)} to ${day(Math.max(fromMs, toMs - 1))}`;
}

/** "14.3%": one decimal, as the Slack and CLI surfaces show rates. */
export const fmtPct = (x: number): string => `${x.toFixed(1)}%`;
export const usd = formatUsd;

export interface Draft {
  id: string;
  severity: Insight['severity'];
  confidence: number;
  title: string;
  detail: string;
  view: InsightView;
  evidence: Insight['evidence'];
  leak?: Insight['leak'];
}

/** The rule is the id up to its subject (`low_roi:Paid Search` → `low_roi`). */
export const insight = (d: Draft): Insight => ({
  id: d.id,
  rule: d.id.split(':')[0]!,
  severity: d.severity,
  confidence: d.confidence,
  title: d.title,
  detail: d.detail,
  view: d.view,
  evidence: d.evidence,
  leak: d.leak ?? null,
});

/** Warning past `warning`, critical past `critical`, for a figure that is bad when low. */
export const severityBelow = (value: number, t: { critical: number }): Insight['severity'] =>
  value < t.critical ? 'critical' : 'warning';
