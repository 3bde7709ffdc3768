import { maxOf, minOf } from '../../domain/telemetry/rollup.ts';
import { fromBytes, toBytes } from './sketch-codec.ts';
import { add, merge, newSketch, quantile, type Sketch, sketchCount } from './sketch-core.ts';

/**
 * Mergeable latency quantiles for the Silver rollups (TELEMETRY.md, "Quantiles that can be merged"): the
 * sketch itself (sketch-core.ts), its bytes (sketch-codec.ts), and here what the rest of the app uses of
 * it: rollups, merging and reading stored bytes, ranks below a threshold.
 */
export { fromBytes, toBytes } from './sketch-codec.ts';
export {
  add,
  merge,
  newSketch,
  quantile,
  RELATIVE_ACCURACY,
  type Sketch,
  sketchCount,
} from './sketch-core.ts';

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
