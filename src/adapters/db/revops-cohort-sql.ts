/**
 * Revenue cohorts (issue 14) in SQL: customers grouped by start month (start_date), for the 12 months up
 * to the one holding the period end; active[k] / mrr[k] = the cohort's paying customers / MRR k months
 * after its start month (MRR as revops-revenue-sql.ts reads it: the history rows, or the no-history rule);
 * startCents = mrr[0]. One statement serves every period of a batch: a cohort's months do not depend on
 * which period asks, each period keeps its 12 cohorts and the months up to its end.
 *
 * Only the cohorts' customers are read (a hash join of the history of those months to them), and only
 * members with no history row in those months are asked, through the primary key, whether they have any
 * history at all before the rule applies to them.
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
  const seg = segment === undefined ? '' : ` AND c.segment = ${segmentLiteral(segment)}`;
  return `WITH m AS MATERIALIZED (
  SELECT c.customer_id, ${monthNoSql('c.start_date')} AS s, c.mrr_cents, c.start_date, c.churn_date
  FROM revops_customers c
  WHERE c.start_date >= ${from} AND c.start_date < '${monthDate(last + 1)}'::date${seg}
), hr AS MATERIALIZED (
  SELECT h.customer_id, m.s, ${monthNoSql('h.month')} AS i, h.mrr_cents AS mrr
  FROM revops_mrr_history h JOIN m ON m.customer_id = h.customer_id
  WHERE h.month >= ${from} AND h.month <= '${monthDate(last)}'::date
), r AS (
  SELECT s, i, mrr FROM hr WHERE i >= s
  UNION ALL
  -- Without history: paying from the start month to before the churn month.
  SELECT m.s, i, CASE WHEN m.start_date < ${monthStartSql('i + 1')}
                       AND (m.churn_date IS NULL OR m.churn_date >= ${monthStartSql('i + 1')})
                      THEN m.mrr_cents ELSE 0 END
  FROM m, generate_series(m.s, ${last}) i
  WHERE NOT EXISTS (SELECT 1 FROM hr WHERE hr.customer_id = m.customer_id)
    AND (SELECT true FROM revops_mrr_history e WHERE e.customer_id = m.customer_id LIMIT 1) IS NULL
)
SELECT s, i, count(*) FILTER (WHERE mrr > 0)::float8 AS active, sum(mrr)::float8 AS cents FROM r GROUP BY s, i
UNION ALL SELECT s, -1, count(*)::float8, NULL FROM m GROUP BY s
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
