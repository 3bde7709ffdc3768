import { describe, expect, it } from 'vitest';
import type { SilverMinute, TelemetryStore } from '../../../src/app/telemetry/ports.ts';
import {
  MAX_ATTEMPTS,
  SeriesCache,
  type SeriesDeltaDeps,
  storeMetricPoints,
} from '../../../src/app/telemetry/series-deltas.ts';
import type { RollupFns } from '../../../src/domain/telemetry/minute-batch.ts';
import type { MetricPoint } from '../../../src/domain/telemetry/otlp-metrics.ts';
import { InMemorySeriesStore } from './fake-series-store.ts';

const T0 = Date.UTC(2025, 2, 10, 12, 30, 0);
const noSketch: RollupFns<null> = {
  newRollup: () => null,
  addValue: () => {},
  toBytes: () => new Uint8Array(),
};

const counter = (value: number, timeMs: number, route = '/a'): MetricPoint => ({
  service: 'checkout',
  metric: 'orders',
  attributes: { route },
  startMs: T0 - 60_000,
  timeMs,
  kind: 'sum',
  temporality: 'cumulative',
  value,
  monotonic: true,
});

function setup() {
  const plain: SilverMinute[] = [];
  const store: Pick<TelemetryStore, 'write'> = {
    write: async (b) => void plain.push(...b.silver),
  };
  const series = new InMemorySeriesStore();
  const deps: SeriesDeltaDeps<null> = { store, series, rollup: noSketch };
  const total = () => series.silver.reduce((a, r) => a + r.sum, 0) + plain.reduce((a, r) => a + r.sum, 0);
  return { deps, series, plain, total };
}

