import type { SketchOps } from '../../app/telemetry/sketch-ports.ts';
import type { SlaDefinition } from '../../domain/sla/definition.ts';
import type { SlaTrendSide } from '../../domain/sla/figures.ts';
import type { MinuteCounts } from '../../domain/sla/reading.ts';
import { clampQuantile, mergedBounds } from '../../domain/telemetry/rollup.ts';
import type { Db, Row } from './client.ts';
import { epochMs, iso } from './instants.ts';
import { rowSelect } from './sla-select-sql.ts';

/**
 * The Silver reads of the burn-rate evaluator for one SLA, and the weekly report's p99: its series
 * (service, metric) narrowed to the rows its indicator's filters keep, each row's bad events by the
 * indicator (sla-select-sql.ts). One WHERE (seriesWhere) for all of them, so they count the same rows.
 */

const HOUR_MS = 3_600_000;
const fromB64 = (v: unknown) =>
  typeof v === 'string' && v !== '' ? new Uint8Array(Buffer.from(v, 'base64')) : null;

export type SignalSketches = Pick<SketchOps, 'rankBelow' | 'p99'>;
/** Per latency series (service, metric, indicator): each minute's total and its events under the threshold. */
export type FastMemory = Map<string, Map<number, { total: number; fast: number }>>;

/** The part of a definition that picks its rows: the series, and the indicator whose filters narrow it. */
export type SlaSeries = Pick<SlaDefinition, 'service' | 'metric' | 'indicator'>;

/** The WHERE of an SLA's rows of `table` in [fromMs, toMs), with the indicator's filters and their params. */
function seriesWhere(def: SlaSeries, col: 'minute' | 'hour', fromMs: number, toMs: number) {
  const params: unknown[] = [def.service, def.metric, iso(fromMs), iso(toMs)];
  const select = rowSelect(def.indicator, params);
  const where = `service = $1 AND metric = $2 AND ${col} >= $3::timestamptz AND ${col} < $4::timestamptz${select.and}`;
  return { params, where, select };
}

