/**
 * The assumptions of the RevOps data generator (generate.ts). They are **ours**: DOMAIN.md §9 gives the
 * figures, not what a realistic company looks like, so these numbers are chosen to look like a B2B SaaS
 * business on which some insight rules fire (stuck deals, Events' ROI under 200 %) and others do not.
 * Tests (test/domain/revops/generate.test.ts) pin the shape, not each number.
 *
 * | assumption                    | SMB            | MM              | ENT              |
 * |-------------------------------|----------------|-----------------|------------------|
 * | share of deals                | 60 %           | 30 %            | 10 %             |
 * | deal amount (log-uniform)     | $8k–$30k       | $30k–$150k      | $150k–$750k      |
 * | mean sales cycle              | 30 days        | 60 days         | 110 days         |
 * | share of customers            | 65 %           | 27 %            | 8 %              |
 * | starting MRR (log-uniform)    | $650–$2,500    | $2,500–$12,500  | $12,500–$62,500  |
 * | monthly logo churn            | 3 %            | 1.5 %           | 0.7 %            |
 * | monthly expansion (+10–40 %)  | 1.5 %          | 2.5 %           | 3.5 %            |
 * | monthly contraction (−10–30 %)| 1 %            | 1.2 %           | 1.5 %            |
 *
 * Pipeline: a deal moves Discovery → Demo → Negotiation → Closed_Won, and at each step advances with
 * probability 60 %, 65 %, 65 % or is lost (Closed_Lost): 0.6 × 0.65 × 0.65 ≈ 25 % of deals are won. Time
 * in a stage is 0.5 day + exponential with a third of the segment's cycle; 10 % of deals stall (×5) in one
 * stage. A deal whose next step falls after the end is open in its stage. CRM probabilities per stage:
 * Discovery 10 %, Demo 30 %, Negotiation 60 % (parse-deal.ts STAGE_PROBABILITY). Every 40th deal is made a
 * stuck deal (MM or ENT, ≥ $50k, in Demo or Negotiation for ≥ 45 days), so stuck deals exist at any size.
 * Deals are created over the year with 0.8 → 1.2 linear growth, weekends at 30 %.
 *
 * Customers start over the two years before the year and the year itself; their MRR history runs from the
 * start month up to (not including) the churn month. Churn reasons: Price 30 %, Product gaps 22 %,
 * Competitor 20 %, Budget cut 16 %, Poor onboarding 12 %.
 *
 * Marketing (one row per day × channel × segment × geo; Events only on ~2 event days a month; geo NA 55 %,
 * EMEA 30 %, APAC 15 %). Channels are the deals' source_channel values, so ROI joins the two. Opportunities
 * per channel follow its share of deals; the funnel above them is back-derived from its ratios; spend is
 * set so that the year's won revenue / spend lands near the target ROI. Only ~70 % of the deals' expected
 * won value (deals × 25 % × mean amount) closes inside the year — deals still open at the end, and ENT's
 * longer cycles leave the won mix smaller — so spend is sized on that realised share (REALISED_WON_SHARE,
 * measured on the generator's own output):
 *
 * | channel     | deals | target ROI | CTR  | click→lead | lead→MQL | MQL→SQL | SQL→opp | opp→won |
 * |-------------|-------|------------|------|------------|----------|---------|---------|---------|
 * | Paid Search | 25 %  | 450 %      | 3.5 %| 8 %        | 40 %     | 35 %    | 60 %    | 25 %    |
 * | Paid Social | 15 %  | 250 %      | 0.9 %| 5 %        | 30 %     | 25 %    | 50 %    | 25 %    |
 * | Events      | 10 %  | 120 %      | 20 % | 60 %       | 50 %     | 30 %    | 50 %    | 25 %    |
 * | Content/SEO | 20 %  | 900 %      | 2 %  | 3 %        | 25 %     | 30 %    | 55 %    | 25 %    |
 * | Outbound    | 20 %  | 300 %      | 4 %  | 50 %       | 60 %     | 40 %    | 55 %    | 25 %    |
 * | Partners    | 10 %  | 600 %      | 10 % | 40 %       | 60 %     | 50 %    | 65 %    | 25 %    |
 */
import { DAY_MS } from '../../shared/time.ts';
import type { OpenStage, Segment } from './types.ts';

export interface GenerateOptions {
  /** Any integer; the same seed and sizes give byte-identical files. */
  seed: number;
  /** The data ends here (exclusive): the year is [endMs − 365 days, endMs). No clock is read. */
  endMs: number;
  deals: number;
  customers: number;
}

export const YEAR_DAYS = 365;
export const yearStartMs = (o: Pick<GenerateOptions, 'endMs'>): number => o.endMs - YEAR_DAYS * DAY_MS;

type PerSegment<T> = Readonly<Record<Segment, T>>;

