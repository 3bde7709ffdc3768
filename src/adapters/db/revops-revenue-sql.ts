/**
 * Revenue aggregates (DOMAIN.md §9, issue 14) in SQL: the monthly MRR roll-forward, the retention base,
 * cohorts and churn reasons, from revops_customers and revops_mrr_history.
 *
 * A customer's MRR in a calendar month is its revops_mrr_history row for that month (no row: 0). A customer
 * with no history rows at all pays mrr_cents from its start month up to, not including, its churn month
 * (or on through the period end when it has not churned).
 *
 * How it scales: one pass over the history of the months the figures need (the month before the period
 * through its last month) groups it by customer into a vector of monthly MRR, plus the first month each
 * customer paid in them (earlier history is asked per customer where it matters: see customerVectors).
 * The movements and the retention base are then GROUP BYs over those one-row-per-customer vectors.
 * Cohorts need the 12 months before the period end whatever its length: revops-cohort-sql.ts reads them
 * in a statement of their own, which runs beside this one. One statement serves several periods of the
 * same slices (the report's current and previous period, batched by revops-revenue-batch.ts): a month's
 * movements do not depend on which period asks, so the vector simply spans them all. The text is built
 * per call with its months as inline date literals (computed here, never user text), so the plan sees
 * real constants.
 *
 * Movements in month m, per customer, prev = MRR(m − 1), cur = MRR(m):
 *   prev = 0 < cur → new when the customer first paid in m, else reactivation (it paid before, stopped);
 *   prev > 0 = cur → churn (prev);  cur > prev > 0 → expansion (cur − prev);  0 < cur < prev → contraction.
 * start(m) = Σ prev = end(m − 1), so start + new + expansion + reactivation − contraction − churn = end
 * holds by construction. A period's months = the calendar months (UTC) overlapping [from, to).
 * Retention base = customers paying in the month before the first month; their MRR in the last month
 * gives expansion/contraction/churn for NRR and GRR, and churned = base customers paying 0 then.
 * Active = MRR and paying customers in the month holding to − 1.
 */
import type { RevopsFilter } from '../../domain/revops/types.ts';
import { monthDate, monthNo, segmentLiteral } from './revops-filter-sql.ts';

/** Where one period sits in the vector (1-based positions, as SQL arrays count). */
export interface PeriodSlot {
  /** The month before the period's first month: the retention base. */
  base: number;
  /** The month holding to − 1. */
  last: number;
}

/** The vector's months (month numbers first … first + length − 1) and each period's place in it. */
export interface RevenuePlan {
  first: number;
  length: number;
  slots: PeriodSlot[];
}

export function revenuePlan(periods: readonly RevopsFilter[]): RevenuePlan {
  const lasts = periods.map((f) => monthNo(f.toMs - 1));
  const bases = periods.map((f) => monthNo(f.fromMs) - 1);
  // Every base month and every last month (a period ending before it starts still has a last month).
  const first = Math.min(...bases, ...lasts);
  const length = Math.max(...lasts) - first + 1;
  return {
    first,
    length,
    slots: periods.map((_, k) => ({ base: bases[k]! - first + 1, last: lasts[k]! - first + 1 })),
  };
}

/** A date expression's position in the vector. */
const pos = (expr: string, first: number) =>
  `(date_part('year', ${expr})::int * 12 + date_part('month', ${expr})::int - ${first})`;

/**
 * One row per customer (of the segment): v = MRR per vector month, fp = the
 * position of the first month it paid (null: never; 0: before the vector).
 *
 * Only the vector's months of the history are grouped (the grouping is most of the cost). What lies
 * before them is asked per customer, through the primary key, and only where it can change an answer:
 * - has the customer any history at all (else the no-history rule applies)? Asked only of customers with
 *   no row in the vector's months whose rule would pay something in them (a customer churned before the
 *   vector gets zeros either way);
 * - did it pay before the vector? Asked only of customers whose first payment in the vector falls in a
 *   month whose movements are reported (new versus reactivation), and after its start month: an earlier
 *   first payment already makes every later 0 → paying step a reactivation, and nothing is paid before a
 *   customer starts (history rows before start_date, inconsistent data, are not looked for: such a
 *   customer's first payment in its start month counts as new).
 */
