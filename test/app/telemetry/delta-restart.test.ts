/**
 * Issue 13 item 5: the cumulative→delta state is durable and shared. Cumulative streams (counter,
 * histogram, exponential histogram, summary) through the real ingest use case over a real database, with a
 * restart in the middle (a new use case instance over the same database), two "replicas" (two instances)
 * alternating batches, a client's retry landing anywhere, a reset and concurrent writers: Silver's totals
 * must equal the true increments exactly, nothing counted twice and nothing lost.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { seriesStateStore } from '../../../src/adapters/db/series-state-repository.ts';
import { telemetryStore } from '../../../src/adapters/db/telemetry-repository.ts';
import { sketchOps, sketchRollup } from '../../../src/adapters/telemetry/sketch-ops.ts';
import { type TelemetryIngest, telemetryIngest } from '../../../src/app/telemetry/ingest.ts';
import type { MetricPoint } from '../../../src/domain/telemetry/otlp-metrics.ts';
import { backends } from '../../support/db.ts';

const T0 = Date.UTC(2025, 2, 10, 12, 0, 0);
const START = T0 - 3_600_000;
const attributes = { route: '/pay' };
const head = (metric: string, timeMs: number, startMs = START) => ({
  service: 'checkout',
  metric,
  attributes,
  startMs,
  timeMs,
  temporality: 'cumulative' as const,
});

/** A simulated SDK: running totals of four series, exported as cumulative points every 10 s. */
class Sdk {
  n = 0;
  requests = 0;
  buckets = [0, 0, 0, 0];
  histSum = 0;
  exp = [0, 0, 0];
  zero = 0;
  summaryCount = 0;
  summarySum = 0;
  startMs = START;

  /** Advances every series by something that depends on the step, and exports them. */
  export(): MetricPoint[] {
    const k = ++this.n;
    this.requests += (k % 7) + 1;
    this.buckets[k % 4]! += 1 + (k % 3);
    this.histSum += 40 * (1 + (k % 3));
    this.exp[k % 3]! += 2;
    this.zero += k % 2;
    this.summaryCount += 3;
    this.summarySum += 3 * k;
    return this.points();
  }

  points(): MetricPoint[] {
    const t = T0 + this.n * 10_000;
    const count = this.buckets.reduce((a, b) => a + b, 0);
    const expCount = this.zero + this.exp.reduce((a, b) => a + b, 0);
    return [
      { ...head('requests', t, this.startMs), kind: 'sum', value: this.requests, monotonic: true },
      {
        ...head('latency', t, this.startMs),
        kind: 'histogram',
        count,
        sum: this.histSum,
        bounds: [10, 100, 1000],
        bucketCounts: [...this.buckets],
      },
      {
        ...head('rpc', t, this.startMs),
        kind: 'exphistogram',
        count: expCount,
        sum: expCount * 5,
        scale: 2,
        zeroCount: this.zero,
        positive: { offset: 4, bucketCounts: [...this.exp] },
        negative: { offset: 0, bucketCounts: [] },
        bucketFactor: 1,
      },
      {
        ...head('legacy', t, this.startMs),
        kind: 'summary',
        count: this.summaryCount,
        sum: this.summarySum,
        quantiles: [{ quantile: 0.99, value: 9 }],
      },
    ];
  }

  /** What Silver must hold, by metric: count and sum. */
  truth(): Record<string, { count: number; sum: number }> {
    const count = this.buckets.reduce((a, b) => a + b, 0);
    const expCount = this.zero + this.exp.reduce((a, b) => a + b, 0);
    return {
      requests: { count: this.requests, sum: this.requests },
      latency: { count, sum: this.histSum },
      rpc: { count: expCount, sum: expCount * 5 },
      legacy: { count: this.summaryCount, sum: this.summarySum },
    };
  }
}

