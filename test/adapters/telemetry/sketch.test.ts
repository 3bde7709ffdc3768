import { DDSketch } from '@datadog/sketches-js';
import { describe, expect, it } from 'vitest';
import { rng } from '../../../bench/generate.ts';
import {
  add,
  addValue,
  fromBytes,
  merge,
  mergeRollups,
  newRollup,
  newSketch,
  quantile,
  RELATIVE_ACCURACY,
  type Rollup,
  sketchCount,
  summary,
  toBytes,
} from '../../../src/adapters/telemetry/sketch.ts';

const MINUTES = 60;
const PER_MINUTE = 10_000; // 600,000 values in the hour

/**
 * A skewed latency sample in ms: 99% fast (lognormal around 15 ms, clamped to 5–50 ms) and a 1% heavy
 * tail (log-uniform 50 ms – 30 s). Values are rounded to 1/1024 ms: dyadic numbers this small add up
 * exactly in a double, so the hourly sum must equal the sum of all values whatever the merge order.
 */
function latencies(seed: number, n: number): { values: number[]; errors: boolean[] } {
  const rnd = rng(seed);
  const values: number[] = [];
  const errors: boolean[] = [];
  for (let i = 0; i < n; i++) {
    let ms: number;
    if (rnd() < 0.99) {
      const u1 = 1 - rnd();
      const u2 = rnd();
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      ms = Math.min(50, Math.max(5, Math.exp(Math.log(15) + 0.5 * z)));
    } else {
      ms = 50 * (30_000 / 50) ** rnd();
    }
    values.push(Math.round(ms * 1024) / 1024);
    errors.push(ms > 5_000 || rnd() < 0.002);
  }
  return { values, errors };
}

/** The exact value at the rank the sketch answers for: ⌊q·(n − 1)⌋ of the sorted values. */
const exactQuantile = (sorted: Float64Array, q: number): number =>
  sorted[Math.floor(q * (sorted.length - 1))]!;
const relErr = (got: number | null, want: number): number => Math.abs(got! - want) / want;

/** A minute rollup as the database holds it: its columns, plus the sketch as bytes. */
interface StoredRollup extends Omit<Rollup, 'sketch'> {
  sketch: Uint8Array;
}
const store = (r: Rollup): StoredRollup => ({ ...r, sketch: toBytes(r.sketch) });
const load = (s: StoredRollup): Rollup => ({ ...s, sketch: fromBytes(s.sketch) });

function buildHour(): { all: number[]; allErrors: number; minutes: StoredRollup[] } {
  const all: number[] = [];
  let allErrors = 0;
  const minutes: StoredRollup[] = [];
  for (let m = 0; m < MINUTES; m++) {
    const { values, errors } = latencies(1000 + m, PER_MINUTE);
    const r = newRollup();
    values.forEach((v, i) => {
      addValue(r, v, { error: errors[i]! });
      all.push(v);
      if (errors[i]) allErrors += 1;
    });
    minutes.push(store(r));
  }
  return { all, allErrors, minutes };
}

const hour = buildHour();
const sortedAll = Float64Array.from(hour.all).sort();
const mergeAll = (rs: Rollup[]): Rollup => rs.reduce(mergeRollups, newRollup());

describe('telemetry sketch: hourly rollups merged from minute sketches', () => {
  it('the sample is skewed: p99 sits at the start of the tail and max reaches tens of seconds', () => {
    expect(sortedAll.length).toBe(600_000);
    expect(exactQuantile(sortedAll, 0.5)).toBeGreaterThan(10);
    expect(exactQuantile(sortedAll, 0.5)).toBeLessThan(20);
    expect(exactQuantile(sortedAll, 0.999)).toBeGreaterThan(1_000);
    expect(sortedAll[sortedAll.length - 1]).toBeGreaterThan(25_000);
  });

  it('p50, p90, p99 (and p99.9) of the merged hour are within 1% of the exact quantiles of all values', () => {
    const hourly = mergeAll(hour.minutes.map(load));
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      const want = exactQuantile(sortedAll, q);
      const got = quantile(hourly.sketch, q);
      expect(relErr(got, want), `q=${q}: got ${got}, exact ${want}`).toBeLessThanOrEqual(RELATIVE_ACCURACY);
    }
    const s = summary(hourly);
    expect(relErr(s.p50, exactQuantile(sortedAll, 0.5))).toBeLessThanOrEqual(0.01);
    expect(relErr(s.p90, exactQuantile(sortedAll, 0.9))).toBeLessThanOrEqual(0.01);
    expect(relErr(s.p99, exactQuantile(sortedAll, 0.99))).toBeLessThanOrEqual(0.01);
  });

  it('count, errors, sum, min and max of the hour are exact (from the columns, not the sketch)', () => {
    const s = summary(mergeAll(hour.minutes.map(load)));
    expect(s.count).toBe(600_000);
    expect(s.errors).toBe(hour.allErrors);
    expect(s.errors).toBeGreaterThan(0);
    expect(s.sum).toBe(hour.all.reduce((a, b) => a + b, 0));
    expect(s.min).toBe(sortedAll[0]);
    expect(s.max).toBe(sortedAll[sortedAll.length - 1]);
  });

  it('merging is order-independent: forward, reverse, shuffled and pairwise give the same hour', () => {
    const rnd = rng(7);
    const shuffled = [...hour.minutes];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const pairwise = (rs: Rollup[]): Rollup => {
      while (rs.length > 1) {
        const next: Rollup[] = [];
        for (let i = 0; i < rs.length; i += 2)
          next.push(rs[i + 1] ? mergeRollups(rs[i]!, rs[i + 1]!) : rs[i]!);
        rs = next;
      }
      return rs[0]!;
    };
    const qs = [0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];
    const figures = (r: Rollup) => ({ ...summary(r), qs: qs.map((q) => quantile(r.sketch, q)) });

    const forward = figures(mergeAll(hour.minutes.map(load)));
    expect(figures(mergeAll([...hour.minutes].reverse().map(load)))).toEqual(forward);
    expect(figures(mergeAll(shuffled.map(load)))).toEqual(forward);
    expect(figures(pairwise(hour.minutes.map(load)))).toEqual(forward);
  });

  it('mergeRollups leaves its inputs unchanged', () => {
    const a = load(hour.minutes[0]!);
    const b = load(hour.minutes[1]!);
    const before = [summary(a), summary(b)];
    mergeRollups(a, b);
    expect([summary(a), summary(b)]).toEqual(before);
  });
});

