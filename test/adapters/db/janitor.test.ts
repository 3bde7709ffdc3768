import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { retentionRepository } from '../../../src/adapters/db/retention-repository.ts';
import { rollupRepository } from '../../../src/adapters/db/rollup-repository.ts';
import { telemetryStore } from '../../../src/adapters/db/telemetry-repository.ts';
import { add, fromBytes, newSketch, quantile, toBytes } from '../../../src/adapters/telemetry/sketch.ts';
import { sketchOps } from '../../../src/adapters/telemetry/sketch-ops.ts';
import type { Ctx } from '../../../src/app/context.ts';
import { type JanitorReport, runJanitor } from '../../../src/app/telemetry/janitor.ts';
import type { SilverMinute } from '../../../src/app/telemetry/ports.ts';
import { backends, silentLog } from '../../support/db.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
/** The janitor's clock: 2025-06-15 03:00 UTC. */
const NOW = Date.UTC(2025, 5, 15, 3, 0);
const TODAY = Date.UTC(2025, 5, 15);
const dayAgo = (n: number) => TODAY - n * DAY;
const iso = (ms: number) => new Date(ms).toISOString();
const ctx: Ctx = { actor: { type: 'system', job: 'janitor' }, requestId: 'test', log: silentLog };

/** A deterministic skewed sample (log-normal-ish latencies with a long tail). */
function skewed(n: number, seed: number): number[] {
  let x = seed;
  const rnd = () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return (x + 1) / 2_147_483_649;
  };
  return Array.from({ length: n }, () => {
    const g = Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
    return Math.exp(4 + 1.2 * g);
  });
}

