/**
 * Revenue reads, batched (revops-batch.ts): revenue() calls made in the same tick with the same segment
 * share their statements (revops-revenue-sql.ts, revops-cohort-sql.ts). The report asks for its current
 * and previous period together, and the pass over the MRR history is most of either's cost, so the pair
 * costs about one. A lone call runs alone.
 */
import type { MrrMovement, RevenueAggregates } from '../../domain/revops/aggregates.ts';
import type { RevopsFilter } from '../../domain/revops/types.ts';
import type { Db, Row } from './client.ts';
import { batchedByTick } from './revops-batch.ts';
import { cohortSql, cohortsUpTo } from './revops-cohort-sql.ts';
import { BIG_AGGREGATE, dayAtOrAfter, monthDate, n, periodBounds, queryWith } from './revops-filter-sql.ts';
import { churnReasonsSql, type RevenuePlan, revenuePlan, revenueSql } from './revops-revenue-sql.ts';

/** Period k's aggregates out of the shared rows (see revenueSql for the tags). */
export function periodAggregates(
  plan: RevenuePlan,
  k: number,
  rows: readonly Row[],
  cohortRows: readonly Row[],
  reasons: readonly Row[],
) {
  const { base, last } = plan.slots[k]!;
  const x = (r: Row, i: number) => n(r[`x${i}`]);
  const at = (r: Row, col: 'a' | 'b') => n(r[col]);
  const byPos = new Map(rows.filter((r) => r['kind'] === 'm').map((r) => [at(r, 'a'), r]));
  const months: MrrMovement[] = [];
  for (let i = base + 1; i <= last; i++) {
    const r = byPos.get(i) ?? {};
    months.push({
      month: monthDate(plan.first + i - 1),
      startCents: x(r, 1),
      newCents: x(r, 3),
      expansionCents: x(r, 5),
      reactivationCents: x(r, 4),
      contractionCents: x(r, 6),
      churnCents: x(r, 7),
      endCents: x(r, 2),
      customersStart: x(r, 8),
      customersNew: x(r, 9),
      customersReactivated: x(r, 10),
      customersChurned: x(r, 11),
      customersEnd: x(r, 12),
    });
  }
  const b = rows.find((r) => r['kind'] === 'b' && at(r, 'a') === k);
  const y = (i: number) => (b ? x(b, i) : 0);
  return {
    months,
    activeCents: y(8),
    activeCustomers: y(9),
    base: {
      customers: y(1),
      startCents: y(2),
      endCents: y(3),
      expansionCents: y(4),
      contractionCents: y(5),
      churnCents: y(6),
      churnedCustomers: y(7),
    },
    churnReasons: reasons.map((r) => ({
      reason: String(r['reason']),
      customers: n(r['customers']),
      mrrCents: n(r['mrr']),
    })),
    cohorts: cohortsUpTo(plan.first + last - 1, cohortRows),
  } satisfies RevenueAggregates;
}

/**
 * The aggregates of several periods of one segment: the roll-forward statement, the cohort statement and
 * the churn reasons side by side, the first two with BIG_AGGREGATE's settings (revops-filter-sql.ts).
 */
export async function readRevenueMany(
  db: Db,
  segment: string | undefined,
  periods: readonly RevopsFilter[],
): Promise<RevenueAggregates[]> {
  const plan = revenuePlan(periods);
  const lasts = plan.slots.map((s) => plan.first + s.last - 1);
  const tuned = (text: string) => queryWith(db, BIG_AGGREGATE, text);
  const reasons = periodBounds(periods, dayAtOrAfter, 'date');
  const [rows, cohortRows, reasonRows] = await Promise.all([
    tuned(revenueSql(plan, segment)),
    tuned(cohortSql(Math.min(...lasts) - 11, Math.max(...lasts), segment)),
    db.query(churnReasonsSql(segment, reasons.periods), reasons.params),
  ]);
  return periods.map((_, k) =>
    periodAggregates(
      plan,
      k,
      rows,
      cohortRows,
      reasonRows.filter((r) => n(r['k']) === k),
    ),
  );
}

/** revenue(f), batching the calls of one tick by segment (the only slice revenue has). */
export function batchedRevenue(db: Db): (f: RevopsFilter) => Promise<RevenueAggregates> {
  return batchedByTick<RevopsFilter, RevenueAggregates>(
    (f) => f.segment ?? '',
    (periods) => readRevenueMany(db, periods[0]!.segment, periods),
  );
}
