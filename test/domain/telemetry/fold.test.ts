import { describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../../src/domain/telemetry/event.ts';
import { foldEvents, foldMetricPoints } from '../../../src/domain/telemetry/fold.ts';
import type { RollupFns } from '../../../src/domain/telemetry/minute-batch.ts';
import type { MetricPoint } from '../../../src/domain/telemetry/otlp-metrics.ts';
import type { MinuteRollup } from '../../../src/domain/telemetry/rollup.ts';

/** A sketch that records what was added to it, as [value, weight] pairs. */
type Recorded = [number, number][];
const recorder: RollupFns<Recorded> = {
  newRollup: () => [],
  addValue: (r, v, w = 1) => void r.push([v, w]),
  toBytes: (r) => new TextEncoder().encode(JSON.stringify(r)),
};
const sketchOf = (row: MinuteRollup): Recorded | null =>
  row.sketchBytes === null ? null : JSON.parse(new TextDecoder().decode(row.sketchBytes));
const stats = ({ count, errors, sum, min, max }: MinuteRollup) => ({ count, errors, sum, min, max });

const T0 = Date.UTC(2025, 2, 10, 12, 30, 0);
const ev = (o: Partial<TelemetryEvent> = {}): TelemetryEvent => ({
  service: 'checkout',
  name: 'http.request',
  timeMs: T0,
  durationMs: null,
  ok: true,
  level: null,
  message: null,
  traceId: null,
  userId: null,
  email: null,
  attributes: {},
  ...o,
});
const pt = (o: Partial<MetricPoint>): MetricPoint => ({
  service: 'checkout',
  metric: 'm',
  attributes: {},
  startMs: null,
  timeMs: T0,
  kind: 'gauge',
  temporality: null,
  ...o,
});

describe('foldEvents', () => {
  it.each([
    {
      name: 'an ok event without duration',
      events: [ev()],
      row: { count: 1, errors: 0, sum: 0, min: null, max: null },
    },
    {
      name: 'ok false is an error',
      events: [ev({ ok: false })],
      row: { count: 1, errors: 1, sum: 0, min: null, max: null },
    },
    {
      name: 'durations feed sum, min, max',
      events: [ev({ durationMs: 30 }), ev({ durationMs: 10, timeMs: T0 + 59_999 })],
      row: { count: 2, errors: 0, sum: 40, min: 10, max: 30 },
    },
    {
      name: 'a non-finite duration is only counted',
      events: [ev({ durationMs: Number.NaN })],
      row: { count: 1, errors: 0, sum: 0, min: null, max: null },
    },
  ])('$name', ({ events, row }) => {
    const rows = foldEvents(events, recorder);
    expect(rows.map(stats)).toEqual([row]);
  });

  it('keys rows by service, name, canonical tags and minute, in first-seen order', () => {
    const rows = foldEvents(
      [
        ev({ attributes: { b: 1, a: 'x' } }),
        ev({ attributes: { a: 'x', b: '1' } }),
        ev({ timeMs: T0 + 60_000 }),
        ev({ name: 'other' }),
        ev({ service: 'billing' }),
      ],
      recorder,
    );
    expect(rows.map((r) => [r.service, r.metric, r.tagsHash, r.minuteMs - T0, r.count])).toEqual([
      ['checkout', 'http.request', '[["a","x"],["b","1"]]', 0, 2],
      ['checkout', 'http.request', '[]', 60_000, 1],
      ['checkout', 'other', '[]', 0, 1],
      ['billing', 'http.request', '[]', 0, 1],
    ]);
  });
});

describe('foldMetricPoints', () => {
  it.each([
    { name: 'a zero sum adds nothing', points: [pt({ kind: 'sum', value: 0 })], rows: [] },
    { name: 'a gauge without value adds nothing', points: [pt({})], rows: [] },
    { name: 'an empty histogram adds nothing', points: [pt({ kind: 'histogram', count: 0 })], rows: [] },
    {
      name: 'a sum counts its rounded value and sums it exactly',
      points: [pt({ kind: 'sum', value: 2.6 })],
      rows: [{ count: 3, errors: 0, sum: 2.6, min: null, max: null }],
    },
    {
      name: 'gauges are observations',
      points: [pt({ value: 4 }), pt({ value: -1 })],
      rows: [{ count: 2, errors: 0, sum: 3, min: -1, max: 4 }],
    },
    {
      name: 'a histogram without sum gets it estimated from the buckets',
      points: [pt({ kind: 'histogram', count: 3, bounds: [10], bucketCounts: [1, 2] })],
      rows: [{ count: 3, errors: 0, sum: 25, min: null, max: null }],
    },
  ])('$name', ({ points, rows }) => {
    expect(foldMetricPoints(points, recorder).map(stats)).toEqual(rows);
  });

  it('weights each histogram bucket’s value by its count in the sketch', () => {
    const [row] = foldMetricPoints(
      [pt({ kind: 'histogram', count: 3, sum: 40, min: 2, max: 30, bounds: [10], bucketCounts: [1, 2] })],
      recorder,
    );
    expect(sketchOf(row!)).toEqual([
      [6, 1],
      [10, 2],
    ]);
    expect(stats(row!)).toEqual({ count: 3, errors: 0, sum: 40, min: 2, max: 30 });
  });
});
