/**
 * The RevOps figures recomputed by plain SQL written from the README's definitions ("RevOps analytics":
 * Pipeline, Revenue, Marketing) and DOMAIN.md §9, for digest-vs-sql.test.ts. Deliberately written apart
 * from src/adapters/db/revops-*-sql.ts, in the most obvious way rather than the fastest: a table of every
 * customer's MRR in every month (generate_series × LEFT JOIN to the history, with the no-history fallback),
 * then each figure as a direct query over it. Money comes back as float8 (exact below 2^53 cents).
 */
import type { Db } from '../../../src/adapters/db/client.ts';

const OPEN = `('Discovery', 'Demo', 'Negotiation')`;
const iso = (ms: number): string => new Date(ms).toISOString();
/** The first day of the UTC month holding `ms`, as an ISO date. */
export const monthOf = (ms: number): string => `${iso(ms).slice(0, 7)}-01`;
const n = (x: unknown): number => Number(x ?? 0);

export interface CheckPipeline {
  openDeals: number;
  openCents: number;
  weightedCents: number;
  won: number;
  lost: number;
  wonCents: number;
  winRatePct: number | null;
  avgDealSizeCents: number | null;
  velocityCentsPerDay: number;
  stuckDeals: number;
  stuckCents: number;
  /** Days in stage of every stuck deal, longest first. */
  stuckDays: number[];
  /** Days in stage by deal id, for the stuck deals. */
  daysOf: Map<string, number>;
}

/**
 * As of t = toMs: open at t = created before t and (open now, or changed stage at or after t); the stage
 * at t is known only when open now and changed before t; days in stage = whole days from the change to t.
 */
export async function checkPipeline(db: Db, fromMs: number, toMs: number): Promise<CheckPipeline> {
  const params = [iso(fromMs), iso(toMs)];
  const [p] = await db.query<Record<string, unknown>>(
    `WITH at_t AS (
       SELECT deal_id, amount_cents, probability,
              (stage IN ${OPEN} AND last_stage_change < $1::timestamptz) AS known,
              floor(extract(epoch FROM ($1::timestamptz - last_stage_change)) / 86400) AS days
       FROM revops_deals
       WHERE created_at < $1::timestamptz AND (stage IN ${OPEN} OR last_stage_change >= $1::timestamptz)
     )
     SELECT count(*)::float8 AS open_deals,
            coalesce(sum(amount_cents), 0)::float8 AS open_cents,
            coalesce(sum(amount_cents * probability) FILTER (WHERE known), 0)::float8 AS weighted,
            avg(days) FILTER (WHERE known AND days > 0)::float8 AS mean_days,
            count(*) FILTER (WHERE known AND days >= 45 AND amount_cents >= 5000000)::float8 AS stuck,
            coalesce(sum(amount_cents) FILTER (WHERE known AND days >= 45 AND amount_cents >= 5000000), 0)::float8
              AS stuck_cents
     FROM at_t`,
    [iso(toMs)],
  );
  const stuck = await db.query<{ deal_id: string; days: number }>(
    `SELECT deal_id, floor(extract(epoch FROM ($1::timestamptz - last_stage_change)) / 86400)::float8 AS days
     FROM revops_deals
     WHERE stage IN ${OPEN} AND created_at < $1::timestamptz AND last_stage_change < $1::timestamptz
       AND amount_cents >= 5000000
       AND floor(extract(epoch FROM ($1::timestamptz - last_stage_change)) / 86400) >= 45
     ORDER BY days DESC`,
    [iso(toMs)],
  );
  const [c] = await db.query<Record<string, unknown>>(
    `SELECT count(*) FILTER (WHERE stage = 'Closed_Won')::float8 AS won,
            count(*) FILTER (WHERE stage = 'Closed_Lost')::float8 AS lost,
            coalesce(sum(amount_cents) FILTER (WHERE stage = 'Closed_Won'), 0)::float8 AS won_cents
     FROM revops_deals
     WHERE stage IN ('Closed_Won', 'Closed_Lost')
       AND last_stage_change >= $1::timestamptz AND last_stage_change < $2::timestamptz`,
    params,
  );
  const won = n(c!['won']);
  const lost = n(c!['lost']);
  const wonCents = n(c!['won_cents']);
  const weightedCents = n(p!['weighted']);
  const meanDays = p!['mean_days'] === null ? 1 : n(p!['mean_days']);
  return {
    openDeals: n(p!['open_deals']),
    openCents: n(p!['open_cents']),
    weightedCents,
    won,
    lost,
    wonCents,
    winRatePct: won + lost === 0 ? null : (won / (won + lost)) * 100,
    avgDealSizeCents: won === 0 ? null : wonCents / won,
    velocityCentsPerDay: weightedCents / meanDays,
    stuckDeals: n(p!['stuck']),
    stuckCents: n(p!['stuck_cents']),
    stuckDays: stuck.map((s) => n(s.days)),
    daysOf: new Map(stuck.map((s) => [s.deal_id, n(s.days)])),
  };
}

