/**
 * The figures a revenue leader reads (issue 14), as the Slack blocks, charts, CLI and digest show them.
 * Computed from aggregates (aggregates.ts) by pipeline.ts, revenue.ts and marketing.ts; insights.ts reads
 * them. Percentages are 0..100 numbers; null means "not defined for this data" (e.g. no closed deals → no
 * win rate), never zero.
 */
import type { Cents } from '../../shared/money.ts';
import type { IncidentSeverity } from '../budget/budget.ts';
import type { MrrMovement, PipelineSource, StuckDeal } from './aggregates.ts';
import type { Compared, RevopsFilter, Segment } from './types.ts';

export interface StageFigure {
  stage: string;
  deals: number;
  amountCents: Cents;
  weightedCents: Cents;
  /** Mean whole days in stage of the stage's open deals; null when it has none. */
  avgDaysInStage: number | null;
  /** Of the period's new deals that reached this stage, % that reached the next one (null for the last). */
  conversionPct: number | null;
}

export interface OwnerFigure {
  owner: string;
  openDeals: number;
  openCents: Cents;
  weightedCents: Cents;
  won: number;
  lost: number;
  winRatePct: number | null;
}

export interface PipelineFigures {
  source: PipelineSource;
  openDeals: number;
  /** Σ amount of deals open at the period end. */
  openCents: Cents;
  /** Σ amount × probability of the open deals whose stage is known. */
  weightedCents: Cents;
  winRatePct: number | null;
  /** Mean amount of deals won in the period. */
  avgDealSizeCents: Cents | null;
  /** Weighted open pipeline / mean of the non-zero days in stage (1 when none), in cents per day. */
  velocityCentsPerDay: number;
  won: number;
  lost: number;
  wonCents: Cents;
  createdDeals: number;
  stages: StageFigure[];
  owners: OwnerFigure[];
  stuck: StuckDeal[];
  stuckTotal: { deals: number; amountCents: Cents };
}

export interface CohortFigure {
  cohort: string;
  customers: number;
  /** % of the cohort's customers still paying k months after the start month. */
  logoRetentionPct: number[];
  /** % of the cohort's start MRR paid k months after the start month. */
  mrrRetentionPct: number[];
}

export interface RevenueFigures {
  mrrCents: Cents;
  arrCents: Cents;
  activeCustomers: number;
  /** Customers paying at the period start who churned in it, / those customers × 100. */
  churnRatePct: number | null;
  /** (start + expansion − contraction − churn) / start × 100, over the customers paying at the start. */
  nrrPct: number | null;
  /** (start − contraction − churn) / start × 100. */
  grrPct: number | null;
  months: MrrMovement[];
  churnReasons: { reason: string; customers: number; mrrCents: Cents }[];
  cohorts: CohortFigure[];
}

export interface ChannelFigure {
  channel: string;
  spendCents: Cents;
  leads: number;
  mqls: number;
  sqls: number;
  opportunities: number;
  won: number;
  /** won / leads × 100. */
  conversionPct: number | null;
  /** Step conversions: mql/leads, sql/mql, opp/sql, won/opp, × 100. */
  steps: { mqlPct: number | null; sqlPct: number | null; oppPct: number | null; wonPct: number | null };
  /** spend / won. */
  cacCents: Cents | null;
  revenueCents: Cents;
  /** (revenue − spend) / spend × 100. */
  roiPct: number | null;
}

export interface SegmentPayback {
  segment: Segment;
  spendCents: Cents;
  won: number;
  cacCents: Cents | null;
  /** Mean new MRR per customer who started in the period. */
  arpaCents: Cents | null;
  /** CAC / ARPA, in months. */
  paybackMonths: number | null;
  benchmarkMonths: number;
  verdict: 'within' | 'over' | 'no data';
}

export interface MarketingFigures {
  channels: ChannelFigure[];
  totals: ChannelFigure;
  segments: SegmentPayback[];
}

export type InsightView = 'pipeline' | 'revenue' | 'marketing';

export interface Insight {
  /** Stable id: rule plus subject (e.g. 'low_win_rate', 'stuck_deals', 'top_spend_channel:Paid Search'). */
  id: string;
  rule: string;
  severity: 'critical' | 'warning' | 'info';
  /** In [0.05, 0.95]. */
  confidence: number;
  /** One line, with the numbers (e.g. "Win rate 14.3% is under 20%"). */
  title: string;
  /** The numbers it rests on and the period, in words. */
  detail: string;
  view: InsightView;
  /** The figures it rests on, by name, for JSON output. */
  evidence: Record<string, number | string | null>;
  /** Set when the insight crosses into a leak (opens or feeds the pipeline incident, leak.ts). */
  leak: InsightLeak | null;
}

/**
 * What an insight that crossed into a leak says about it. `incident` is added by the app
 * (app/revops/leak-link.ts): the pipeline incident open now, null when none is; absent when nobody looked.
 */
export interface InsightLeak {
  reason: string;
  atRiskCents: Cents;
  incident?: LeakIncidentRef | null;
}

/** The open incident a leak feeds, as an insight names it (by shape: no import of domain/incidents). */
export interface LeakIncidentRef {
  id: string;
  severity: IncidentSeverity;
  state: 'detected' | 'acknowledged';
  channelId: string | null;
  channelName: string | null;
}

/** Everything one RevOps answer or digest shows: the period's figures, the previous period's, insights. */
export interface RevopsReport {
  filter: RevopsFilter;
  pipeline: PipelineFigures;
  revenue: RevenueFigures;
  marketing: MarketingFigures;
  previous: { pipeline: PipelineFigures; revenue: RevenueFigures; marketing: MarketingFigures };
  /** Headline figures next to the previous period's, by name (openCents, winRatePct, mrrCents, …). */
  changes: Record<string, Compared>;
  insights: Insight[];
}