function customerVectors(plan: RevenuePlan, firstMoved: number, segment: string | undefined): string {
  const ks = Array.from({ length: plan.length }, (_, k) => k);
  const month = (k: number) => `'${monthDate(plan.first + k)}'::date`;
  const hist = ks.map((k) => `coalesce(max(mrr_cents) FILTER (WHERE month = ${month(k)}), 0)`);
  // Without history: paying from the start month (start_date < next month) to before the churn month.
  const rule = ks.map(
    (k) =>
      `CASE WHEN c.start_date < ${month(k + 1)} AND (c.churn_date IS NULL OR c.churn_date >= ${month(k + 1)}) ` +
      'THEN c.mrr_cents ELSE 0 END',
  );
  // The rule pays something in the vector: it starts before its end and churns after its first month.
  const rulePays = `c.mrr_cents > 0 AND c.start_date < ${month(plan.length)}
    AND (c.churn_date IS NULL OR c.churn_date >= ${month(1)})`;
  // A scalar subquery with LIMIT 1, not EXISTS: the planner may run an EXISTS as one hashed scan of every
  // matching history row (it did, without statistics: 700k rows hashed for a handful of questions); this
  // is always one primary-key probe per customer asked.
  const history = (before: string) =>
    `(SELECT true FROM revops_mrr_history e WHERE e.customer_id = c.customer_id${before} LIMIT 1) IS NOT NULL`;
  const seg = segment === undefined ? '' : segmentLiteral(segment);
  const histSeg =
    seg && ` AND customer_id IN (SELECT customer_id FROM revops_customers WHERE segment = ${seg})`;
  return `
h AS (
  SELECT customer_id, ARRAY[${hist.join(', ')}]::bigint[] AS v, min(month) FILTER (WHERE mrr_cents > 0) AS first_paid
  FROM revops_mrr_history WHERE month >= ${month(0)}${histSeg} GROUP BY customer_id
), cv AS MATERIALIZED (
  SELECT
    CASE WHEN h.customer_id IS NOT NULL THEN h.v
         WHEN ${rulePays} AND ${history('')} THEN array_fill(0::bigint, ARRAY[${plan.length}])
         ELSE ARRAY[${rule.join(', ')}]::bigint[] END AS v,
    CASE WHEN h.customer_id IS NOT NULL THEN
           CASE WHEN h.first_paid >= ${month(firstMoved - 1)} AND h.first_paid > date_trunc('month', c.start_date)
                     AND ${history(` AND e.month < ${month(0)} AND e.mrr_cents > 0`)} THEN 0
                ELSE ${pos('h.first_paid', plan.first)} END
         WHEN c.mrr_cents > 0 AND (c.churn_date IS NULL
                                   OR c.churn_date >= date_trunc('month', c.start_date) + interval '1 month')
         THEN ${pos('c.start_date', plan.first)} END AS fp
  FROM revops_customers c LEFT JOIN h ON h.customer_id = c.customer_id
  ${seg && `WHERE c.segment = ${seg}`}
)`;
}

/**
 * One statement for the periods of `plan` (all of `segment`); rows tagged m (a month of the roll-forward:
 * a = position) and b (period a's base and active).
 * Each subquery reads its array elements once (OFFSET 0 keeps the planner from inlining them back into
 * every aggregate, which re-reads them per use).
 */
