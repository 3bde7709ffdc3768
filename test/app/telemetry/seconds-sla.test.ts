import { describe, expect, it } from 'vitest';
import { fromBytes, quantile } from '../../../src/adapters/telemetry/sketch.ts';
import { sketchOps, sketchRollup } from '../../../src/adapters/telemetry/sketch-ops.ts';
import { computeDaySnapshot } from '../../../src/app/sla/day-snapshot.ts';
import type { GoldSnapshots } from '../../../src/app/telemetry/ports.ts';
import type { SlaDefinition } from '../../../src/domain/sla/definition.ts';
import type { SlaIndicator } from '../../../src/domain/sla/indicator.ts';
import { foldEvents, foldMetricPoints } from '../../../src/domain/telemetry/fold.ts';
import { metricsRequestToPoints } from '../../../src/domain/telemetry/otlp-metrics.ts';
import { tracesRequestToEvents } from '../../../src/domain/telemetry/otlp-traces.ts';
import { clampQuantile, type MinuteRollup } from '../../../src/domain/telemetry/rollup.ts';
import { DAY_MS } from '../../../src/shared/time.ts';

/**
 * Issue 13 end to end, short of the database: OTLP as an SDK sends it (durations in seconds, failures only
 * in the status attributes) → the domain's conversion and folding → Silver rows with real sketches → the
 * SLA day snapshot the engine and the weekly report compute (app/sla/day-snapshot.ts).
 */
const DAY = Date.UTC(2025, 2, 10);
const T_NS = String(BigInt(DAY + 12 * 3_600_000) * 1_000_000n);
const attr = (key: string, value: Record<string, unknown>) => ({ key, value });
const resource = { attributes: [attr('service.name', { stringValue: 'checkout' })] };

/** A delta histogram point of `http.server.request.duration` (seconds, the SDKs' default buckets' shape). */
const point = (status: number, counts: number[], min: number, max: number, sum: number) => ({
  attributes: [
    attr('http.route', { stringValue: '/pay' }),
    attr('http.response.status_code', { intValue: status }),
  ],
  startTimeUnixNano: T_NS,
  timeUnixNano: T_NS,
  count: String(counts.reduce((a, b) => a + b, 0)),
  sum,
  min,
  max,
  explicitBounds: [0.1, 0.3, 1, 2.5],
  bucketCounts: counts.map(String),
});
const metricsBody = {
  resourceMetrics: [
    {
      resource,
      scopeMetrics: [
        {
          metrics: [
            {
              name: 'http.server.request.duration',
              unit: 's',
              histogram: {
                aggregationTemporality: 1,
                dataPoints: [
                  point(200, [40, 28, 0, 2, 0], 0.05, 1.75, 12.5),
                  point(500, [30, 0, 0, 0, 0], 0.01, 0.09, 1.5),
                ],
              },
            },
          ],
        },
      ],
    },
  ],
};

const definition = (metric: string, indicator: SlaIndicator): SlaDefinition => ({
  id: `${indicator.kind}-${metric}`,
  service: 'checkout',
  metric,
  name: metric,
  indicator,
  target: 0.99,
  windowDays: 30,
  version: 1,
  activeFromMs: DAY - DAY_MS,
  activeToMs: null,
});

/** Gold's day totals over these Silver rows, as the repository sums and merges them. */
function goldOver(rows: MinuteRollup[]): Pick<GoldSnapshots, 'dayTotals' | 'downtimeMinutes'> {
  return {
    dayTotals: async ({ metric }) => {
      const mine = rows.filter((r) => r.metric === metric);
      const sketches = mine.flatMap((r) => (r.sketchBytes ? [r.sketchBytes] : []));
      return {
        total: mine.reduce((a, r) => a + r.count, 0),
        errors: mine.reduce((a, r) => a + r.errors, 0),
        errorMinutes: 0,
        sketchBytes: sketches.length === 0 ? null : sketches.reduce((a, b) => sketchOps.merge(a, b)),
        minuteSketches: mine.flatMap((r) =>
          r.sketchBytes ? [{ count: r.count, sketchBytes: r.sketchBytes }] : [],
        ),
      };
    },
    downtimeMinutes: async () => 0,
  };
}

