import { describe, expect, it } from 'vitest';
import {
  formatBurn,
  formatCount,
  formatPercentLeft,
  formatShare,
  formatTarget,
} from '../../src/shared/format.ts';

/** The one way every human surface (CLI tables, Slack blocks) writes burn, shares and counts (issue 10, item 13). */

describe('formatBurn: a multiple of the budget, never a percent', () => {
  it.each([
    [0, '0.00×'],
    [0.35, '0.35×'],
    [0.999, '1.00×'],
    [1, '1.0×'],
    [14.508, '14.5×'],
    [13.83588, '13.8×'],
    [1450.8, '1,450.8×'],
    [12_345.04, '12,345.0×'],
  ])('%d → %s', (burn, text) => expect(formatBurn(burn)).toBe(text));
});

describe('formatCount: thousands separators', () => {
  it.each([
    [0, '0'],
    [7, '7'],
    [999, '999'],
    [12_345, '12,345'],
    [1_000_000, '1,000,000'],
  ])('%i → %s', (n, text) => expect(formatCount(n)).toBe(text));
});

describe('formatShare: floored, so a miss never shows as its target', () => {
  it.each([
    [1, '100%'],
    [0.99949, '99.949%'],
    [0.9989999, '99.899%'],
    [0.9994, '99.940%'],
    [0.99, '99.000%'],
    [0.98214, '98.21%'],
    [0.5, '50.00%'],
    [0, '0.00%'],
  ])('%d → %s', (x, text) => expect(formatShare(x)).toBe(text));
});

describe('formatPercentLeft and formatTarget', () => {
  it.each([
    [0.9, '90%'],
    [0.5714, '57%'],
    [0.009, '0%'],
    [-0.4, '0%'],
    [1.2, '100%'],
  ])('budget left %d → %s', (x, text) => expect(formatPercentLeft(x)).toBe(text));

  it.each([
    [0.999, '99.9%'],
    [0.9995, '99.95%'],
    [0.99, '99%'],
    [0.95, '95%'],
  ])('target %d → %s', (t, text) => expect(formatTarget(t)).toBe(text));
});
