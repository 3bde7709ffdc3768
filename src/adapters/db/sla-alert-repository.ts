import type { SlaAlertStore, SlaAlertTx, SlaSignals } from '../../app/sla/alert-ports.ts';
import type { SketchOps } from '../../app/telemetry/sketch-ports.ts';
import type { SlaAlertState } from '../../domain/sla/alerting.ts';
import type { BurnAction } from '../../domain/sla/burn.ts';
import type { SlaDefinition } from '../../domain/sla/definition.ts';
import type { SlaEvidence, SlaTrendSide } from '../../domain/sla/figures.ts';
import type { Db, Row, Sql } from './client.ts';
import { incidentTx } from './incidents-repository.ts';
import { epochMs, iso } from './instants.ts';

const HOUR_MS = 3_600_000;
/** How long a trend span read from Silver is reused (late data shows up within this long). */
const TREND_TTL_MS = 10 * 60_000;
const msOf = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const fromB64 = (v: unknown) =>
  typeof v === 'string' && v !== '' ? new Uint8Array(Buffer.from(v, 'base64')) : null;

type SignalSketches = Pick<SketchOps, 'merge' | 'rankBelow' | 'quantiles'>;
/** Per latency series (service, metric, threshold): each minute's total and its events under the threshold. */
type FastMemory = Map<string, Map<number, { total: number; fast: number }>>;

/**
 * Silver and Gold reads of the burn-rate evaluator. A latency SLA counts a minute's slow events from its
 * sketches (count − values below the threshold); each minute's count is remembered with its total, so a
 * 3-day window ranks only the minutes that changed since the last evaluation.
 */
export function slaSignals(db: Db, sketches: SignalSketches): SlaSignals {
  /** Trend spans read lately, by series, indicator and span: how long ago (wall clock) and what. */
  const trends = new Map<string, { atMs: number; side: SlaTrendSide }>();
  const fastByMinute: FastMemory = new Map();

  return {
    minuteCounts(def, fromMs, toMs) {
      if (def.indicator.kind !== 'latency') return availabilityMinutes(db, def, fromMs, toMs);
      const threshold = def.indicator.thresholdMs;
      return latencyMinutes(db, sketches, fastByMinute, def, threshold, fromMs, toMs);
    },

    goldTotals: (slaId, fromDayMs, toDayMs) => goldTotals(db, slaId, fromDayMs, toDayMs),

    async hourSpan(def, fromMs, toMs) {
      // A span of complete hours changes only with late data: while an SLA burns, the evaluator asks for
      // the same two spans every minute, and they are answered from memory for TREND_TTL_MS.
      const now = Date.now();
      for (const [k, v] of trends) if (now - v.atMs > TREND_TTL_MS) trends.delete(k);
      const key = `${def.service}\u0000${def.metric}\u0000${JSON.stringify(def.indicator)}\u0000${fromMs}\u0000${toMs}`;
      const hit = trends.get(key);
      if (hit) return hit.side;
      const side = await readSpan(db, sketches, def, fromMs, toMs);
      trends.set(key, { atMs: now, side });
      return side;
    },
  };
}

const minuteParams = (def: SlaDefinition, fromMs: number, toMs: number) => [
  def.service,
  def.metric,
  iso(fromMs),
  iso(toMs),
];
const MINUTE_WHERE =
  'service = $1 AND metric = $2 AND minute >= $3::timestamptz AND minute < $4::timestamptz';

/** Availability: the database sums the tag sets; 3 days are at most 4,320 rows whatever the tags. */
async function availabilityMinutes(db: Db, def: SlaDefinition, fromMs: number, toMs: number) {
  const rows = await db.query(
    `SELECT ${epochMs('minute')} AS at_ms, sum(count)::float8 AS total, sum(errors)::float8 AS bad
           FROM silver_minute WHERE ${MINUTE_WHERE} GROUP BY minute ORDER BY minute`,
    minuteParams(def, fromMs, toMs),
  );
  return rows.map((r) => ({
    minuteMs: Number(r['at_ms']),
    total: Number(r['total']),
    bad: Number(r['bad']),
  }));
}

/**
 * Latency: per minute, the total and how many events had no value first; the sketches only of the
 * minutes whose fast count is not known for that total yet (usually the last one or two), so a 3-day
 * window does not ship and rank every sketch every minute. A minute whose total changed (late data,
 * a second compaction) is ranked again.
 */
