/**
 * Mergeable latency quantiles for the Silver rollups (TELEMETRY.md, "Quantiles that can be merged").
 *
 * A DDSketch with 1% relative accuracy: any quantile it answers is within 1% of the true value at that
 * rank, and the guarantee survives merging. Hourly rollups are built by merging 60 minute sketches, never
 * by averaging minute percentiles.
 *
 * The sketch is implemented here rather than with `@datadog/sketches-js`'s object (ingest builds hundreds
 * of tiny sketches per request, and the library's dense 128-bin chunks, per-call `require` of its
 * protobuf module and protobufjs encoding were most of ingest's CPU). It is the same sketch: the
 * library's logarithmic mapping (same gamma, same key and value formulas, so the same bins) and its
 * quantile rule (rank q·(count − 1), walked over the bins in key order), so quantiles are bit-identical
 * to the library's for the same values. The bins are kept sparse (sorted keys with their counts).
 *
 * Storage: `toBytes` writes a compact encoding (version byte 0x01, see `toBytes`); `fromBytes` also reads
 * the library's protobuf form, which rows written before this encoding hold (the library stays the
 * owner of that format). Neither form holds min, max or sum, so a `Rollup` keeps count, errors, sum, min
 * and max in columns of its own beside the sketch, and `summary` reads min/max from those columns.
 */

export const RELATIVE_ACCURACY = 0.01;

// The library's LogarithmicMapping (KeyMapping) for RELATIVE_ACCURACY and index offset 0, written with the
// same expressions so every key and value is bit-identical to the library's.
const GAMMA_MANTISSA = (2 * RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
export const GAMMA = 1 + GAMMA_MANTISSA;
const MULTIPLIER = (1 / Math.log1p(GAMMA_MANTISSA)) * Math.log(2);
/** Values within ±MIN_POSSIBLE count as zero (the library's minPossible). */
const MIN_POSSIBLE = 2 ** -1023 * GAMMA;
const VALUE_FACTOR = 2 / (1 + GAMMA);
const keyOfValue = (value: number): number => Math.ceil(Math.log2(value) * MULTIPLIER);
const valueOfKey = (key: number): number => 2 ** (key / MULTIPLIER) * VALUE_FACTOR;

/** One side's bins: strictly increasing keys and their (positive) counts. */
export class Bins {
  keys: number[] = [];
  counts: number[] = [];
  count = 0;

  add(key: number, weight: number): void {
    const keys = this.keys;
    let hi = keys.length;
    // Fast paths: a key past the end (values mostly arrive in a narrow band) or equal to the last one.
    if (hi === 0 || key > keys[hi - 1]!) {
      keys.push(key);
      this.counts.push(weight);
    } else if (key === keys[hi - 1]) {
      this.counts[hi - 1]! += weight;
    } else {
      let lo = 0;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keys[mid]! < key) lo = mid + 1;
        else hi = mid;
      }
      if (keys[lo] === key) this.counts[lo]! += weight;
      else {
        keys.splice(lo, 0, key);
        this.counts.splice(lo, 0, weight);
      }
    }
    this.count += weight;
  }

  /** Adds every bin of `from` (a sorted merge). */
  merge(from: Bins): void {
    if (from.keys.length === 0) return;
    if (this.keys.length === 0) {
      this.keys = from.keys.slice();
      this.counts = from.counts.slice();
      this.count = from.count;
      return;
    }
    const ak = this.keys;
    const ac = this.counts;
    const bk = from.keys;
    const bc = from.counts;
    const keys: number[] = [];
    const counts: number[] = [];
    let i = 0;
    let j = 0;
    while (i < ak.length && j < bk.length) {
      const a = ak[i]!;
      const b = bk[j]!;
      if (a < b) {
        keys.push(a);
        counts.push(ac[i++]!);
      } else if (b < a) {
        keys.push(b);
        counts.push(bc[j++]!);
      } else {
        keys.push(a);
        counts.push(ac[i++]! + bc[j++]!);
      }
    }
    for (; i < ak.length; i++) {
      keys.push(ak[i]!);
      counts.push(ac[i]!);
    }
    for (; j < bk.length; j++) {
      keys.push(bk[j]!);
      counts.push(bc[j]!);
    }
    this.keys = keys;
    this.counts = counts;
    this.count += from.count;
  }

  /**
   * The library's DenseStore.keyAtRank: the first key whose running count passes `rank` (`lower`) or
   * reaches rank + 1 (not `lower`), else the highest key.
   */
  keyAtRank(rank: number, lower: boolean): number {
    let running = 0;
    for (let i = 0; i < this.keys.length; i++) {
      running += this.counts[i]!;
      if ((lower && running > rank) || (!lower && running >= rank + 1)) return this.keys[i]!;
    }
    return this.keys[this.keys.length - 1] ?? 0;
  }
}

export class SketchImpl {
  readonly positive = new Bins();
  readonly negative = new Bins();
  zeroCount = 0;
  count = 0;
}

declare const SketchBrand: unique symbol;
/** An opaque DDSketch: callers hold it and pass it back here, the implementation stays in this file. */
export type Sketch = { readonly [SketchBrand]: true };

export const inner = (s: Sketch): SketchImpl => s as unknown as SketchImpl;
export const outer = (d: SketchImpl): Sketch => d as unknown as Sketch;

export const newSketch = (): Sketch => outer(new SketchImpl());

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
  const s = inner(sketch);
  if (value > MIN_POSSIBLE) s.positive.add(keyOfValue(value), weight);
  else if (value < -MIN_POSSIBLE) s.negative.add(keyOfValue(-value), weight);
  else s.zeroCount += weight;
  s.count += weight;
}

/**
 * Merges `from` into `into` (mutates `into` only; `from` is left as it was). Negative values merge too
 * (the library's merge dropped the negative side of a non-empty sketch while still adding its count).
 */
export function merge(into: Sketch, from: Sketch): void {
  const a = inner(into);
  const b = inner(from);
  if (b.count === 0) return;
  a.positive.merge(b.positive);
  a.negative.merge(b.negative);
  a.zeroCount += b.zeroCount;
  a.count += b.count;
}

/** How many values the sketch holds (survives `toBytes` / `fromBytes`). */
export const sketchCount = (sketch: Sketch): number => inner(sketch).count;

/**
 * The value at quantile `q` (0 ≤ q ≤ 1), within 1% relative of the exact value at rank
 * ⌊q·(count − 1)⌋ of the sorted values. An empty sketch has no quantiles: the answer is null. A q outside
 * [0, 1] or NaN throws a RangeError.
 */
export function quantile(sketch: Sketch, q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  const d = inner(sketch);
  if (d.count === 0) return null;
  // The library's getValueAtQuantile.
  const rank = q * (d.count - 1);
  const negatives = d.negative.count;
  if (rank < negatives) return -valueOfKey(d.negative.keyAtRank(negatives - rank - 1, false));
  if (rank < d.zeroCount + negatives) return 0;
  return valueOfKey(d.positive.keyAtRank(rank - d.zeroCount - negatives, true));
}
