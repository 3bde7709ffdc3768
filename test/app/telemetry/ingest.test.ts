import { describe, expect, it } from 'vitest';
import {
  type IngestDeps,
  ingestEvents,
  ingestMetricPoints,
  telemetryIngest,
} from '../../../src/app/telemetry/ingest.ts';
import type { SilverMinute, TelemetryStore } from '../../../src/app/telemetry/ports.ts';
import type { TelemetryEvent } from '../../../src/domain/telemetry/event.ts';
import type { RollupFns } from '../../../src/domain/telemetry/minute-batch.ts';
import type { MetricPoint } from '../../../src/domain/telemetry/otlp-metrics.ts';
import { InMemorySeriesStore } from './fake-series-store.ts';

/** Records every write. */
class InMemoryTelemetryStore implements TelemetryStore {
  writes: Parameters<TelemetryStore['write']>[0][] = [];
  async write(batch: Parameters<TelemetryStore['write']>[0]): Promise<void> {
    this.writes.push(structuredClone(batch));
  }
  async compact(): Promise<number> {
    return 0;
  }
  get bronze() {
    return this.writes.flatMap((w) => w.bronze);
  }
  get silver() {
    return this.writes.flatMap((w) => w.silver);
  }
}

/** A "sketch" that lists what it was given, so tests see exactly which values and weights went in. */
type Recorded = [value: number, weight: number][];
const recorder: RollupFns<Recorded> = {
  newRollup: () => [],
  addValue: (r, value, weight = 1) => void r.push([value, weight]),
  toBytes: (r) => new TextEncoder().encode(JSON.stringify(r)),
};
const recorded = (row: SilverMinute): Recorded | null =>
  row.sketchBytes === null ? null : JSON.parse(new TextDecoder().decode(row.sketchBytes));

const T0 = Date.UTC(2025, 2, 10, 12, 30, 0);

function setup(thresholds: Record<string, number> = { checkout: 500 }) {
  const store = new InMemoryTelemetryStore();
  const deps: IngestDeps<Recorded> = {
    store,
    hash: (s) => `h(${s})`,
    latencyThresholdMs: (service) => thresholds[service] ?? null,
    rollup: recorder,
  };
  return { store, deps };
}

const ev = (over: Partial<TelemetryEvent> = {}): TelemetryEvent => ({
  service: 'checkout',
  name: 'http.request',
  timeMs: T0,
  durationMs: 100,
  ok: true,
  level: 'INFO',
  message: null,
  traceId: null,
  userId: null,
  email: null,
  attributes: {},
  ...over,
});

const point = (over: Partial<MetricPoint>): MetricPoint => ({
  service: 'checkout',
  metric: 'http.server.duration',
  attributes: {},
  startMs: T0 - 60_000,
  timeMs: T0 + 10_000,
  kind: 'histogram',
  temporality: 'delta',
  ...over,
});

