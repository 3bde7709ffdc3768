import { describe, expect, it } from 'vitest';
import { centsToDollars, formatUsd, parseDollarsToCents } from '../../src/shared/money.ts';

describe('parseDollarsToCents', () => {
  it.each([
    ['0', 0],
    ['1200', 120_000],
    ['1200.5', 120_050],
    ['1200.55', 120_055],
    ['0.01', 1],
    [' 42 ', 4_200],
  ])('%j → %i cents', (text, cents) => {
    expect(parseDollarsToCents(text)).toBe(cents);
  });

  it.each(['', '-5', '1.234', '1e3', '1,200', '$5', '.5', '5.', 'abc', '99999999999999999999'])(
    'rejects %j',
    (text) => {
      expect(parseDollarsToCents(text)).toBeNull();
    },
  );

  it('centsToDollars', () => {
    expect(centsToDollars(123_456)).toBe(1234.56);
  });
});

describe('formatUsd: whole dollars with thousands separators', () => {
  it.each([
    [0, '$0'],
    [49, '$0'],
    [50, '$1'],
    [150, '$2'],
    [225_000, '$2,250'],
    [74_608_900, '$746,089'],
    [3_140_050, '$31,401'],
    [-150, '-$2'],
    [-50, '-$1'],
    [-49, '$0'],
    [-74_608_900, '-$746,089'],
  ])('%i cents → %s', (cents, text) => {
    expect(formatUsd(cents)).toBe(text);
  });
});
