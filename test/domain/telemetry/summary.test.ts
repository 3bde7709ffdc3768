import { describe, expect, it } from 'vitest';
import { fromBytes, quantile, sketchCount } from '../../../src/adapters/telemetry/sketch.ts';
import { sketchRollup } from '../../../src/adapters/telemetry/sketch-ops.ts';
import { foldMetricPoints, summaryValues } from '../../../src/domain/telemetry/fold.ts';
import { type MetricPoint, metricsRequestToPoints } from '../../../src/domain/telemetry/otlp-metrics.ts';

const T = '1763985600000000000';
const T0 = 1_763_985_600_000;
const request = (metrics: unknown[]) => ({
  resourceMetrics: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'legacy' } }] },
      scopeMetrics: [{ metrics }],
    },
  ],
});
/** A Prometheus-style summary as the Collector's prometheus receiver forwards it (seconds). */
const rpcSummary = (points: Record<string, unknown>[], unit = 's') => ({
  name: 'rpc.server.duration',
  unit,
  summary: {
    dataPoints: points.map((p) => ({ startTimeUnixNano: '1763985000000000000', timeUnixNano: T, ...p })),
  },
});

describe('summary conversion', () => {
  it('accepts count, sum and quantiles (sorted, converted to ms), always cumulative', () => {
    const r = metricsRequestToPoints(
      request([
        rpcSummary([
          {
            count: '1000',
            sum: 180.5,
            quantileValues: [
              { quantile: 0.99, value: 1.75 },
              { quantile: 0.5, value: 0.1 },
              { quantile: 0.9, value: 0.4 },
            ],
          },
        ]),
      ]),
    );
    expect(r).toEqual({
      rejected: 0,
      errors: [],
      points: [
        {
          service: 'legacy',
          metric: 'rpc.server.duration',
          attributes: {},
          startMs: 1_763_985_000_000,
          timeMs: T0,
          kind: 'summary',
          temporality: 'cumulative',
          unit: 'ms',
          count: 1000,
          sum: 180_500,
          quantiles: [
            { quantile: 0.5, value: 100 },
            { quantile: 0.9, value: 400 },
            { quantile: 0.99, value: 1750 },
          ],
        },
      ],
    });
  });

  it('takes proto3 defaults and rejects bad quantiles with their reason', () => {
    const r = metricsRequestToPoints(
      request([
        rpcSummary(
          [
            {},
            { count: '1', quantileValues: [{ quantile: 1.5, value: 1 }] },
            { count: '1', quantileValues: [{ quantile: 0.5, value: 'NaN' }] },
            { count: '1', quantileValues: ['x'] },
            { count: '1', quantileValues: [{ value: 3 }] },
          ],
          '',
        ),
      ]),
    );
    expect(r.points.map((p) => [p.count, p.sum, p.quantiles])).toEqual([
      [0, 0, []],
      [1, 0, [{ quantile: 0, value: 3 }]],
    ]);
    const at = 'resourceMetrics[0].scopeMetrics[0].metrics[0].dataPoints';
    expect(r.errors).toEqual([
      `${at}[1] (rpc.server.duration): quantileValues[0].quantile: expected 0…1, got 1.5`,
      `${at}[2] (rpc.server.duration): quantileValues[0].value: expected a finite number, got "NaN"`,
      `${at}[3] (rpc.server.duration): quantileValues[0]: expected a ValueAtQuantile object`,
    ]);
  });
});

const pt = (o: Partial<MetricPoint>): MetricPoint => ({
  service: 'legacy',
  metric: 'rpc.server.duration',
  attributes: {},
  startMs: null,
  timeMs: T0,
  kind: 'summary',
  temporality: 'delta',
  ...o,
});

describe('summaryValues and folding a summary', () => {
  const quantiles = [
    { quantile: 0.5, value: 100 },
    { quantile: 0.9, value: 400 },
    { quantile: 0.99, value: 1750 },
  ];

  it('gives each quantile the values down to the previous one; the rest takes the last value', () => {
    const values = summaryValues({ count: 1000, quantiles });
    expect(values.map((v) => v.value)).toEqual([100, 400, 1750, 1750]);
    expect(values.map((v) => Math.round(v.weight))).toEqual([500, 400, 90, 10]);
    expect(summaryValues({ count: 0, quantiles })).toEqual([]);
    expect(summaryValues({ count: 5, quantiles: [] })).toEqual([]);
  });

  it('reads the reported quantiles back from the sketch (p50, p90, p99) and keeps count and sum', () => {
    const [row] = foldMetricPoints([pt({ count: 1000, sum: 180_500, quantiles })], sketchRollup);
    expect(row).toMatchObject({ count: 1000, errors: 0, sum: 180_500, min: null, max: null });
    const sketch = fromBytes(row!.sketchBytes!);
    expect(sketchCount(sketch)).toBeCloseTo(1000, 9);
    for (const { quantile: q, value } of quantiles) {
      expect(Math.abs(quantile(sketch, q)! / value - 1), `q${q}`).toBeLessThanOrEqual(0.01);
    }
  });

  it('quantiles 0 and 1 are the min and max', () => {
    const [row] = foldMetricPoints(
      [
        pt({
          count: 10,
          sum: 50,
          quantiles: [
            { quantile: 0, value: 1 },
            { quantile: 0.5, value: 4 },
            { quantile: 1, value: 12 },
          ],
        }),
      ],
      sketchRollup,
    );
    expect(row).toMatchObject({ count: 10, sum: 50, min: 1, max: 12 });
  });

  it('a summary without quantiles counts, with no sketch; an empty one adds nothing', () => {
    const rows = foldMetricPoints(
      [pt({ count: 4, sum: 8, quantiles: [] }), pt({ metric: 'x', count: 0, sum: 0, quantiles })],
      sketchRollup,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ count: 4, sum: 8, sketchBytes: null });
  });
});