const snapshot = (rows: MinuteRollup[], def: SlaDefinition) =>
  computeDaySnapshot({ gold: goldOver(rows), sketches: sketchOps }, def, DAY);

describe('SLAs over OTLP metrics in seconds (issue 13)', () => {
  const { points, rejected } = metricsRequestToPoints(metricsBody);
  const rows = foldMetricPoints(points, sketchRollup);

  it('counts the 30% of requests answered 500 as errors', () => {
    expect(rejected).toBe(0);
    expect(rows.reduce((a, r) => a + r.count, 0)).toBe(100);
    expect(rows.reduce((a, r) => a + r.errors, 0)).toBe(30);
  });

  it('reads a 1.75 s p99 as 1750 ms, never above the reported max', () => {
    const merged = rows.map((r) => r.sketchBytes!).reduce((a, b) => sketchOps.merge(a, b));
    const p99 = clampQuantile(quantile(fromBytes(merged), 0.99), 10, 1750)!;
    expect(p99).toBeLessThanOrEqual(1750);
    expect(p99).toBeGreaterThanOrEqual(1750 * 0.99);
    expect(Math.max(...rows.map((r) => r.max!))).toBe(1750);
  });

  it('an availability SLA burns: 70.00% uptime, 30× the 1% budget', async () => {
    const s = await snapshot(rows, definition('http.server.request.duration', { kind: 'availability' }));
    expect(s).toMatchObject({ total: 100, errors: 30, uptimePct: 70 });
    expect(s.budgetBurn).toBeCloseTo(30, 9);
  });

  it('a 300 ms latency threshold sees the two 1.75 s requests as slow (not 0.3 ms)', async () => {
    const s = await snapshot(
      rows,
      definition('http.server.request.duration', { kind: 'latency', thresholdMs: 300 }),
    );
    expect(s).toMatchObject({ total: 100, errors: 2, uptimePct: 98 });
    const strict = await snapshot(
      rows,
      definition('http.server.request.duration', { kind: 'latency', thresholdMs: 150 }),
    );
    expect(strict.errors).toBe(30); // the 28 at ~200 ms now count too
  });
});

describe('SLAs over spans alone (issue 13)', () => {
  // 100 server spans of "GET /pay": 10 fail with a 500, 5 take 1.2 s, the rest 80 ms.
  const spans = Array.from({ length: 100 }, (_, i) => {
    const ms = i < 5 ? 1200 : 80;
    return {
      traceId: (i + 1).toString(16).padStart(32, '0'),
      spanId: (i + 1).toString(16).padStart(16, '0'),
      name: 'GET /pay',
      kind: 2,
      startTimeUnixNano: T_NS,
      endTimeUnixNano: String(BigInt(T_NS) + BigInt(ms) * 1_000_000n),
      attributes: [attr('http.response.status_code', { intValue: i >= 90 ? 500 : 200 })],
    };
  });
  const { events } = tracesRequestToEvents({ resourceSpans: [{ resource, scopeSpans: [{ spans }] }] });
  const rows = foldEvents(events, sketchRollup);

  it('availability: the failed spans are the bad events', async () => {
    const s = await snapshot(rows, definition('GET /pay', { kind: 'availability' }));
    expect(s).toMatchObject({ total: 100, errors: 10, uptimePct: 90 });
  });

  it('latency: spans slower than 300 ms are the bad events', async () => {
    const s = await snapshot(rows, definition('GET /pay', { kind: 'latency', thresholdMs: 300 }));
    expect(s).toMatchObject({ total: 100, errors: 5, uptimePct: 95 });
  });
});
