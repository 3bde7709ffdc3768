import { describe, expect, it } from 'vitest';
import { decimalToMinor, minorUnits } from '../../../src/domain/commerce/amounts.ts';

describe('minorUnits: the ISO 4217 exponent', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['TRY', 2],
    ['HUF', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['VND', 0],
    ['CLP', 0],
    ['ISK', 0],
    ['UGX', 0],
    ['XAF', 0],
    ['XOF', 0],
    ['BHD', 3],
    ['JOD', 3],
    ['KWD', 3],
    ['OMR', 3],
    ['TND', 3],
    ['CLF', 4],
    ['jpy', 0],
    ['ZZZ', 2],
  ])('%s has %i decimals', (currency, places) => {
    expect(minorUnits(currency)).toBe(places);
  });
});

describe('decimalToMinor: exact decimal text → integer minor units', () => {
  it.each([
    ['19.99', 'USD', 1999],
    ['0.01', 'USD', 1],
    ['0.10', 'USD', 10],
    ['0.1', 'USD', 10],
    ['1200', 'USD', 120000],
    ['1200.5', 'USD', 120050],
    ['0', 'USD', 0],
    ['0.00', 'USD', 0],
    ['19.990', 'USD', 1999],
    ['007.50', 'USD', 750],
    [' 5.00 ', 'USD', 500],
    ['1500', 'JPY', 1500],
    ['1500.00', 'JPY', 1500],
    ['1.5', 'KWD', 1500],
    ['1.250', 'KWD', 1250],
    ['0.001', 'BHD', 1],
    ['90071992547409.91', 'USD', 9_007_199_254_740_991],
  ])('%j %s → %i', (text, currency, minor) => {
    expect(decimalToMinor(text, currency)).toBe(minor);
  });

  it('is exact where floating point is not (no 19.99 → 1998)', () => {
    // 19.99 * 100 is 1998.9999999999998 and 1.15 * 100 is 114.99999999999999 in floating point.
    expect([
      decimalToMinor('19.99', 'USD'),
      decimalToMinor('1.15', 'USD'),
      decimalToMinor('4.35', 'USD'),
    ]).toEqual([1999, 115, 435]);
    const parts = ['0.1', '0.2'].map((t) => decimalToMinor(t, 'USD')!);
    expect(parts[0]! + parts[1]!).toBe(30);
  });

  it.each([
    ['-1.00', 'USD'],
    ['1e3', 'USD'],
    ['1E3', 'USD'],
    ['1,200.00', 'USD'],
    ['12.', 'USD'],
    ['.5', 'USD'],
    ['', 'USD'],
    ['abc', 'USD'],
    ['NaN', 'USD'],
    ['Infinity', 'USD'],
    ['0x10', 'USD'],
    ['1.999', 'USD'],
    ['10.5', 'JPY'],
    ['1.2345', 'KWD'],
    ['90071992547409.92', 'USD'],
    ['99999999999999999999', 'USD'],
    ['1'.repeat(40), 'JPY'],
  ])('refuses %j in %s', (text, currency) => {
    expect(decimalToMinor(text, currency)).toBeNull();
  });

  it('takes numbers that are safe integers, or whose shortest text is a plain decimal', () => {
    expect(decimalToMinor(19.99, 'USD')).toBe(1999);
    expect(decimalToMinor(12, 'USD')).toBe(1200);
    expect(decimalToMinor(1500, 'JPY')).toBe(1500);
    expect(decimalToMinor(1.5, 'KWD')).toBe(1500);
    expect(decimalToMinor(0, 'USD')).toBe(0);
    expect(Object.is(decimalToMinor(-0, 'USD'), 0)).toBe(true);
  });

  it('refuses numbers that would need rounding or are not amounts', () => {
    expect(decimalToMinor(0.1 + 0.2, 'USD')).toBeNull(); // "0.30000000000000004"
    expect(decimalToMinor(-5, 'USD')).toBeNull();
    expect(decimalToMinor(-5.5, 'USD')).toBeNull();
    expect(decimalToMinor(1e21, 'USD')).toBeNull(); // "1e+21"
    expect(decimalToMinor(1e-7, 'USD')).toBeNull(); // "1e-7"
    expect(decimalToMinor(Number.NaN, 'USD')).toBeNull();
    expect(decimalToMinor(Number.POSITIVE_INFINITY, 'USD')).toBeNull();
    expect(decimalToMinor(Number.MAX_SAFE_INTEGER, 'USD')).toBeNull(); // ×100 is past 2^53
    expect(decimalToMinor(Number.MAX_SAFE_INTEGER, 'JPY')).toBe(Number.MAX_SAFE_INTEGER);
    expect(decimalToMinor(10.5, 'JPY')).toBeNull();
  });
});
