import { describe, expect, it } from 'vitest';
import {
  applyDeltas,
  DeltaTracker,
  deltaStep,
  type SeriesState,
  seriesKey,
  stateOf,
} from '../../../src/domain/telemetry/delta.ts';
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
  it('keeps at most maxSeries series, forgetting the least recently used first', () => {
    const t = new DeltaTracker(undefined, 2);
    const series = (metric: string, timeMs: number, value: number) => ({ ...counter(timeMs, value), metric });
    t.toDelta(series('a', 100, 1));
    t.toDelta(series('b', 100, 1));
    t.toDelta(series('a', 200, 3)); // a used last: b is the least recently used
    t.toDelta(series('c', 100, 1)); // evicts b
    expect(t.size).toBe(2);
    expect(t.entries().map(([k]) => JSON.parse(k)[1])).toEqual(['a', 'c']);
    // b forgotten: its next point is a first point again (the in-memory form's documented limit).
    expect(t.toDelta(series('b', 300, 5))?.value).toBe(5);
    expect(t.toDelta(series('a', 300, 4))?.value).toBe(4); // a was evicted by b in turn: first point again
    expect(t.size).toBe(2);
  });

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

describe('deltaStep and applyDeltas (the pure rules over a given state)', () => {
  it('never changes the state it is given; a stale point answers that very state', () => {
    const prev = stateOf(counter(S0 + 60_000, 10));
    const frozen = structuredClone(prev);
    const step = deltaStep(prev, counter(S0 + 120_000, 25));
    expect(step.delta).toMatchObject({ value: 15, startMs: S0 + 60_000, temporality: 'delta' });
    expect(step.next).toMatchObject({ value: 25, timeMs: S0 + 120_000, startMs: S0, kind: 'sum' });
    expect(prev).toEqual(frozen);
    const stale = deltaStep(prev, counter(S0 + 60_000, 10));
    expect(stale.delta).toBeNull();
    expect(stale.next).toBe(prev);
  });

  it('a state holds no identity and no temporality, and survives a JSON round trip', () => {
    const state = stateOf(histogram(S0 + 60_000, [1, 2, 0, 0]));
    for (const k of ['service', 'metric', 'attributes', 'temporality']) expect(state).not.toHaveProperty(k);
    const back = JSON.parse(JSON.stringify(state)) as SeriesState;
    expect(deltaStep(back, histogram(S0 + 120_000, [1, 3, 0, 0]))).toEqual(
      deltaStep(state, histogram(S0 + 120_000, [1, 3, 0, 0])),
    );
  });

  it('chains the points of one series in a batch, asks `before` until a point moves it, skips stale ones', () => {
    const saved = new Map<string, SeriesState>([
      [seriesKey(counter(0, 0)), stateOf(counter(S0 + 60_000, 10))],
    ]);
    const asked: string[] = [];
    const gauge: MetricPoint = { ...counter(S0, 7), kind: 'gauge', temporality: null, metric: 'depth' };
    const other = { ...counter(S0 + 60_000, 3), metric: 'other' };
    const { deltas, states } = applyDeltas(
      [counter(S0 + 30_000, 8), counter(S0 + 120_000, 25), gauge, counter(S0 + 180_000, 26), other],
      (key, p) => {
        asked.push(p.metric);
        return saved.get(key);
      },
    );
    expect(deltas.map((d) => [d.metric, d.value, d.startMs])).toEqual([
      ['orders.placed', 15, S0 + 60_000],
      ['depth', 7, S0],
      ['orders.placed', 1, S0 + 120_000],
      ['other', 3, S0],
    ]);
    // The stale first point asked, and so did the next one (the stale point moved nothing); then the
    // batch's own state was used.
    expect(asked).toEqual(['orders.placed', 'orders.placed', 'other']);
    expect([...states.values()].map((s) => [s.timeMs, s.value])).toEqual([
      [S0 + 180_000, 26],
      [S0 + 60_000, 3],
    ]);
    expect(saved.get(seriesKey(counter(0, 0)))).toMatchObject({ value: 10 });
  });

  it('leaves a series whose points were all stale out of the new states', () => {
    const prev = stateOf(counter(S0 + 60_000, 10));
    const { deltas, states } = applyDeltas([counter(S0 + 60_000, 10)], () => prev);
    expect(deltas).toEqual([]);
    expect(states.size).toBe(0);
  });
});