export function revenueSql(plan: RevenuePlan, segment: string | undefined): string {
  const L = plan.length;
  const firstMoved = Math.min(...plan.slots.map((s) => s.base)) + 1;
  const slots = plan.slots.map((s, k) => `(${k}, ${s.base}, ${s.last})`).join(', ');
  const moved = 'prev = 0 AND cur > 0';
  return `WITH ${customerVectors(plan, firstMoved, segment)},
mv AS (
  SELECT i, sum(prev) AS start_cents, sum(cur) AS end_cents,
    sum(cur) FILTER (WHERE ${moved} AND fp = i) AS new_cents, sum(cur) FILTER (WHERE ${moved} AND fp < i) AS react_cents,
    sum(cur - prev) FILTER (WHERE cur > prev AND prev > 0) AS exp_cents,
    sum(prev - cur) FILTER (WHERE cur < prev AND cur > 0) AS con_cents,
    sum(prev) FILTER (WHERE prev > 0 AND cur = 0) AS churn_cents,
    count(*) FILTER (WHERE prev > 0) AS n_start, count(*) FILTER (WHERE ${moved} AND fp = i) AS n_new,
    count(*) FILTER (WHERE ${moved} AND fp < i) AS n_react,
    count(*) FILTER (WHERE prev > 0 AND cur = 0) AS n_churn, count(*) FILTER (WHERE cur > 0) AS n_end
  FROM (SELECT i, v[i - 1] AS prev, v[i] AS cur, fp FROM cv, generate_series(${firstMoved}, ${L}) i
        -- A customer paying nothing in either month moves nothing: left out (a month nobody paid in has
        -- no row; the reader fills it with zeros).
        WHERE v[i - 1] > 0 OR v[i] > 0 OFFSET 0) t
  GROUP BY i
), ba AS (
  SELECT k, count(*) FILTER (WHERE b0 > 0) AS n, sum(b0) FILTER (WHERE b0 > 0) AS start_cents,
    sum(e) FILTER (WHERE b0 > 0) AS end_cents, sum(e - b0) FILTER (WHERE b0 > 0 AND e > b0) AS exp_cents,
    sum(b0 - e) FILTER (WHERE b0 > 0 AND e < b0 AND e > 0) AS con_cents,
    sum(b0) FILTER (WHERE b0 > 0 AND e = 0) AS churn_cents, count(*) FILTER (WHERE b0 > 0 AND e = 0) AS n_churn,
    sum(e) AS active_cents, count(*) FILTER (WHERE e > 0) AS active_n
  FROM (SELECT k, v[p] AS b0, v[l] AS e FROM cv, (VALUES ${slots}) AS per(k, p, l) OFFSET 0) t
  GROUP BY k
)
SELECT 'm' AS kind, i AS a, 0 AS b, start_cents::float8 AS x1, end_cents::float8 AS x2, new_cents::float8 AS x3,
  react_cents::float8 AS x4, exp_cents::float8 AS x5, con_cents::float8 AS x6, churn_cents::float8 AS x7,
  n_start::float8 AS x8, n_new::float8 AS x9, n_react::float8 AS x10, n_churn::float8 AS x11, n_end::float8 AS x12
FROM mv
UNION ALL SELECT 'b', k, 0, n, start_cents, end_cents, exp_cents, con_cents, churn_cents, n_churn, active_cents,
  active_n, NULL, NULL, NULL FROM ba
ORDER BY 1, 2, 3`;
}

/**
 * Churn reasons of every period of a batch, rows tagged k (the period's index), biggest MRR first. The days
 * of [from, to) as churn dates are compared: see revops-filter-sql.ts. $1 first day, $2 end day (the union
 * of the periods), then the periods' rows (periodRows: k, from day, to day).
 */
export function churnReasonsSql(segment: string | undefined, periods: string): string {
  const seg = segment === undefined ? '' : ` AND segment = ${segmentLiteral(segment)}`;
  return `SELECT p.k, coalesce(nullif(churn_reason, ''), 'unspecified') AS reason, count(*)::float8 AS customers,
    sum(mrr_cents)::float8 AS mrr
  FROM revops_customers JOIN (VALUES ${periods}) AS p(k, f, t) ON churn_date >= p.f AND churn_date < p.t
  WHERE churn_date >= $1::date AND churn_date < $2::date${seg}
  GROUP BY 1, 2 ORDER BY 1, 4 DESC, 3 DESC, 2`;
}
