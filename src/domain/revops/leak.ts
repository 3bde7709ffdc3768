/**
 * Stuck pipeline as a revenue leak (issue 14): the one rule the stuck-deals insight
 * (insight-rules-pipeline.ts) and the pipeline watch (app/revops/watch.ts) share, so an insight that says
 * "leak" and the incident the watch opens can never disagree at the budget's edge, and the figures a
 * pipeline incident shows (kind 'revops', one of the incident's figure kinds, domain/incidents/incident.ts).
 *
 * No import of domain/incidents: incident.ts names RevopsLeakFigures, so domain/incidents imports
 * domain/revops and the way back would be a folder cycle (test/architecture/cycles.test.ts).
 */
import { type Cents, formatUsd } from '../../shared/money.ts';
import type { IncidentSeverity, Paging } from '../budget/budget.ts';
import type { PipelineSource, StuckDeal } from './aggregates.ts';

/**
 * The pipeline incident's dedupe key: one room per concern. Not the funnel's REVENUE_DEDUPE_KEY: the funnel
 * scan applies its own figures to that incident every 15 minutes (a scan with no open issue would even
 * resolve it), so stuck deals fed into it would be overwritten by the next scan, and the two readings would
 * take turns declaring and resolving one incident. Its own key gives the stuck pipeline its own channel,
 * War Room, severity and resolve.
 */
export const REVOPS_STUCK_DEDUPE_KEY = 'revops:stuck-deals';

/** The incident's title: fixed at declare (titles are not rewritten), so it names the concern, not numbers. */
export const STUCK_LEAK_TITLE = 'Stuck deals over the leak budget';

/**
 * Stuck pipeline is a leak when worth strictly more than the budget (the "worth more than the
 * budget"; DOMAIN.md's thresholds are strict): exactly the budget is not a leak. Null budget: never.
 */
export const crossesLeakBudget = (amountCents: Cents, budgetCents: Cents | null): boolean =>
  budgetCents !== null && amountCents > budgetCents;

/** What a pipeline incident shows, from the watch's reading that last changed it. */
export interface RevopsLeakFigures {
  kind: 'revops';
  /** The insight rule that crossed into a leak (the only one that can, for now). */
  reason: 'stuck_deals';
  /** When the deals were read: days in stage are as of this instant. */
  evaluatedAtMs: number;
  severity: IncidentSeverity;
  paging: Paging;
  /** Imported deals, or the funnel's opportunities when none were imported (adapters/db/revops-source-sql.ts). */
  source: PipelineSource;
  stuckDeals: number;
  stuckCents: Cents;
  /** REVOPS_LEAK_BUDGET_USD when read. */
  leakBudgetCents: Cents;
  /** stuckCents / leakBudgetCents: the burn DOMAIN.md §4's severity and paging ladder is read with. */
  budgetMultiple: number;
  /** The stuck rule: at least this many whole days in stage and this amount (REVOPS_STUCK_*). */
  minDays: number;
  minCents: Cents;
  /** The longest-stuck deals, longest first (at most the rule's limit; the totals cover all of them). */
  deals: StuckDeal[];
}

/** "7 deals worth $1,200,000 stuck over 45 days (budget $500,000)": the insight's words, with the budget. */
export function stuckLeakSummary(
  f: Pick<RevopsLeakFigures, 'stuckDeals' | 'stuckCents' | 'minDays' | 'leakBudgetCents'>,
): string {
  const noun = f.stuckDeals === 1 ? 'deal' : 'deals';
  return (
    `${f.stuckDeals} ${noun} worth ${formatUsd(f.stuckCents)} stuck over ${f.minDays} days ` +
    `(budget ${formatUsd(f.leakBudgetCents)})`
  );
}

/** Why the pipeline incident resolved, from the reading that resolved it. */
export function stuckLeakResolveReason(f: RevopsLeakFigures | null, budgetCents: Cents | null): string {
  if (budgetCents === null) return 'REVOPS_LEAK_BUDGET_USD is no longer set: stuck deals open no incident';
  if (f === null) return 'the stuck pipeline is back within the leak budget';
  return `stuck pipeline back within the leak budget: ${stuckLeakSummary(f)}`;
}
