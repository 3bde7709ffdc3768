/**
 * Pipeline aggregates (DOMAIN.md §9, issue 14) in SQL: one GROUP BY (stage, owner) pass over the deals that
 * can matter for the period, one indexed top-N for the stuck list. JS only adds up the (stage, owner) rows
 * (at most a few hundred) into stages, owners and totals.
 *
 * As-of reconstruction: the import keeps each deal's current stage and when it entered it
 * (last_stage_change), not its history. So, at the period end t:
 * - a deal is open at t when created_at < t and (its stage is open now, or it changed stage at/after t:
 *   a closed deal closed at its last_stage_change, so one that closed at or after t was open at t);
 * - its stage at t is known only when it is open now and entered that stage before t. Those deals make
 *   `byStage` (amount, weighted amount, days in stage); the rest of the open-at-t deals (closed or moved
 *   since) are only counted, in `closedSince`;
 * - days in stage = whole days (truncated) from last_stage_change to t: date_part('day', t − lsc), exact
 *   (timestamptz − timestamptz is whole days plus a time under 24 h);
 * - stuck = open at t with a known stage, ≥ minDays in stage (lsc ≤ t − minDays × 24 h) and ≥ minCents.
 * Flows in [from, t): closed won/lost = closed deals with last_stage_change in it; created = created_at in
 * it, with how far each got: reached[stage] = created deals whose current stage is at or past it in the
 * funnel Discovery → Demo → Negotiation → Closed_Won. A Closed_Won deal reached every stage; a
 * Closed_Lost deal counts as reaching Discovery only (and reached.Closed_Lost), since the import carries no
 * stage history to say where it was lost; a stage outside the funnel (funnel records keep their own
 * names) counts as Discovery and under its own name.
 */
import type { StuckRule } from '../../app/revops/ports.ts';
import type { OwnerAggregate, PipelineAggregates, StageAggregate } from '../../domain/revops/aggregates.ts';
import { FUNNEL_CHAIN } from '../../domain/revops/pipeline.ts';
import type { RevopsFilter, Segment } from '../../domain/revops/types.ts';
import { DAY_MS } from '../../shared/time.ts';
import type { Db, Row } from './client.ts';
import { iso } from './instants.ts';
import { batchedByTick, slicesKey } from './revops-batch.ts';
import { BIG_AGGREGATE, n, periodRows, queryWith, sliceWhere } from './revops-filter-sql.ts';
import { overDealsSource, type PipelineSourceName } from './revops-source-sql.ts';

/**
 * What each period's figures add up, per stage and per owner: GROUPING SETS ((k, stage), (k, owner)), one
 * pass over the deals for every period of a batch (k = the period's index; measured on 1M deals and
 * 2,500 owners: 460 ms against 740 ms grouping by (stage, owner) and adding up in JS, and one pass for the
 * report's two periods instead of one each, which were a sequential scan of the 1M deals apiece). Each
 * deal that can count for some period (see the WHERE) is joined to the periods it can count for, so the
 * scan, the slices and the deal columns are read once. `g` is 1 on stage rows and 2 on owner rows.
 * Parameters: $1 min cents, $2 the earliest period start, the slices, then each period's (t, from,
 * stuck cutoff) in its VALUES row (periodRows).
 */
