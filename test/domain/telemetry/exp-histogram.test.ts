import { describe, expect, it } from 'vitest';
import { fromBytes, quantile, sketchCount } from '../../../src/adapters/telemetry/sketch.ts';
import { sketchRollup } from '../../../src/adapters/telemetry/sketch-ops.ts';
import {
  expBucketValues,
  expLowerBound,
  expRelativeError,
} from '../../../src/domain/telemetry/exp-histogram.ts';
import { foldMetricPoints } from '../../../src/domain/telemetry/fold.ts';
import { type MetricPoint, metricsRequestToPoints } from '../../../src/domain/telemetry/otlp-metrics.ts';
import { clampQuantile } from '../../../src/domain/telemetry/rollup.ts';

const T = '1763985600000000000';
const T0 = 1_763_985_600_000;
const request = (metrics: unknown[]) => ({
  resourceMetrics: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
      scopeMetrics: [{ metrics }],
    },
  ],
});
const expMetric = (points: Record<string, unknown>[], unit = 'ms', temporality = 1) => ({
  name: 'http.server.request.duration',
  unit,
  exponentialHistogram: {
    aggregationTemporality: temporality,
    dataPoints: points.map((p) => ({ timeUnixNano: T, ...p })),
  },
});

/** Bucket index of `v` at `scale`: bucket i holds (base^i, base^(i+1)]. */
const indexOf = (v: number, scale: number) => Math.ceil(Math.log2(v) * 2 ** scale) - 1;

/** An exponential histogram point of `values` at `scale`, as an SDK would send it (delta). */
function expPoint(values: number[], scale: number): Record<string, unknown> {
  const idx = values.map((v) => indexOf(v, scale));
  const offset = Math.min(...idx);
  const counts = new Array(Math.max(...idx) - offset + 1).fill(0);
  for (const i of idx) counts[i - offset]++;
  return {
    count: String(values.length),
    sum: values.reduce((a, b) => a + b, 0),
    min: Math.min(...values),
    max: Math.max(...values),
    scale,
    zeroCount: '0',
    positive: { offset, bucketCounts: counts.map(String) },
  };
}

describe('exponentialHistogram conversion', () => {
  it('accepts a point with its scale, zero bucket and both sides (instead of rejecting it)', () => {
    const r = metricsRequestToPoints(
      request([
        expMetric([
          {
            startTimeUnixNano: '1763985000000000000',
            count: '6',
            sum: 10.5,
            min: -2,
            max: 8,
            scale: 1,
            zeroCount: '1',
            zeroThreshold: 0.001,
            positive: { offset: 2, bucketCounts: ['2', '0', '1'] },
            negative: { offset: '1', bucketCounts: ['2'] },
          },
        ]),
      ]),
    );
    expect(r.rejected).toBe(0);
    expect(r.points).toEqual([
      {
        service: 'checkout',
        metric: 'http.server.request.duration',
        attributes: {},
        startMs: 1_763_985_000_000,
        timeMs: T0,
        kind: 'exphistogram',
        temporality: 'delta',
        unit: 'ms',
        count: 6,
        sum: 10.5,
        min: -2,
        max: 8,
        scale: 1,
        zeroCount: 1,
        zeroThreshold: 0.001,
        positive: { offset: 2, bucketCounts: [2, 0, 1] },
        negative: { offset: 1, bucketCounts: [2] },
        bucketFactor: 1,
      },
    ]);
  });

  it('keeps a cumulative point cumulative (delta.ts diffs it) and takes proto3 defaults', () => {
    const { points } = metricsRequestToPoints(request([expMetric([{ count: '0' }], '', 2)]));
    expect(points[0]).toMatchObject({
      kind: 'exphistogram',
      temporality: 'cumulative',
      count: 0,
      scale: 0,
      zeroCount: 0,
      positive: { offset: 0, bucketCounts: [] },
      negative: { offset: 0, bucketCounts: [] },
    });
    expect(points[0]).not.toHaveProperty('unit');
  });

  it('converts seconds: sum, min, max and zeroThreshold in ms, the buckets through bucketFactor', () => {
    const { points } = metricsRequestToPoints(
      request([
        expMetric(
          [
            {
              count: '1',
              sum: 1.75,
              min: 1.75,
              max: 1.75,
              zeroThreshold: 0.000001,
              scale: 3,
              positive: { offset: 6, bucketCounts: ['1'] },
            },
          ],
          's',
        ),
      ]),
    );
    expect(points[0]).toMatchObject({
      unit: 'ms',
      sum: 1750,
      min: 1750,
      max: 1750,
      zeroThreshold: 0.001,
      bucketFactor: 1000,
    });
  });

  it('rejects malformed points with their reason, keeping the rest', () => {
    const r = metricsRequestToPoints(
      request([
        expMetric([
          { count: '1', scale: 21, positive: { bucketCounts: ['1'] } },
          { count: '1', scale: 1.5 },
          { count: '2', positive: { bucketCounts: ['1'] } },
          { count: '1', positive: { offset: 'x', bucketCounts: ['1'] } },
          { count: '1', positive: { offset: 5000, bucketCounts: ['1'] } },
          { count: '1', zeroCount: '1', zeroThreshold: -1 },
          { count: '1', positive: 'x' },
          { count: String(5000), positive: { bucketCounts: new Array(5000).fill('1') } },
          { count: '1', zeroCount: '1' },
        ]),
      ]),
    );
    const at = 'resourceMetrics[0].scopeMetrics[0].metrics[0].dataPoints';
    const name = '(http.server.request.duration)';
    expect(r.points).toHaveLength(1);
    expect(r.rejected).toBe(8);
    expect(r.errors).toEqual([
      `${at}[0] ${name}: scale: expected an integer -10…20, got 21`,
      `${at}[1] ${name}: scale: expected an integer -10…20, got 1.5`,
      `${at}[2] ${name}: zeroCount and buckets add up to 1, not count 2`,
      `${at}[3] ${name}: positive.offset: expected an integer, got "x"`,
      `${at}[4] ${name}: positive: buckets 5000…5000 are out of range`,
      `${at}[5] ${name}: zeroThreshold: expected a number ≥ 0, got -1`,
      `${at}[6] ${name}: positive: expected a Buckets object`,
      `${at}[7] ${name}: positive: 5000 buckets (at most 4096)`,
    ]);
  });
});

