import type { ExpBuckets, MetricPoint } from './metric-point.ts';

/**
 * An OTLP exponential histogram point as weighted values for the quantile sketch (fold.ts).
 *
 * Bucket index i at scale s covers (base^i, base^(i+1)] with base = 2^(2^−s) (times the point's
 * bucketFactor, the unit conversion). Its values are only known to lie in that bucket, so each bucket is
 * taken as its log-midpoint base^(i+½), weighted by its count: the value that is nearest, relatively, to
 * every value of the bucket, within a factor √base of each, i.e. a relative error of at most
 * √base − 1 = 2^(2^−(s+1)) − 1:
 *
 * | scale | base    | √base − 1 |
 * | ----- | ------- | --------- |
 * | 3     | 1.0905  | 4.4%      |
 * | 4     | 1.0443  | 2.2%      |
 * | 5     | 1.0219  | 1.09%     |
 * | 6     | 1.0109  | 0.54%     |
 * | 8     | 1.0027  | 0.14%     |
 *
 * That is the histogram's own accuracy (what any reader of the point could know). The sketch adds its 1%
 * (sketch-core.ts: a DDSketch of relative accuracy 1%) on top, so a quantile read back is within
 * (√base)(1.01) − 1 of the true value at its rank. With the SDKs' default of 160 buckets the scale
 * follows the spread of the values: 1 ms–1 s (10 doublings) fits scale 4 (2.2%, 3.2% read back), 1 ms–60 s
 * scale 3; a band within 2.5 doublings keeps scale 6 (0.54%). Nothing is lost beyond the histogram's own
 * bucket width and the sketch's stated 1%.
 *
 * The point's min and max narrow the buckets they fall in: the lowest bucket holds values from min on, the
 * highest up to max, so those buckets take the log-midpoint of (max(base^i, min), min(base^(i+1), max)]
 * (tighter, never looser; a bucket holding only the max stands for the max exactly when min = max), and
 * nothing in the sketch exceeds the reported max. Negative buckets give negative values, mirrored; the
 * zero bucket (|value| ≤ zeroThreshold) gives 0, clamped into [min, max] as well.
 */
export interface WeightedValue {
  value: number;
  weight: number;
}

/** The lower bound of bucket `index` at `scale` (before bucketFactor): base^index = 2^(index·2^−scale). */
export const expLowerBound = (index: number, scale: number): number => 2 ** (index * 2 ** -scale);

/** The largest relative error of a bucket's log-midpoint at `scale`: √base − 1. */
export const expRelativeError = (scale: number): number => 2 ** (2 ** -(scale + 1)) - 1;

function clampTo(v: number, min: number | undefined, max: number | undefined): number {
  let out = v;
  if (min !== undefined) out = Math.max(out, min);
  if (max !== undefined) out = Math.min(out, max);
  return out;
}

/**
 * The representative of the magnitudes (lo, hi] narrowed to what [min, max] allows: the log-midpoint
 * √(lo'·hi') of (max(lo, least), min(hi, most)], where least and most are the magnitudes min and max allow
 * on this side. A range left empty by inconsistent min/max falls back to the midpoint, clamped.
 */
function representative(lo: number, hi: number, least: number | undefined, most: number | undefined) {
  const a = least !== undefined && least > lo ? least : lo;
  const b = most !== undefined && most < hi ? most : hi;
  if (a <= b) return Math.sqrt(a) * Math.sqrt(b);
  return clampTo(Math.sqrt(lo) * Math.sqrt(hi), least, most);
}

function side(out: WeightedValue[], b: ExpBuckets | undefined, sign: 1 | -1, p: MetricPoint): void {
  if (b === undefined) return;
  const scale = p.scale ?? 0;
  const factor = p.bucketFactor ?? 1;
  // Magnitudes this side may hold: positive values within [min, max]; negative ones within [−max, −min].
  const least = sign === 1 ? p.min : p.max === undefined ? undefined : -p.max;
  const most = sign === 1 ? p.max : p.min === undefined ? undefined : -p.min;
  b.bucketCounts.forEach((c, k) => {
    if (c > 0) {
      const i = b.offset + k;
      const lo = expLowerBound(i, scale) * factor;
      const hi = expLowerBound(i + 1, scale) * factor;
      out.push({ value: clampTo(sign * representative(lo, hi, least, most), p.min, p.max), weight: c });
    }
  });
}

/** Each non-empty bucket (and the zero bucket) as a value and its count, negative ones first. */
export function expBucketValues(p: MetricPoint): WeightedValue[] {
  const out: WeightedValue[] = [];
  side(out, p.negative, -1, p);
  if ((p.zeroCount ?? 0) > 0) out.push({ value: clampTo(0, p.min, p.max), weight: p.zeroCount! });
  side(out, p.positive, 1, p);
  return out;
}

/**
 * One side of an exponential histogram `by` scales coarser (by ≥ 0). One scale down, base' = base², so the
 * bucket (base'^j, base'^(j+1)] = (base^2j, base^(2j+2)] is the two buckets 2j and 2j + 1 merged; `by`
 * scales down, index i lands in ⌊i / 2^by⌋ (the right shift of the index that OTLP's data model describes
 * for downscaling). Floor division rather than `>>`: right for negative indices (magnitudes below 1, or
 * below bucketFactor) and for any safe integer. This is what an SDK does to its own buckets when they no
 * longer fit at the current scale, so a cumulative point folded down is the point the SDK would have
 * sent had it been at the lower scale from the start.
 */
export function downscaleBuckets(b: ExpBuckets, by: number): ExpBuckets {
  if (by === 0) return b;
  const div = 2 ** by;
  const offset = Math.floor(b.offset / div);
  if (b.bucketCounts.length === 0) return { offset, bucketCounts: [] };
  const last = Math.floor((b.offset + b.bucketCounts.length - 1) / div);
  const bucketCounts = new Array<number>(last - offset + 1).fill(0);
  b.bucketCounts.forEach((c, k) => {
    bucketCounts[Math.floor((b.offset + k) / div) - offset]! += c;
  });
  return { offset, bucketCounts };
}