describe.each(backends)('telemetry janitor on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let incidentId: string;

  const n = async (sql: string, params: unknown[] = []) =>
    Number((await db.query<{ n: number }>(sql, params))[0]!.n);
  const partitions = async () =>
    (
      await db.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'bronze_events'::regclass ORDER BY 1`,
      )
    ).map((r) => r.name);
  /** Everything the janitor may touch, to compare before and after a dry run. */
  const snapshot = async () => ({
    partitions: await partitions(),
    bronze: await db.query(
      `SELECT tableoid::regclass::text AS p, count(*)::int AS n FROM bronze_events GROUP BY 1 ORDER BY 1`,
    ),
    evidence: await n('SELECT count(*)::int AS n FROM bronze_evidence'),
    minutes: await n('SELECT count(*)::int AS n FROM silver_minute'),
    hours: await n('SELECT count(*)::int AS n FROM silver_hour'),
    gold: await db.query('SELECT id::text, sla_id, day::text, total::text, uptime_pct FROM gold_snapshots'),
  });

  const bronze = async (timeMs: number, message: string, incident: string | null) => {
    await db.query('SELECT ensure_bronze_partition($1::date)', [iso(timeMs).slice(0, 10)]);
    await db.query(
      `INSERT INTO bronze_events (time, service, name, level, ok, message, incident_id)
       VALUES ($1::timestamptz, 'checkout', 'http.request', 'ERROR', false, $2, $3::bigint)`,
      [iso(timeMs), message, incident],
    );
  };
  const minute = async (metric: string, tagsHash: string, minuteMs: number, count = 1) =>
    db.query(
      `INSERT INTO silver_minute (service, metric, tags, tags_hash, minute, count, errors, sum, min, max)
       VALUES ('checkout', $1, '{}'::jsonb, $2, $3::timestamptz, $4::int, 0, 10, 10, 10)`,
      [metric, tagsHash, iso(minuteMs), count],
    );
  const hour = async (metric: string, tagsHash: string, hourMs: number) =>
    db.query(
      `INSERT INTO silver_hour (service, metric, tags, tags_hash, hour, count, errors, sum, min, max)
       VALUES ('checkout', $1, '{}'::jsonb, $2, $3::timestamptz, 1, 0, 10, 10, 10)`,
      [metric, tagsHash, iso(hourMs)],
    );

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    const [inc] = await db.query<{ id: string }>(
      `INSERT INTO incidents (dedupe_key, title, state, severity, paging, opened_at, figures)
       VALUES ('sla:checkout', 'checkout errors', 'detected', 2, 'PAGE', now(), '{}'::jsonb) RETURNING id::text AS id`,
    );
    incidentId = inc!.id;

    // Bronze: June 5 and June 7 are past a 7-day retention at June 15 03:00; June 8 and June 12 are not.
    await bronze(dayAgo(10) + 5 * HOUR, 'old-1', null);
    await bronze(dayAgo(10) + 6 * HOUR, 'old-evidence', incidentId);
    await bronze(dayAgo(10) + 7 * HOUR, 'old-dangling-link', '999999');
    await bronze(dayAgo(8) + 1 * HOUR, 'older-1', null);
    await bronze(dayAgo(8) + 23 * HOUR, 'older-evidence', incidentId);
    await bronze(dayAgo(7) + 1 * HOUR, 'edge-evidence', incidentId);
    await bronze(dayAgo(7) + 2 * HOUR, 'edge-1', null);
    await bronze(dayAgo(3) + 2 * HOUR, 'recent-1', null);

    // Gold, which nothing may touch.
    await db.query(
      `INSERT INTO sla_definitions (id, version, service, metric, name, indicator, target, window_days,
                                    active_from, definition)
       VALUES ('checkout-availability', 1, 'checkout', 'http.request', 'Checkout availability',
               '{"kind":"availability"}'::jsonb, 99.9, 30, '2024-01-01T00:00:00Z', '{}'::jsonb)`,
    );
    await db.query(
      `INSERT INTO gold_snapshots (sla_id, sla_version, day, total, errors, uptime_pct, budget_burn)
       VALUES ('checkout-availability', 1, '2024-01-02', 1000, 1, 99.9, 0.1)`,
    );

    // Silver: a 40-day-old minute with its hour (goes), one without (stays), recent minutes (stay).
    await minute('m.rolled', 'a', dayAgo(40) + 10 * HOUR + 5 * MINUTE);
    await hour('m.rolled', 'a', dayAgo(40) + 10 * HOUR);
    await minute('m.unrolled', 'a', dayAgo(40) + 11 * HOUR + 5 * MINUTE);
    // Three tag sets of one metric (over a limit of 2), 10 days old.
    for (const t of ['a', 'b', 'c']) await minute('m.wide', t, dayAgo(10) + 9 * HOUR);
    // Hours: 100 days old (goes), 80 days old (stays).
    await hour('m.old', 'a', dayAgo(100) + 4 * HOUR);
    await hour('m.old', 'a', dayAgo(80) + 4 * HOUR);
  });
  afterAll(async () => dispose());

  const options = { nowMs: NOW, bronzeDays: 7, tagLimit: 2 };
  const alerts: { over: unknown; tagLimit: number; nowMs: number }[] = [];
  const recordAlert = async (over: readonly unknown[], tagLimit: number, nowMs: number) => {
    alerts.push({ over, tagLimit, nowMs });
  };
  let dry: JanitorReport;

  it('a dry run reports what would go and changes nothing', async () => {
    const before = await snapshot();
    dry = await runJanitor({ retention: retentionRepository(db), alertAdmins: recordAlert }, ctx, {
      ...options,
      dryRun: true,
    });
    // A dry run tells nobody.
    expect(alerts).toEqual([]);
    expect(await snapshot()).toEqual(before);

    expect(dry.dryRun).toBe(true);
    expect(dry.bronze.created).toEqual(['bronze_events_20250615', 'bronze_events_20250616']);
    expect(dry.bronze.dropped).toEqual([
      { name: 'bronze_events_20250605', dayMs: dayAgo(10), rows: 3, evidence: 1 },
      { name: 'bronze_events_20250607', dayMs: dayAgo(8), rows: 2, evidence: 1 },
    ]);
    expect(dry.bronze.kept).toEqual([
      'bronze_events_20250608',
      'bronze_events_20250612',
      'bronze_events_20250615',
      'bronze_events_20250616',
    ]);
    expect(dry.evidenceKept).toBe(2);
    expect(dry.silver).toMatchObject({ hoursRolledUp: null, minutesPurged: 1, hoursPurged: 1 });
    expect(dry.overTagLimit).toEqual([{ service: 'checkout', metric: 'm.wide', combinations: 3 }]);
  });

  it('drops old partitions after keeping their evidence, purges Silver, never touches Gold', async () => {
    const goldBefore = (await snapshot()).gold;
    const report = await runJanitor({ retention: retentionRepository(db), alertAdmins: recordAlert }, ctx, {
      ...options,
      dryRun: false,
    });
    // The admins hear about the metric over the tag limit.
    expect(alerts).toEqual([
      { over: [{ service: 'checkout', metric: 'm.wide', combinations: 3 }], tagLimit: 2, nowMs: NOW },
    ]);
    // The real run did what the dry run announced.
    expect({ ...report, dryRun: true }).toEqual(dry);

    expect(await partitions()).toEqual([
      'bronze_events_20250608',
      'bronze_events_20250612',
      'bronze_events_20250615',
      'bronze_events_20250616',
    ]);
    const evidence = await db.query<{ message: string; incident_id: string; time: unknown }>(
      'SELECT message, incident_id::text AS incident_id FROM bronze_evidence ORDER BY time',
    );
    expect(evidence).toEqual([
      { message: 'old-evidence', incident_id: incidentId },
      { message: 'older-evidence', incident_id: incidentId },
    ]);
    // The kept partitions' rows, evidence included, are still in Bronze (and not copied).
    expect(
      (await db.query<{ message: string }>('SELECT message FROM bronze_events ORDER BY time')).map(
        (r) => r.message,
      ),
    ).toEqual(['edge-evidence', 'edge-1', 'recent-1']);
    expect((await snapshot()).gold).toEqual(goldBefore);

    const minutes = await db.query<{ metric: string }>(
      'SELECT metric FROM silver_minute ORDER BY metric, tags_hash',
    );
    expect(minutes.map((m) => m.metric)).toEqual(['m.unrolled', 'm.wide', 'm.wide', 'm.wide']);
    const hours = await db.query<{ metric: string; hour: string }>(
      `SELECT metric, to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS hour FROM silver_hour ORDER BY hour`,
    );
    expect(hours).toEqual([
      { metric: 'm.old', hour: '2025-03-27' },
      { metric: 'm.rolled', hour: '2025-05-06' },
    ]);

    // A second run finds nothing left to do (the partitions ahead exist now).
    const again = await runJanitor({ retention: retentionRepository(db) }, ctx, {
      ...options,
      dryRun: false,
    });
    expect(again.bronze.created).toEqual([]);
    expect(again.bronze.dropped).toEqual([]);
    expect(again.silver).toMatchObject({ minutesPurged: 0, hoursPurged: 0 });
  });

  it('with rollups, writes the missing hours first so their minutes can go', async () => {
    const rollups = rollupRepository(db, sketchOps);
    const deps = { retention: retentionRepository(db), rollups };
    const dryRun = await runJanitor(deps, ctx, { ...options, dryRun: true });
    // m.unrolled's hour and m.wide's three hours are pending.
    expect(dryRun.silver.hoursRolledUp).toBe(4);
    const report = await runJanitor(deps, ctx, { ...options, dryRun: false });
    expect(report.silver).toMatchObject({ hoursRolledUp: 4, minutesPurged: 1, hoursPurged: 0 });
    expect(await n(`SELECT count(*)::int AS n FROM silver_minute WHERE metric = 'm.unrolled'`)).toBe(0);
    expect(await n(`SELECT count(*)::int AS n FROM silver_hour WHERE metric = 'm.unrolled'`)).toBe(1);
  });

  it('rolls minute sketches up into an hour whose p99 is within 1% of the exact value', async () => {
    const store = telemetryStore(db, sketchOps);
    const rollups = rollupRepository(db, sketchOps);
    const hourMs = Date.UTC(2025, 5, 14, 10);
    const all: number[] = [];
    const silver: SilverMinute[] = [];
    for (let i = 0; i < 60; i++) {
      const values = skewed(200, i + 1);
      all.push(...values);
      const s = newSketch();
      for (const v of values) add(s, v);
      silver.push({
        service: 'checkout',
        metric: 'latency.rollup',
        tags: { route: '/pay' },
        tagsHash: 'route=/pay',
        minuteMs: hourMs + i * MINUTE,
        count: values.length,
        errors: i % 10 === 0 ? 1 : 0,
        sum: values.reduce((a, b) => a + b, 0),
        min: Math.min(...values),
        max: Math.max(...values),
        sketchBytes: toBytes(s),
      });
    }
    await store.write({ bronze: [], silver });
    await store.compact();

    expect(await rollups.countPendingHours(NOW)).toBe(1);
    expect(await rollups.rollUpHours(NOW)).toBe(1);
    // Idempotent: an up-to-date hour (not among the last two) is not written again.
    expect(await rollups.rollUpHours(NOW)).toBe(0);

    const read = async () =>
      (
        await db.query<Record<string, unknown>>(
          `SELECT count::float8 AS count, errors::float8 AS errors, sum, min, max, p50, p99, tags::text AS tags,
                  encode(sketch, 'base64') AS sketch
           FROM silver_hour WHERE metric = 'latency.rollup' AND hour = $1::timestamptz`,
          [iso(hourMs)],
        )
      )[0]!;
    const row = await read();
    const sorted = [...all].sort((a, b) => a - b);
    const exact = (q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;
    expect(Number(row['count'])).toBe(12_000);
    expect(Number(row['errors'])).toBe(6);
    expect(Number(row['sum'])).toBeCloseTo(
      all.reduce((a, b) => a + b, 0),
      3,
    );
    expect(Number(row['min'])).toBe(sorted[0]);
    expect(Number(row['max'])).toBe(sorted.at(-1));
    expect(JSON.parse(String(row['tags']))).toEqual({ route: '/pay' });
    expect(Math.abs(Number(row['p99']) / exact(0.99) - 1)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(Number(row['p50']) / exact(0.5) - 1)).toBeLessThanOrEqual(0.01);
    // The stored sketch is the merge of the minutes, not an average.
    const merged = fromBytes(new Uint8Array(Buffer.from(String(row['sketch']), 'base64')));
    expect(quantile(merged, 0.99)).toBe(Number(row['p99']));

    // A late minute changes the hour: the next run rewrites it.
    await store.write({
      bronze: [],
      silver: [{ ...silver[0]!, minuteMs: hourMs + 59 * MINUTE, count: 200 }],
    });
    await store.compact();
    expect(await rollups.rollUpHours(NOW)).toBe(1);
    expect(Number((await read())['count'])).toBe(12_200);
  });

  it('rewrites the last two complete hours every run, never the current one', async () => {
    const rollups = rollupRepository(db, sketchOps);
    await minute('m.recent', 'a', NOW - 90 * MINUTE); // 01:30, complete
    await minute('m.recent', 'a', NOW - 10 * MINUTE); // 02:50, complete
    await minute('m.recent', 'a', NOW + 10 * MINUTE); // 03:10, the current hour
    expect(await rollups.rollUpHours(NOW)).toBe(2);
    expect(await rollups.rollUpHours(NOW)).toBe(2);
    expect(await n(`SELECT count(*)::int AS n FROM silver_hour WHERE metric = 'm.recent'`)).toBe(2);
  });
});
