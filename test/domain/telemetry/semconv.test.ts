import { describe, expect, it } from 'vitest';
import { foldMetricPoints } from '../../../src/domain/telemetry/fold.ts';
import type { RollupFns } from '../../../src/domain/telemetry/minute-batch.ts';
import type { MetricPoint } from '../../../src/domain/telemetry/otlp-metrics.ts';
import { isFailure, sideOfMetric, statusCode } from '../../../src/domain/telemetry/semconv.ts';

describe('isFailure (semantic conventions)', () => {
  it.each([
    [{}, 'server', false],
    [{ 'http.response.status_code': 200 }, 'server', false],
    [{ 'http.response.status_code': 499 }, 'server', false],
    [{ 'http.response.status_code': 500 }, 'server', true],
    [{ 'http.response.status_code': 503 }, 'client', true],
    [{ 'http.response.status_code': '502' }, 'server', true],
    [{ 'http.response.status_code': 404 }, 'client', false],
    [{ 'http.status_code': 500 }, 'server', true],
    [{ 'http.response.status_code': 'oops' }, 'server', false],
    [{ 'error.type': 'java.net.SocketTimeoutException' }, 'server', true],
    [{ 'error.type': '404', 'http.response.status_code': 404 }, 'client', true],
    [{ 'error.type': '' }, 'server', false],
    [{ 'rpc.grpc.status_code': 0 }, 'server', false],
    [{ 'rpc.grpc.status_code': 0 }, 'client', false],
    [{ 'rpc.grpc.status_code': 14 }, 'server', true],
    [{ 'rpc.grpc.status_code': 13 }, 'server', true],
    [{ 'rpc.grpc.status_code': 2 }, 'server', true],
    [{ 'rpc.grpc.status_code': 5 }, 'server', false],
    [{ 'rpc.grpc.status_code': 3 }, 'server', false],
    [{ 'rpc.grpc.status_code': 5 }, 'client', true],
    [{ 'rpc.grpc.status_code': '14' }, 'server', true],
  ] as const)('%j on the %s side → %s', (attrs, side, failed) => {
    expect(isFailure(attrs, side)).toBe(failed);
  });

  it('reads the side from the metric name', () => {
    expect(sideOfMetric('http.server.request.duration')).toBe('server');
    expect(sideOfMetric('http.client.request.duration')).toBe('client');
    expect(sideOfMetric('rpc.client.duration')).toBe('client');
    expect(sideOfMetric('rpc.server.duration')).toBe('server');
    expect(sideOfMetric('orders.placed')).toBe('server');
  });

  it('reads status codes from integers and digit strings only', () => {
    expect(statusCode(500)).toBe(500);
    expect(statusCode(' 500 ')).toBe(500);
    expect(statusCode(500.5)).toBeNull();
    expect(statusCode('5xx')).toBeNull();
    expect(statusCode(true)).toBeNull();
  });
});

const counter: RollupFns<number> = {
  newRollup: () => 0,
  addValue: () => {},
  toBytes: () => new Uint8Array(),
};
const T0 = Date.UTC(2025, 2, 10, 12, 30, 0);
const pt = (o: Partial<MetricPoint>): MetricPoint => ({
  service: 'checkout',
  metric: 'http.server.request.duration',
  attributes: {},
  startMs: T0 - 60_000,
  timeMs: T0,
  kind: 'histogram',
  temporality: 'delta',
  ...o,
});
const totals = (points: MetricPoint[]) =>
  foldMetricPoints(points, counter).reduce(
    (a, r) => ({ count: a.count + r.count, errors: a.errors + r.errors }),
    { count: 0, errors: 0 },
  );

describe('metric points count bad events by the conventions', () => {
  it('a seconds histogram with status 500 on 30% of requests: errors are 30% of count', () => {
    const ok = pt({
      attributes: { 'http.response.status_code': 200 },
      count: 70,
      bounds: [300],
      bucketCounts: [60, 10],
    });
    const failed = pt({
      attributes: { 'http.response.status_code': 500 },
      count: 30,
      bounds: [300],
      bucketCounts: [30, 0],
    });
    expect(totals([ok, failed])).toEqual({ count: 100, errors: 30 });
  });

  it('counters, exponential histograms and summaries too; never a gauge or a 4xx', () => {
    const attrs500 = { 'http.response.status_code': 500 };
    expect(
      totals([
        pt({ kind: 'sum', metric: 'http.server.requests', value: 9, attributes: attrs500 }),
        pt({
          kind: 'sum',
          metric: 'http.server.requests',
          value: 4,
          attributes: { 'http.response.status_code': 404 },
        }),
        pt({ kind: 'sum', metric: 'jobs', value: -2, attributes: { 'error.type': 'x' } }),
        pt({ kind: 'gauge', metric: 'queue.depth', value: 5, temporality: null, attributes: attrs500 }),
        pt({
          kind: 'exphistogram',
          attributes: { 'rpc.grpc.status_code': 14 },
          count: 3,
          scale: 3,
          zeroCount: 0,
          positive: { offset: 80, bucketCounts: [3] },
          negative: { offset: 0, bucketCounts: [] },
          bucketFactor: 1,
        }),
        pt({
          kind: 'summary',
          temporality: 'cumulative',
          attributes: { 'error.type': 'timeout' },
          count: 5,
          sum: 50,
          quantiles: [],
        }),
      ]),
    ).toEqual({ count: 9 + 4 - 2 + 1 + 3 + 5, errors: 9 + 3 + 5 });
  });
});
