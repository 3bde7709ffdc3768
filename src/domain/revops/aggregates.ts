/**
 * What SQL hands the domain for one RevopsFilter (adapters/db/revops-*.ts compute these with GROUP BY; no
 * figure loops over every row in JS). The domain turns them into figures (pipeline.ts, revenue.ts,
 * marketing.ts). Counts are numbers, money is cents.
 */
import type { Cents } from '../../shared/money.ts';
import type { Segment } from './types.ts';

/** Where pipeline figures come from: imported deals, or (when none were imported) funnel opportunities. */
export type PipelineSource = 'deals' | 'funnel';

export interface StageAggregate {
  stage: string;
  deals: number;
  amountCents: Cents;
  /** Σ amount × probability. */
  weightedCents: Cents;
  /** Whole days in stage as of the period end, summed over the stage's open deals. */
  daysInStageSum: number;
  /** Open deals with at least one whole day in stage, and their days. */
  nonZeroDaysDeals: number;
  nonZeroDaysSum: number;
}

export interface OwnerAggregate {
  owner: string;
  openDeals: number;
  openCents: Cents;
  weightedCents: Cents;
  /** Closed in the period. */
  won: number;
  lost: number;
  wonCents: Cents;
}

export interface StuckDeal {
  dealId: string;
  account: string;
  owner: string;
  segment: Segment | '';
  stage: string;
  amountCents: Cents;
  daysInStage: number;
}

export interface PipelineAggregates {
  source: PipelineSource;
  /** Deals open as of the period end whose stage then is known (open now, in their stage since before). */
  byStage: StageAggregate[];
  /** Deals open at the period end that have closed since (their stage then is unknown): total only. */
  closedSince: { deals: number; amountCents: Cents };
  byOwner: OwnerAggregate[];
  /** Deals closed in the period. */
  closed: { won: number; lost: number; wonCents: Cents; lostCents: Cents };
  /** Deals created in the period, and how far they got: reached[stage] = deals now at or past it. */
  created: { deals: number; amountCents: Cents; reached: Record<string, number> };
  /** Stuck open deals (≥ minDays in stage and ≥ minCents), longest in stage first, at most `limit`. */
  stuck: StuckDeal[];
  stuckTotal: { deals: number; amountCents: Cents };
}

/** One calendar month of the MRR roll-forward: start + new + expansion + reactivation − contraction − churn = end. */
export interface MrrMovement {
  /** First day of the month. */
  month: string;
  startCents: Cents;
  newCents: Cents;
  expansionCents: Cents;
  reactivationCents: Cents;
  contractionCents: Cents;
  churnCents: Cents;
  endCents: Cents;
  customersStart: number;
  customersNew: number;
  customersReactivated: number;
  customersChurned: number;
  customersEnd: number;
}

/** Customers paying at the start of the period and what the same customers pay at its end. */
export interface RetentionBase {
  customers: number;
  startCents: Cents;
  /** Of those customers: what they pay in the period's last month (0 for a churned one). */
  endCents: Cents;
  expansionCents: Cents;
  contractionCents: Cents;
  churnCents: Cents;
  churnedCustomers: number;
}

export interface CohortRow {
  /** Start month of the cohort. */
  cohort: string;
  customers: number;
  startCents: Cents;
  /** active[k] = customers of the cohort paying k months after their start month (k = 0 … n). */
  active: number[];
  /** mrr[k] = what the cohort pays k months after its start month. */
  mrrCents: Cents[];
}

export interface RevenueAggregates {
  /** Months overlapping the period, oldest first; each month's start equals the previous month's end. */
  months: MrrMovement[];
  /** MRR and paying customers in the month holding the period end. */
  activeCents: Cents;
  activeCustomers: number;
  base: RetentionBase;
  /** Customers who churned in the period, by reason, most MRR first. */
  churnReasons: { reason: string; customers: number; mrrCents: Cents }[];
  cohorts: CohortRow[];
}

export interface ChannelAggregate {
  channel: string;
  spendCents: Cents;
  impressions: number;
  clicks: number;
  leads: number;
  mqls: number;
  sqls: number;
  opportunities: number;
  won: number;
  /** Σ amount of deals won in the period whose source channel is this one. */
  wonRevenueCents: Cents;
}

export interface SegmentSpendAggregate {
  segment: Segment;
  spendCents: Cents;
  won: number;
  /** Customers of the segment who started in the period, and their MRR. */
  newCustomers: number;
  newMrrCents: Cents;
}

export interface MarketingAggregates {
  channels: ChannelAggregate[];
  segments: SegmentSpendAggregate[];
}
