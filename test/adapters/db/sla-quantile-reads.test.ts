import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { goldRepository } from '../../../src/adapters/db/gold-repository.ts';
import { reportRepository } from '../../../src/adapters/db/report-repository.ts';
import { slaSignals } from '../../../src/adapters/db/sla-alert-repository.ts';
import { slaRepository } from '../../../src/adapters/db/sla-repository.ts';
import { quantileParams } from '../../../src/adapters/db/telemetry-sql.ts';
import { add, newSketch, toBytes } from '../../../src/adapters/telemetry/sketch.ts';
import { sketchOps, sketchRollup } from '../../../src/adapters/telemetry/sketch-ops.ts';
import { buildWeeklyReport } from '../../../src/app/sla/report.ts';
import { openSloToDefinitions, type SlaDefinition } from '../../../src/domain/sla/definition.ts';
import { parseIsoWeek } from '../../../src/domain/sla/report.ts';
import { foldMetricPoints } from '../../../src/domain/telemetry/fold.ts';
import type { MetricPoint } from '../../../src/domain/telemetry/metric-point.ts';
import type { MinuteRollup } from '../../../src/domain/telemetry/rollup.ts';
import { backends } from '../../support/db.ts';

/**
 * The SLA read side's p99 (issue 13): the weekly report's and the burn trend's, over Silver hours. Both
 * clamp the merged sketches' quantile into the rows' min and max, and both read only the rows the SLI's
 * filters keep, by the same SQL (sla-signal-reads.ts).
 */
const HOUR = 3_600_000;
const DAY = 86_400_000;
const METRIC = 'http.server.request.duration';
const week = (() => {
  const r = parseIsoWeek('2026-W47');
  if (!r.ok) throw new Error(r.error);
  return r.week;
})();
const W = week.startMs;
const src = (spec: Record<string, unknown>) => ({
  metricSource: { type: 'revenue-leak-sre', spec: { service: 'checkout', metric: METRIC, ...spec } },
});

/** A latency SLO over METRIC (under 1.5 s, 99 %) whose SLI is `ratioMetric`, from October on. */
function latencySlo(id: string, ratioMetric: Record<string, unknown>): SlaDefinition {
  const r = openSloToDefinitions(
    [
      { apiVersion: 'openslo/v1', kind: 'Service', metadata: { name: 'checkout' } },
      {
        apiVersion: 'openslo/v1',
        kind: 'SLO',
        metadata: { name: id },
        spec: {
          service: 'checkout',
          indicator: { spec: { ratioMetric } },
          timeWindow: [{ duration: '30d', isRolling: true }],
          budgetingMethod: 'Occurrences',
          objectives: [{ target: 0.99 }],
        },
      },
    ],
    Date.parse('2026-10-01T00:00:00Z'),
  );
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.definitions[0]!;
}

/**
 * A delta histogram point: `count` values in the (1 s, 2.5 s] bucket (bounds in ms), min and max as sent.
 * Ingest puts the bucket's values at its midpoint clamped into [min, max] (fold.ts bucketValues): 1.2 s
 * here, which the sketch then holds in a bin whose value is up to 1 % away, above the max.
 */
const histogram = (
  timeMs: number,
  attributes: Record<string, string>,
  count: number,
  min: number,
  max: number,
): MetricPoint => ({
  service: 'checkout',
  metric: METRIC,
  attributes,
  startMs: timeMs - 60_000,
  timeMs,
  kind: 'histogram',
  temporality: 'delta',
  unit: 'ms',
  count,
  sum: count * min,
  min,
  max,
  bounds: [100, 1000, 2500],
  bucketCounts: [0, 0, count, 0],
});

/** A folded Silver row of `values` (ms) exactly, for one tag set. */
function exact(tags: Record<string, string>, values: number[]): MinuteRollup {
  const s = newSketch();
  for (const v of values) add(s, v);
  return {
    service: 'checkout',
    metric: METRIC,
    tags,
    tagsHash: JSON.stringify(tags),
    minuteMs: 0,
    count: values.length,
    errors: 0,
    sum: values.reduce((a, b) => a + b, 0),
    min: Math.min(...values),
    max: Math.max(...values),
    sketchBytes: toBytes(s),
  };
}