describe('telemetry sketch: bytes, empty sketches and bad input', () => {
  it('a sketch read back from bytes answers the same quantiles and count (min/max/sum are not in the bytes)', () => {
    const s = newSketch();
    for (const v of [3, 7, 7, 12, 40, 900]) add(s, v);
    const back = fromBytes(toBytes(s));
    expect(sketchCount(back)).toBe(6);
    for (const q of [0, 0.5, 0.9, 1]) expect(quantile(back, q)).toBe(quantile(s, q));
  });

  it('a minute read back from bytes gives bit-identical quantiles to the sketch that was written', () => {
    const { values } = latencies(42, PER_MINUTE);
    const s = newSketch();
    for (const v of values) add(s, v);
    const back = fromBytes(toBytes(s));
    for (const q of [0, 0.1, 0.5, 0.9, 0.99, 0.999, 1]) expect(quantile(back, q)).toBe(quantile(s, q));
  });

  it('an empty sketch has no quantiles: quantile() is null, and summary() of an empty rollup is all nulls', () => {
    expect(quantile(newSketch(), 0.5)).toBeNull();
    expect(quantile(fromBytes(toBytes(newSketch())), 0.99)).toBeNull();
    expect(summary(newRollup())).toEqual({
      count: 0,
      errors: 0,
      sum: 0,
      min: null,
      max: null,
      p50: null,
      p90: null,
      p99: null,
    });
  });

  it('merging an empty rollup in either order changes nothing', () => {
    const r = load(hour.minutes[3]!);
    expect(summary(mergeRollups(r, newRollup()))).toEqual(summary(r));
    expect(summary(mergeRollups(newRollup(), r))).toEqual(summary(r));
    const s = newSketch();
    merge(s, newSketch());
    expect(sketchCount(s)).toBe(0);
  });

  it('refuses a quantile outside [0, 1], a non-finite value, and bytes of another relative accuracy', () => {
    expect(() => quantile(newSketch(), 1.5)).toThrow(RangeError);
    expect(() => quantile(newSketch(), -0.1)).toThrow(RangeError);
    expect(() => quantile(newSketch(), Number.NaN)).toThrow(RangeError);
    expect(() => add(newSketch(), Number.NaN)).toThrow(RangeError);
    expect(() => addValue(newRollup(), Number.POSITIVE_INFINITY)).toThrow(RangeError);
    const coarse = new DDSketch({ relativeAccuracy: 0.02 });
    coarse.accept(10);
    expect(() => fromBytes(coarse.toProto())).toThrow(/relative accuracy/);
  });

  it('refuses compact bytes it could not have written: a key past any double, a count past 2^53', () => {
    // 0x01 (compact), flags 0, zero count 0, one positive bin: key zigzag(2^40) as a varint, count 1.
    const varint = (n: bigint): number[] => {
      const out: number[] = [];
      while (n >= 0x80n) {
        out.push(Number(n % 0x80n) | 0x80);
        n /= 0x80n;
      }
      return [...out, Number(n)];
    };
    const bin = (key: bigint, count: bigint) =>
      new Uint8Array([1, 0, 0, 1, ...varint(key * 2n), ...varint(count), 0]);
    expect(() => fromBytes(bin(2n ** 40n, 1n))).toThrow(/out of range/);
    expect(() => fromBytes(bin(100n, 2n ** 60n))).toThrow(/too large/);
    // What toBytes writes still reads back.
    expect(quantile(fromBytes(bin(100n, 3n)), 0.5)).toBeGreaterThan(0);
  });
});
