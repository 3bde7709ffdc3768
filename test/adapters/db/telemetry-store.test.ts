import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { telemetryStore } from '../../../src/adapters/db/telemetry-repository.ts';
import {
  add,
  fromBytes,
  newSketch,
  quantile,
  type Sketch,
  toBytes,
} from '../../../src/adapters/telemetry/sketch.ts';
import { sketchOps } from '../../../src/adapters/telemetry/sketch-ops.ts';
import { ingestEvents } from '../../../src/app/telemetry/ingest.ts';
import type { BronzeRow, SilverMinute, TelemetryStore } from '../../../src/app/telemetry/ports.ts';
import type { TelemetryEvent } from '../../../src/domain/telemetry/event.ts';
import { piiHasher } from '../../../src/shared/pii.ts';
import { backends } from '../../support/db.ts';

const sketchOf = (values: number[]): Sketch => {
  const s = newSketch();
  for (const v of values) add(s, v);
  return s;
};

const bronzeRow = (timeMs: number, over: Partial<BronzeRow> = {}): BronzeRow => ({
  timeMs,
  service: 'checkout',
  name: 'http.request',
  level: 'ERROR',
  ok: false,
  durationMs: 1234.5,
  message: 'boom',
  traceId: 'trace-1',
  userHash: 'uh-0001',
  emailHash: 'eh-0001',
  attributes: { route: '/pay', status: 500, retry: true },
  ...over,
});

let seq = 0;
/** A Silver minute of `values` for a key unique to the calling test (unless `metric` is given). */
const silverOf = (values: number[], over: Partial<SilverMinute> = {}): SilverMinute => ({
  service: 'checkout',
  metric: `latency.${++seq}`,
  tags: { route: '/pay' },
  tagsHash: '[["route","/pay"]]',
  minuteMs: Date.UTC(2025, 2, 10, 12, 30),
  count: values.length,
  errors: 0,
  sum: values.reduce((a, b) => a + b, 0),
  min: values.length ? Math.min(...values) : null,
  max: values.length ? Math.max(...values) : null,
  sketchBytes: values.length ? toBytes(sketchOf(values)) : null,
  ...over,
});

const values = (n: number, from: number, step: number) =>
  Array.from({ length: n }, (_, i) => from + i * step);