const pt = (o: Partial<MetricPoint>): MetricPoint => ({
  service: 'checkout',
  metric: 'http.server.request.duration',
  attributes: {},
  startMs: null,
  timeMs: T0,
  kind: 'exphistogram',
  temporality: 'delta',
  ...o,
});

describe('expBucketValues', () => {
  const close = (got: { value: number; weight: number }[], want: [number, number][]) => {
    expect(got.map((v) => v.weight)).toEqual(want.map(([, w]) => w));
    for (const [i, v] of got.entries()) expect(v.value).toBeCloseTo(want[i]![0], 9);
  };

  it('takes each bucket’s log-midpoint times bucketFactor, zero for the zero bucket, negatives mirrored', () => {
    const values = expBucketValues(
      pt({
        scale: 0,
        zeroCount: 2,
        positive: { offset: 3, bucketCounts: [1, 0, 4] },
        negative: { offset: 0, bucketCounts: [5] },
        bucketFactor: 10,
      }),
    );
    close(values, [
      [-Math.SQRT2 * 10, 5],
      [0, 2],
      [2 ** 3.5 * 10, 1],
      [2 ** 5.5 * 10, 4],
    ]);
  });

  it('narrows the lowest and highest buckets to [min, max]: nothing stands for more than the max', () => {
    // (8, 16] from min 12: √(12·16); (16, 32] up to max 20: √(16·20).
    close(
      expBucketValues(
        pt({
          scale: 0,
          zeroCount: 0,
          positive: { offset: 3, bucketCounts: [1, 1] },
          min: 12,
          max: 20,
          bucketFactor: 1,
        }),
      ),
      [
        [Math.sqrt(12 * 16), 1],
        [Math.sqrt(16 * 20), 1],
      ],
    );
    // One value: min = max, the bucket stands for it exactly.
    close(
      expBucketValues(
        pt({
          scale: 0,
          zeroCount: 0,
          positive: { offset: 3, bucketCounts: [1] },
          min: 9,
          max: 9,
          bucketFactor: 1,
        }),
      ),
      [[9, 1]],
    );
    // Negative side mirrored: [−16, −8) narrowed by min −10 → magnitudes (8, 10].
    close(
      expBucketValues(
        pt({
          scale: 0,
          zeroCount: 0,
          negative: { offset: 3, bucketCounts: [1] },
          min: -10,
          max: -9,
          bucketFactor: 1,
        }),
      ),
      [[-Math.sqrt(9 * 10), 1]],
    );
    // Inconsistent min/max: clamped, never outside them.
    close(
      expBucketValues(
        pt({
          scale: 0,
          zeroCount: 1,
          positive: { offset: 3, bucketCounts: [1] },
          min: 1,
          max: 2,
          bucketFactor: 1,
        }),
      ),
      [
        [1, 1],
        [2, 1],
      ],
    );
  });

  it('bucket (base^i, base^(i+1)] and its midpoint: the relative error bound per scale', () => {
    expect(expLowerBound(1, 0)).toBe(2);
    expect(expLowerBound(8, 3)).toBe(2);
    expect(expLowerBound(-1, -1)).toBe(0.25);
    expect(expRelativeError(3)).toBeCloseTo(0.0443, 4);
    expect(expRelativeError(6)).toBeCloseTo(0.0054, 4);
    for (const v of [0.3, 1, 1.75, 300, 1750]) {
      const i = indexOf(v, 3);
      expect(v).toBeGreaterThan(2 ** (i / 8));
      expect(v).toBeLessThanOrEqual(2 ** ((i + 1) / 8) * (1 + 1e-12));
      expect(Math.abs(2 ** ((i + 0.5) / 8) / v - 1)).toBeLessThanOrEqual(expRelativeError(3) + 1e-12);
    }
  });
});

