import { describe, expect, it } from 'vitest';
import {
  applyDeltas,
  deltaStep,
  isBaseline,
  type SeriesState,
  sameState,
  stateOf,
} from '../../../src/domain/telemetry/delta.ts';
import type { MetricPoint } from '../../../src/domain/telemetry/metric-point.ts';

/**
 * The first point of a series when saved states may have been forgotten (the janitor purges series idle
 * past retention): counted only when its start proves the series began after the horizon; otherwise a
 * baseline (OTLP data model, "handling unknown start time"), so a series that comes back after its state
 * was purged is never counted twice. And sameState, which lets the caller skip rewriting a state that
 * moved nothing but its time.
 */

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 20, 12, 0, 0);
const HORIZON = NOW - 7 * DAY;

const counter = (timeMs: number, value: number, startMs: number | null): MetricPoint => ({
  service: 'checkout',
  metric: 'orders',
  attributes: { route: '/pay' },
  startMs,
  timeMs,
  kind: 'sum',
  temporality: 'cumulative',
  value,
  monotonic: true,
});

describe('the first point of a series, given a horizon', () => {
  it.each([
    ['a start after the horizon', HORIZON + 1, false],
    ['a start exactly at the horizon', HORIZON, false],
    ['a start before the horizon (an earlier life may have been counted)', HORIZON - 1, true],
    ['an unknown start', null, true],
    // Milliseconds cannot tell OTLP's unknown-start mark (start = time in ns) from a quick first export.
    ['a start in the millisecond of its time', NOW, false],
  ])('%s: baseline %s', (_, startMs, baseline) => {
    const p = counter(NOW, 40, startMs);
    expect(isBaseline(p, HORIZON)).toBe(baseline);
    const step = deltaStep(undefined, p, HORIZON);
    expect(step.next).toEqual(stateOf(p));
    expect(step.delta).toEqual(baseline ? null : { ...p, temporality: 'delta' });
  });

  it('without a horizon every first point counts whole (no state is ever forgotten)', () => {
    for (const startMs of [null, HORIZON - DAY]) {
      const p = counter(NOW, 40, startMs);
      expect(isBaseline(p, undefined)).toBe(false);
      expect(deltaStep(undefined, p).delta?.value).toBe(40);
    }
  });

  it('applies to first points only: a known series, a reset and a stale point are as before', () => {
    const old = HORIZON - 30 * DAY;
    const prev = stateOf(counter(NOW - 60_000, 10, old));
    expect(deltaStep(prev, counter(NOW, 25, old), HORIZON).delta?.value).toBe(15);
    // A new start after the horizon: a reset at a known start, counted whole.
    expect(deltaStep(prev, counter(NOW, 3, NOW - 30_000), HORIZON).delta?.value).toBe(3);
    expect(deltaStep(prev, counter(NOW - 60_000, 10, old), HORIZON)).toEqual({ delta: null, next: prev });
  });

  it('a series back after its state was purged: the first point is the baseline, the next ones deltas', () => {
    const start = NOW - 40 * DAY; // the process has been up for 40 days; idle for the last 10
    const points = [
      counter(NOW, 500, start),
      counter(NOW + 60_000, 507, start),
      counter(NOW + 120_000, 510, start),
    ];
    // Its state purged: nothing known.
    const { deltas, states } = applyDeltas(points, () => undefined, HORIZON);
    expect(deltas.map((d) => [d.startMs, d.value])).toEqual([
      [NOW, 7],
      [NOW + 60_000, 3],
    ]);
    expect(states.get([...states.keys()][0]!)).toEqual(stateOf(points[2]!));
    // A baseline alone still moves the series on: its state is the one to save.
    const only = applyDeltas([points[0]!], () => undefined, HORIZON);
    expect(only.deltas).toEqual([]);
    expect([...only.states.values()]).toEqual([stateOf(points[0]!)]);
  });
});

describe('sameState', () => {
  const s = stateOf(counter(NOW, 40, NOW - DAY));

  it('the same but for the time', () => {
    expect(sameState(s, { ...s, timeMs: NOW + 60_000 })).toBe(true);
  });

  it('another value or start is a change', () => {
    expect(sameState(s, { ...s, value: 41 })).toBe(false);
    expect(sameState(s, { ...s, startMs: NOW - 2 * DAY })).toBe(false);
    expect(sameState(s, { ...s, startMs: null })).toBe(false);
  });

  it('keys in any order (jsonb reorders them), an undefined field the same as an absent one', () => {
    const read = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(s).reverse()))) as SeriesState;
    expect(sameState(read, s)).toBe(true);
    expect(sameState({ ...s, min: undefined }, s)).toBe(true);
    expect(sameState({ ...s, min: 0 }, s)).toBe(false);
  });

  it('compares lists and nested buckets by value', () => {
    const h = {
      ...s,
      kind: 'exphistogram' as const,
      positive: { offset: 2, bucketCounts: [1, 2] },
      negative: { offset: 0, bucketCounts: [] },
    };
    expect(sameState(h, structuredClone({ ...h, timeMs: 1 }))).toBe(true);
    expect(sameState(h, { ...h, positive: { offset: 2, bucketCounts: [1, 3] } })).toBe(false);
    expect(sameState(h, { ...h, positive: { offset: 3, bucketCounts: [1, 2] } })).toBe(false);
    expect(sameState(h, { ...h, positive: { offset: 2, bucketCounts: [1, 2, 0] } })).toBe(false);
  });
});
