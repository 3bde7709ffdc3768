/**
 * Issue 13: the janitor purges the state of metric series idle longer than the raw tier's retention, and
 * a purged series that comes back is a new series whose first cumulative point is a baseline. Over a real
 * database: the rows a purge takes (by when they were last written, on the database's clock), and the
 * counts of a series across its purge, the ingest use case restarted or not.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { seriesStateStore } from '../../../src/adapters/db/series-state-repository.ts';
import { telemetryStore } from '../../../src/adapters/db/telemetry-repository.ts';
import { sketchOps, sketchRollup } from '../../../src/adapters/telemetry/sketch-ops.ts';
import { telemetryIngest } from '../../../src/app/telemetry/ingest.ts';
import { seriesHorizonMs } from '../../../src/app/telemetry/janitor.ts';
import type { MetricPoint } from '../../../src/domain/telemetry/otlp-metrics.ts';
import { backends } from '../../support/db.ts';

const DAY = 86_400_000;
const BRONZE_DAYS = 7;
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const START = T0 - 3 * DAY; // the sending process has been up three days

const counter = (route: string, value: number, timeMs: number, startMs = START): MetricPoint => ({
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

describe.each(backends)('idle series states on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
  });
  afterAll(async () => dispose());
  beforeEach(async () => {
    await db.query('TRUNCATE metric_series_state, silver_minute_pending, silver_minute');
  });

  const clock = { now: T0 };
  const instance = () =>
    telemetryIngest(
      {
        store: telemetryStore(db, sketchOps),
        hash: (v) => v,
        latencyThresholdMs: () => null,
        rollup: sketchRollup,
      },
      seriesStateStore(db, sketchOps),
      { horizonMs: () => seriesHorizonMs(clock.now, BRONZE_DAYS) },
    );
  const counted = async (route: string): Promise<number> => {
    const [row] = await db.query<{ n: number }>(
      `SELECT coalesce(sum(sum), 0)::float8 AS n FROM silver_minute_pending WHERE tags->>'route' = $1`,
      [route],
    );
    return Number(row!.n);
  };
  /** Moves a series' row back in time, as if last written `daysAgo` days ago (the database's clock). */
  const age = (route: string, daysAgo: number) =>
    db.query(
      `UPDATE metric_series_state SET updated_at = now() - make_interval(days => $2)
       WHERE series_key LIKE '%' || $1 || '%'`,
      [route, daysAgo],
    );

  it('counts and purges only the rows last written before the cutoff', async () => {
    clock.now = T0;
    const ingest = instance();
    await ingest.metrics([counter('/idle', 1, T0), counter('/alive', 1, T0), counter('/young', 1, T0)]);
    await age('/idle', 9);
    await age('/alive', 6);
    const store = seriesStateStore(db, sketchOps);
    const cutoff = Date.now() - BRONZE_DAYS * DAY;
    expect(await store.countIdle(cutoff)).toBe(1);
    expect(await store.purgeIdle(cutoff)).toBe(1);
    const left = await db.query<{ key: string }>(
      'SELECT series_key AS key FROM metric_series_state ORDER BY 1',
    );
    expect(left.map((r) => JSON.parse(r.key)[2][0][1])).toEqual(['/alive', '/young']);
    expect(await store.purgeIdle(cutoff)).toBe(0);
  });

  it.each([
    ['the same process', false],
    ['a restarted process', true],
  ])('a purged series that comes back counts from its return, never twice (%s)', async (_, restart) => {
    clock.now = T0;
    let ingest = instance();
    await ingest.metrics([counter('/pay', 10, T0)]); // started 3 days ago, within retention: counted whole
    await ingest.metrics([counter('/pay', 14, T0 + 60_000)]);
    expect(await counted('/pay')).toBe(14);

    // Silent for ten days; the janitor's nightly run purges it.
    await age('/pay', 10);
    expect(await seriesStateStore(db, sketchOps).purgeIdle(Date.now() - BRONZE_DAYS * DAY)).toBe(1);
    clock.now = T0 + 10 * DAY;
    if (restart) ingest = instance();

    // Back, same process start (now 13 days ago), its run total grown to 30 meanwhile.
    await ingest.metrics([counter('/pay', 30, clock.now)]);
    expect(await counted('/pay')).toBe(14);
    await ingest.metrics([counter('/pay', 33, clock.now + 60_000)]);
    expect(await counted('/pay')).toBe(14 + 3);
    const [row] = await db.query<{ version: string }>('SELECT version::text FROM metric_series_state');
    expect(row!.version).toBe('2');
  });

  it('a series that keeps sending the same value is not idle: its row is rewritten hourly', async () => {
    clock.now = T0;
    const ingest = instance();
    await ingest.metrics([counter('/quiet', 3, T0)]);
    await age('/quiet', 9);
    // Two hours of exports every 10 minutes that change nothing: skipped but at minutes 61 and 121, when
    // the saved state had turned an hour old.
    for (let m = 1; m <= 121; m += 10) await ingest.metrics([counter('/quiet', 3, T0 + m * 60_000)]);
    const [row] = await db.query<{ version: string; fresh: boolean }>(
      `SELECT version::text, updated_at > now() - interval '1 minute' AS fresh FROM metric_series_state`,
    );
    expect(row).toEqual({ version: '3', fresh: true });
    expect(await seriesStateStore(db, sketchOps).countIdle(Date.now() - BRONZE_DAYS * DAY)).toBe(0);
    expect(await counted('/quiet')).toBe(3);
  });
});