describe('folding an exponential histogram into the sketch', () => {
  // Deterministic latencies spread over 1 ms – 5 s (log-uniform with a heavier body).
  const values = Array.from({ length: 2000 }, (_, k) => {
    const u = (k * 0.6180339887) % 1;
    return Math.exp(Math.log(1) + (Math.log(5000) - Math.log(1)) * u ** 2);
  });
  const sorted = [...values].sort((a, b) => a - b);
  const exact = (q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;

  it.each([3, 4, 6, 8])(
    'at scale %i quantiles stay within the histogram’s accuracy and the sketch’s 1%%',
    (scale) => {
      const { points } = metricsRequestToPoints(request([expMetric([expPoint(values, scale)])]));
      const [row] = foldMetricPoints(points, sketchRollup);
      expect(row).toMatchObject({ count: 2000, errors: 0, min: sorted[0], max: sorted[1999] });
      const sketch = fromBytes(row!.sketchBytes!);
      expect(sketchCount(sketch)).toBeCloseTo(2000, 9);
      const bound = (1 + expRelativeError(scale)) * 1.01 - 1;
      for (const q of [0.5, 0.9, 0.99]) {
        const got = quantile(sketch, q)!;
        expect(Math.abs(got / exact(q) - 1), `q${q}`).toBeLessThanOrEqual(bound);
      }
    },
  );

  it('a 1.75 s p99 sent in seconds reads 1750 ms, and never above the reported max', () => {
    const secs = Array.from({ length: 100 }, (_, k) => (k < 98 ? 0.05 + k * 0.001 : 1.75));
    for (const scale of [3, 5, 8]) {
      const { points } = metricsRequestToPoints(request([expMetric([expPoint(secs, scale)], 's')]));
      const [row] = foldMetricPoints(points, sketchRollup);
      expect(row!.max).toBe(1750);
      const p99 = clampQuantile(quantile(fromBytes(row!.sketchBytes!), 0.99), row!.min, row!.max)!;
      expect(Math.abs(p99 / 1750 - 1), `scale ${scale}`).toBeLessThanOrEqual(
        (1 + expRelativeError(scale)) * 1.01 - 1,
      );
      expect(p99).toBeLessThanOrEqual(1750);
    }
  });

  it('keeps the sketch at the point’s count when the buckets do not add up to it', () => {
    // A cumulative series' buckets with a delta count (before delta.ts diffs exponential buckets).
    const [row] = foldMetricPoints(
      [
        pt({
          count: 10,
          scale: 0,
          zeroCount: 0,
          positive: { offset: 3, bucketCounts: [60, 40] },
          bucketFactor: 1,
        }),
      ],
      sketchRollup,
    );
    expect(row!.count).toBe(10);
    expect(sketchCount(fromBytes(row!.sketchBytes!))).toBeCloseTo(10, 9);
  });

  it('adds nothing for an empty point', () => {
    expect(
      foldMetricPoints([pt({ count: 0, scale: 0, zeroCount: 0, bucketFactor: 1 })], sketchRollup),
    ).toEqual([]);
  });
});