export const DEAL_SEGMENT_SHARE: PerSegment<number> = { SMB: 0.6, MM: 0.3, ENT: 0.1 };
export const DEAL_AMOUNT_USD: PerSegment<readonly [number, number]> = {
  SMB: [8_000, 30_000],
  MM: [30_000, 150_000],
  ENT: [150_000, 750_000],
};
export const CYCLE_DAYS: PerSegment<number> = { SMB: 30, MM: 60, ENT: 110 };
/** Chance a deal in the stage moves on (the rest are lost there). */
export const ADVANCE: Readonly<Record<OpenStage, number>> = { Discovery: 0.6, Demo: 0.65, Negotiation: 0.65 };
export const STALL_SHARE = 0.1;
export const STALL_FACTOR = 5;
export const STUCK_EVERY = 40;
/** Win rate of a deal that reaches a close: the product of ADVANCE. */
export const WIN_RATE = ADVANCE.Discovery * ADVANCE.Demo * ADVANCE.Negotiation;
/** Share of the deals' expected won value (deals × WIN_RATE × mean amount) won within the year. */
export const REALISED_WON_SHARE = 0.7;

export const CUSTOMER_SEGMENT_SHARE: PerSegment<number> = { SMB: 0.65, MM: 0.27, ENT: 0.08 };
export const START_MRR_USD: PerSegment<readonly [number, number]> = {
  SMB: [650, 2_500],
  MM: [2_500, 12_500],
  ENT: [12_500, 62_500],
};
/** Customers start this many days before the year at the earliest. */
export const CUSTOMER_HISTORY_DAYS = 730;
export const MONTHLY_CHURN: PerSegment<number> = { SMB: 0.03, MM: 0.015, ENT: 0.007 };
export const MONTHLY_EXPANSION: PerSegment<number> = { SMB: 0.015, MM: 0.025, ENT: 0.035 };
export const MONTHLY_CONTRACTION: PerSegment<number> = { SMB: 0.01, MM: 0.012, ENT: 0.015 };
export const EXPANSION_RANGE = [0.1, 0.4] as const;
export const CONTRACTION_RANGE = [0.1, 0.3] as const;
export const CHURN_REASONS: readonly (readonly [string, number])[] = [
  ['Price', 0.3],
  ['Product gaps', 0.22],
  ['Competitor', 0.2],
  ['Budget cut', 0.16],
  ['Poor onboarding', 0.12],
];

export interface Channel {
  name: string;
  /** Campaign names start with it. */
  code: string;
  dealShare: number;
  targetRoiPct: number;
  ctr: number;
  clickToLead: number;
  leadToMql: number;
  mqlToSql: number;
  sqlToOpp: number;
}

const ch = (name: string, code: string, nums: readonly number[]): Channel => {
  const [
    dealShare = 0,
    targetRoiPct = 0,
    ctr = 0,
    clickToLead = 0,
    leadToMql = 0,
    mqlToSql = 0,
    sqlToOpp = 0,
  ] = nums;
  return { name, code, dealShare, targetRoiPct, ctr, clickToLead, leadToMql, mqlToSql, sqlToOpp };
};

export const CHANNELS: readonly Channel[] = [
  ch('Paid Search', 'PS', [0.25, 450, 0.035, 0.08, 0.4, 0.35, 0.6]),
  ch('Paid Social', 'SOC', [0.15, 250, 0.009, 0.05, 0.3, 0.25, 0.5]),
  ch('Events', 'EVT', [0.1, 120, 0.2, 0.6, 0.5, 0.3, 0.5]),
  ch('Content/SEO', 'SEO', [0.2, 900, 0.02, 0.03, 0.25, 0.3, 0.55]),
  ch('Outbound', 'OUT', [0.2, 300, 0.04, 0.5, 0.6, 0.4, 0.55]),
  ch('Partners', 'PRT', [0.1, 600, 0.1, 0.4, 0.6, 0.5, 0.65]),
];
export const EVENTS_PER_MONTH = 2;
export const GEO_SHARE: readonly (readonly [string, number])[] = [
  ['NA', 0.55],
  ['EMEA', 0.3],
  ['APAC', 0.15],
];

/** Relative activity on a day: 0.8 → 1.2 linear growth over the year, weekends at 30 %. */
export function dayWeight(dayMs: number, o: Pick<GenerateOptions, 'endMs'>): number {
  const t = (dayMs - yearStartMs(o)) / (YEAR_DAYS * DAY_MS);
  const dow = new Date(dayMs).getUTCDay();
  return (0.8 + 0.4 * t) * (dow === 0 || dow === 6 ? 0.3 : 1);
}

/** Mean of a log-uniform amount on [lo, hi]: (hi − lo) / ln(hi / lo). */
export const logUniformMean = ([lo, hi]: readonly [number, number]): number => (hi - lo) / Math.log(hi / lo);
