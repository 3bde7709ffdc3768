/**
 * Revenue figures (DOMAIN.md §9) from the MRR roll-forward SQL computed (aggregates.ts;
 * adapters/db/revops-revenue-sql.ts documents how a customer's monthly MRR and each movement are read).
 */
import type { CohortRow, RetentionBase, RevenueAggregates } from './aggregates.ts';
import type { CohortFigure, RevenueFigures } from './figures.ts';
import { pct } from './pipeline.ts';

/**
 * Net revenue retention over the customers paying in the month before the period:
 * (start + expansion − contraction − churn) / start × 100. DOMAIN.md §9 writes it without churn; we
 * subtract churn, the standard definition (a churned customer's lost MRR is retention lost).
 * Equal to what the same customers pay in the period's last month / what they paid at its start.
 */
export const nrr = (b: RetentionBase): number | null =>
  pct(b.startCents + b.expansionCents - b.contractionCents - b.churnCents, b.startCents);

/** Gross revenue retention: (start − contraction − churn) / start × 100; never above 100. */
export const grr = (b: RetentionBase): number | null =>
  pct(b.startCents - b.contractionCents - b.churnCents, b.startCents);

/**
 * Logo churn: base customers paying nothing in the period's last month / base customers × 100. A base
 * customer who left and came back before the end is not churned (they pay at the end).
 */
export const churnRate = (b: RetentionBase): number | null => pct(b.churnedCustomers, b.customers);

/**
 * Retention of one start-month cohort: % of its customers paying, and % of its start-month MRR paid, k
 * months after the start month. A cohort that paid nothing in its start month has no MRR base: its MRR
 * retention list is empty rather than a row of invented zeros.
 */
export function cohortFigure(c: CohortRow): CohortFigure {
  return {
    cohort: c.cohort,
    customers: c.customers,
    logoRetentionPct: c.active.map((n) => pct(n, c.customers) ?? 0),
    mrrRetentionPct: c.startCents === 0 ? [] : c.mrrCents.map((m) => (m * 100) / c.startCents),
  };
}

export function revenueFigures(agg: RevenueAggregates): RevenueFigures {
  return {
    mrrCents: agg.activeCents,
    arrCents: 12 * agg.activeCents,
    activeCustomers: agg.activeCustomers,
    churnRatePct: churnRate(agg.base),
    nrrPct: nrr(agg.base),
    grrPct: grr(agg.base),
    months: agg.months,
    churnReasons: agg.churnReasons,
    cohorts: agg.cohorts.map(cohortFigure),
  };
}
