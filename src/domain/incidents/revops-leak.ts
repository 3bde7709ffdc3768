import type { Cents } from '../../shared/money.ts';
import { type BudgetPolicy, incidentSeverity, paging } from '../budget/budget.ts';
import type { PipelineFigures } from '../revops/figures.ts';
import { crossesLeakBudget, type RevopsLeakFigures } from '../revops/leak.ts';
import { type Incident, type IncidentPolicy, type IncidentVerdict, revopsLeakFigures } from './incident.ts';

/**
 * The stuck pipeline as an incident source (issue 14, src/README.md "Add an incident source"): what the
 * pipeline watch's reading means for the incident of REVOPS_STUCK_DEDUPE_KEY, in the verdicts every source
 * gives. Beside judgeScan and judgeBurn because the judgement needs the incident, and the incident's figures
 * name every source's kind (domain/incidents imports domain/revops, never the other way round).
 */

/** What the watch read: the stuck deals as of now, the budget and the stuck rule it was read with. */
export interface StuckReading {
  pipeline: Pick<PipelineFigures, 'source' | 'stuck' | 'stuckTotal'>;
  budgetCents: Cents;
  rule: { minDays: number; minCents: Cents };
  nowMs: number;
}

/**
 * The figures of a reading. Severity and paging are the revenue budget's ladder (DOMAIN.md §4, budget.ts,
 * with the configured SEV*_BURN, PAGE_BURN and WARN_BURN), read with the stuck amount's multiple of the
 * leak budget as the burn: at risk against a budget is what a burn is, so no second ladder. With the
 * defaults a leak (more than 1×) is SEV-2 and pages, more than 2× is SEV-1; the deals are the open issues.
 */
export function stuckLeakFigures(r: StuckReading, policy: BudgetPolicy): RevopsLeakFigures {
  const { deals, amountCents } = r.pipeline.stuckTotal;
  const multiple = amountCents / r.budgetCents;
  return {
    kind: 'revops',
    reason: 'stuck_deals',
    evaluatedAtMs: r.nowMs,
    severity: incidentSeverity(multiple, 0, deals, policy),
    paging: paging(multiple, policy),
    source: r.pipeline.source,
    stuckDeals: deals,
    stuckCents: amountCents,
    leakBudgetCents: r.budgetCents,
    budgetMultiple: multiple,
    minDays: r.rule.minDays,
    minCents: r.rule.minCents,
    deals: r.pipeline.stuck,
  };
}

/** Whether the figures are over the budget (the insight's rule, leak.ts). */
export const stuckLeakFiring = (f: RevopsLeakFigures | null): boolean =>
  f !== null && crossesLeakBudget(f.stuckCents, f.leakBudgetCents);

/**
 * The same reading as the one shown: same totals, budget, rule, severity, paging and listed deals. Days in
 * stage are left out: they grow every day by themselves, and a War Room edit a day saying only that would
 * be noise (the figures say what instant their days are as of).
 */
function sameReading(shown: RevopsLeakFigures | null, f: RevopsLeakFigures): boolean {
  if (shown === null) return false;
  const key = (x: RevopsLeakFigures) =>
    JSON.stringify([
      x.stuckDeals,
      x.stuckCents,
      x.leakBudgetCents,
      x.minDays,
      x.minCents,
      x.source,
      x.severity,
      x.paging,
      x.deals.map((d) => [d.dealId, d.stage, d.amountCents, d.owner]),
    ]);
  return key(shown) === key(f);
}

/**
 * The verdict of one reading (`figures` null: no budget is set, so nothing is a leak). Over the budget with
 * the incident open, it is updated when the reading changed (`severityFrom` null when the severity did
 * not), else left alone; over it with none open, the last resolved one comes back if it resolved within the
 * reopen window (inclusive), else one is declared. Within the budget, an open incident resolves.
 * Severity follows the reading both ways, as the funnel scan's does: stuck deals that close lower it.
 */
export function judgeStuckLeak(
  open: Incident | null,
  lastResolved: Incident | null,
  figures: RevopsLeakFigures | null,
  policy: IncidentPolicy,
  nowMs: number,
): IncidentVerdict {
  const firing = stuckLeakFiring(figures);
  if (open) {
    if (!firing || figures === null) return { action: 'resolve', incidentId: open.id };
    if (sameReading(revopsLeakFigures(open), figures)) return { action: 'none' };
    return {
      action: 'update',
      incidentId: open.id,
      severityFrom: figures.severity === open.severity ? null : open.severity,
    };
  }
  if (!firing) return { action: 'none' };
  if (lastResolved?.resolvedAtMs != null && nowMs - lastResolved.resolvedAtMs <= policy.reopenWindowMs)
    return { action: 'reopen', incidentId: lastResolved.id };
  return { action: 'declare' };
}
