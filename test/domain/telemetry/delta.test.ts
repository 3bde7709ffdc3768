import { describe, expect, it } from 'vitest';
import { DeltaTracker, seriesKey } from '../../../src/domain/telemetry/delta.ts';
import type { MetricPoint } from '../../../src/domain/telemetry/otlp-metrics.ts';

const S0 = 1_000_000;
const attributes = { 'http.route': '/api/orders', code: 200 };

const counter = (timeMs: number, value: number, startMs: number | null = S0): MetricPoint => ({
  service: 'checkout',
  metric: 'orders.placed',
  attributes,
  startMs,
  timeMs,
  kind: 'sum',
  temporality: 'cumulative',
  value,
  monotonic: true,
});

const histogram = (timeMs: number, buckets: number[], extra: Partial<MetricPoint> = {}): MetricPoint => ({
  service: 'checkout',
  metric: 'http.server.request.duration',
  attributes,
  startMs: S0,
  timeMs,
  kind: 'histogram',
  temporality: 'cumulative',
  count: buckets.reduce((a, b) => a + b, 0),
  sum: 100,
  min: 5,
  max: 300,
  bounds: [50, 100, 250],
  bucketCounts: buckets,
  ...extra,
});

const deltas = (t: DeltaTracker, points: MetricPoint[]) =>
  points.map((p) => {
    const d = t.toDelta(p);
    return d === null ? null : { value: d.value, startMs: d.startMs, temporality: d.temporality };
  });

describe('seriesKey', () => {
  it('ignores attribute order but not values, types, service or metric', () => {
    const a = { service: 's', metric: 'm', attributes: { a: 1, b: 'x' } };
    expect(seriesKey(a)).toBe(seriesKey({ ...a, attributes: { b: 'x', a: 1 } }));
    expect(seriesKey(a)).not.toBe(seriesKey({ ...a, attributes: { a: '1', b: 'x' } }));
    expect(seriesKey(a)).not.toBe(seriesKey({ ...a, service: 't' }));
    expect(seriesKey(a)).not.toBe(seriesKey({ ...a, metric: 'n' }));
    expect(seriesKey({ service: 'a|b', metric: 'c', attributes: {} })).not.toBe(
      seriesKey({ service: 'a', metric: 'b|c', attributes: {} }),
    );
  });
});

describe('DeltaTracker on cumulative sums', () => {
  it('first point → its value; then differences; a new start → the new value; a drop → the new value', () => {
    const t = new DeltaTracker();
    expect(
      deltas(t, [
        counter(S0 + 60_000, 10),
        counter(S0 + 120_000, 25),
        counter(S0 + 180_000, 25),
        counter(5_000_000, 4, 4_990_000), // process restarted: new startTimeUnixNano
        counter(5_060_000, 9, 4_990_000),
        counter(5_120_000, 2, 4_990_000), // went down without a new start: a reset too
        counter(5_180_000, 7, 4_990_000),
      ]),
    ).toEqual([
      { value: 10, startMs: S0, temporality: 'delta' },
      { value: 15, startMs: S0 + 60_000, temporality: 'delta' },
      { value: 0, startMs: S0 + 120_000, temporality: 'delta' },
      { value: 4, startMs: 4_990_000, temporality: 'delta' },
      { value: 5, startMs: 5_000_000, temporality: 'delta' },
      { value: 2, startMs: 4_990_000, temporality: 'delta' },
      { value: 5, startMs: 5_120_000, temporality: 'delta' },
    ]);
  });

  it('drops a retried or late point, and keeps series apart', () => {
    const t = new DeltaTracker();
    const other = { ...counter(S0 + 60_000, 100), attributes: { 'http.route': '/api/cart', code: 200 } };
    expect(
      deltas(t, [counter(S0 + 60_000, 10), other, counter(S0 + 60_000, 10), counter(S0 + 30_000, 8)]),
    ).toEqual([
      { value: 10, startMs: S0, temporality: 'delta' },
      { value: 100, startMs: S0, temporality: 'delta' },
      null,
      null,
    ]);
    expect(t.size).toBe(2);
  });

  it('lets an up-down counter go down, and treats an unknown start as no change', () => {
    const t = new DeltaTracker();
    const updown = (timeMs: number, value: number) => ({ ...counter(timeMs, value, null), monotonic: false });
    expect(deltas(t, [updown(1, 5), updown(2, 3), updown(3, 8)]).map((d) => d?.value)).toEqual([5, -2, 5]);
  });

  it('passes gauges and delta points through unchanged', () => {
    const t = new DeltaTracker();
    const gauge: MetricPoint = { ...counter(S0, 7), kind: 'gauge', temporality: null };
    const delta: MetricPoint = { ...counter(S0, 7), temporality: 'delta' };
    expect(t.toDelta(gauge)).toBe(gauge);
    expect(t.toDelta(delta)).toBe(delta);
    expect(t.size).toBe(0);
  });
});

describe('DeltaTracker on cumulative histograms', () => {
  it('diffs count, sum and buckets; keeps min/max only when they moved in the interval', () => {
    const t = new DeltaTracker();
    const first = t.toDelta(histogram(S0 + 60_000, [1, 2, 0, 0]));
    expect(first).toMatchObject({ count: 3, sum: 100, min: 5, max: 300, bucketCounts: [1, 2, 0, 0] });
    const second = t.toDelta(histogram(S0 + 120_000, [1, 4, 1, 1], { sum: 900, max: 700 }));
    expect(second).toMatchObject({
      startMs: S0 + 60_000,
      temporality: 'delta',
      count: 4,
      sum: 800,
      max: 700,
    });
    expect(second!.bucketCounts).toEqual([0, 2, 1, 1]);
    expect(second).not.toHaveProperty('min');
    const third = t.toDelta(histogram(S0 + 180_000, [2, 4, 1, 1], { sum: 901, min: 1, max: 700 }));
    expect(third).toMatchObject({ count: 1, sum: 1, min: 1, bucketCounts: [1, 0, 0, 0] });
    expect(third).not.toHaveProperty('max');
  });

  it('treats a smaller count, a shrinking bucket or new bounds as a reset', () => {
    const t = new DeltaTracker();
    t.toDelta(histogram(1, [5, 5, 0, 0]));
    expect(t.toDelta(histogram(2, [1, 1, 0, 0]))).toMatchObject({ count: 2, bucketCounts: [1, 1, 0, 0] });
    expect(t.toDelta(histogram(3, [0, 1, 5, 0]))).toMatchObject({ count: 6, bucketCounts: [0, 1, 5, 0] });
    const rebucketed = histogram(4, [3, 4, 5], { bounds: [10, 20] });
    expect(t.toDelta(rebucketed)).toMatchObject({ count: 12, bucketCounts: [3, 4, 5], bounds: [10, 20] });
  });
});

describe('DeltaTracker state', () => {
  it('forgets idle series and can be saved and restored', () => {
    const t = new DeltaTracker();
    t.toDelta(counter(100, 1));
    t.toDelta({ ...counter(500, 1), metric: 'other' });
    expect(t.forgetBefore(200)).toBe(1);
    expect(t.size).toBe(1);
    const restored = new DeltaTracker(t.entries());
    expect(restored.toDelta({ ...counter(600, 4), metric: 'other' })?.value).toBe(3);
  });
});