describe.each(backends)('cumulative metrics across restarts and replicas on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
  });
  afterAll(async () => dispose());
  beforeEach(async () => {
    await db.query('TRUNCATE metric_series_state, silver_minute_pending, silver_minute');
  });

  /** A new ingest use case over the database: a new process, or another replica. */
  const instance = (): TelemetryIngest =>
    telemetryIngest(
      {
        store: telemetryStore(db, sketchOps),
        hash: (v) => v,
        latencyThresholdMs: () => null,
        rollup: sketchRollup,
      },
      seriesStateStore(db, sketchOps),
    );

  const silver = async (): Promise<Record<string, { count: number; sum: number }>> => {
    const rows = await db.query<{ metric: string; count: number; sum: number }>(
      `SELECT metric, sum(count)::float8 AS count, sum(sum)::float8 AS sum
       FROM silver_minute_pending GROUP BY metric ORDER BY metric`,
    );
    return Object.fromEntries(rows.map((r) => [r.metric, { count: Number(r.count), sum: Number(r.sum) }]));
  };

  it('a restart in the middle of the streams counts every increase once', async () => {
    const sdk = new Sdk();
    const before = instance();
    for (let i = 0; i < 3; i++) await before.metrics(sdk.export());
    const after = instance(); // the process restarted: a new use case, nothing in memory
    for (let i = 0; i < 3; i++) await after.metrics(sdk.export());
    expect(await silver()).toEqual(sdk.truth());
    const rows = await db.query<{ kind: string; version: string; last: number }>(
      `SELECT kind, version::text, extract(epoch FROM last_time)::float8 * 1000 AS last
       FROM metric_series_state ORDER BY kind`,
    );
    expect(rows.map((r) => [r.kind, r.version, Number(r.last)])).toEqual(
      ['exphistogram', 'histogram', 'sum', 'summary'].map((k) => [k, '6', T0 + 60_000]),
    );
  });

  it('two replicas taking alternate batches count every increase once', async () => {
    const sdk = new Sdk();
    const replicas = [instance(), instance()];
    for (let i = 0; i < 8; i++) await replicas[i % 2]!.metrics(sdk.export());
    expect(await silver()).toEqual(sdk.truth());
  });

  it('drops a retried or late batch wherever it lands, and counts the new points mixed into one', async () => {
    const sdk = new Sdk();
    const [a, b] = [instance(), instance()];
    const first = sdk.export();
    await a.metrics(first);
    const second = sdk.export();
    await a.metrics(second);
    await b.metrics(second); // the client retried (its answer was lost) through the other replica
    await a.metrics(first); // a late duplicate
    expect(await silver()).toEqual(sdk.truth());
    const third = sdk.export();
    await b.metrics([...second, ...third]); // a batch holding a stale and a new point of each series
    expect(await silver()).toEqual(sdk.truth());
  });

  it('counts a reset (a new start time, the SDK restarted) from its start', async () => {
    const sdk = new Sdk();
    const [a, b] = [instance(), instance()];
    await a.metrics(sdk.export());
    await b.metrics(sdk.export());
    const beforeReset = sdk.truth();
    const fresh = new Sdk(); // the application restarted: totals from zero, a new start time
    fresh.startMs = T0 + 25_000;
    fresh.n = sdk.n;
    await a.metrics(fresh.export());
    await b.metrics(fresh.export());
    const after = fresh.truth();
    const expected = Object.fromEntries(
      Object.entries(beforeReset).map(([m, v]) => [
        m,
        { count: v.count + after[m]!.count, sum: v.sum + after[m]!.sum },
      ]),
    );
    expect(await silver()).toEqual(expected);
  });

  it('concurrent writers of the same series, new and known, still count every increase once', async () => {
    const sdk = new Sdk();
    const replicas = [instance(), instance(), instance()];
    // Each round, the next three exports reach three replicas at once (a client retrying early, an SDK
    // with two exporters…): whichever lands last may be stale, and then its increase is in a later one.
    for (let round = 0; round < 6; round++) {
      const batches = [sdk.export(), sdk.export(), sdk.export()];
      await Promise.all(batches.map((points, i) => replicas[i]!.metrics(points)));
    }
    // Every series has seen its last point unless that one lost to an earlier one: send it once more.
    await replicas[0]!.metrics(sdk.points());
    expect(await silver()).toEqual(sdk.truth());
  });
});