/**
 * check_mrr(customer_id, month, mrr): what every customer pays in every month from a month before any data
 * up to `lastMonth`. A customer with history rows pays its row (none: 0); one without any pays its mrr from
 * its start month up to, not including, its churn month.
 */
export async function buildMrrTable(db: Db, lastMonth: string): Promise<void> {
  await db.exec(`DROP TABLE IF EXISTS check_mrr`);
  await db.query(
    `CREATE TABLE check_mrr AS
     WITH first AS (
       SELECT (least((SELECT min(month) FROM revops_mrr_history),
                     (SELECT date_trunc('month', min(start_date))::date FROM revops_customers))
               - interval '1 month')::date AS m
     ),
     months AS (
       SELECT generate_series((SELECT m FROM first), $1::date, interval '1 month')::date AS month
     )
     SELECT c.customer_id, m.month,
            CASE
              WHEN EXISTS (SELECT 1 FROM revops_mrr_history x WHERE x.customer_id = c.customer_id)
                THEN coalesce(h.mrr_cents, 0)
              WHEN m.month >= date_trunc('month', c.start_date)::date
                   AND (c.churn_date IS NULL OR m.month < date_trunc('month', c.churn_date)::date)
                THEN c.mrr_cents
              ELSE 0
            END::float8 AS mrr
     FROM revops_customers c
     CROSS JOIN months m
     LEFT JOIN revops_mrr_history h ON h.customer_id = c.customer_id AND h.month = m.month`,
    [lastMonth],
  );
  await db.exec(`CREATE UNIQUE INDEX ON check_mrr (customer_id, month); ANALYZE check_mrr`);
}

export interface CheckMonth {
  month: string;
  startCents: number;
  newCents: number;
  expansionCents: number;
  reactivationCents: number;
  contractionCents: number;
  churnCents: number;
  endCents: number;
  customersStart: number;
  customersNew: number;
  customersReactivated: number;
  customersChurned: number;
  customersEnd: number;
}

export interface CheckRevenue {
  months: CheckMonth[];
  mrrCents: number;
  arrCents: number;
  activeCustomers: number;
  churnRatePct: number | null;
  nrrPct: number | null;
  grrPct: number | null;
}

