import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { seriesStateStore } from '../../../src/adapters/db/series-state-repository.ts';
import { sketchOps } from '../../../src/adapters/telemetry/sketch-ops.ts';
import type { SeriesStateStore, SeriesStateWrite, SilverMinute } from '../../../src/app/telemetry/ports.ts';
import { type SeriesState, seriesKey } from '../../../src/domain/telemetry/delta.ts';
import { backends } from '../../support/db.ts';

const T0 = Date.UTC(2025, 2, 10, 12, 30);
const keyOf = (route: string) => seriesKey({ service: 'checkout', metric: 'orders', attributes: { route } });

const write = (route: string, prev: number, state: Partial<SeriesState> = {}): SeriesStateWrite => ({
  key: keyOf(route),
  service: 'checkout',
  metric: 'orders',
  prev,
  state: { kind: 'sum', startMs: T0 - 60_000, timeMs: T0, value: 10, monotonic: true, ...state },
});

const minute = (sum: number): SilverMinute => ({
  service: 'checkout',
  metric: 'orders',
  tags: { route: '/a' },
  tagsHash: '[["route","/a"]]',
  minuteMs: T0,
  count: sum,
  errors: 0,
  sum,
  min: null,
  max: null,
  sketchBytes: null,
});

describe.each(backends)('metric series state on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let store: SeriesStateStore;

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    store = seriesStateStore(db, sketchOps);
  });
  afterAll(async () => dispose());
  beforeEach(async () => {
    await db.query('TRUNCATE metric_series_state, silver_minute_pending');
  });

  const pendingSum = async () =>
    Number(
      (
        await db.query<{ s: number }>('SELECT coalesce(sum(sum), 0)::float8 AS s FROM silver_minute_pending')
      )[0]!.s,
    );
  const versions = async () =>
    (
      await db.query<{ k: string; v: string }>(
        'SELECT series_key AS k, version::text AS v FROM metric_series_state ORDER BY 1',
      )
    ).map((r) => [JSON.parse(r.k)[2][0][1], Number(r.v)]);

  it('writes new series and their minutes, then moves each on only from the version it holds', async () => {
    expect(await store.write({ states: [write('/a', 0), write('/b', 0)], silver: [minute(10)] })).toEqual({
      written: true,
    });
    expect(await store.write({ states: [write('/a', 1, { value: 15 })], silver: [minute(5)] })).toEqual({
      written: true,
    });
    expect(await versions()).toEqual([
      ['/a', 2],
      ['/b', 1],
    ]);
    expect(await pendingSum()).toBe(15);
    const [row] = await db.query<{
      service: string;
      metric: string;
      kind: string;
      start: number;
      last: number;
    }>(
      `SELECT service, metric, kind, extract(epoch FROM start_time)::float8 * 1000 AS start,
              extract(epoch FROM last_time)::float8 * 1000 AS last FROM metric_series_state LIMIT 1`,
    );
    expect(row).toMatchObject({ service: 'checkout', metric: 'orders', kind: 'sum' });
    expect([Number(row!.start), Number(row!.last)]).toEqual([T0 - 60_000, T0]);
  });

  it('writes nothing when any series moved on, and answers those rows exactly as saved', async () => {
    const state: Partial<SeriesState> = {
      kind: 'exphistogram',
      count: 2 ** 53 - 1,
      sum: 0.1 + 0.2,
      min: 1e-300,
      scale: -3,
      zeroCount: 0,
      positive: { offset: -7, bucketCounts: [1, 0, 2] },
      negative: { offset: 0, bucketCounts: [] },
      quantiles: [{ quantile: 0.99, value: 123.456 }],
    };
    await store.write({ states: [write('/a', 0, state), write('/b', 0)], silver: [minute(10)] });
    // '/a' is at version 1; a writer that believes it is new (0), and one a version behind for '/b'.
    const outcome = await store.write({
      states: [write('/a', 0, { timeMs: T0 + 1 }), write('/b', 1, { timeMs: T0 + 1 }), write('/c', 0)],
      silver: [minute(99)],
    });
    expect(outcome.written).toBe(false);
    const moved = outcome.written ? null : outcome.moved;
    expect([...moved!.keys()]).toEqual([keyOf('/a')]);
    expect(moved!.get(keyOf('/a'))).toEqual({ version: 1, state: write('/a', 0, state).state });
    expect(await versions()).toEqual([
      ['/a', 1],
      ['/b', 1],
    ]);
    expect(await pendingSum()).toBe(10);
  });

  it('answers a row that no longer exists (deleted) as null, and writes nothing', async () => {
    await store.write({ states: [write('/a', 0), write('/b', 0)], silver: [] });
    await db.query('DELETE FROM metric_series_state WHERE series_key = $1', [keyOf('/a')]);
    const outcome = await store.write({ states: [write('/a', 1), write('/b', 1)], silver: [minute(3)] });
    expect(outcome).toEqual({ written: false, moved: new Map([[keyOf('/a'), null]]) });
    expect(await pendingSum()).toBe(0);
  });

  it('keys a series by the hash of its key, however long its attributes', async () => {
    const long = 'x'.repeat(20_000);
    expect(await store.write({ states: [write(long, 0)], silver: [] })).toEqual({ written: true });
    expect(await store.write({ states: [write(long, 1)], silver: [] })).toEqual({ written: true });
    expect(await versions()).toEqual([[long, 2]]);
  });

  it.runIf(backend.name === 'postgres')(
    'undoes the whole statement when a writer creates one of its series while it runs, then answers it',
    async () => {
      let inserted!: () => void;
      const insertedP = new Promise<void>((r) => {
        inserted = r;
      });
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      // Another replica's write of '/a' as a new series, committed only once ours has started.
      const other = db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO metric_series_state (series_hash, series_key, service, metric, kind, last_time, state, version)
           VALUES (sha256(convert_to($1, 'UTF8')), $1, 'checkout', 'orders', 'sum', now(), '{}', 1)`,
          [keyOf('/a')],
        );
        inserted();
        await gate;
      });
      await insertedP;
      const ours = store.write({ states: [write('/a', 0), write('/b', 0)], silver: [minute(7)] });
      await new Promise((r) => setTimeout(r, 200)); // ours now waits on the other's row
      release();
      await other;
      // Nothing written, and the row the other writer made is the answer (read after the race).
      expect(await ours).toEqual({
        written: false,
        moved: new Map([[keyOf('/a'), { version: 1, state: {} }]]),
      });
      expect(await versions()).toEqual([['/a', 1]]); // '/b' not written either
      expect(await pendingSum()).toBe(0);
    },
  );

  it.runIf(backend.name === 'postgres')(
    'undoes the whole statement when a writer moves one of its series on while it runs, then answers it',
    async () => {
      await store.write({ states: [write('/a', 0), write('/b', 0)], silver: [] });
      let updated!: () => void;
      const updatedP = new Promise<void>((r) => {
        updated = r;
      });
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const other = db.transaction(async (tx) => {
        await tx.query(
          `UPDATE metric_series_state SET version = 2, state = '{"kind":"sum","timeMs":5}' WHERE series_key = $1`,
          [keyOf('/b')],
        );
        updated();
        await gate;
      });
      await updatedP;
      const ours = store.write({ states: [write('/a', 1), write('/b', 1)], silver: [minute(7)] });
      await new Promise((r) => setTimeout(r, 200)); // ours now waits on the other's row
      release();
      await other;
      expect(await ours).toEqual({
        written: false,
        moved: new Map([[keyOf('/b'), { version: 2, state: { kind: 'sum', timeMs: 5 } }]]),
      });
      expect(await versions()).toEqual([
        ['/a', 1],
        ['/b', 2],
      ]);
      expect(await pendingSum()).toBe(0);
    },
  );
});