async function latencyMinutes(
  db: Db,
  sketches: SignalSketches,
  fastByMinute: FastMemory,
  def: SlaDefinition,
  threshold: number,
  fromMs: number,
  toMs: number,
) {
  const params = minuteParams(def, fromMs, toMs);
  const at = epochMs('minute');
  const series = `${def.service}\u0000${def.metric}\u0000${threshold}`;
  const known = fastByMinute.get(series) ?? new Map<number, { total: number; fast: number }>();
  fastByMinute.set(series, known);
  const counts = await db.query(
    `SELECT ${at} AS at_ms, sum(count)::float8 AS total,
                coalesce(sum(count) FILTER (WHERE sketch IS NULL), 0)::float8 AS no_values
         FROM silver_minute WHERE ${MINUTE_WHERE} GROUP BY minute ORDER BY minute`,
    params,
  );
  const stale = counts.filter((r) => known.get(Number(r['at_ms']))?.total !== Number(r['total']));
  if (stale.length > 0) {
    const from = Math.min(...stale.map((r) => Number(r['at_ms'])));
    const sketched = await db.query(
      `SELECT ${at} AS at_ms, encode(sketch, 'base64') AS sketch
           FROM silver_minute WHERE ${MINUTE_WHERE} AND minute >= $5::timestamptz AND sketch IS NOT NULL`,
      [...params, iso(from)],
    );
    const fast = new Map<number, number>();
    for (const r of sketched) {
      const m = Number(r['at_ms']);
      fast.set(m, (fast.get(m) ?? 0) + sketches.rankBelow(fromB64(r['sketch'])!, threshold));
    }
    for (const r of counts) {
      const m = Number(r['at_ms']);
      if (m >= from) known.set(m, { total: Number(r['total']), fast: fast.get(m) ?? 0 });
    }
  }
  // Minutes that left the window are forgotten: the memory stays one window per latency series.
  for (const m of known.keys()) if (m < fromMs) known.delete(m);
  return counts.map((r) => {
    const minuteMs = Number(r['at_ms']);
    const total = Number(r['total']);
    // Events without a value (no duration) are never faster than the threshold.
    const fast = Math.min(total - Number(r['no_values']), known.get(minuteMs)?.fast ?? 0);
    return { minuteMs, total, bad: Math.max(0, total - fast) };
  });
}

async function goldTotals(db: Db, slaId: string, fromDayMs: number, toDayMs: number) {
  const [r] = await db.query(
    `SELECT coalesce(sum(total), 0)::float8 AS total, coalesce(sum(errors), 0)::float8 AS bad
         FROM gold_snapshots WHERE sla_id = $1 AND day >= $2::date AND day < $3::date`,
    [slaId, iso(fromDayMs).slice(0, 10), iso(toDayMs).slice(0, 10)],
  );
  return { total: Number(r?.['total'] ?? 0), bad: Number(r?.['bad'] ?? 0) };
}

/** Bad events of a row: failed ones, or (latency) those not faster than the threshold. */
function badOf(sketches: SignalSketches, def: SlaDefinition, r: Row): number {
  const count = Number(r['count']);
  if (def.indicator.kind !== 'latency') return Number(r['errors']);
  const bytes = fromB64(r['sketch']);
  // A row without values (events without a duration) has nothing faster than the threshold.
  if (bytes === null) return count;
  const threshold = def.indicator.thresholdMs;
  return Math.max(0, count - sketches.rankBelow(bytes, threshold));
}

const spanRows = (
  db: Db,
  table: 'silver_minute' | 'silver_hour',
  col: 'minute' | 'hour',
  def: SlaDefinition,
  fromMs: number,
  toMs: number,
) =>
  db.query(
    `SELECT tags_hash, ${epochMs(col)} AS at_ms, count::float8 AS count,
              errors::float8 AS errors,
              ${def.indicator.kind === 'latency' || table === 'silver_hour' ? "encode(sketch, 'base64')" : 'NULL::text'} AS sketch
       FROM ${table}
       WHERE service = $1 AND metric = $2 AND ${col} >= $3::timestamptz AND ${col} < $4::timestamptz
       ORDER BY ${col}`,
    [def.service, def.metric, iso(fromMs), iso(toMs)],
  );

async function readSpan(
  db: Db,
  sketches: SignalSketches,
  def: SlaDefinition,
  fromMs: number,
  toMs: number,
): Promise<SlaTrendSide> {
  const side: SlaTrendSide = { total: 0, bad: 0, p99Ms: null };
  let merged: Uint8Array | null = null;
  const hours = await spanRows(db, 'silver_hour', 'hour', def, fromMs, toMs);
  // The hourly rollup runs at :02, so the newest hour (or, before any rollup ran, all of them) is
  // read from its minutes: everything after the last rolled-up hour.
  const rolledTo = hours.reduce((to, r) => Math.max(to, Number(r['at_ms']) + HOUR_MS), fromMs);
  const minutes =
    rolledTo < toMs
      ? await db.query(
          `SELECT count::float8 AS count, errors::float8 AS errors, encode(sketch, 'base64') AS sketch
               FROM silver_minute WHERE service = $1 AND metric = $2
                 AND minute >= $3::timestamptz AND minute < $4::timestamptz`,
          [def.service, def.metric, iso(rolledTo), iso(toMs)],
        )
      : [];
  for (const r of [...hours, ...minutes]) {
    side.total += Number(r['count']);
    side.bad += badOf(sketches, def, r);
    const bytes = fromB64(r['sketch']);
    if (bytes) merged = merged ? sketches.merge(merged, bytes) : bytes;
  }
  side.p99Ms = merged ? sketches.quantiles(merged).p99 : null;
  return side;
}