async function hourRow(db: Db, hourMs: number, r: MinuteRollup) {
  await db.query(
    `INSERT INTO silver_hour (service, metric, tags, tags_hash, hour, count, errors, sum, min, max, sketch)
     VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      r.service,
      r.metric,
      JSON.stringify(r.tags),
      r.tagsHash,
      new Date(hourMs).toISOString(),
      r.count,
      r.errors,
      r.sum,
      r.min,
      r.max,
      r.sketchBytes === null ? null : Buffer.from(r.sketchBytes),
    ],
  );
}

describe('the Silver quantile columns (write side)', () => {
  it('are clamped into the row: 1.2 s values in a (1 s, 2.5 s] bucket never read above 1.2 s', () => {
    const [row] = foldMetricPoints([histogram(W, {}, 100, 1200, 1200)], sketchRollup);
    expect(sketchOps.quantiles(row!.sketchBytes!).p99).toBeGreaterThan(1200);
    const [p50, p90, p99] = quantileParams([row!], sketchOps.quantiles);
    expect([p50, p90, p99]).toEqual([['1200'], ['1200'], ['1200']]);
  });
});

describe.each(backends)('SLA p99 reads on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  const SLOW = latencySlo('slow-latency', {
    good: src({ latencyBelow: '1.5s' }),
    total: src({ filter: { 'http.route': '/slow' } }),
  });
  const ALL = latencySlo('checkout-latency', {
    good: src({ latencyBelow: '1.5s' }),
    total: src({ filter: { 'http.route': ['/pay', '/search'] } }),
  });
  const PAY = latencySlo('pay-latency', {
    good: src({ latencyBelow: '1.5s' }),
    total: src({ filter: { 'http.route': '/pay' } }),
  });

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    await slaRepository(db).apply([{ open: ALL }, { open: PAY }]);
    // Monday 05:00: /pay answers in 80 ms, /search in 2 s; the same metric, two tag sets.
    await hourRow(db, W + 5 * HOUR, exact({ 'http.route': '/pay' }, Array<number>(100).fill(80)));
    await hourRow(db, W + 5 * HOUR, exact({ 'http.route': '/search' }, Array<number>(100).fill(2000)));
    // The week before: /pay at 40 ms, /search at 3 s.
    await hourRow(db, W - 2 * DAY, exact({ 'http.route': '/pay' }, Array<number>(50).fill(40)));
    await hourRow(db, W - 2 * DAY, exact({ 'http.route': '/search' }, Array<number>(50).fill(3000)));
    // Tuesday 10:00, another route: a histogram of 1.2 s requests in the (1 s, 2.5 s] bucket.
    const [slow] = foldMetricPoints(
      [histogram(W + DAY + 10 * HOUR, { 'http.route': '/slow' }, 100, 1200, 1200)],
      sketchRollup,
    );
    await hourRow(db, W + DAY + 10 * HOUR, slow!);
  });
  afterAll(async () => {
    await dispose();
  });

  it('the report p99 of a bucketed histogram reads at most its max (1.2 s)', async () => {
    const reads = reportRepository(db, sketchOps);
    expect(await reads.p99(SLOW, week.startMs, week.endMs)).toBe(1200);
    // The same merge, unclamped, reads the sketch bin's value: above every value sent.
    const [unclamped] = (
      await db.query<{ sketch: string }>(
        `SELECT encode(sketch, 'base64') AS sketch FROM silver_hour WHERE tags ->> 'http.route' = '/slow'`,
      )
    ).map((r) => new Uint8Array(Buffer.from(r.sketch, 'base64')));
    expect(sketchOps.p99([unclamped!])).toBeGreaterThan(1200);
  });

  it("the burn trend's p99 is clamped the same way", async () => {
    const side = await slaSignals(db, sketchOps).hourSpan(SLOW, W + DAY, W + DAY + 24 * HOUR);
    expect(side.total).toBe(100);
    expect(side.p99Ms).toBe(1200);
  });

  it("the report p99 honours the SLI's filter: /pay reads 80 ms, both routes 2 s", async () => {
    const reads = reportRepository(db, sketchOps);
    expect(await reads.p99(PAY, week.startMs, week.endMs)).toBe(80);
    expect(await reads.p99(ALL, week.startMs, week.endMs)).toBe(2000);
    // The burn trend reads the same rows (one SQL for both).
    const trend = await slaSignals(db, sketchOps).hourSpan(PAY, week.startMs, week.startMs + DAY);
    expect(trend.p99Ms).toBe(80);
  });

  it('the weekly report shows each SLA the p99 of its own rows, and its change', async () => {
    const r = await buildWeeklyReport(
      {
        reads: reportRepository(db, sketchOps),
        recovered: async () => 0,
        clock: { now: () => week.endMs + DAY },
        day: { gold: goldRepository(db, sketchOps), sketches: sketchOps },
      },
      { week, service: null },
    );
    const p99 = Object.fromEntries(r.slas.map((s) => [s.id, s.p99]));
    expect(p99['pay-latency']).toEqual({ thisWeek: 80, previousWeek: 40, changePct: expect.closeTo(100, 9) });
    expect(p99['checkout-latency']).toEqual({
      thisWeek: 2000,
      previousWeek: 3000,
      changePct: expect.closeTo(-100 / 3, 9),
    });
  });
});