const expHistogram = (
  timeMs: number,
  positive: { offset: number; bucketCounts: number[] },
  extra: Partial<MetricPoint> = {},
): MetricPoint => {
  const zeroCount = extra.zeroCount ?? 0;
  return {
    service: 'checkout',
    metric: 'rpc.duration',
    attributes,
    startMs: S0,
    timeMs,
    kind: 'exphistogram',
    temporality: 'cumulative',
    count: zeroCount + positive.bucketCounts.reduce((a, b) => a + b, 0),
    sum: 50,
    scale: 3,
    zeroCount,
    positive,
    negative: { offset: 0, bucketCounts: [] },
    bucketFactor: 1,
    ...extra,
  };
};

describe('cumulative exponential histograms', () => {
  it('diffs buckets by absolute index, so a range that grew either way is no reset', () => {
    const prev = stateOf(expHistogram(S0 + 60_000, { offset: 10, bucketCounts: [2, 3] }, { zeroCount: 1 }));
    // Buckets 8…12 now: two lower buckets appeared, index 10 and 11 grew, 12 is new.
    const now = expHistogram(
      S0 + 120_000,
      { offset: 8, bucketCounts: [1, 0, 4, 3, 2] },
      { zeroCount: 2, sum: 80 },
    );
    const { delta } = deltaStep(prev, now);
    expect(delta).toMatchObject({
      temporality: 'delta',
      startMs: S0 + 60_000,
      count: 6,
      zeroCount: 1,
      sum: 30,
      scale: 3,
      positive: { offset: 8, bucketCounts: [1, 0, 2, 0, 2] },
      negative: { offset: 0, bucketCounts: [] },
    });
  });

  it.each([
    // The SDK only ever lowers its scale (downscaling merges buckets); finer buckets mean it started over.
    ['a higher scale', { scale: 4 }, { offset: 20, bucketCounts: [2, 2, 3, 3] }],
    ['a smaller zero count', { zeroCount: 0 }, { offset: 10, bucketCounts: [3, 3] }],
    ['a shrunk bucket', {}, { offset: 10, bucketCounts: [1, 5] }],
    ['a bucket dropped out of range', {}, { offset: 11, bucketCounts: [9] }],
    ['a new start time', { startMs: S0 + 1 }, { offset: 10, bucketCounts: [2, 3] }],
  ])('takes %s as a reset: the whole point is the delta', (_, extra, positive) => {
    const prev = stateOf(expHistogram(S0 + 60_000, { offset: 10, bucketCounts: [2, 3] }, { zeroCount: 1 }));
    const now = expHistogram(S0 + 120_000, positive, { zeroCount: 1, ...extra });
    const { delta } = deltaStep(prev, now);
    expect(delta).toEqual({ ...now, temporality: 'delta' });
  });
});

const summary = (timeMs: number, count: number, sum: number, p99: number, startMs = S0): MetricPoint => ({
  service: 'checkout',
  metric: 'legacy.latency',
  attributes,
  startMs,
  timeMs,
  kind: 'summary',
  temporality: 'cumulative',
  count,
  sum,
  quantiles: [
    { quantile: 0.5, value: p99 / 4 },
    { quantile: 0.99, value: p99 },
  ],
});

describe('summaries (always cumulative)', () => {
  it('diffs count and sum and passes the latest quantiles through', () => {
    const t = new DeltaTracker();
    expect(t.toDelta(summary(S0 + 60_000, 10, 100, 40))).toMatchObject({ count: 10, sum: 100 });
    const second = t.toDelta(summary(S0 + 120_000, 25, 400, 80));
    expect(second).toMatchObject({ temporality: 'delta', startMs: S0 + 60_000, count: 15, sum: 300 });
    expect(second?.quantiles).toEqual([
      { quantile: 0.5, value: 20 },
      { quantile: 0.99, value: 80 },
    ]);
  });

  it('takes a smaller count or a new start time as a reset', () => {
    const t = new DeltaTracker();
    t.toDelta(summary(S0 + 60_000, 10, 100, 40));
    expect(t.toDelta(summary(S0 + 120_000, 4, 30, 9))).toMatchObject({ count: 4, sum: 30, startMs: S0 });
    expect(t.toDelta(summary(S0 + 180_000, 6, 50, 9, S0 + 150_000))).toMatchObject({
      count: 6,
      startMs: S0 + 150_000,
    });
  });
});
