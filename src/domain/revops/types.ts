/**
 * RevOps analytics (issue 14, DOMAIN.md §9): the rows the three imports bring in, the filter every figure
 * takes, and the figures themselves. Money is integer cents (shared/money.ts); instants are epoch ms;
 * calendar days and months are ISO dates ('2026-11-30', a month as its first day '2026-11-01'), UTC.
 */
import type { Cents } from '../../shared/money.ts';

export const SEGMENTS = ['SMB', 'MM', 'ENT'] as const;
export type Segment = (typeof SEGMENTS)[number];

/** Stages in funnel order; the last two are closed. */
export const STAGES = ['Discovery', 'Demo', 'Negotiation', 'Closed_Won', 'Closed_Lost'] as const;
export type Stage = (typeof STAGES)[number];
export const OPEN_STAGES = ['Discovery', 'Demo', 'Negotiation'] as const satisfies readonly Stage[];
export type OpenStage = (typeof OPEN_STAGES)[number];

// ------------------------------------------------------------------------------------------------- rows

/** A pipeline deal in its current stage (revops_deals). */
export interface Deal {
  dealId: string;
  account: string;
  segment: Segment;
  owner: string;
  stage: Stage;
  amountCents: Cents;
  createdAtMs: number;
  /** ISO date or null. */
  expectedClose: string | null;
  /** When the deal entered its current stage (for a closed deal: when it closed). */
  lastStageChangeMs: number;
  /** 0..1. */
  probability: number;
  sourceChannel: string;
}

/** A customer and its subscription (revops_customers). */
export interface Customer {
  customerId: string;
  account: string;
  segment: Segment;
  plan: string;
  /** ISO date. */
  startDate: string;
  mrrCents: Cents;
  churnDate: string | null;
  churnReason: string | null;
}

/** What a customer paid in one calendar month (revops_mrr_history). */
export interface MrrMonth {
  customerId: string;
  /** First day of the month, ISO date. */
  month: string;
  mrrCents: Cents;
}

/** One day × channel × campaign × segment × geo of marketing spend (revops_marketing_spend). */
export interface SpendRow {
  day: string;
  channel: string;
  campaign: string;
  segment: Segment | '';
  geo: string;
  spendCents: Cents;
  impressions: number;
  clicks: number;
  leads: number;
  mqls: number;
  sqls: number;
  opportunities: number;
  won: number;
}

// ----------------------------------------------------------------------------------------------- filter

/**
 * What every figure is computed over: the half-open period [fromMs, toMs) (state figures such as open
 * pipeline are as of toMs) and optional slices. `owner` applies to pipeline figures, `channel` to deals'
 * source channel and marketing rows, `segment` to all three.
 */
export interface RevopsFilter {
  fromMs: number;
  toMs: number;
  segment?: Segment;
  owner?: string;
  channel?: string;
}

/** The period of the same length just before `f`, with the same slices. */
export function previousPeriod(f: RevopsFilter): RevopsFilter {
  const len = f.toMs - f.fromMs;
  return { ...f, fromMs: f.fromMs - len, toMs: f.fromMs };
}

/** A figure next to the previous period's: Δ = current − previous; pct = Δ / |previous| × 100. */
export interface Compared {
  current: number | null;
  previous: number | null;
  delta: number | null;
  pct: number | null;
}

export function compare(current: number | null, previous: number | null): Compared {
  if (current === null || previous === null) return { current, previous, delta: null, pct: null };
  const delta = current - previous;
  return { current, previous, delta, pct: previous === 0 ? null : (delta / Math.abs(previous)) * 100 };
}