type StateRow = SlaAlertState & { evaluatedAtMs: number; action: BurnAction | 'none'; burn: number };

const toState = (r: Row): StateRow => ({
  slaId: r['sla_id'] as string,
  evaluatedAtMs: Number(r['evaluated_ms']),
  action: r['action'] as StateRow['action'],
  burn: Number(r['burn']),
  lastFiredAtMs: msOf(r['last_fired_ms']),
  lastTicketAtMs: msOf(r['last_ticket_ms']),
});

const STATE_COLUMNS = `sla_id, ${epochMs('evaluated_at')} AS evaluated_ms, action, burn,
  ${epochMs('last_fired_at')} AS last_fired_ms,
  ${epochMs('last_ticket_at')} AS last_ticket_ms`;

function alertTx(tx: Sql): SlaAlertTx {
  return {
    ...incidentTx(tx),
    async alertState(slaId) {
      const [r] = await tx.query(
        `SELECT ${STATE_COLUMNS} FROM sla_alert_state WHERE sla_id = $1 FOR UPDATE`,
        [slaId],
      );
      return r ? toState(r) : null;
    },
    async saveAlertState(s) {
      await tx.query(
        `INSERT INTO sla_alert_state (sla_id, evaluated_at, action, burn, last_fired_at, last_ticket_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (sla_id) DO UPDATE SET evaluated_at = EXCLUDED.evaluated_at, action = EXCLUDED.action,
           burn = EXCLUDED.burn, last_fired_at = EXCLUDED.last_fired_at, last_ticket_at = EXCLUDED.last_ticket_at
         -- An evaluation older than the stored one (leak sla evaluate racing the job) changes nothing.
         WHERE sla_alert_state.evaluated_at <= EXCLUDED.evaluated_at`,
        [
          s.slaId,
          iso(s.evaluatedAtMs),
          s.action,
          s.burn,
          s.lastFiredAtMs === null ? null : iso(s.lastFiredAtMs),
          s.lastTicketAtMs === null ? null : iso(s.lastTicketAtMs),
        ],
      );
    },
    async linkEvidence(incidentId, def: SlaDefinition, sinceMs, limit): Promise<SlaEvidence[]> {
      // Bronze has no key (partitioned, insert-only): a row is (tableoid, ctid), stable within this transaction.
      const slow = def.indicator.kind === 'latency' ? ' OR duration_ms >= $5' : '';
      const params: unknown[] = [incidentId, def.service, def.metric, iso(sinceMs)];
      if (def.indicator.kind === 'latency') params.push(def.indicator.thresholdMs);
      params.push(limit);
      const cited = await tx.query(
        `UPDATE bronze_events b SET incident_id = $1
         FROM (SELECT tableoid, ctid FROM bronze_events
               WHERE service = $2 AND name = $3 AND time >= $4::timestamptz AND incident_id IS NULL
                 AND (ok = false OR upper(coalesce(level, '')) IN ('ERROR', 'FATAL')${slow})
               ORDER BY time DESC LIMIT $${params.length}) pick
         WHERE b.tableoid = pick.tableoid AND b.ctid = pick.ctid
         RETURNING ${epochMs('b.time')} AS time_ms, b.name, b.level, b.message,
                   b.trace_id, b.duration_ms`,
        params,
      );
      return cited
        .map((r) => ({
          timeMs: Number(r['time_ms']),
          name: r['name'] as string,
          level: (r['level'] as string | null) ?? null,
          message: (r['message'] as string | null) ?? null,
          traceId: (r['trace_id'] as string | null) ?? null,
          durationMs: msOf(r['duration_ms']),
        }))
        .sort((a, b) => b.timeMs - a.timeMs);
    },
  };
}

export function slaAlertStore(db: Db): SlaAlertStore {
  return {
    transaction: (fn) => db.transaction((tx) => fn(alertTx(tx))),
    async states() {
      return (await db.query(`SELECT ${STATE_COLUMNS} FROM sla_alert_state ORDER BY sla_id`)).map(toState);
    },
  };
}