describe('ingestEvents', () => {
  it('routes errors and slow events to Bronze, and every event to Silver', async () => {
    const { store, deps } = setup();
    const result = await ingestEvents(deps, [
      ev({ message: 'fast ok' }),
      ev({ message: 'failed', ok: false, durationMs: 20 }),
      ev({ message: 'error level', level: 'ERROR', durationMs: 30 }),
      ev({ message: 'slow', durationMs: 501 }),
      ev({ message: 'at threshold', durationMs: 500 }),
      ev({ message: 'no duration', durationMs: null }),
      ev({ message: 'no threshold', service: 'search', durationMs: 99_999 }),
    ]);
    expect(store.bronze.map((b) => b.message)).toEqual(['failed', 'error level', 'slow']);
    expect(result).toEqual({ bronze: 3, silver: 2 });
    expect(store.writes).toHaveLength(1);

    const checkout = store.silver.find((s) => s.service === 'checkout')!;
    expect(checkout).toMatchObject({
      metric: 'http.request',
      minuteMs: T0,
      count: 6,
      errors: 2,
      sum: 100 + 20 + 30 + 501 + 500,
      min: 20,
      max: 501,
    });
    expect(recorded(checkout)).toEqual([
      [100, 1],
      [20, 1],
      [30, 1],
      [501, 1],
      [500, 1],
    ]);
    expect(store.silver.find((s) => s.service === 'search')).toMatchObject({ count: 1, errors: 0 });
  });

  it('splits Silver by minute (UTC, floored) and by tag set', async () => {
    const { store, deps } = setup();
    await ingestEvents(deps, [
      ev({ timeMs: T0 + 59_999 }),
      ev({ timeMs: T0 + 60_000 }),
      ev({ attributes: { route: '/a' } }),
      ev({ attributes: { route: '/a' }, timeMs: T0 + 1 }),
    ]);
    expect(store.silver.map((s) => [s.minuteMs - T0, s.tagsHash, s.count])).toEqual([
      [0, '[]', 1],
      [60_000, '[]', 1],
      [0, '[["route","/a"]]', 2],
    ]);
  });

  it('hashes the user id and email: the raw values reach no row', async () => {
    const { store, deps } = setup();
    await ingestEvents(deps, [
      ev({ ok: false, userId: 'user-42', email: 'a@b.example', attributes: { plan: 'pro' } }),
      ev({ ok: false, userId: null, email: null }),
      ev({ ok: true, userId: 'user-43', email: 'c@d.example' }),
    ]);
    expect(store.bronze.map((b) => [b.userHash, b.emailHash])).toEqual([
      ['h(user-42)', 'h(a@b.example)'],
      [null, null],
    ]);
    const dump = JSON.stringify(store.writes);
    for (const raw of ['"user-42"', '"a@b.example"', '"user-43"', '"c@d.example"'])
      expect(dump).not.toContain(raw);
    expect(store.bronze[0]).toMatchObject({ attributes: { plan: 'pro' }, ok: false, level: 'INFO' });
    expect(Object.keys(store.bronze[0]!)).not.toContain('userId');
  });

  it('writes nothing for an empty batch', async () => {
    const { store, deps } = setup();
    expect(await ingestEvents(deps, [])).toEqual({ bronze: 0, silver: 0 });
    expect(store.writes).toEqual([]);
  });
});

describe('ingestMetricPoints', () => {
  it('counts a delta sum into count and sum, with no sketch', async () => {
    const { store, deps } = setup();
    const result = await ingestMetricPoints(deps, [
      point({ kind: 'sum', metric: 'http.server.requests', value: 40, monotonic: true }),
      point({ kind: 'sum', metric: 'http.server.requests', value: 2, monotonic: true, timeMs: T0 + 20_000 }),
      point({ kind: 'sum', metric: 'http.server.requests', value: 0, monotonic: true }),
    ]);
    expect(result).toEqual({ bronze: 0, silver: 1 });
    expect(store.bronze).toEqual([]);
    expect(store.silver).toEqual([
      expect.objectContaining({ count: 42, sum: 42, errors: 0, min: null, max: null, sketchBytes: null }),
    ]);
  });

  it('takes gauges as one observation each', async () => {
    const { store, deps } = setup();
    await ingestMetricPoints(deps, [
      point({ kind: 'gauge', metric: 'queue.depth', value: 7, temporality: null }),
      point({ kind: 'gauge', metric: 'queue.depth', value: 3, temporality: null }),
    ]);
    const [row] = store.silver;
    expect(row).toMatchObject({ count: 2, sum: 10, min: 3, max: 7 });
    expect(recorded(row!)).toEqual([
      [7, 1],
      [3, 1],
    ]);
  });

  it('approximates a histogram by bucket midpoints weighted by the bucket counts', async () => {
    const { store, deps } = setup();
    await ingestMetricPoints(deps, [
      point({
        count: 10,
        sum: 1234,
        min: 5,
        max: 900,
        bounds: [10, 100, 500],
        bucketCounts: [2, 5, 0, 3],
      }),
    ]);
    const [row] = store.silver;
    expect(row).toMatchObject({ count: 10, sum: 1234, min: 5, max: 900, errors: 0 });
    // First bucket: midpoint of [min, 10]; then (10+100)/2; the empty bucket is skipped; the open upper
    // bucket uses its lower bound 500.
    expect(recorded(row!)).toEqual([
      [7.5, 2],
      [55, 5],
      [500, 3],
    ]);
  });

  it('sums histograms of one minute, and skips empty ones', async () => {
    const { store, deps } = setup();
    await ingestMetricPoints(deps, [
      point({ count: 4, bounds: [10, 100], bucketCounts: [1, 2, 1] }),
      point({ count: 1, sum: 3, min: 3, max: 3, bounds: [10, 100], bucketCounts: [1, 0, 0] }),
      point({ count: 0, sum: 0, bounds: [10, 100], bucketCounts: [0, 0, 0] }),
      point({ count: 0, metric: 'never.used', bounds: [], bucketCounts: [] }),
    ]);
    expect(store.silver).toHaveLength(1);
    const [row] = store.silver;
    // No sum in the first point: estimated 1·5 + 2·55 + 1·100 = 215.
    expect(row).toMatchObject({ count: 5, sum: 218, min: 3, max: 3 });
    expect(recorded(row!)).toEqual([
      [5, 1],
      [55, 2],
      [100, 1],
      [3, 1],
    ]);
  });
});

