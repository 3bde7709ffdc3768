import { DDSketch } from '@datadog/sketches-js';

/**
 * Mergeable latency quantiles for the Silver rollups (TELEMETRY.md, "Quantiles that can be merged").
 *
 * This file is the only owner of `@datadog/sketches-js`: a DDSketch with 1% relative accuracy, so any
 * quantile it answers is within 1% of the true value at that rank, and the guarantee survives merging.
 * Hourly rollups are built by merging 60 minute sketches, never by averaging minute percentiles.
 *
 * Storage: `toBytes` / `fromBytes` use the library's protobuf form. `fromProto` restores the bins and the
 * count but loses min, max and sum, so a `Rollup` keeps count, errors, sum, min and max in columns of
 * its own beside the sketch, and `summary` reads min/max from those columns, never from the sketch.
 */

export const RELATIVE_ACCURACY = 0.01;

declare const SketchBrand: unique symbol;
/** An opaque DDSketch: callers hold it and pass it back here, the vendor type stays in this file. */
export type Sketch = { readonly [SketchBrand]: true };

const inner = (s: Sketch): DDSketch => s as unknown as DDSketch;
const outer = (d: DDSketch): Sketch => d as unknown as Sketch;

export const newSketch = (): Sketch => outer(new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY }));

function assertFinite(value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`sketch value must be a finite number, got ${value}`);
}

/**
 * Adds one value (mutates `sketch`), or `weight` occurrences of it (a positive number, fractions allowed:
 * histogram buckets are added this way rather than one call per counted value). Throws on NaN / ±Infinity,
 * which would poison sum and bins, and on a weight that is not a positive finite number.
 */
export function add(sketch: Sketch, value: number, weight = 1): void {
  assertFinite(value);
  if (!(Number.isFinite(weight) && weight > 0))
    throw new RangeError(`sketch weight must be a positive finite number, got ${weight}`);
  inner(sketch).accept(value, weight);
}

/** Merges `from` into `into` (mutates `into` only; `from` is left as it was). */
export function merge(into: Sketch, from: Sketch): void {
  inner(into).merge(inner(from));
}

/** How many values the sketch holds (survives `toBytes` / `fromBytes`). */
export const sketchCount = (sketch: Sketch): number => inner(sketch).count;

/**
 * The value at quantile `q` (0 ≤ q ≤ 1), within 1% relative of the exact value at rank
 * ⌊q·(count − 1)⌋ of the sorted values. An empty sketch has no quantiles: the answer is null (the
 * library's NaN is not passed on). A q outside [0, 1] or NaN throws a RangeError.
 */
export function quantile(sketch: Sketch, q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  const d = inner(sketch);
  if (d.count === 0) return null;
  return d.getValueAtQuantile(q);
}

/** The protobuf bytes of the sketch (bins and mapping; not min, max or sum). */
export const toBytes = (sketch: Sketch): Uint8Array => inner(sketch).toProto();

/**
 * A sketch read back from `toBytes`. Throws when the bytes were written with another relative accuracy
 * (such a sketch could not be merged with ours).
 *
 * The decoded bins are copied into a fresh sketch: `fromProto` rebuilds its mapping from gamma alone, and
 * the relative accuracy it derives differs from 0.01 in the last bits, so quantiles read straight from it
 * would differ from the original's in the 14th digit. On our own mapping they are bit-identical.
 */
export function fromBytes(bytes: Uint8Array): Sketch {
  const decoded = DDSketch.fromProto(bytes);
  const sketch = inner(newSketch());
  if (!sketch.mergeable(decoded))
    throw new Error(`sketch bytes use another relative accuracy than ${RELATIVE_ACCURACY}`);
  sketch.merge(decoded);
  return outer(sketch);
}

/**
 * One rollup row: count, errors, sum, min, max as exact columns, and the sketch for quantiles.
 * min and max are null while count is 0.
 */
export interface Rollup {
  count: number;
  errors: number;
  sum: number;
  min: number | null;
  max: number | null;
  sketch: Sketch;
}

export interface RollupSummary {
  count: number;
  errors: number;
  sum: number;
  min: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export const newRollup = (): Rollup => ({
  count: 0,
  errors: 0,
  sum: 0,
  min: null,
  max: null,
  sketch: newSketch(),
});

/** Records one value (mutates `r`); `error` counts it in `errors` as well. */
export function addValue(r: Rollup, value: number, opts: { error?: boolean } = {}): void {
  add(r.sketch, value);
  r.count += 1;
  if (opts.error) r.errors += 1;
  r.sum += value;
  r.min = r.min === null ? value : Math.min(r.min, value);
  r.max = r.max === null ? value : Math.max(r.max, value);
}

const minOf = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);
const maxOf = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.max(a, b);

/** A new rollup holding both (neither input is changed). Commutative and associative. */
export function mergeRollups(a: Rollup, b: Rollup): Rollup {
  const sketch = newSketch();
  merge(sketch, a.sketch);
  merge(sketch, b.sketch);
  return {
    count: a.count + b.count,
    errors: a.errors + b.errors,
    sum: a.sum + b.sum,
    min: minOf(a.min, b.min),
    max: maxOf(a.max, b.max),
    sketch,
  };
}

/** The reportable figures: exact count/errors/sum/min/max from the columns, p50/p90/p99 from the sketch. */
export const summary = (r: Rollup): RollupSummary => ({
  count: r.count,
  errors: r.errors,
  sum: r.sum,
  min: r.min,
  max: r.max,
  p50: quantile(r.sketch, 0.5),
  p90: quantile(r.sketch, 0.9),
  p99: quantile(r.sketch, 0.99),
});

/** Merges two stored sketches (bytes in, bytes out): what the database adapters are given to merge with. */
export function mergeSketchBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const s = fromBytes(a);
  merge(s, fromBytes(b));
  return toBytes(s);
}

/** p50/p90/p99 of a stored sketch, for the Silver quantile columns. */
export function sketchQuantiles(bytes: Uint8Array): {
  p50: number | null;
  p90: number | null;
  p99: number | null;
} {
  const s = fromBytes(bytes);
  return { p50: quantile(s, 0.5), p90: quantile(s, 0.9), p99: quantile(s, 0.99) };
}

/**
 * How many of the sketch's values are below `thresholdMs` (strictly), found by binary search over q with
 * `quantile`: the smallest q whose value reaches the threshold marks the rank where "below" ends.
 * Approximate: a value within the sketch's 1% relative accuracy of the threshold may be counted on either
 * side of it. 0 for an empty sketch; never more than the sketch's count.
 */
export function rankBelow(sketch: Sketch, thresholdMs: number): number {
  const count = sketchCount(sketch);
  if (count === 0) return 0;
  if ((quantile(sketch, 0) ?? 0) >= thresholdMs) return 0;
  if ((quantile(sketch, 1) ?? 0) < thresholdMs) return count;
  // Invariant: quantile(lo) < threshold ≤ quantile(hi).
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if ((quantile(sketch, mid) ?? 0) < thresholdMs) lo = mid;
    else hi = mid;
  }
  // Ranks [0, B) answer values below the threshold, so B = hi·(count − 1) at the boundary (whole values).
  return Math.min(count, Math.max(0, Math.round(hi * (count - 1))));
}

/** rankBelow over stored sketch bytes (what the SLA engine is given). */
export const rankBelowBytes = (bytes: Uint8Array, thresholdMs: number): number =>
  rankBelow(fromBytes(bytes), thresholdMs);
