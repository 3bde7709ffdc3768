import { describe, expect, it } from 'vitest';
import {
  add,
  fromBytes,
  newSketch,
  rankBelow,
  rankBelowBytes,
  toBytes,
} from '../../../src/adapters/telemetry/sketch.ts';

/** rankBelow: how many values are under a threshold, within the sketch's 1% relative accuracy. */
describe('telemetry sketch: rankBelow', () => {
  it('is 0 for an empty sketch, all or none at the extremes', () => {
    expect(rankBelow(newSketch(), 100)).toBe(0);
    const s = newSketch();
    for (let v = 10; v <= 1000; v += 10) add(s, v);
    expect(rankBelow(s, 5)).toBe(0);
    expect(rankBelow(s, 5000)).toBe(100);
  });

  it('is exact for thresholds more than 1% away from every value', () => {
    const s = newSketch();
    for (let v = 1; v <= 10; v++) for (let k = 0; k < 7; k++) add(s, v * 100); // 100 … 1000, 7 each
    for (const [t, expected] of [
      [150, 7],
      [550, 35],
      [950, 63],
      [1050, 70],
    ] as const)
      expect(rankBelow(s, t)).toBe(expected);
  });

  it('is within 1% relative accuracy of the exact count with duplicates and weights', () => {
    const s = newSketch();
    const values: number[] = [];
    let x = 7;
    for (let i = 0; i < 5000; i++) {
      x = (x * 48271) % 2147483647;
      values.push(1 + (x % 2000));
    }
    for (const v of values) add(s, v);
    add(s, 50, 100); // 100 more at 50
    for (const t of [40, 100, 300, 1000, 1900]) {
      const exactLow = values.filter((v) => v < t * 0.99).length + (50 < t * 0.99 ? 100 : 0);
      const exactHigh = values.filter((v) => v < t * 1.01).length + (50 < t * 1.01 ? 100 : 0);
      const got = rankBelow(s, t);
      expect(got).toBeGreaterThanOrEqual(exactLow);
      expect(got).toBeLessThanOrEqual(exactHigh);
    }
  });

  it('reads stored bytes the same way', () => {
    const s = newSketch();
    for (let v = 1; v <= 100; v++) add(s, v * 10);
    expect(rankBelowBytes(toBytes(s), 505)).toBe(50);
    expect(rankBelow(fromBytes(toBytes(s)), 505)).toBe(50);
  });
});