const aggregateSql = (src: string, where: string, periods: string) => `
SELECT k, grouping(stage, owner) AS g, stage, owner,
  count(*) FILTER (WHERE known)::float8 AS known_deals,
  coalesce(sum(amount_cents) FILTER (WHERE known), 0)::float8 AS known_cents,
  coalesce(sum(amount_cents * probability) FILTER (WHERE known), 0)::float8 AS weighted,
  coalesce(sum(date_part('day', t - last_stage_change)) FILTER (WHERE known), 0)::float8 AS days_sum,
  count(*) FILTER (WHERE known AND last_stage_change <= t - interval '1 day')::float8 AS nz_deals,
  count(*) FILTER (WHERE known AND last_stage_change <= cutoff AND amount_cents >= $1)::float8 AS stuck_deals,
  coalesce(sum(amount_cents) FILTER (WHERE known AND last_stage_change <= cutoff
                                       AND amount_cents >= $1), 0)::float8 AS stuck_cents,
  count(*) FILTER (WHERE moved)::float8 AS moved_deals,
  coalesce(sum(amount_cents) FILTER (WHERE moved), 0)::float8 AS moved_cents,
  count(*) FILTER (WHERE closed AND stage = 'Closed_Won')::float8 AS won_deals,
  coalesce(sum(amount_cents) FILTER (WHERE closed AND stage = 'Closed_Won'), 0)::float8 AS won_cents,
  count(*) FILTER (WHERE closed AND stage = 'Closed_Lost')::float8 AS lost_deals,
  coalesce(sum(amount_cents) FILTER (WHERE closed AND stage = 'Closed_Lost'), 0)::float8 AS lost_cents,
  count(*) FILTER (WHERE created)::float8 AS created_deals,
  coalesce(sum(amount_cents) FILTER (WHERE created), 0)::float8 AS created_cents
FROM (
  SELECT p.k, p.t, p.cutoff, stage, owner, amount_cents, probability, last_stage_change,
    is_open AND last_stage_change < p.t AND created_at < p.t AS known,
    last_stage_change >= p.t AND created_at < p.t AS moved,
    NOT is_open AND last_stage_change >= p.f AND last_stage_change < p.t AS closed,
    created_at >= p.f AND created_at < p.t AS created
  FROM ${src} d
  -- A deal counts for a period when it is open now, or changed stage / was created in or after it.
  JOIN (VALUES ${periods}) AS p(k, t, f, cutoff) ON is_open OR last_stage_change >= p.f OR created_at >= p.f
  -- The same for the earliest period: what the scan keeps before the join (most deals it drops).
  WHERE (is_open OR last_stage_change >= $2::timestamptz OR created_at >= $2::timestamptz)${where}
) x
GROUP BY GROUPING SETS ((k, stage), (k, owner))`;

/** The longest-stuck deals. Parameters: $1 t, $2 stuck cutoff, $3 min cents, $4 limit. */
const stuckSql = (src: string, where: string) => `
SELECT deal_id, account, owner, segment, stage, amount_cents::float8 AS amount_cents,
       date_part('day', $1::timestamptz - last_stage_change)::float8 AS days
FROM ${src} d
WHERE is_open AND created_at < $1::timestamptz AND last_stage_change <= $2::timestamptz
  AND amount_cents >= $3${where}
ORDER BY last_stage_change, deal_id
LIMIT $4`;

/** The deals' columns of the slices (all three apply to deals). */
const SLICE_COLUMNS = { segment: 'segment', owner: 'owner', channel: 'source_channel' };

const FUNNEL_RANK = new Map<string, number>(FUNNEL_CHAIN.map((s, i) => [s, i]));

/** reached[stage] from the period's new deals counted by current stage (see the header). */
export function reachedFrom(createdByStage: ReadonlyMap<string, number>): Record<string, number> {
  const reached: Record<string, number> = Object.fromEntries(FUNNEL_CHAIN.map((s) => [s, 0]));
  for (const [stage, count] of createdByStage) {
    if (count === 0) continue;
    const rank = FUNNEL_RANK.get(stage) ?? 0;
    for (let i = 0; i <= rank; i++) reached[FUNNEL_CHAIN[i]!] = (reached[FUNNEL_CHAIN[i]!] ?? 0) + count;
    if (!FUNNEL_RANK.has(stage)) reached[stage] = (reached[stage] ?? 0) + count;
  }
  return reached;
}

