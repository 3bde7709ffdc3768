/**
 * Revenue cohorts (issue 14) in SQL: customers grouped by start month (start_date), for the 12 months up
 * to the one holding the period end; active[k] / mrr[k] = the cohort's paying customers / MRR k months
 * after its start month (MRR as revops-revenue-sql.ts reads it: the history rows, or the no-history rule);
 * startCents = mrr[0]. One statement serves every period of a batch: a cohort's months do not depend on
 * which period asks, each period keeps its 12 cohorts and the months up to its end.
 *
 * How it runs (EXPLAIN ANALYZE on 1M deals / 100k customers, 33k cohort members, 730k history rows in the
 * 12 months): one hash join that hashes the members (read from the table, not from a CTE: a CTE has no
 * statistics, the planner then takes its customer_id for 200 distinct values and hashes the history
 * instead, 48 MB) and probes it with the history of those months, grouped at once by (cohort, month). The
 * join is a LEFT join from the members, so a member with no history row from its start month comes out
 * as a group of its own (`lone`); only those (none in generated data) are asked, through the primary
 * key, whether they have any history at all before the no-history rule applies to them. The previous
 * form hashed the history and asked every member (33k index probes, 15–30 % of its time) before the
 * anti-join that would have left none to ask: 1.9–2.6 s against 1.0–1.6 s for this one (medians of 5,
 * interleaved, alone, load 6–9 on 2 cores).
 */
import type { CohortRow } from '../../domain/revops/aggregates.ts';
import type { Row } from './client.ts';
import { monthDate, n, segmentLiteral } from './revops-filter-sql.ts';

/** Month number (year × 12 + month − 1) of a date expression. */
const monthNoSql = (expr: string) =>
  `(date_part('year', ${expr})::int * 12 + date_part('month', ${expr})::int - 1)`;
/** The first day of month number `expr`, as a date. */
const monthStartSql = (expr: string) => `make_date((${expr}) / 12, (${expr}) % 12 + 1, 1)`;

/**
 * Cohorts starting in month numbers [first, last], their months up to `last`. Rows: (s, i, active, cents)
 * per cohort and month, and (s, −1, members) per cohort.
 */
export function cohortSql(first: number, last: number, segment: string | undefined): string {
  const from = `'${monthDate(first)}'::date`;
  const seg = segment === undefined ? '' : ` AND segment = ${segmentLiteral(segment)}`;
  // Written out twice (joined, and counted): a CTE referenced twice would be materialised, statistics lost.
  const members = `(SELECT customer_id, start_date, ${monthNoSql('start_date')} AS s FROM revops_customers
    WHERE start_date >= ${from} AND start_date < '${monthDate(last + 1)}'::date${seg})`;
  // Without history: paying from the start month to before the churn month.
  const rule = `CASE WHEN c.start_date < ${monthStartSql('k + 1')}
                      AND (c.churn_date IS NULL OR c.churn_date >= ${monthStartSql('k + 1')})
                     THEN c.mrr_cents ELSE 0 END`;
  return `WITH g AS (
  SELECT m.s, ${monthNoSql('h.month')} AS i, CASE WHEN h.month IS NULL THEN m.customer_id END AS lone,
    count(*) FILTER (WHERE h.mrr_cents > 0) AS active, sum(h.mrr_cents) AS cents
  FROM ${members} m
  LEFT JOIN revops_mrr_history h ON h.customer_id = m.customer_id
    AND h.month >= ${from} AND h.month <= '${monthDate(last)}'::date AND ${monthNoSql('h.month')} >= m.s
  GROUP BY 1, 2, 3
), r AS (
  SELECT s, i, active, cents FROM g WHERE lone IS NULL
  UNION ALL
  SELECT g.s, k, (x.mrr > 0)::int, x.mrr
  FROM g JOIN revops_customers c ON c.customer_id = g.lone, generate_series(g.s, ${last}) k,
    LATERAL (SELECT ${rule} AS mrr) x
  -- Asked of g.lone, not c.customer_id: a condition on c alone is pushed down to the scan of every customer.
  WHERE (SELECT true FROM revops_mrr_history e WHERE e.customer_id = g.lone LIMIT 1) IS NULL
)
SELECT s, i, sum(active)::float8 AS active, sum(cents)::float8 AS cents FROM r GROUP BY s, i
UNION ALL SELECT s, -1, count(*)::float8, NULL FROM ${members} m GROUP BY s
ORDER BY 1, 2`;
}

/** The 12 cohorts up to month number `last` (those with a customer), their months up to `last`. */
export function cohortsUpTo(last: number, rows: readonly Row[]): CohortRow[] {
  const cohorts: CohortRow[] = [];
  for (let s = last - 11; s <= last; s++) {
    const members = rows.find((r) => n(r['s']) === s && n(r['i']) === -1);
    if (!members) continue;
    const at = new Map(rows.filter((r) => n(r['s']) === s && n(r['i']) >= s).map((r) => [n(r['i']), r]));
    const active: number[] = [];
    const mrrCents: number[] = [];
    for (let i = s; i <= last; i++) {
      active.push(n(at.get(i)?.['active']));
      mrrCents.push(n(at.get(i)?.['cents']));
    }
    cohorts.push({
      cohort: monthDate(s),
      customers: n(members['active']),
      startCents: mrrCents[0]!,
      active,
      mrrCents,
    });
  }
  return cohorts;
}
