import { downscaleBuckets } from './exp-histogram.ts';
import type { ExpBuckets, MetricKind, MetricPoint } from './metric-point.ts';

/**
 * The per-kind half of the cumulative→delta rules (delta.ts has the rest: first point, new start time,
 * change of kind, stale points): when a cumulative point of a kind is a reset, and how it is differenced
 * from the previous point otherwise. One entry per kind that has a cumulative form: a kind added to
 * MetricKind does not compile until it has its rule here.
 */

/**
 * What a series remembers of its last cumulative point: every field but its identity (service, metric,
 * attributes), its temporality (always cumulative) and its unit (no rule reads it). Numbers, lists and the
 * kind only (no text from a sender), so it is saved as JSON as it is, whatever fields a kind has.
 */
export type SeriesState = Omit<MetricPoint, 'service' | 'metric' | 'attributes' | 'temporality' | 'unit'>;

/** The kinds that have a cumulative form, hence a state. */
export type CumulativeKind = Exclude<MetricKind, 'gauge'>;

export interface KindRule {
  isReset(prev: SeriesState, p: MetricPoint): boolean;
  /** The interval's fields, written onto `out` (a copy of p, delta temporality, startMs = prev.timeMs). */
  difference(prev: SeriesState, p: MetricPoint, out: MetricPoint): void;
}

const sameList = (a: readonly number[] = [], b: readonly number[] = []): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Some count went down (or the lists differ in length): the series started over. */
const shrank = (now: readonly number[] = [], before: readonly number[] = []): boolean =>
  now.length !== before.length || now.some((c, i) => c < before[i]!);

/**
 * count, sum, min and max of a histogram-like point. A cumulative min/max only says something about the
 * interval when it moved (a new lower min or higher max happened in it); otherwise it is left out.
 */
function statsDifference(prev: SeriesState, p: MetricPoint, out: MetricPoint): void {
  out.count = (p.count ?? 0) - (prev.count ?? 0);
  if (p.sum !== undefined && prev.sum !== undefined) out.sum = p.sum - prev.sum;
  else delete out.sum;
  if (!(p.min !== undefined && prev.min !== undefined && p.min < prev.min)) delete out.min;
  if (!(p.max !== undefined && prev.max !== undefined && p.max > prev.max)) delete out.max;
}

/** The count of absolute bucket index `i` on one side of an exponential histogram (0 outside its range). */
const countAt = (b: ExpBuckets | undefined, i: number): number =>
  b === undefined ? 0 : (b.bucketCounts[i - b.offset] ?? 0);

/**
 * A side lost counts: some bucket of `before` (by absolute index) holds more than the same bucket now. A
 * cumulative side's range may grow either way (offset down, more buckets) without being a reset.
 */
const sideShrank = (now: ExpBuckets | undefined, before: ExpBuckets | undefined): boolean =>
  (before?.bucketCounts ?? []).some((c, k) => c > countAt(now, before!.offset + k));

/** The side's increase, bucket by absolute index, over the current point's range. */
const sideDifference = (now: ExpBuckets | undefined, before: ExpBuckets | undefined): ExpBuckets => {
  const offset = now?.offset ?? 0;
  return { offset, bucketCounts: (now?.bucketCounts ?? []).map((c, k) => c - countAt(before, offset + k)) };
};

/**
 * The previous exponential histogram's two sides at `scale`: as they were when the scale is the same,
 * folded down when it is lower (exp-histogram.ts downscaleBuckets; the zero bucket is not indexed, so it
 * is unchanged), null when it is higher (finer buckets cannot be made from coarser ones).
 */
function expAtScale(
  prev: SeriesState,
  scale: number,
): { positive: ExpBuckets | undefined; negative: ExpBuckets | undefined } | null {
  const by = (prev.scale ?? 0) - scale;
  if (by < 0) return null;
  const fold = (b: ExpBuckets | undefined) => (b === undefined ? b : downscaleBuckets(b, by));
  return { positive: fold(prev.positive), negative: fold(prev.negative) };
}

export const RULES: Record<CumulativeKind, KindRule> = {
  /** A monotonic sum that went down started over; an up-down counter (monotonic false) may go down. */
  sum: {
    isReset: (prev, p) => p.monotonic !== false && (p.value ?? 0) < (prev.value ?? 0),
    difference: (prev, p, out) => {
      out.value = (p.value ?? 0) - (prev.value ?? 0);
    },
  },
  /** Reset: a smaller count, any bucket that shrank, or other bucket bounds. */
  histogram: {
    isReset: (prev, p) =>
      (p.count ?? 0) < (prev.count ?? 0) ||
      !sameList(p.bounds, prev.bounds) ||
      shrank(p.bucketCounts, prev.bucketCounts),
    difference(prev, p, out) {
      statsDifference(prev, p, out);
      out.bucketCounts = (p.bucketCounts ?? []).map((c, i) => c - (prev.bucketCounts?.[i] ?? 0));
    },
  },
  /**
   * The previous point is first folded down to the current point's scale when the scale went down (the
   * SDK downscales, merging buckets pairwise, whenever its recorded values no longer fit its bucket
   * count: a cumulative stream keeps its counts across that), so the buckets line up again by absolute
   * index (expAtScale). Reset: a higher scale (an SDK never refines the buckets of counts it already
   * holds: it started over), another zero threshold or unit factor, a smaller count or zero count, or any
   * bucket (by absolute index, at the current scale) that shrank. The increase keeps the current point's
   * scale and offsets.
   */
  exphistogram: {
    isReset(prev, p) {
      const before = expAtScale(prev, p.scale ?? 0);
      return (
        before === null ||
        p.zeroThreshold !== prev.zeroThreshold ||
        p.bucketFactor !== prev.bucketFactor ||
        (p.count ?? 0) < (prev.count ?? 0) ||
        (p.zeroCount ?? 0) < (prev.zeroCount ?? 0) ||
        sideShrank(p.positive, before.positive) ||
        sideShrank(p.negative, before.negative)
      );
    },
    difference(prev, p, out) {
      const before = expAtScale(prev, p.scale ?? 0)!;
      statsDifference(prev, p, out);
      out.zeroCount = (p.zeroCount ?? 0) - (prev.zeroCount ?? 0);
      out.positive = sideDifference(p.positive, before.positive);
      out.negative = sideDifference(p.negative, before.negative);
    },
  },
  /**
   * Always cumulative (OTLP gives summaries no temporality). Reset: a smaller count. The interval's count
   * and sum are differences; its quantiles are the latest ones as sent (they describe the values since the
   * start: no interval's quantiles can be derived from two of them).
   */
  summary: {
    isReset: (prev, p) => (p.count ?? 0) < (prev.count ?? 0),
    difference(prev, p, out) {
      out.count = (p.count ?? 0) - (prev.count ?? 0);
      if (p.sum !== undefined && prev.sum !== undefined) out.sum = p.sum - prev.sum;
      else delete out.sum;
    },
  },
};
