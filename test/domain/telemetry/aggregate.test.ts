import { describe, expect, it } from 'vitest';
import { bucketValues } from '../../../src/domain/telemetry/fold.ts';
import {
  clampQuantile,
  clampQuantiles,
  combineByKey,
  combineRollups,
  maxOf,
  minOf,
  minuteOf,
  type RollupStats,
} from '../../../src/domain/telemetry/rollup.ts';
import { canonicalTags } from '../../../src/domain/telemetry/tags.ts';

describe('canonicalTags', () => {
  it('keeps string, number and boolean values, stringified, with sorted keys', () => {
    const a = canonicalTags({
      status: 200,
      route: '/pay',
      retry: false,
      ratio: 0.5,
      obj: { x: 1 },
      nan: Number.NaN,
    });
    expect(a.tags).toEqual({ ratio: '0.5', retry: 'false', route: '/pay', status: '200' });
    expect(Object.keys(a.tags)).toEqual(['ratio', 'retry', 'route', 'status']);
    expect(a.tagsHash).toBe('[["ratio","0.5"],["retry","false"],["route","/pay"],["status","200"]]');
    // Order of the attributes, and number vs string, do not matter.
    const b = canonicalTags({ route: '/pay', status: '200', ratio: '0.5', retry: 'false' });
    expect(b.tagsHash).toBe(a.tagsHash);
    expect(canonicalTags({}).tagsHash).toBe('[]');
  });

  it('keeps a __proto__ key as a tag', () => {
    const t = canonicalTags(JSON.parse('{"__proto__": "x", "a": 1}'));
    expect(Object.entries(t.tags)).toEqual([
      ['__proto__', 'x'],
      ['a', '1'],
    ]);
    expect(Object.getPrototypeOf(t.tags)).toBe(Object.prototype);
  });
});

describe('bucketValues', () => {
  it.each([
    { p: { bounds: [10, 100] }, values: [5, 55, 100] },
    { p: { bounds: [-5, 0] }, values: [-5, -2.5, 0] },
    { p: { bounds: [10, 100], min: 20, max: 40 }, values: [20, 40, 40] },
    { p: { bounds: [10, 100, 500], min: 5 }, values: [7.5, 55, 300, 500] },
    { p: { bounds: [] }, values: [] },
    { p: {}, values: [] },
  ])('$p → $values', ({ p, values }) => {
    expect(bucketValues(p)).toEqual(values);
  });
});

describe('minuteOf', () => {
  it.each([
    [0, 0],
    [59_999, 0],
    [60_000, 60_000],
    [Date.UTC(2025, 2, 1, 12, 0, 59, 999), Date.UTC(2025, 2, 1, 12, 0)],
  ])('%i → %i', (t, minute) => {
    expect(minuteOf(t)).toBe(minute);
  });
});

describe('minOf / maxOf', () => {
  it.each([
    [null, null, null, null],
    [3, null, 3, 3],
    [null, 4, 4, 4],
    [3, 4, 3, 4],
    [-1, -1, -1, -1],
  ])('(%s, %s) → min %s, max %s', (a, b, min, max) => {
    expect(minOf(a, b)).toBe(min);
    expect(maxOf(a, b)).toBe(max);
  });
});

describe('combineRollups', () => {
  const stats = (o: Partial<RollupStats> = {}): RollupStats & { key: string } => ({
    key: 'k',
    count: 1,
    errors: 0,
    sum: 10,
    min: 10,
    max: 10,
    sketchBytes: null,
    ...o,
  });
  /** A stand-in merge: the bytes concatenated, so the test sees which were merged and in what order. */
  const concat = (a: Uint8Array, b: Uint8Array) => new Uint8Array([...a, ...b]);

  it('adds count, errors and sum, combines min and max, and keeps the first one’s other fields', () => {
    const out = combineRollups(stats(), stats({ count: 2, errors: 1, sum: 5, min: 2, max: 3 }), concat);
    expect(out).toEqual({ key: 'k', count: 3, errors: 1, sum: 15, min: 2, max: 10, sketchBytes: null });
  });

  it.each([
    { a: null, b: null, out: null },
    { a: [1], b: null, out: [1] },
    { a: null, b: [2], out: [2] },
    { a: [1], b: [2], out: [1, 2] },
  ])('merges sketches only when both have one: $a + $b → $out', ({ a, b, out }) => {
    const bytes = (v: number[] | null) => (v === null ? null : new Uint8Array(v));
    const r = combineRollups(stats({ sketchBytes: bytes(a) }), stats({ sketchBytes: bytes(b) }), concat);
    expect(r.sketchBytes === null ? null : [...r.sketchBytes]).toEqual(out);
  });

  it('keeps min and max null when neither side saw a value (a counter)', () => {
    const counter = stats({ min: null, max: null });
    expect(combineRollups(counter, counter, concat)).toMatchObject({ count: 2, min: null, max: null });
  });
});

describe('combineByKey', () => {
  const row = (key: string, count: number, min: number | null = null) => ({
    key,
    count,
    errors: 0,
    sum: count,
    min,
    max: min,
    sketchBytes: null,
  });
  const merge = (a: Uint8Array) => a;

  it.each([
    { rows: [], out: [] },
    { rows: [row('a', 1)], out: [['a', 1, null]] },
    {
      rows: [row('b', 1, 5), row('a', 2), row('b', 3, 2)],
      out: [
        ['b', 4, 2],
        ['a', 2, null],
      ],
    },
  ])('one combined row per key, in first-seen order: $out', ({ rows, out }) => {
    const byKey = combineByKey(rows, (r) => r.key, merge);
    expect([...byKey.entries()].map(([k, r]) => [k, r.count, r.min])).toEqual(out);
  });
});

describe('clampQuantile(s): sketch quantiles never leave [min, max]', () => {
  it.each([
    [1767.5, 10, 1750, 1750],
    [9.9, 10, 1750, 10],
    [500, 10, 1750, 500],
    [500, null, null, 500],
    [2000, null, 1750, 1750],
    [null, 10, 1750, null],
  ])('%s in [%s, %s] → %s', (q, min, max, want) => {
    expect(clampQuantile(q, min, max)).toBe(want);
  });

  it('clamps p50, p90 and p99 of a row together, keeping other fields', () => {
    expect(clampQuantiles({ p50: 5, p90: 120, p99: 1767.5, n: 1 }, { min: 10, max: 1750 })).toEqual({
      p50: 10,
      p90: 120,
      p99: 1750,
      n: 1,
    });
  });
});
