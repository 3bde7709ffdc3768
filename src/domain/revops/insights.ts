/**
 * Insights (DOMAIN.md §9, issue 14): the rules that read one period's figures and say what a revenue
 * leader should look at. Pure and deterministic: the same figures give the same insights in the same order
 * (severity critical → warning → info, then confidence, highest first, then id).
 *
 * | rule                          | fires when                                   | severity                    | confidence n (sample) / distance            |
 * | ----------------------------- | -------------------------------------------- | --------------------------- | ------------------------------------------- |
 * | low_win_rate                  | win rate < 20%                               | critical < 10%              | closed deals / (20 − rate) / 20             |
 * | low_velocity                  | velocity < $1,000/day, some open deal        | critical < $500/day         | open deals of known stage / relative gap    |
 * | high_churn                    | churn > 5%                                   | critical > 10%              | base customers / (rate − 5) / 5             |
 * | low_nrr                       | NRR < 105%                                   | critical < 90%              | base customers / (105 − NRR) / 105          |
 * | low_roi:<channel>             | ROI < 200% and CAC > 0                       | critical < 0% (loses money) | customers won / (200 − ROI) / 200           |
 * | stuck_deals                   | any stuck deal                               | critical when over budget   | stuck deals / (longest − min days) / min    |
 * | top_spend_channel:<channel>   | some spend                                   | info                        | channels with spend / its share of spend    |
 * | lowest_converting_channel:<c> | ≥ 2 channels with leads                      | info                        | its leads / gap to the overall conversion   |
 * | top_churn_reason:<reason>     | someone churned in the period                | info                        | churned customers / its share of churned MRR|
 * | cac_payback:<segment>         | the segment has a payback                    | warning over, info within   | customers won / gap to the benchmark        |
 *
 * Thresholds are strict: a win rate of exactly 20% or churn of exactly 5% is not an insight. The
 * confidence formula is confidence.ts's. Only stuck deals set `leak` (worth more than leakBudgetCents).
 */
import type { Insight } from './figures.ts';
import type { InsightInput, InsightOptions } from './insight-rules.ts';
import { cacPayback, lowestConvertingChannel, lowRoi, topSpendChannel } from './insight-rules-marketing.ts';
import { lowVelocity, lowWinRate, stuckDeals } from './insight-rules-pipeline.ts';
import { highChurn, lowNrr, topChurnReason } from './insight-rules-revenue.ts';

export type { InsightInput, InsightOptions } from './insight-rules.ts';

const RULES: readonly ((r: InsightInput, o: InsightOptions) => Insight[])[] = [
  lowWinRate,
  lowVelocity,
  stuckDeals,
  highChurn,
  lowNrr,
  topChurnReason,
  lowRoi,
  topSpendChannel,
  lowestConvertingChannel,
  cacPayback,
];

const RANK: Record<Insight['severity'], number> = { critical: 0, warning: 1, info: 2 };

export const compareInsights = (a: Insight, b: Insight): number =>
  RANK[a.severity] - RANK[b.severity] ||
  b.confidence - a.confidence ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function insights(report: InsightInput, opts: InsightOptions): Insight[] {
  return RULES.flatMap((rule) => rule(report, opts)).sort(compareInsights);
}
