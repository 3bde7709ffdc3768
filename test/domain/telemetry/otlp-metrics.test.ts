import { describe, expect, it } from 'vitest';
import { metricsRequestToPoints } from '../../../src/domain/telemetry/otlp-metrics.ts';
import { isAppError } from '../../../src/shared/errors.ts';

const START = '1763985000000000000'; // process start
const T = '1763985600000000000';
const START_MS = 1_763_985_000_000;
const T_MS = 1_763_985_600_000;

const attr = (key: string, value: Record<string, unknown>) => ({ key, value });
const route = [
  attr('http.route', { stringValue: '/api/orders' }),
  attr('http.response.status_code', { intValue: '200' }),
];

/** An ExportMetricsServiceRequest as @opentelemetry/exporter-metrics-otlp-http sends it (cumulative). */
function request(metrics: unknown[]) {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [attr('service.name', { stringValue: 'checkout' })] },
        scopeMetrics: [
          { scope: { name: '@opentelemetry/instrumentation-http', version: '0.57.0' }, metrics },
        ],
      },
    ],
  };
}

const durationHistogram = {
  name: 'http.server.request.duration',
  unit: 'ms',
  histogram: {
    aggregationTemporality: 2,
    dataPoints: [
      {
        attributes: route,
        startTimeUnixNano: START,
        timeUnixNano: T,
        count: '7',
        sum: 1234.5,
        bucketCounts: ['1', '2', '3', '1'],
        explicitBounds: [50, 100, 250],
        min: 12,
        max: 480.5,
      },
    ],
  },
};
const ordersCounter = {
  name: 'orders.placed',
  sum: {
    aggregationTemporality: 2,
    isMonotonic: true,
    dataPoints: [{ attributes: route, startTimeUnixNano: START, timeUnixNano: T, asInt: '42' }],
  },
};
const queueGauge = { name: 'queue.depth', gauge: { dataPoints: [{ timeUnixNano: T, asDouble: 3.5 }] } };

