/**
 * Revenue reads, batched: revenue() calls made in the same tick with the same segment share their
 * statements (revops-revenue-sql.ts, revops-cohort-sql.ts). The report asks for its current and previous
 * period together, and the pass over the MRR history is most of either's cost, so the pair costs about
 * one. A lone call runs alone.
 */
import type { MrrMovement, RevenueAggregates } from '../../domain/revops/aggregates.ts';
import type { RevopsFilter } from '../../domain/revops/types.ts';
import type { Db, Row } from './client.ts';
import { cohortSql, cohortsUpTo } from './revops-cohort-sql.ts';
import { dayAtOrAfter, monthDate, n } from './revops-filter-sql.ts';
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
 * The aggregates of several periods of one segment: the roll-forward statement and the cohort statement
 * side by side, each in a transaction of its own so it may use more working memory than the server
 * default (~100k per-customer rows would otherwise spill to disk) and run without JIT (compiling their
 * ~50 expressions cost more, ~150 ms, than it saved); SET LOCAL ends with the transaction.
 */
export async function readRevenueMany(
  db: Db,
  segment: string | undefined,
  periods: readonly RevopsFilter[],
): Promise<RevenueAggregates[]> {
  const plan = revenuePlan(periods);
  const lasts = plan.slots.map((s) => plan.first + s.last - 1);
  const tuned = (text: string) =>
    db.transaction(async (tx) => {
      await tx.query(`SET LOCAL work_mem = '64MB'`);
      await tx.query('SET LOCAL jit = off');
      return tx.query(text);
    });
  const [rows, cohortRows, reasons] = await Promise.all([
    tuned(revenueSql(plan, segment)),
    tuned(cohortSql(Math.min(...lasts) - 11, Math.max(...lasts), segment)),
    Promise.all(
      periods.map((f) => db.query(churnReasonsSql(segment), [dayAtOrAfter(f.fromMs), dayAtOrAfter(f.toMs)])),
    ),
  ]);
  return periods.map((_, k) => periodAggregates(plan, k, rows, cohortRows, reasons[k]!));
}

interface Pending {
  f: RevopsFilter;
  resolve: (a: RevenueAggregates) => void;
  reject: (e: unknown) => void;
}

/** revenue(f), batching the calls of one tick by segment. */
export function batchedRevenue(db: Db): (f: RevopsFilter) => Promise<RevenueAggregates> {
  let queue: Pending[] | null = null;
  const flush = (batch: Pending[]) => {
    const bySegment = new Map<string, Pending[]>();
    for (const p of batch) bySegment.set(p.f.segment ?? '', [...(bySegment.get(p.f.segment ?? '') ?? []), p]);
    for (const group of bySegment.values()) {
      readRevenueMany(
        db,
        group[0]!.f.segment,
        group.map((p) => p.f),
      ).then(
        (aggs) => {
          for (const [k, p] of group.entries()) p.resolve(aggs[k]!);
        },
        (e) => {
          for (const p of group) p.reject(e);
        },
      );
    }
  };
  return (f) =>
    new Promise<RevenueAggregates>((resolve, reject) => {
      if (queue === null) {
        const batch: Pending[] = [];
        queue = batch;
        queueMicrotask(() => {
          queue = null;
          flush(batch);
        });
      }
      queue.push({ f, resolve, reject });
    });
}
