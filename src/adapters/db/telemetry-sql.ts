import type { SilverMinute } from '../../app/telemetry/ports.ts';
import type { SketchQuantiles } from '../../app/telemetry/sketch-ports.ts';
import {
  clampQuantiles,
  combineByKey,
  type MergeSketchBytes,
  type RollupStats,
} from '../../domain/telemetry/rollup.ts';

/**
 * What the telemetry tables' adapters (telemetry-repository.ts and its parts, rollup-repository.ts) share:
 * how values go to and come back from PostgreSQL, and the identity of a Silver row.
 */

export const iso = (ms: number) => new Date(ms).toISOString();
export const num = (v: number | null) => (v === null ? null : String(v));
export const b64 = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('base64'));
export const fromB64 = (s: string | null) => (s === null ? null : new Uint8Array(Buffer.from(s, 'base64')));

/** A rollup row's figures as the telemetry queries select them (numbers as float8, the sketch base64). */
// A type, not an interface: query rows must be plain records (client.ts Row).
export type StoredStats = {
  count: number;
  errors: number;
  sum: number;
  min: number | null;
  max: number | null;
  sketch: string | null;
};

/** Stored figures as a rollup's (the driver may hand numeric columns back as strings). */
export const statsOf = (s: StoredStats): RollupStats => ({
  count: Number(s.count),
  errors: Number(s.errors),
  sum: Number(s.sum),
  min: s.min === null ? null : Number(s.min),
  max: s.max === null ? null : Number(s.max),
  sketchBytes: fromB64(s.sketch),
});

/** Length-prefixed, so no two (service, metric, tagsHash, minute) share a key whatever they contain. */
export const keyOf = (s: string, metric: string, tagsHash: string, minuteMs: number) =>
  `${s.length}:${s}${metric.length}:${metric}${tagsHash.length}:${tagsHash}${minuteMs}`;
export const rowKey = (r: SilverMinute) => keyOf(r.service, r.metric, r.tagsHash, r.minuteMs);

/**
 * Entries of one key merged into one (domain/telemetry/rollup.ts combineByKey), then (`sorted`) in key
 * order, so lock order is the same for every writer.
 */
export function mergeByKey(
  rows: Iterable<SilverMinute>,
  merge: MergeSketchBytes,
  sorted = true,
): SilverMinute[] {
  const byKey = combineByKey(rows, rowKey, merge);
  if (!sorted) return [...byKey.values()];
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/**
 * A Silver rollup row (minute or hour) as text arrays, one per column, in the order service, metric, tags,
 * tags_hash, time, count, errors, sum, min, max, sketch (base64): what the unnest of every rollup write
 * reads. `tags` and `timeMs` say how this kind of row holds them.
 */
export function rollupParams<R extends RollupStats & { service: string; metric: string; tagsHash: string }>(
  rows: readonly R[],
  tags: (r: R) => string,
  timeMs: (r: R) => number,
): (string | null)[][] {
  return [
    rows.map((r) => r.service),
    rows.map((r) => r.metric),
    rows.map(tags),
    rows.map((r) => r.tagsHash),
    rows.map((r) => iso(timeMs(r))),
    rows.map((r) => String(r.count)),
    rows.map((r) => String(r.errors)),
    rows.map((r) => String(r.sum)),
    rows.map((r) => num(r.min)),
    rows.map((r) => num(r.max)),
    rows.map((r) => b64(r.sketchBytes)),
  ];
}

/**
 * Each row's p50, p90 and p99 as three text arrays, from its sketch (null without one), clamped into the
 * row's own [min, max]: a sketch (or a histogram bucket's midpoint) may read past the exact extremes.
 */
export function quantileParams(
  rows: readonly RollupStats[],
  quantiles: (bytes: Uint8Array) => SketchQuantiles,
): (string | null)[][] {
  const qs = rows.map((r) => (r.sketchBytes ? clampQuantiles(quantiles(r.sketchBytes), r) : null));
  return [
    qs.map((p) => num(p?.p50 ?? null)),
    qs.map((p) => num(p?.p90 ?? null)),
    qs.map((p) => num(p?.p99 ?? null)),
  ];
}