/** Availability: the database sums the tag sets; 3 days are at most 4,320 rows whatever the tags. */
export async function availabilityMinutes(db: Db, def: SlaDefinition, fromMs: number, toMs: number) {
  const { params, where, select } = seriesWhere(def, 'minute', fromMs, toMs);
  const rows = await db.query(
    `SELECT ${epochMs('minute')} AS at_ms, sum(count)::float8 AS total, sum(${select.bad})::float8 AS bad
           FROM silver_minute WHERE ${where} GROUP BY minute ORDER BY minute`,
    params,
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
 * a second compaction) is ranked again. With a good filter, only the matching rows' events can be fast.
 */
export async function latencyMinutes(
  db: Db,
  sketches: SignalSketches,
  fastByMinute: FastMemory,
  def: SlaDefinition & { indicator: { kind: 'latency' } },
  fromMs: number,
  toMs: number,
): Promise<MinuteCounts[]> {
  const { params, where, select } = seriesWhere(def, 'minute', fromMs, toMs);
  const at = epochMs('minute');
  const series = `${def.service}\u0000${def.metric}\u0000${JSON.stringify(def.indicator)}`;
  const known = fastByMinute.get(series) ?? new Map<number, { total: number; fast: number }>();
  fastByMinute.set(series, known);
  const counts = await db.query(
    `SELECT ${at} AS at_ms, sum(count)::float8 AS total,
                coalesce(sum(count) FILTER (WHERE sketch IS NULL OR NOT ${select.good}), 0)::float8 AS no_values
         FROM silver_minute WHERE ${where} GROUP BY minute ORDER BY minute`,
    params,
  );
  const stale = counts.filter((r) => known.get(Number(r['at_ms']))?.total !== Number(r['total']));
  if (stale.length > 0) {
    const from = Math.min(...stale.map((r) => Number(r['at_ms'])));
    const sketched = await db.query(
      `SELECT ${at} AS at_ms, encode(sketch, 'base64') AS sketch
           FROM silver_minute WHERE ${where} AND ${select.good}
             AND minute >= $${params.length + 1}::timestamptz AND sketch IS NOT NULL`,
      [...params, iso(from)],
    );
    const fast = new Map<number, number>();
    for (const r of sketched) {
      const m = Number(r['at_ms']);
      fast.set(m, (fast.get(m) ?? 0) + sketches.rankBelow(fromB64(r['sketch'])!, def.indicator.thresholdMs));
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
    // Events without a value (no duration), or outside the good filter, are never fast.
    const fast = Math.min(total - Number(r['no_values']), known.get(minuteMs)?.fast ?? 0);
    return { minuteMs, total, bad: Math.max(0, total - fast) };
  });
}

export async function goldTotals(db: Db, slaId: string, fromDayMs: number, toDayMs: number) {
  const [r] = await db.query(
    `SELECT coalesce(sum(total), 0)::float8 AS total, coalesce(sum(errors), 0)::float8 AS bad
         FROM gold_snapshots WHERE sla_id = $1 AND day >= $2::date AND day < $3::date`,
    [slaId, iso(fromDayMs).slice(0, 10), iso(toDayMs).slice(0, 10)],
  );
  return { total: Number(r?.['total'] ?? 0), bad: Number(r?.['bad'] ?? 0) };
}

/** Bad events of a row: by the indicator (its `bad` column), or (latency) those not faster than the threshold. */
function badOf(sketches: SignalSketches, def: SlaDefinition, r: Row): number {
  const count = Number(r['count']);
  if (def.indicator.kind !== 'latency') return Number(r['bad']);
  const bytes = fromB64(r['sketch']);
  // A row without values (events without a duration), or outside the good filter, has nothing fast.
  if (bytes === null || r['good'] !== true) return count;
  return Math.max(0, count - sketches.rankBelow(bytes, def.indicator.thresholdMs));
}

const spanRows = (
  db: Db,
  table: 'silver_minute' | 'silver_hour',
  def: SlaDefinition,
  fromMs: number,
  toMs: number,
) => {
  const col = table === 'silver_hour' ? 'hour' : 'minute';
  const { params, where, select } = seriesWhere(def, col, fromMs, toMs);
  return db.query(
    `SELECT ${epochMs(col)} AS at_ms, count::float8 AS count, (${select.bad})::float8 AS bad,
            ${select.good} AS good, encode(sketch, 'base64') AS sketch, min::float8 AS min, max::float8 AS max
       FROM ${table} WHERE ${where} ORDER BY ${col}`,
    params,
  );
};

const boundOf = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * The p99 of rows' sketches merged (never averaged), clamped into the rows' merged [min, max]: a sketch, or
 * a histogram bucket's midpoint, can read past the values sent ("quantiles never exceed the reported
 * max"). Null when no row holds a sketch.
 */
function mergedP99(sketches: Pick<SketchOps, 'p99'>, rows: readonly Row[]): number | null {
  const sketched = rows.flatMap((r) => {
    const bytes = fromB64(r['sketch']);
    return bytes ? [{ bytes, min: boundOf(r['min']), max: boundOf(r['max']) }] : [];
  });
  if (sketched.length === 0) return null;
  const { min, max } = mergedBounds(sketched);
  return clampQuantile(sketches.p99(sketched.map((r) => r.bytes)), min, max);
}

/**
 * The p99 of an SLA's series over the hours [fromMs, toMs) (the weekly report's): the hour rollups of the
 * rows its indicator's filters keep, as the burn reads narrow them; null without values.
 */
export async function hourP99(
  db: Db,
  sketches: Pick<SketchOps, 'p99'>,
  def: SlaSeries,
  fromMs: number,
  toMs: number,
): Promise<number | null> {
  const { params, where } = seriesWhere(def, 'hour', fromMs, toMs);
  const rows = await db.query(
    `SELECT encode(sketch, 'base64') AS sketch, min::float8 AS min, max::float8 AS max
       FROM silver_hour WHERE ${where} AND sketch IS NOT NULL ORDER BY hour, tags_hash`,
    params,
  );
  return mergedP99(sketches, rows);
}

/**
 * The hours [fromMs, toMs): events, bad ones and the merged p99, from the hour rollups, and from the
 * minutes after the last rolled-up hour (the hourly rollup runs at :02).
 */
export async function readSpan(
  db: Db,
  sketches: SignalSketches,
  def: SlaDefinition,
  fromMs: number,
  toMs: number,
): Promise<SlaTrendSide> {
  const side: SlaTrendSide = { total: 0, bad: 0, p99Ms: null };
  const hours = await spanRows(db, 'silver_hour', def, fromMs, toMs);
  const rolledTo = hours.reduce((to, r) => Math.max(to, Number(r['at_ms']) + HOUR_MS), fromMs);
  const minutes = rolledTo < toMs ? await spanRows(db, 'silver_minute', def, rolledTo, toMs) : [];
  const rows = [...hours, ...minutes];
  for (const r of rows) {
    side.total += Number(r['count']);
    side.bad += badOf(sketches, def, r);
  }
  side.p99Ms = mergedP99(sketches, rows);
  return side;
}