describe('telemetryIngest (cumulative points against the shared series state)', () => {
  const counter = (value: number, timeMs: number) =>
    point({ kind: 'sum', metric: 'orders', value, monotonic: true, temporality: 'cumulative', timeMs });
  const silverSums = (rows: SilverMinute[]) => rows.map((r) => r.sum);

  it('turns cumulative sums into deltas across calls and drops a duplicate', async () => {
    const { store, deps } = setup();
    const series = new InMemorySeriesStore();
    const ingest = telemetryIngest(deps, series);
    await ingest.metrics([counter(5, T0)]);
    await ingest.metrics([counter(12, T0 + 60_000)]);
    await ingest.metrics([counter(12, T0 + 60_000)]);
    expect(silverSums(series.silver)).toEqual([5, 7]);
    // Written with the series' state, never through the plain store; the duplicate wrote nothing.
    expect(store.writes).toHaveLength(0);
    expect(series.calls.map((c) => c.written)).toEqual([true, true]);
    expect([...series.rows.values()]).toEqual([
      { version: 2, state: expect.objectContaining({ value: 12 }) },
    ]);
  });

  it('counts every increase once across instances sharing the store (a restart, a second replica)', async () => {
    const { deps } = setup();
    const series = new InMemorySeriesStore();
    const a = telemetryIngest(deps, series);
    const b = telemetryIngest(deps, series);
    await a.metrics([counter(5, T0)]);
    await b.metrics([counter(12, T0 + 10_000)]); // b knows nothing: the store tells it the row
    await a.metrics([counter(20, T0 + 20_000)]); // a's cache is one version behind: told again
    await b.metrics([counter(20, T0 + 20_000)]); // the client's retry at the other replica: stale
    const restarted = telemetryIngest(deps, series);
    await restarted.metrics([counter(26, T0 + 30_000)]);
    expect(silverSums(series.silver)).toEqual([5, 7, 8, 6]);
  });

  it('forgets nothing of a batch the store refused, so the retry counts it', async () => {
    const { deps } = setup();
    const series = new InMemorySeriesStore();
    const ingest = telemetryIngest(deps, series);
    await ingest.metrics([counter(5, T0)]);
    series.fail = new Error('database down');
    await expect(ingest.metrics([counter(12, T0 + 60_000)])).rejects.toThrow('database down');
    series.fail = null;
    await ingest.metrics([counter(12, T0 + 60_000)]);
    expect(silverSums(series.silver)).toEqual([5, 7]);
  });

  it('writes batches with no cumulative point through the plain store', async () => {
    const { store, deps } = setup();
    const series = new InMemorySeriesStore();
    await telemetryIngest(deps, series).metrics([
      point({ kind: 'gauge', metric: 'queue.depth', value: 7, temporality: null }),
      point({ kind: 'sum', metric: 'jobs', value: 3, monotonic: true }),
    ]);
    expect(store.silver.map((r) => [r.metric, r.sum])).toEqual([
      ['queue.depth', 7],
      ['jobs', 3],
    ]);
    expect(series.calls).toEqual([]);
  });

  it('passes events straight to ingestEvents', async () => {
    const { store, deps } = setup();
    await telemetryIngest(deps, new InMemorySeriesStore()).events([ev({ ok: false })]);
    expect(store.bronze).toHaveLength(1);
    expect(store.silver).toHaveLength(1);
  });
});