const byName =
  <T>(key: (x: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** The stage rows (g = 1) as stages and period totals. */
function stageTotals(rows: readonly Row[]) {
  const byStage: StageAggregate[] = [];
  const closed = { won: 0, lost: 0, wonCents: 0, lostCents: 0 };
  const closedSince = { deals: 0, amountCents: 0 };
  const created = { deals: 0, amountCents: 0 };
  const createdByStage = new Map<string, number>();
  const stuckTotal = { deals: 0, amountCents: 0 };
  for (const r of rows) {
    const stage = String(r['stage']);
    if (n(r['known_deals']) > 0)
      byStage.push({
        stage,
        deals: n(r['known_deals']),
        amountCents: n(r['known_cents']),
        weightedCents: Math.round(n(r['weighted'])),
        daysInStageSum: n(r['days_sum']),
        nonZeroDaysDeals: n(r['nz_deals']),
        // Deals under a whole day in stage add 0 days, so the non-zero sum is the whole sum.
        nonZeroDaysSum: n(r['days_sum']),
      });
    closedSince.deals += n(r['moved_deals']);
    closedSince.amountCents += n(r['moved_cents']);
    closed.won += n(r['won_deals']);
    closed.wonCents += n(r['won_cents']);
    closed.lost += n(r['lost_deals']);
    closed.lostCents += n(r['lost_cents']);
    created.deals += n(r['created_deals']);
    created.amountCents += n(r['created_cents']);
    createdByStage.set(stage, n(r['created_deals']));
    stuckTotal.deals += n(r['stuck_deals']);
    stuckTotal.amountCents += n(r['stuck_cents']);
  }
  return {
    byStage: byStage.sort(byName((s) => s.stage)),
    closedSince,
    closed,
    created: { ...created, reached: reachedFrom(createdByStage) },
    stuckTotal,
  };
}

/** The owner rows (g = 2): open at t (any stage), weighted (known stage), closed in the period. */
function ownerTotals(rows: readonly Row[]): OwnerAggregate[] {
  return rows
    .map((r) => ({
      owner: String(r['owner']),
      openDeals: n(r['known_deals']) + n(r['moved_deals']),
      openCents: n(r['known_cents']) + n(r['moved_cents']),
      weightedCents: Math.round(n(r['weighted'])),
      won: n(r['won_deals']),
      lost: n(r['lost_deals']),
      wonCents: n(r['won_cents']),
    }))
    .filter((o) => o.openDeals > 0 || o.won > 0 || o.lost > 0)
    .sort(byName((o) => o.owner));
}

/** The grouping-set rows as the aggregates (weighted amounts rounded once per stage and per owner). */
export function rollUp(rows: readonly Row[], source: PipelineSourceName): Omit<PipelineAggregates, 'stuck'> {
  return {
    source,
    ...stageTotals(rows.filter((r) => n(r['g']) === 1)),
    byOwner: ownerTotals(rows.filter((r) => n(r['g']) === 2)),
  };
}

/** Period f's stuck deals, longest in stage first. */
async function readStuck(db: Db, src: string, f: RevopsFilter, rule: StuckRule) {
  if (rule.limit <= 0) return [];
  const params: unknown[] = [iso(f.toMs), iso(f.toMs - rule.minDays * DAY_MS), rule.minCents, rule.limit];
  const rows = await db.query(stuckSql(src, sliceWhere(f, SLICE_COLUMNS, params)), params);
  return rows.map((r) => ({
    dealId: String(r['deal_id']),
    account: String(r['account']),
    owner: String(r['owner']),
    segment: String(r['segment']) as Segment | '',
    stage: String(r['stage']),
    amountCents: n(r['amount_cents']),
    daysInStage: n(r['days']),
  }));
}

/**
 * The pipeline of several periods with the same slices (their own from/to; the slices of the first): one
 * aggregate statement for all of them, beside each period's stuck list (an indexed top-N, cheap).
 */
export async function readPipelineMany(
  db: Db,
  filters: readonly RevopsFilter[],
  rule: StuckRule,
): Promise<PipelineAggregates[]> {
  const params: unknown[] = [rule.minCents, iso(Math.min(...filters.map((f) => f.fromMs)))];
  const where = sliceWhere(filters[0]!, SLICE_COLUMNS, params);
  const periods = periodRows(
    filters.map((f) => [iso(f.toMs), iso(f.fromMs), iso(f.toMs - rule.minDays * DAY_MS)]),
    ['timestamptz', 'timestamptz', 'timestamptz'],
    params,
  );
  return overDealsSource(db, async (name, src) => {
    const [rows, stuck] = await Promise.all([
      queryWith(db, BIG_AGGREGATE, aggregateSql(src, where, periods), params),
      Promise.all(filters.map((f) => readStuck(db, src, f, rule))),
    ]);
    return filters.map((_, k) => ({
      ...rollUp(
        rows.filter((r) => n(r['k']) === k),
        name,
      ),
      stuck: stuck[k]!,
    }));
  });
}

/** pipeline(f, rule), batching the calls of one tick with the same slices and rule (revops-batch.ts). */
export function batchedPipeline(db: Db): (f: RevopsFilter, rule: StuckRule) => Promise<PipelineAggregates> {
  const read = batchedByTick<{ f: RevopsFilter; rule: StuckRule }, PipelineAggregates>(
    ({ f, rule }) => `${slicesKey(f)} ${rule.minDays} ${rule.minCents} ${rule.limit}`,
    (qs) =>
      readPipelineMany(
        db,
        qs.map((q) => q.f),
        qs[0]!.rule,
      ),
  );
  return (f, rule) => read({ f, rule });
}
