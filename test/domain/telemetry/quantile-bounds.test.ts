import { describe, expect, it } from 'vitest';
import { clampQuantile, mergedBounds } from '../../../src/domain/telemetry/rollup.ts';

/** The bounds a quantile of merged sketches is clamped into, at read time (issue 13). */
describe('mergedBounds', () => {
  it.each([
    ['no rows: unknown', [], { min: null, max: null }],
    ['one row: its own', [{ min: 1200, max: 1200 }], { min: 1200, max: 1200 }],
    [
      'the least min, the greatest max',
      [
        { min: 80, max: 900 },
        { min: 40, max: 1200 },
      ],
      { min: 40, max: 1200 },
    ],
    [
      'a row without a max makes the max unknown (its values may be above the others)',
      [
        { min: 80, max: 900 },
        { min: 100, max: null },
      ],
      { min: 80, max: null },
    ],
    [
      'a row without a min makes the min unknown',
      [
        { min: null, max: 900 },
        { min: 100, max: 1000 },
      ],
      { min: null, max: 1000 },
    ],
  ])('%s', (_, rows, want) => {
    expect(mergedBounds(rows)).toEqual(want);
  });

  it('a bucket midpoint above every value sent reads as the max, not the midpoint', () => {
    // 100 values of 1.2 s in the (1 s, 2.5 s] bucket: the sketch holds its midpoint, 1.75 s.
    const { min, max } = mergedBounds([{ min: 1200, max: 1200 }]);
    expect(clampQuantile(1750, min, max)).toBe(1200);
  });
});