describe('storeMetricPoints', () => {
  it('writes once per batch while its cache is right, twice when another instance moved the series', async () => {
    const { deps, series, total } = setup();
    const a = new SeriesCache();
    const b = new SeriesCache();
    await storeMetricPoints(deps, a, [counter(5, T0)]);
    await storeMetricPoints(deps, a, [counter(9, T0 + 1)]);
    expect(series.calls).toHaveLength(2);
    await storeMetricPoints(deps, b, [counter(12, T0 + 2)]); // cold: told the row, then written
    expect(series.calls.slice(2).map((c) => [c.written, c.states[0]!.prev])).toEqual([
      [false, 0],
      [true, 2],
    ]);
    await storeMetricPoints(deps, a, [counter(15, T0 + 3)]); // a is one version behind
    expect(series.calls.slice(4).map((c) => [c.written, c.states[0]!.prev])).toEqual([
      [false, 2],
      [true, 3],
    ]);
    expect(total()).toBe(15);
  });

  it('writes again after a race whose winner it could not see yet, and after one it could', async () => {
    const { deps, series, total } = setup();
    const cache = new SeriesCache();
    await storeMetricPoints(deps, cache, [counter(5, T0)]);
    series.races = 1;
    await storeMetricPoints(deps, cache, [counter(8, T0 + 1)]);
    expect(series.calls.slice(1).map((c) => [c.written, c.states[0]!.prev])).toEqual([
      [false, 1], // the race: nothing moved that could be seen
      [true, 1],
    ]);
    // Another writer commits the next point while this one computes from version 2.
    series.beforeWrite = () => {
      series.beforeWrite = null;
      const key = series.calls[0]!.states[0]!.key;
      series.rows.set(key, {
        version: 3,
        state: { ...series.rows.get(key)!.state, timeMs: T0 + 2, value: 9 },
      });
      series.silver.push({ ...series.silver[0]!, sum: 1 });
    };
    await storeMetricPoints(deps, cache, [counter(12, T0 + 3)]);
    expect(
      series.calls.slice(3).map((c) => [c.written, c.states[0]!.prev, c.states[0]!.state.value]),
    ).toEqual([
      [false, 2, 12],
      [true, 3, 12],
    ]);
    expect(total()).toBe(12);
  });

  it(`gives up after ${MAX_ATTEMPTS} writes that all lost, writing nothing; the retry counts the batch`, async () => {
    const { deps, series, total } = setup();
    const cache = new SeriesCache();
    await storeMetricPoints(deps, cache, [counter(5, T0)]);
    series.races = 100;
    await expect(storeMetricPoints(deps, cache, [counter(8, T0 + 1)])).rejects.toThrow(/kept changing/);
    expect(series.calls).toHaveLength(1 + MAX_ATTEMPTS);
    series.races = 0;
    await storeMetricPoints(deps, cache, [counter(8, T0 + 1)]);
    expect(total()).toBe(8);
  });

  it('forgets the batch’s series when the write failed (its outcome unknown), and still counts right', async () => {
    const { deps, series, total } = setup();
    const cache = new SeriesCache();
    await storeMetricPoints(deps, cache, [counter(5, T0)]);
    series.fail = new Error('connection lost');
    await expect(storeMetricPoints(deps, cache, [counter(8, T0 + 1)])).rejects.toThrow('connection lost');
    expect(cache.size).toBe(0);
    series.fail = null;
    await storeMetricPoints(deps, cache, [counter(8, T0 + 1)]);
    expect(total()).toBe(8);
  });

  it('writes each series once, sorted by key, with the service and metric of its points', async () => {
    const { deps, series } = setup();
    await storeMetricPoints(deps, new SeriesCache(), [
      counter(1, T0, '/z'),
      counter(1, T0, '/b'),
      counter(3, T0 + 1, '/z'),
      { ...counter(7, T0), kind: 'gauge', temporality: null, metric: 'depth' },
    ]);
    const [call] = series.calls;
    expect(
      call!.states.map((w) => [JSON.parse(w.key)[2], w.service, w.metric, w.state.value, w.prev]),
    ).toEqual([
      [[['route', '/b']], 'checkout', 'orders', 1, 0],
      [[['route', '/z']], 'checkout', 'orders', 3, 0],
    ]);
    // The gauge went in the same write.
    expect(series.silver.map((r) => r.metric).sort()).toEqual(['depth', 'orders', 'orders']);
  });

  it('writes a batch whose cumulative points were all stale as its other points alone, no state', async () => {
    const { deps, series, plain } = setup();
    const cache = new SeriesCache();
    await storeMetricPoints(deps, cache, [counter(5, T0)]);
    await storeMetricPoints(deps, cache, [
      counter(5, T0),
      { ...counter(7, T0), kind: 'gauge', temporality: null, metric: 'depth' },
    ]);
    expect(series.calls).toHaveLength(1);
    expect(plain.map((r) => r.metric)).toEqual(['depth']);
  });

  it('without a horizon, takes a series whose row was deleted as new: its next point counts whole', async () => {
    const { deps, series, total } = setup();
    const cache = new SeriesCache();
    await storeMetricPoints(deps, cache, [counter(5, T0)]);
    series.rows.clear();
    await storeMetricPoints(deps, cache, [counter(8, T0 + 1)]);
    expect(
      series.calls.slice(1).map((c) => [c.written, c.states[0]!.prev, c.states[0]!.state.value]),
    ).toEqual([
      [false, 1, 8],
      [true, 0, 8],
    ]);
    expect(total()).toBe(5 + 8);
  });

  it('counts right with a cache too small for the series: evictions only cost round trips', async () => {
    const { deps, total } = setup();
    const cache = new SeriesCache(1);
    for (let i = 1; i <= 4; i++)
      await storeMetricPoints(deps, cache, [counter(10 * i, T0 + i, '/a'), counter(i, T0 + i, '/b')]);
    expect(cache.size).toBe(1);
    expect(total()).toBe(40 + 4);
  });
});

describe('SeriesCache', () => {
  it('keeps the most recently used series up to its bound', () => {
    const c = new SeriesCache(2);
    const s = (version: number) => ({ version, state: { kind: 'sum' as const, startMs: null, timeMs: 1 } });
    c.set('a', s(1));
    c.set('b', s(1));
    c.get('a');
    c.set('c', s(1));
    expect([c.get('a')?.version, c.get('b'), c.get('c')?.version]).toEqual([1, undefined, 1]);
    expect(c.size).toBe(2);
  });
});
