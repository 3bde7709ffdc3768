import { describe, expect, it } from 'vitest';
import type { SilverMinute, TelemetryStore } from '../../../src/app/telemetry/ports.ts';
import {
  REWRITE_UNCHANGED_MS,
  SeriesCache,
  type SeriesDeltaDeps,
  storeMetricPoints,
} from '../../../src/app/telemetry/series-deltas.ts';
import type { RollupFns } from '../../../src/domain/telemetry/minute-batch.ts';
import type { MetricPoint } from '../../../src/domain/telemetry/otlp-metrics.ts';
import { InMemorySeriesStore } from './fake-series-store.ts';

/**
 * Which series states a batch writes (issue 13): only those that moved, an unchanged one again once an
 * hour (so its row says the series is alive), and, with a horizon, a series whose row the janitor purged
 * comes back as a new series whose first point is a baseline: never counted twice.
 */

const T0 = Date.UTC(2025, 2, 10, 12, 30, 0);
const DAY = 86_400_000;
const noSketch: RollupFns<null> = {
  newRollup: () => null,
  addValue: () => {},
  toBytes: () => new Uint8Array(),
};

const counter = (value: number, timeMs: number, route = '/a', startMs = T0 - 60_000): MetricPoint => ({
  service: 'checkout',
  metric: 'orders',
  attributes: { route },
  startMs,
  timeMs,
  kind: 'sum',
  temporality: 'cumulative',
  value,
  monotonic: true,
});

function setup(horizonMs?: () => number) {
  const plain: SilverMinute[] = [];
  const store: Pick<TelemetryStore, 'write'> = { write: async (b) => void plain.push(...b.silver) };
  const series = new InMemorySeriesStore();
  const deps: SeriesDeltaDeps<null> = {
    store,
    series,
    rollup: noSketch,
    ...(horizonMs ? { horizonMs } : {}),
  };
  const total = () => series.silver.reduce((a, r) => a + r.sum, 0) + plain.reduce((a, r) => a + r.sum, 0);
  const written = () => series.calls.filter((c) => c.written).map((c) => c.states.map((w) => w.state.value));
  return { deps, series, plain, total, written };
}