describe.each(backends)('telemetry store on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let store: TelemetryStore;

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    store = telemetryStore(db, sketchOps);
  });
  afterAll(async () => dispose());

  const silverRow = async (metric: string) => {
    const rows = await db.query<Record<string, unknown>>(
      `SELECT count::float8 AS count, errors::float8 AS errors, sum, min, max, p50, p90, p99,
              encode(sketch, 'base64') AS sketch, tags
       FROM silver_minute WHERE metric = $1`,
      [metric],
    );
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };
  /** Pending rows of `metric`, and whether silver_minute holds it yet. */
  const pendingOf = async (metric: string) => ({
    pending: (
      await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM silver_minute_pending WHERE metric = $1',
        [metric],
      )
    )[0]!.n,
    merged: (
      await db.query<{ n: number }>('SELECT count(*)::int AS n FROM silver_minute WHERE metric = $1', [
        metric,
      ])
    )[0]!.n,
  });
  /** Compacts until nothing is pending; returns the rows compacted. */
  const drain = async () => {
    let total = 0;
    for (let n = await store.compact(); n > 0; n = await store.compact()) total += n;
    return total;
  };

  it('creates the partitions of both UTC days and stores Bronze rows with hashed PII only', async () => {
    const late = Date.UTC(2025, 2, 10, 23, 59, 59, 999);
    const early = Date.UTC(2025, 2, 11, 0, 0, 0, 1);
    await store.write({
      bronze: [
        bronzeRow(late),
        bronzeRow(early, {
          userHash: 'uh-0002',
          emailHash: null,
          durationMs: null,
          level: null,
          message: null,
        }),
      ],
      silver: [],
    });
    const parts = await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'bronze_events'::regclass ORDER BY 1`,
    );
    expect(parts.map((p) => p.name)).toEqual(['bronze_events_20250310', 'bronze_events_20250311']);

    const rows = await db.query<Record<string, unknown>>(
      `SELECT tableoid::regclass::text AS part, (extract(epoch FROM time) * 1000)::float8 AS ms, service, name,
              level, ok, duration_ms, message, trace_id, user_hash, email_hash, attributes
       FROM bronze_events ORDER BY time`,
    );
    expect(rows).toEqual([
      {
        part: 'bronze_events_20250310',
        ms: late,
        service: 'checkout',
        name: 'http.request',
        level: 'ERROR',
        ok: false,
        duration_ms: 1234.5,
        message: 'boom',
        trace_id: 'trace-1',
        user_hash: 'uh-0001',
        email_hash: 'eh-0001',
        attributes: { route: '/pay', status: 500, retry: true },
      },
      {
        part: 'bronze_events_20250311',
        ms: early,
        service: 'checkout',
        name: 'http.request',
        level: null,
        ok: false,
        duration_ms: null,
        message: null,
        trace_id: 'trace-1',
        user_hash: 'uh-0002',
        email_hash: null,
        attributes: { route: '/pay', status: 500, retry: true },
      },
    ]);

    // A second write into existing partitions needs no new one.
    await store.write({ bronze: [bronzeRow(late + 1)], silver: [] });
    expect(await db.query('SELECT 1 FROM bronze_events')).toHaveLength(3);
  });

  it('ingests events end to end: the raw user id and email are in no column of any tier', async () => {
    const userId = 'User-Raw-4242';
    const email = 'Jane.Doe@example.com';
    const event: TelemetryEvent = {
      service: 'pii-check',
      name: 'checkout.pay',
      timeMs: Date.UTC(2025, 2, 13, 9, 0, 5),
      durationMs: 12,
      ok: false,
      level: 'ERROR',
      message: 'card declined',
      traceId: null,
      userId,
      email,
      attributes: { route: '/pay' },
    };
    const hash = piiHasher('test-key');
    const result = await ingestEvents(
      {
        store,
        hash,
        latencyThresholdMs: () => null,
        rollup: { newRollup: newSketch, addValue: add, toBytes },
      },
      [event],
    );
    expect(result).toEqual({ bronze: 1, silver: 1 });
    const bronze = await db.query<Record<string, unknown>>(
      `SELECT * FROM bronze_events WHERE service = 'pii-check'`,
    );
    expect(bronze).toMatchObject([{ user_hash: hash(userId), email_hash: hash(email) }]);
    const pending = await db.query(`SELECT * FROM silver_minute_pending WHERE service = 'pii-check'`);
    expect(pending).toHaveLength(1);
    await drain();
    const dump = JSON.stringify([
      bronze,
      pending,
      await db.query(`SELECT * FROM silver_minute WHERE service = 'pii-check'`),
    ]).toLowerCase();
    for (const raw of [userId, email, 'user-raw', 'jane.doe']) expect(dump).not.toContain(raw.toLowerCase());
  });

  it('merges two writes into one Silver minute: counts add, min/max combine, the sketches merge', async () => {
    const a = values(500, 1, 1); // 1..500
    const b = values(300, 400, 7); // 400..2493
    const first = silverOf(a, { errors: 3 });
    await store.write({ bronze: [], silver: [first] });
    await store.write({ bronze: [], silver: [{ ...silverOf(b, { errors: 2 }), metric: first.metric }] });
    // Ingest only appends: both writes wait in the pending table until compaction merges them.
    expect(await pendingOf(first.metric)).toEqual({ pending: 2, merged: 0 });
    expect(await drain()).toBeGreaterThanOrEqual(2);
    expect(await pendingOf(first.metric)).toEqual({ pending: 0, merged: 1 });

    const row = await silverRow(first.metric);
    expect(row['count']).toBe(800);
    expect(row['errors']).toBe(5);
    expect(row['sum']).toBeCloseTo(
      [...a, ...b].reduce((x, y) => x + y, 0),
      6,
    );
    expect(row['min']).toBe(1);
    expect(row['max']).toBe(400 + 299 * 7);
    expect(row['tags']).toEqual({ route: '/pay' });

    const merged = fromBytes(new Uint8Array(Buffer.from(row['sketch'] as string, 'base64')));
    const single = sketchOf([...a, ...b]);
    const p99 = quantile(merged, 0.99)!;
    const want = quantile(single, 0.99)!;
    expect(Math.abs(p99 - want) / want).toBeLessThanOrEqual(0.01);
    // The exact p99 too (rank ⌊0.99 · 799⌋ of the sorted values), within the sketch's 1%.
    const exact = [...a, ...b].sort((x, y) => x - y)[Math.floor(0.99 * 799)]!;
    expect(Math.abs(p99 - exact) / exact).toBeLessThanOrEqual(0.01);
    expect(row['p99']).toBeCloseTo(p99, 9);
  });

  it('merges entries of one key within a batch, and keeps rows without a sketch', async () => {
    const counter = silverOf([], { count: 7 });
    const again = { ...silverOf([], { count: 5, errors: 1 }), metric: counter.metric };
    await store.write({ bronze: [], silver: [counter, again] });
    // The two entries of one key in a batch are one pending row.
    expect(await pendingOf(counter.metric)).toEqual({ pending: 1, merged: 0 });
    await drain();
    await store.write({ bronze: [], silver: [{ ...silverOf([10, 20]), metric: counter.metric }] });
    expect(await pendingOf(counter.metric)).toEqual({ pending: 1, merged: 1 });
    await drain();
    const row = await silverRow(counter.metric);
    expect(row).toMatchObject({ count: 14, errors: 1, sum: 30, min: 10, max: 20 });
    expect(row['sketch']).not.toBeNull();
    expect(row['p50']).toBeCloseTo(10, 0);
  });

  it('does nothing for an empty batch, and compaction of nothing compacts nothing', async () => {
    await store.write({ bronze: [], silver: [] });
    await drain();
    expect(await store.compact()).toBe(0);
  });

  it.runIf(backend.name === 'postgres')('adds up 5 concurrent writes to the same minute', async () => {
    const metric = silverOf([]).metric;
    const second = silverOf([]).metric;
    const writes = Array.from({ length: 5 }, (_, i) => {
      const mine = { ...silverOf(values(10 * (i + 1), i + 1, 1), { errors: i }), metric };
      const other = { ...silverOf([i]), metric: second };
      // Half the writers list the two keys the other way round: the store's key order must prevail.
      return store.write({
        bronze: [bronzeRow(Date.UTC(2025, 2, 12, 8, i))],
        silver: i % 2 ? [mine, other] : [other, mine],
      });
    });
    await Promise.all(writes);
    expect(await pendingOf(metric)).toEqual({ pending: 5, merged: 0 });
    await drain();
    expect((await silverRow(second))['count']).toBe(5);
    const row = await silverRow(metric);
    expect(row['count']).toBe(10 + 20 + 30 + 40 + 50);
    expect(row['errors']).toBe(0 + 1 + 2 + 3 + 4);
    expect(row['min']).toBe(1);
    expect(row['max']).toBe(5 + 49);
    const sketch = fromBytes(new Uint8Array(Buffer.from(row['sketch'] as string, 'base64')));
    expect(quantile(sketch, 0)).toBeCloseTo(1, 1);
    expect(
      await db.query(`SELECT 1 FROM bronze_events WHERE time >= '2025-03-12' AND time < '2025-03-13'`),
    ).toHaveLength(5);
  });

  it.runIf(backend.name === 'postgres')(
    'never blocks a write: neither on a locked Silver row nor on an uncommitted write of the same key',
    async () => {
      const first = silverOf([1, 2, 3]);
      await store.write({ bronze: [], silver: [first] });
      await drain();
      const timeout = (ms: number) =>
        new Promise<'blocked'>((resolve) => setTimeout(() => resolve('blocked'), ms).unref());
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let inside!: () => void;
      const locked = new Promise<void>((r) => {
        inside = r;
      });
      // Another transaction holds the Silver row locked (as a compactor does) and has an uncommitted
      // pending row of the same key (as an in-flight write does), until we release it.
      const holder = db.transaction(async (tx) => {
        await tx.query('SELECT 1 FROM silver_minute WHERE metric = $1 FOR UPDATE', [first.metric]);
        await tx.query(
          `INSERT INTO silver_minute_pending (service, metric, tags, tags_hash, minute, count)
           VALUES ($1, $2, '{}'::jsonb, $3, $4::timestamptz, 1)`,
          [first.service, first.metric, first.tagsHash, new Date(first.minuteMs).toISOString()],
        );
        inside();
        await held;
      });
      await locked;
      const writes = Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          store.write({
            bronze: [bronzeRow(Date.UTC(2025, 2, 10, 13, i))],
            silver: [{ ...silverOf([10 + i]), metric: first.metric }],
          }),
        ),
      ).then(() => 'done' as const);
      const outcome = await Promise.race([writes, timeout(2_000)]);
      release();
      await holder;
      expect(outcome).toBe('done');
      await drain();
      expect((await silverRow(first.metric))['count']).toBe(3 + 1 + 4);
    },
  );

  it.runIf(backend.name === 'postgres')(
    'two concurrent compactions take disjoint rows and add up to the right totals',
    async () => {
      const metric = silverOf([]).metric;
      const other = silverOf([]).metric;
      const all: number[] = [];
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => {
          const vs = values(20, i + 1, 3);
          all.push(...vs);
          return store.write({
            bronze: [],
            silver: [
              { ...silverOf(vs, { errors: i % 2 }), metric },
              { ...silverOf([i]), metric: other, minuteMs: Date.UTC(2025, 2, 10, 12, i % 3) },
            ],
          });
        }),
      );
      expect(await pendingOf(metric)).toEqual({ pending: 40, merged: 0 });
      const compactor = async () => {
        let total = 0;
        for (let n = await store.compact(7); n > 0; n = await store.compact(7)) total += n;
        return total;
      };
      const [a, b] = await Promise.all([compactor(), compactor()]);
      // Every pending row compacted exactly once (drain: whatever a compactor skipped while the other
      // held it, normally nothing).
      expect(a + b + (await drain())).toBe(80);
      expect(await pendingOf(metric)).toEqual({ pending: 0, merged: 1 });
      const row = await silverRow(metric);
      expect(row['count']).toBe(800);
      expect(row['errors']).toBe(20);
      expect(row['sum']).toBeCloseTo(
        all.reduce((x, y) => x + y, 0),
        6,
      );
      expect(row['min']).toBe(1);
      expect(row['max']).toBe(40 + 19 * 3);
      const merged = fromBytes(new Uint8Array(Buffer.from(row['sketch'] as string, 'base64')));
      const want = quantile(sketchOf(all), 0.99)!;
      expect(Math.abs(quantile(merged, 0.99)! / want - 1)).toBeLessThanOrEqual(0.01);
      expect(row['p99']).toBeCloseTo(quantile(merged, 0.99)!, 9);
      const minutes = await db.query<{ n: number }>(
        'SELECT count::int AS n FROM silver_minute WHERE metric = $1 ORDER BY minute',
        [other],
      );
      expect(minutes.map((m) => m.n)).toEqual([14, 13, 13]);
    },
  );
});