describe('metricsRequestToPoints', () => {
  it('converts a cumulative histogram, a counter and a gauge', () => {
    const r = metricsRequestToPoints(request([durationHistogram, ordersCounter, queueGauge]));
    const attributes = { 'http.route': '/api/orders', 'http.response.status_code': 200 };
    expect(r).toEqual({
      rejected: 0,
      errors: [],
      points: [
        {
          service: 'checkout',
          metric: 'http.server.request.duration',
          attributes,
          startMs: START_MS,
          timeMs: T_MS,
          kind: 'histogram',
          temporality: 'cumulative',
          unit: 'ms',
          count: 7,
          sum: 1234.5,
          min: 12,
          max: 480.5,
          bounds: [50, 100, 250],
          bucketCounts: [1, 2, 3, 1],
        },
        {
          service: 'checkout',
          metric: 'orders.placed',
          attributes,
          startMs: START_MS,
          timeMs: T_MS,
          kind: 'sum',
          temporality: 'cumulative',
          value: 42,
          monotonic: true,
        },
        {
          service: 'checkout',
          metric: 'queue.depth',
          attributes: {},
          startMs: null,
          timeMs: T_MS,
          kind: 'gauge',
          temporality: null,
          value: 3.5,
        },
      ],
    });
  });

  it('reads delta temporality, numeric 64-bit fields, an up-down counter and proto3 defaults', () => {
    const upDown = {
      name: 'connections.active',
      sum: {
        aggregationTemporality: 1,
        dataPoints: [{ timeUnixNano: 1_763_985_600_000_000_000, asInt: -3 }],
      },
    };
    const emptyHistogram = {
      name: 'payload.size',
      histogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: T }] },
    };
    const { points } = metricsRequestToPoints(request([upDown, emptyHistogram]));
    expect(points[0]).toMatchObject({ kind: 'sum', temporality: 'delta', value: -3, monotonic: false });
    expect(points[1]).toMatchObject({ kind: 'histogram', count: 0, bounds: [], bucketCounts: [] });
    expect(points[1]).not.toHaveProperty('sum');
  });

  it('skips points flagged as having no recorded value', () => {
    const stale = {
      name: 'orders.placed',
      sum: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: T, flags: 1 }] },
    };
    expect(metricsRequestToPoints(request([stale]))).toEqual({ points: [], rejected: 0, errors: [] });
  });

  it('rejects bad points and bad metrics by data point, keeping the rest', () => {
    const point = (p: Record<string, unknown>) => ({ startTimeUnixNano: START, timeUnixNano: T, ...p });
    const hist = (p: Record<string, unknown>) => ({
      name: 'h',
      histogram: { aggregationTemporality: 2, dataPoints: [point(p)] },
    });
    const metrics = [
      { name: 'c', sum: { aggregationTemporality: 2, dataPoints: [point({ asInt: '1' }), point({})] } },
      { name: 'c2', sum: { dataPoints: [point({ asInt: '1' }), point({ asInt: '2' })] } },
      { name: 'e', exponentialHistogram: { dataPoints: [point({}), point({})] } },
      { name: '', gauge: { dataPoints: [point({ asDouble: 1 })] } },
      { name: 'g', gauge: { dataPoints: [point({ asDouble: 'NaN' }), { asDouble: 1 }] } },
      hist({ count: '3', bucketCounts: ['1', '2'], explicitBounds: [1, 2] }),
      hist({ count: '4', bucketCounts: ['1', '2', '0'], explicitBounds: [1, 2] }),
      hist({ count: '1', bucketCounts: ['1', '0', '0'], explicitBounds: [2, 1] }),
      hist({ count: '1', bucketCounts: ['1', '-1'], explicitBounds: [2] }),
      queueGauge,
    ];
    const r = metricsRequestToPoints(request(metrics));
    expect(r.points.map((p) => p.metric)).toEqual(['c', 'queue.depth']);
    expect(r.rejected).toBe(12);
    const at = 'resourceMetrics[0].scopeMetrics[0].metrics';
    expect(r.errors).toEqual([
      `${at}[0].dataPoints[1] (c): no asInt or asDouble`,
      `${at}[1]: c2: sum.aggregationTemporality: expected 1 (delta) or 2 (cumulative), got undefined`,
      `${at}[2]: e: exponentialHistogram.aggregationTemporality: expected 1 (delta) or 2 (cumulative), got undefined`,
      `${at}[3]: a metric needs a non-empty "name"`,
      `${at}[4].dataPoints[0] (g): asDouble: expected a finite number, got "NaN"`,
      `${at}[4].dataPoints[1] (g): no timeUnixNano`,
      `${at}[5].dataPoints[0] (h): bucketCounts: 2 buckets for 2 bounds (expected one more)`,
      `${at}[6].dataPoints[0] (h): bucketCounts add up to 3, not count 4`,
      `${at}[7].dataPoints[0] (h): explicitBounds: must be strictly increasing`,
      `${at}[8].dataPoints[0] (h): bucketCounts[1]: expected an unsigned integer, got "-1"`,
    ]);
  });

  it('defaults the service and refuses a body that is not a request (400)', () => {
    const body = { resourceMetrics: [{ scopeMetrics: [{ metrics: [queueGauge] }] }] };
    expect(metricsRequestToPoints(body).points[0]!.service).toBe('unknown_service');
    expect(metricsRequestToPoints({ resourceMetrics: [] }).points).toEqual([]);
    for (const bad of [undefined, null, 'x', [1], { resourceMetrics: 'x' }]) {
      let caught: unknown;
      try {
        metricsRequestToPoints(bad);
      } catch (e) {
        caught = e;
      }
      expect(isAppError(caught) && caught.code === 'VALIDATION', JSON.stringify(bad)).toBe(true);
    }
  });
});