describe('series states written per batch', () => {
  it('skips a series whose point moved nothing but its time: no write at all for a zero delta', async () => {
    const { deps, series, plain, total, written } = setup();
    const cache = new SeriesCache();
    await storeMetricPoints(deps, cache, [counter(5, T0)]);
    await storeMetricPoints(deps, cache, [counter(5, T0 + 10_000)]);
    await storeMetricPoints(deps, cache, [counter(5, T0 + 20_000)]);
    expect(written()).toEqual([[5]]);
    expect(series.calls).toHaveLength(1);
    expect(plain).toEqual([]); // a counter's zero delta adds no Silver row either (fold.ts)
    // The next change is computed against the saved state (version 1), over the whole quiet stretch.
    await storeMetricPoints(deps, cache, [counter(9, T0 + 30_000)]);
    expect(series.calls.at(-1)!.states.map((w) => [w.prev, w.state.value])).toEqual([[1, 9]]);
    expect(total()).toBe(9);
  });

  it('writes only the series that moved in a mixed batch', async () => {
    const { deps, series, written } = setup();
    const cache = new SeriesCache();
    await storeMetricPoints(deps, cache, [counter(1, T0, '/a'), counter(1, T0, '/b'), counter(1, T0, '/c')]);
    await storeMetricPoints(deps, cache, [
      counter(1, T0 + 10_000, '/a'),
      counter(2, T0 + 10_000, '/b'),
      counter(1, T0 + 10_000, '/c'),
    ]);
    expect(written()).toEqual([[1, 1, 1], [2]]);
    expect(JSON.parse(series.calls[1]!.states[0]!.key)[2]).toEqual([['route', '/b']]);
  });

  it('a changed start time or histogram bucket is a change; a changed time alone is not', async () => {
    const { deps, written } = setup();
    const cache = new SeriesCache();
    const hist = (timeMs: number, buckets: number[]): MetricPoint => ({
      ...counter(0, timeMs),
      metric: 'latency',
      kind: 'histogram',
      count: buckets.reduce((a, b) => a + b, 0),
      sum: 10,
      bounds: [10, 100],
      bucketCounts: buckets,
    });
    await storeMetricPoints(deps, cache, [hist(T0, [1, 1, 0]), counter(4, T0)]);
    await storeMetricPoints(deps, cache, [hist(T0 + 1, [1, 1, 0]), counter(4, T0 + 1, '/a', T0 - 30_000)]);
    await storeMetricPoints(deps, cache, [hist(T0 + 2, [0, 2, 1]), counter(4, T0 + 2, '/a', T0 - 30_000)]);
    // Second batch: only the counter (its start moved: a reset); third: only the histogram (a reset too).
    expect(written().map((w) => w.length)).toEqual([2, 1, 1]);
  });

  it(`rewrites an unchanged series once its saved state is ${REWRITE_UNCHANGED_MS / 60_000} minutes old`, async () => {
    const { deps, series } = setup();
    const cache = new SeriesCache();
    await storeMetricPoints(deps, cache, [counter(5, T0)]);
    for (let t = T0 + 60_000; t < T0 + REWRITE_UNCHANGED_MS; t += 60_000)
      await storeMetricPoints(deps, cache, [counter(5, t)]);
    expect(series.calls).toHaveLength(1);
    await storeMetricPoints(deps, cache, [counter(5, T0 + REWRITE_UNCHANGED_MS)]);
    expect(series.calls.map((c) => [c.written, c.states[0]!.prev, c.states[0]!.state.timeMs])).toEqual([
      [true, 0, T0],
      [true, 1, T0 + REWRITE_UNCHANGED_MS],
    ]);
  });

  it('an unchanged point against a stale cache adds 0; the next change settles against the row', async () => {
    // An up-down counter: replica b moves the row to 7, replica a (cache: 5) then sees 5 again.
    const { deps, total } = setup();
    const [a, b] = [new SeriesCache(), new SeriesCache()];
    const updown = (value: number, t: number) => ({ ...counter(value, t), monotonic: false });
    await storeMetricPoints(deps, a, [updown(5, T0)]);
    await storeMetricPoints(deps, b, [updown(7, T0 + 1)]);
    await storeMetricPoints(deps, a, [updown(5, T0 + 2)]); // skipped: 0 now, −2 owed
    await storeMetricPoints(deps, a, [updown(6, T0 + 3)]); // against the row (7): −1
    expect(total()).toBe(6);
  });
});

describe('a series whose state the janitor purged', () => {
  const now = { ms: T0 };
  const horizon = () => now.ms - 7 * DAY;

  it.each([
    ['this process still caching it', false],
    ['a restarted process', true],
  ])('comes back as a new series: its first point a baseline (%s)', async (_, restart) => {
    now.ms = T0;
    const { deps, series, total } = setup(horizon);
    let cache = new SeriesCache();
    await storeMetricPoints(deps, cache, [counter(5, T0)]);
    await storeMetricPoints(deps, cache, [counter(8, T0 + 10_000)]);
    expect(total()).toBe(8);
    // Idle past retention: the janitor purges its row. It comes back ten days on, same start, run total 20.
    series.rows.clear();
    now.ms = T0 + 10 * DAY;
    if (restart) cache = new SeriesCache();
    await storeMetricPoints(deps, cache, [counter(20, now.ms)]);
    expect(total()).toBe(8); // not 8 + 20: whatever of the 20 was counted before is not counted again
    await storeMetricPoints(deps, cache, [counter(26, now.ms + 10_000)]);
    expect(total()).toBe(8 + 6);
    expect([...series.rows.values()].map((r) => [r.version, r.state.value])).toEqual([[2, 26]]);
  });

  it('a series new since the horizon still counts its first point whole', async () => {
    now.ms = T0;
    const { deps, total } = setup(horizon);
    await storeMetricPoints(deps, new SeriesCache(), [counter(5, T0, '/new', T0 - 30_000)]);
    expect(total()).toBe(5);
  });
});
