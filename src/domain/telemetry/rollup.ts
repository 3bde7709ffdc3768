import { MINUTE_MS } from '../../shared/time.ts';

/**
 * The Silver rollup of one series over one bucket (a minute, or an hour merged from its minutes): what
 * every tier adds up. The sketch is opaque bytes here: only the sketch library reads them, so merging
 * two sketches is a function the caller passes in.
 */
export interface RollupStats {
  count: number;
  errors: number;
  sum: number;
  min: number | null;
  max: number | null;
  sketchBytes: Uint8Array | null;
}

/** A Silver minute row: one series (service, metric, canonical tags) in one UTC minute. */
export interface MinuteRollup extends RollupStats {
  service: string;
  metric: string;
  /** Canonical tag set: string values, keys sorted (tags.ts). */
  tags: Record<string, string>;
  /** Stable identity of `tags` (the key column beside service, metric and minute). */
  tagsHash: string;
  /** Start of the UTC minute, epoch ms (a multiple of 60 000). */
  minuteMs: number;
}

/** Merges two sketches' bytes (the sketch library's merge, injected by the composition root). */
export type MergeSketchBytes = (a: Uint8Array, b: Uint8Array) => Uint8Array;

/** The start of the UTC minute holding `timeMs`. */
export const minuteOf = (timeMs: number): number => Math.floor(timeMs / MINUTE_MS) * MINUTE_MS;

/** The smaller of two optional values (null = no value yet). */
export const minOf = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);
/** The larger of two optional values (null = no value yet). */
export const maxOf = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.max(a, b);

/**
 * Two rollups of the same series and bucket as one: counts, errors and sums add, min and max combine,
 * sketches merge (never averaged, so quantiles keep the sketch's accuracy). `a`'s other fields are kept.
 */
export function combineRollups<T extends RollupStats>(a: T, b: RollupStats, merge: MergeSketchBytes): T {
  return {
    ...a,
    count: a.count + b.count,
    errors: a.errors + b.errors,
    sum: a.sum + b.sum,
    min: minOf(a.min, b.min),
    max: maxOf(a.max, b.max),
    sketchBytes:
      a.sketchBytes && b.sketchBytes ? merge(a.sketchBytes, b.sketchBytes) : (a.sketchBytes ?? b.sketchBytes),
  };
}

/**
 * Rollups of the same key combined into one each (combineRollups), keyed by `key`; the map keeps the order
 * keys were first seen. Minutes of a batch into one row per series-minute, or minutes into their hour.
 */
export function combineByKey<T extends RollupStats>(
  rows: Iterable<T>,
  key: (row: T) => string,
  merge: MergeSketchBytes,
): Map<string, T> {
  const byKey = new Map<string, T>();
  for (const r of rows) {
    const k = key(r);
    const prev = byKey.get(k);
    byKey.set(k, prev ? combineRollups(prev, r, merge) : r);
  }
  return byKey;
}

/**
 * A quantile read from a sketch, clamped into the rollup's [min, max] (either may be unknown: null). The
 * sketch answers with its bin's representative value, up to its 1% away from the values it holds, so a
 * p99 of values that all equal the max could read up to 1% above it; the exact min and max columns bound
 * it ("histogram quantiles never exceed the reported max"). Null stays null.
 */
export function clampQuantile(q: number | null, min: number | null, max: number | null): number | null {
  if (q === null) return null;
  let out = q;
  if (min !== null) out = Math.max(out, min);
  if (max !== null) out = Math.min(out, max);
  return out;
}

/** p50, p90 and p99 each clamped into the row's [min, max] (clampQuantile). */
export function clampQuantiles<Q extends { p50: number | null; p90: number | null; p99: number | null }>(
  q: Q,
  row: Pick<RollupStats, 'min' | 'max'>,
): Q {
  return {
    ...q,
    p50: clampQuantile(q.p50, row.min, row.max),
    p90: clampQuantile(q.p90, row.min, row.max),
    p99: clampQuantile(q.p99, row.min, row.max),
  };
}

/**
 * The [min, max] that bound a quantile of sketches merged from several rows (each holding a sketch): the
 * least min and the greatest max. A bound is unknown (null) as soon as one row lacks it: that row's values
 * may lie beyond the others', and clamping to the others' bound would understate them. No rows: unknown.
 */
export function mergedBounds(
  rows: Iterable<Pick<RollupStats, 'min' | 'max'>>,
): Pick<RollupStats, 'min' | 'max'> {
  let min: number | null = null;
  let max: number | null = null;
  let minKnown = true;
  let maxKnown = true;
  for (const r of rows) {
    if (r.min === null) minKnown = false;
    else min = minOf(min, r.min);
    if (r.max === null) maxKnown = false;
    else max = maxOf(max, r.max);
  }
  return { min: minKnown ? min : null, max: maxKnown ? max : null };
}