/** Needs check_mrr (buildMrrTable) to reach the month holding toMs − 1 ms. */
export async function checkRevenue(db: Db, fromMs: number, toMs: number): Promise<CheckRevenue> {
  const first = monthOf(fromMs);
  const last = monthOf(toMs - 1);
  const rows = await db.query<Record<string, unknown>>(
    `SELECT m.month::date::text AS month,
            sum(p.mrr) AS start,
            sum(c.mrr) FILTER (WHERE p.mrr = 0 AND c.mrr > 0 AND NOT paid.before) AS new,
            sum(c.mrr) FILTER (WHERE p.mrr = 0 AND c.mrr > 0 AND paid.before) AS reactivation,
            sum(c.mrr - p.mrr) FILTER (WHERE p.mrr > 0 AND c.mrr > p.mrr) AS expansion,
            sum(p.mrr - c.mrr) FILTER (WHERE c.mrr > 0 AND c.mrr < p.mrr) AS contraction,
            sum(p.mrr) FILTER (WHERE p.mrr > 0 AND c.mrr = 0) AS churn,
            sum(c.mrr) AS "end",
            count(*) FILTER (WHERE p.mrr > 0) AS customers_start,
            count(*) FILTER (WHERE p.mrr = 0 AND c.mrr > 0 AND NOT paid.before) AS customers_new,
            count(*) FILTER (WHERE p.mrr = 0 AND c.mrr > 0 AND paid.before) AS customers_reactivated,
            count(*) FILTER (WHERE p.mrr > 0 AND c.mrr = 0) AS customers_churned,
            count(*) FILTER (WHERE c.mrr > 0) AS customers_end
     FROM generate_series($1::date, $2::date, interval '1 month') AS m(month)
     JOIN check_mrr c ON c.month = m.month
     JOIN check_mrr p ON p.customer_id = c.customer_id AND p.month = (m.month - interval '1 month')::date
     CROSS JOIN LATERAL (
       SELECT EXISTS (SELECT 1 FROM check_mrr e
                      WHERE e.customer_id = c.customer_id AND e.month < m.month AND e.mrr > 0) AS before
     ) paid
     GROUP BY m.month ORDER BY m.month`,
    [first, last],
  );
  const [active] = await db.query<Record<string, unknown>>(
    `SELECT sum(mrr) AS mrr, count(*) FILTER (WHERE mrr > 0) AS active FROM check_mrr WHERE month = $1::date`,
    [last],
  );
  // The base: customers paying in the month before the first month; compared with what they pay in the last.
  const [b] = await db.query<Record<string, unknown>>(
    `SELECT count(*) AS customers, sum(s.mrr) AS start,
            sum(e.mrr - s.mrr) FILTER (WHERE e.mrr > s.mrr) AS expansion,
            sum(s.mrr - e.mrr) FILTER (WHERE e.mrr > 0 AND e.mrr < s.mrr) AS contraction,
            sum(s.mrr) FILTER (WHERE e.mrr = 0) AS churn,
            count(*) FILTER (WHERE e.mrr = 0) AS churned
     FROM check_mrr s JOIN check_mrr e ON e.customer_id = s.customer_id AND e.month = $2::date
     WHERE s.month = ($1::date - interval '1 month')::date AND s.mrr > 0`,
    [first, last],
  );
  const start = n(b!['start']);
  const [exp, con, churn] = [n(b!['expansion']), n(b!['contraction']), n(b!['churn'])];
  const mrrCents = n(active!['mrr']);
  return {
    months: rows.map((r) => ({
      month: String(r['month']),
      startCents: n(r['start']),
      newCents: n(r['new']),
      expansionCents: n(r['expansion']),
      reactivationCents: n(r['reactivation']),
      contractionCents: n(r['contraction']),
      churnCents: n(r['churn']),
      endCents: n(r['end']),
      customersStart: n(r['customers_start']),
      customersNew: n(r['customers_new']),
      customersReactivated: n(r['customers_reactivated']),
      customersChurned: n(r['customers_churned']),
      customersEnd: n(r['customers_end']),
    })),
    mrrCents,
    arrCents: 12 * mrrCents,
    activeCustomers: n(active!['active']),
    churnRatePct: n(b!['customers']) === 0 ? null : (n(b!['churned']) / n(b!['customers'])) * 100,
    nrrPct: start === 0 ? null : ((start + exp - con - churn) / start) * 100,
    grrPct: start === 0 ? null : ((start - con - churn) / start) * 100,
  };
}

export interface CheckChannel {
  spendCents: number;
  leads: number;
  won: number;
  revenueCents: number;
}

/**
 * Per channel: spend rows whose day (at 00:00 UTC) is in the period, and the amount of deals won in the
 * period with that source channel. A channel with won deals and no spend is listed with zero spend.
 */
export async function checkMarketing(
  db: Db,
  fromMs: number,
  toMs: number,
): Promise<Map<string, CheckChannel>> {
  const rows = await db.query<Record<string, unknown>>(
    `WITH s AS (
       SELECT channel, sum(spend_cents) AS spend, sum(leads) AS leads, sum(won) AS won
       FROM revops_marketing_spend
       WHERE (day::timestamp AT TIME ZONE 'UTC') >= $1::timestamptz
         AND (day::timestamp AT TIME ZONE 'UTC') < $2::timestamptz
       GROUP BY channel
     ),
     r AS (
       SELECT source_channel AS channel, sum(amount_cents) AS revenue
       FROM revops_deals
       WHERE stage = 'Closed_Won' AND last_stage_change >= $1::timestamptz AND last_stage_change < $2::timestamptz
       GROUP BY source_channel
     )
     SELECT channel, s.spend::float8 AS spend, s.leads::float8 AS leads, s.won::float8 AS won,
            r.revenue::float8 AS revenue
     FROM s FULL JOIN r USING (channel)`,
    [iso(fromMs), iso(toMs)],
  );
  return new Map(
    rows.map((r) => [
      String(r['channel']),
      { spendCents: n(r['spend']), leads: n(r['leads']), won: n(r['won']), revenueCents: n(r['revenue']) },
    ]),
  );
}
