import { DDSketch } from '@datadog/sketches-js';

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
const GAMMA = 1 + GAMMA_MANTISSA;
const MULTIPLIER = (1 / Math.log1p(GAMMA_MANTISSA)) * Math.log(2);
/** Values within ±MIN_POSSIBLE count as zero (the library's minPossible). */
const MIN_POSSIBLE = 2 ** -1023 * GAMMA;
const VALUE_FACTOR = 2 / (1 + GAMMA);
const keyOfValue = (value: number): number => Math.ceil(Math.log2(value) * MULTIPLIER);
const valueOfKey = (key: number): number => 2 ** (key / MULTIPLIER) * VALUE_FACTOR;

/** One side's bins: strictly increasing keys and their (positive) counts. */
class Bins {
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

class SketchImpl {
  readonly positive = new Bins();
  readonly negative = new Bins();
  zeroCount = 0;
  count = 0;
}

declare const SketchBrand: unique symbol;
/** An opaque DDSketch: callers hold it and pass it back here, the implementation stays in this file. */
export type Sketch = { readonly [SketchBrand]: true };

const inner = (s: Sketch): SketchImpl => s as unknown as SketchImpl;
const outer = (d: SketchImpl): Sketch => d as unknown as Sketch;

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

/** The first byte of the compact encoding. Never the first byte of a protobuf message (field 0). */
const COMPACT_V1 = 0x01;
/** Flag: counts are float64 (some count is fractional or too large for a safe varint). */
const FLOAT_COUNTS = 1;

/** A growable byte buffer for toBytes, reused across calls (encoding is synchronous). */
let out = new Uint8Array(4096);
let outView = new DataView(out.buffer);
let pos = 0;

function room(n: number): void {
  if (pos + n <= out.length) return;
  const bigger = new Uint8Array(Math.max(out.length * 2, pos + n));
  bigger.set(out.subarray(0, pos));
  out = bigger;
  outView = new DataView(out.buffer);
}

/** An unsigned integer up to 2^53 as a LEB128 varint (8 bytes at most; room for 10 all the same). */
function writeVarint(n: number): void {
  room(10);
  while (n >= 0x80) {
    out[pos++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  out[pos++] = n;
}

const zigzag = (n: number): number => (n >= 0 ? n * 2 : -n * 2 - 1);
const unzigzag = (n: number): number => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

function writeCount(n: number, float: boolean): void {
  if (float) {
    room(8);
    outView.setFloat64(pos, n, true);
    pos += 8;
  } else writeVarint(n);
}

const isVarintCount = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER;

function writeBins(b: Bins, float: boolean): void {
  const n = b.keys.length;
  writeVarint(n);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const k = b.keys[i]!;
    // The first key zigzagged, then the (positive) steps between keys.
    writeVarint(i === 0 ? zigzag(k) : k - prev);
    prev = k;
    writeCount(b.counts[i]!, float);
  }
}

/**
 * The compact bytes of the sketch (bins only; not min, max or sum): 0x01, a flags varint, the zero count,
 * then the positive and the negative bins, each as a varint bin count, the first key (zigzag varint), the
 * steps to the following keys (varints) and each bin's count (varint, or float64 little-endian when the
 * FLOAT_COUNTS flag is set). A minute of a few values is a few bytes (the protobuf form was over 1 KiB).
 */
export function toBytes(sketch: Sketch): Uint8Array {
  const s = inner(sketch);
  let float = !isVarintCount(s.zeroCount);
  for (const b of [s.positive, s.negative])
    for (let i = 0; i < b.counts.length && !float; i++) float = !isVarintCount(b.counts[i]!);
  pos = 0;
  room(2);
  out[pos++] = COMPACT_V1;
  out[pos++] = float ? FLOAT_COUNTS : 0;
  writeCount(s.zeroCount, float);
  writeBins(s.positive, float);
  writeBins(s.negative, float);
  return out.slice(0, pos);
}

const malformed = (why: string): Error => new Error(`sketch bytes are malformed: ${why}`);
/**
 * No double maps past this key at 1% accuracy (Number.MAX_VALUE is key ~35,500, the smallest subnormal
 * ~-37,300): a larger one in stored bytes is corruption, and would turn quantiles into Infinity.
 */
const MAX_KEY = 40_000;

/** Reads the compact encoding (toBytes). */
function fromCompact(bytes: Uint8Array): SketchImpl {
  let at = 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const varint = (): number => {
    let n = 0;
    let scale = 1;
    for (;;) {
      if (at >= bytes.length) throw malformed('truncated');
      const b = bytes[at++]!;
      n += (b & 0x7f) * scale;
      if (b < 0x80) {
        // toBytes writes safe integers only; anything larger was not written by it.
        if (n > Number.MAX_SAFE_INTEGER) throw malformed('varint too large');
        return n;
      }
      scale *= 0x80;
      if (scale > 2 ** 56) throw malformed('varint too long');
    }
  };
  const flags = varint();
  if (flags & ~FLOAT_COUNTS) throw malformed(`unknown flags ${flags}`);
  const float = (flags & FLOAT_COUNTS) !== 0;
  const count = (): number => {
    if (!float) return varint();
    if (at + 8 > bytes.length) throw malformed('truncated');
    const v = view.getFloat64(at, true);
    at += 8;
    if (!(Number.isFinite(v) && v >= 0)) throw malformed(`bad count ${v}`);
    return v;
  };
  const bins = (into: Bins): void => {
    const n = varint();
    if (n > bytes.length) throw malformed('bin count past the end');
    let key = 0;
    for (let i = 0; i < n; i++) {
      const step = varint();
      if (i > 0 && step === 0) throw malformed('keys not increasing');
      key = i === 0 ? unzigzag(step) : key + step;
      if (Math.abs(key) > MAX_KEY) throw malformed(`bin key ${key} out of range`);
      const c = count();
      if (c > 0) {
        into.keys.push(key);
        into.counts.push(c);
        into.count += c;
      }
    }
  };
  const s = new SketchImpl();
  s.zeroCount = count();
  bins(s.positive);
  bins(s.negative);
  if (at !== bytes.length) throw malformed('trailing bytes');
  s.count = s.negative.count + s.zeroCount + s.positive.count;
  return s;
}

/** The library's view of a decoded protobuf sketch (its fields are not all in its typings). */
interface LibrarySketch {
  mapping: { gamma: number; _offset: number };
  store: LibraryStore;
  negativeStore: LibraryStore;
  zeroCount: number;
}
interface LibraryStore {
  bins: number[];
  offset: number;
}

/**
 * Reads the library's protobuf form (rows written before the compact encoding). Throws when it was
 * written with another relative accuracy (such a sketch could not be merged with ours).
 */
function fromProtobuf(bytes: Uint8Array): SketchImpl {
  const decoded = DDSketch.fromProto(bytes) as unknown as LibrarySketch;
  // fromProto rebuilds gamma through the relative accuracy, which may move its last bits.
  if (!(Math.abs(decoded.mapping.gamma - GAMMA) < 1e-12))
    throw new Error(`sketch bytes use another relative accuracy than ${RELATIVE_ACCURACY}`);
  const s = new SketchImpl();
  // The decoded keys include the mapping's index offset; ours is 0.
  const shift = decoded.mapping._offset ?? 0;
  const copy = (from: LibraryStore, into: Bins) => {
    for (let i = 0; i < from.bins.length; i++) {
      const c = from.bins[i]!;
      if (c > 0) into.add(from.offset + i - shift, c);
    }
  };
  copy(decoded.store, s.positive);
  copy(decoded.negativeStore, s.negative);
  s.zeroCount = decoded.zeroCount;
  s.count = s.negative.count + s.zeroCount + s.positive.count;
  return s;
}

/**
 * A sketch read back from `toBytes` (or from the library's protobuf bytes). Throws on malformed bytes,
 * and on protobuf bytes written with another relative accuracy.
 */
export function fromBytes(bytes: Uint8Array): Sketch {
  if (bytes.length === 0) throw malformed('empty');
  return outer(bytes[0] === COMPACT_V1 ? fromCompact(bytes) : fromProtobuf(bytes));
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
