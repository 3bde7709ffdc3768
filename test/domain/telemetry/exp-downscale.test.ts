import {
  AggregationTemporality,
  AggregationType,
  type ExponentialHistogram,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { deltaStep, stateOf } from '../../../src/domain/telemetry/delta.ts';
import { downscaleBuckets } from '../../../src/domain/telemetry/exp-histogram.ts';
import type { ExpBuckets, MetricPoint } from '../../../src/domain/telemetry/metric-point.ts';

/**
 * A cumulative exponential histogram whose scale went down between two points (the SDK downscales when its
 * values no longer fit its bucket count): the previous point is folded down to the new scale, bucket i at
 * scale s landing in ⌊i / 2^(s − s')⌋, and differenced there instead of being taken for a reset. Every
 * expected bucket below is worked out by hand.
 */

const S0 = 1_000_000;

const total = (b: ExpBuckets) => b.bucketCounts.reduce((a, c) => a + c, 0);

const point = (
  timeMs: number,
  scale: number,
  positive: ExpBuckets,
  negative: ExpBuckets,
  zeroCount: number,
  extra: Partial<MetricPoint> = {},
): MetricPoint => ({
  service: 'checkout',
  metric: 'rpc.duration',
  attributes: { route: '/pay' },
  startMs: S0,
  timeMs,
  kind: 'exphistogram',
  temporality: 'cumulative',
  count: zeroCount + total(positive) + total(negative),
  sum: 100,
  scale,
  zeroCount,
  positive,
  negative,
  bucketFactor: 1,
  ...extra,
});

describe('downscaleBuckets', () => {
  it('one scale down: indices 0…7 fold pairwise into 0…3', () => {
    expect(downscaleBuckets({ offset: 0, bucketCounts: [1, 2, 3, 4, 5, 6, 7, 8] }, 1)).toEqual({
      offset: 0,
      bucketCounts: [3, 7, 11, 15],
    });
  });

  it('an odd offset: the first and last buckets fold alone', () => {
    // Indices 3…8 → 1 (3), 2 (4, 5), 3 (6, 7), 4 (8).
    expect(downscaleBuckets({ offset: 3, bucketCounts: [1, 2, 3, 4, 5, 6] }, 1)).toEqual({
      offset: 1,
      bucketCounts: [1, 5, 9, 6],
    });
  });

  it('negative indices (magnitudes below 1) round down, not toward zero', () => {
    // Indices −5…0 at scale s → s − 1: −5 → −3, −4 and −3 → −2, −2 and −1 → −1, 0 → 0.
    expect(downscaleBuckets({ offset: -5, bucketCounts: [1, 2, 3, 4, 5, 6] }, 1)).toEqual({
      offset: -3,
      bucketCounts: [1, 5, 9, 6],
    });
  });

  it('several scales at once: index i → ⌊i / 2^by⌋', () => {
    // Two scales down, four buckets merge: −9…6 → −3 (−9), −2 (−8…−5), −1 (−4…−1), 0 (0…3), 1 (4…6).
    const counts = Array.from({ length: 16 }, () => 1);
    expect(downscaleBuckets({ offset: -9, bucketCounts: counts }, 2)).toEqual({
      offset: -3,
      bucketCounts: [1, 4, 4, 4, 3],
    });
    // Folding twice by one is folding once by two.
    const b = { offset: 13, bucketCounts: [5, 0, 2, 7, 1, 1, 9] };
    expect(downscaleBuckets(downscaleBuckets(b, 1), 1)).toEqual(downscaleBuckets(b, 2));
  });

  it('by 0 is the side itself; an empty side stays empty', () => {
    const b = { offset: 4, bucketCounts: [1, 2] };
    expect(downscaleBuckets(b, 0)).toBe(b);
    expect(downscaleBuckets({ offset: -7, bucketCounts: [] }, 2)).toEqual({ offset: -2, bucketCounts: [] });
  });
});

describe('cumulative exponential histogram whose scale went down', () => {
  // Scale 2: positive indices 0…7, negative indices −3…−1, two zeros. 42 values.
  const prev = stateOf(
    point(
      S0 + 60_000,
      2,
      { offset: 0, bucketCounts: [1, 2, 3, 4, 5, 6, 7, 8] },
      { offset: -3, bucketCounts: [1, 1, 2] },
      2,
    ),
  );
  // Folded to scale 1: positive [3, 7, 11, 15] from 0, negative −3 → −2, −2 and −1 → −1: [1, 3] from −2.

  it('folds the previous point down and diffs bucket by bucket, zero bucket and negatives included', () => {
    // Scale 1 now: every folded bucket as it was or more, a new positive bucket 4, one more zero.
    const now = point(
      S0 + 120_000,
      1,
      { offset: 0, bucketCounts: [4, 7, 12, 15, 2] },
      { offset: -2, bucketCounts: [1, 5] },
      3,
      { sum: 130 },
    );
    expect(now.count).toBe(49);
    const { delta } = deltaStep(prev, now);
    expect(delta).toMatchObject({
      temporality: 'delta',
      startMs: S0 + 60_000,
      scale: 1,
      count: 7,
      sum: 30,
      zeroCount: 1,
      positive: { offset: 0, bucketCounts: [1, 0, 1, 0, 2] },
      negative: { offset: -2, bucketCounts: [0, 2] },
    });
    // The interval's buckets hold every value it counted: 4 positive, 2 negative, 1 zero.
    expect(total(delta!.positive!) + total(delta!.negative!) + delta!.zeroCount!).toBe(delta!.count);
  });

  it('the range may grow either way at the new scale', () => {
    const now = point(
      S0 + 120_000,
      1,
      { offset: -1, bucketCounts: [2, 3, 7, 11, 15] },
      { offset: -4, bucketCounts: [1, 0, 1, 3] },
      2,
    );
    expect(deltaStep(prev, now).delta).toMatchObject({
      count: 3,
      zeroCount: 0,
      positive: { offset: -1, bucketCounts: [2, 0, 0, 0, 0] },
      negative: { offset: -4, bucketCounts: [1, 0, 0, 0] },
    });
  });

  it('two scales down at once (scale 2 → 0)', () => {
    // Positive 0…7 → 0 (0…3: 10), 1 (4…7: 26); negative −3 → −1, −2 and −1 → −1: [4] from −1.
    const now = point(
      S0 + 120_000,
      0,
      { offset: 0, bucketCounts: [10, 30] },
      { offset: -1, bucketCounts: [4] },
      2,
    );
    expect(deltaStep(prev, now).delta).toMatchObject({
      count: 4,
      positive: { offset: 0, bucketCounts: [0, 4] },
      negative: { offset: -1, bucketCounts: [0] },
    });
  });

  it.each([
    [
      'a folded bucket that shrank',
      { offset: 0, bucketCounts: [3, 6, 11, 15] },
      { offset: -2, bucketCounts: [1, 3] },
      2,
    ],
    [
      'a negative folded bucket that shrank',
      { offset: 0, bucketCounts: [3, 7, 11, 15] },
      { offset: -2, bucketCounts: [1, 2] },
      2,
    ],
    [
      'a smaller zero count',
      { offset: 0, bucketCounts: [3, 7, 11, 15] },
      { offset: -2, bucketCounts: [1, 3] },
      1,
    ],
  ])('is still a reset when the folded previous point holds more: %s', (_, positive, negative, zero) => {
    const now = point(S0 + 120_000, 1, positive, negative, zero);
    expect(deltaStep(prev, now).delta).toEqual({ ...now, temporality: 'delta' });
  });

  it('unchanged but for the scale: an empty interval, not a reset', () => {
    const now = point(
      S0 + 120_000,
      1,
      { offset: 0, bucketCounts: [3, 7, 11, 15] },
      { offset: -2, bucketCounts: [1, 3] },
      2,
    );
    expect(deltaStep(prev, now).delta).toMatchObject({
      count: 0,
      zeroCount: 0,
      positive: { offset: 0, bucketCounts: [0, 0, 0, 0] },
      negative: { offset: -2, bucketCounts: [0, 0] },
    });
  });
});

/** Collects on demand, cumulative (the SDKs' default). */
class CumulativeReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

describe('against the OpenTelemetry JS SDK downscaling its own buckets', () => {
  it("each interval's delta holds exactly the values recorded in it, at the new scale", async () => {
    const reader = new CumulativeReader();
    // 8 buckets: every wider spread of values makes the SDK lower its scale.
    const aggregation = { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 8 } } as const;
    const provider = new MeterProvider({ readers: [reader], views: [{ instrumentName: 'h', aggregation }] });
    const histogram = provider.getMeter('test').createHistogram('h');
    const collect = async (timeMs: number): Promise<MetricPoint> => {
      const { resourceMetrics } = await reader.collect();
      const v = resourceMetrics.scopeMetrics[0]!.metrics[0]!.dataPoints[0]!.value as ExponentialHistogram;
      return point(timeMs, v.scale, v.positive, v.negative, v.zeroCount, { count: v.count, sum: v.sum });
    };
    /** Bucket index of v at scale: (base^i, base^(i+1)] (no value below is an exact power of the base). */
    const indexOf = (v: number, scale: number) => Math.ceil(Math.log2(v) * 2 ** scale) - 1;
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };

    for (let i = 0; i < 50; i++) histogram.record(1 + random() * 2);
    histogram.record(0);
    let prev = await collect(S0 + 10_000);
    const scales = [prev.scale];
    for (let round = 0; round < 4; round++) {
      const values = Array.from({ length: 40 }, () => 0.5 + random() * 3 * 4 ** round);
      for (const v of values) histogram.record(v);
      const now = await collect(S0 + 20_000 + round * 10_000);
      scales.push(now.scale);
      const expected = new Map<number, number>();
      for (const v of values)
        expected.set(indexOf(v, now.scale!), (expected.get(indexOf(v, now.scale!)) ?? 0) + 1);
      const { delta } = deltaStep(stateOf(prev), now);
      const got = new Map<number, number>();
      delta!.positive!.bucketCounts.forEach((c, k) => {
        if (c > 0) got.set(delta!.positive!.offset + k, c);
      });
      expect(delta).toMatchObject({ startMs: prev.timeMs, count: 40, zeroCount: 0, scale: now.scale });
      expect(got).toEqual(expected);
      prev = now;
    }
    // The scale went down more than once, and the deltas never fell back to a reset.
    expect(scales).toEqual([2, 1, 0, 0, -1]);
    await provider.shutdown();
  });
});
