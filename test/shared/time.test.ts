import { describe, expect, it } from 'vitest';
import { DAY_MS, MINUTE_MS, parseIsoInstant, wholeDays, wholeMinutes } from '../../src/shared/time.ts';

describe('whole minutes and days truncate toward zero (DOMAIN.md time rule)', () => {
  const t0 = Date.parse('2025-06-01T00:00:00Z');
  it.each([
    [0, 0, 0],
    [MINUTE_MS - 1, 0, 0],
    [MINUTE_MS, 1, 0],
    [30 * MINUTE_MS + 59_999, 30, 0],
    [DAY_MS - 1, 1439, 0],
    [DAY_MS, 1440, 1],
    [2 * DAY_MS - 1, 2879, 1],
    [-(MINUTE_MS + 1), -1, 0],
    [-(DAY_MS + 1), -1440, -1],
  ])('%i ms elapsed → %i minutes, %i days', (elapsed, minutes, days) => {
    // `+ 0` folds the -0 that truncating a small negative gives into 0.
    expect(wholeMinutes(t0, t0 + elapsed) + 0).toBe(minutes);
    expect(wholeDays(t0, t0 + elapsed) + 0).toBe(days);
  });
});

describe('parseIsoInstant', () => {
  it.each([
    ['2025-06-01T12:00:00Z', Date.UTC(2025, 5, 1, 12)],
    ['2025-06-01T12:00Z', Date.UTC(2025, 5, 1, 12)],
    ['2025-06-01T12:00:00.250Z', Date.UTC(2025, 5, 1, 12, 0, 0, 250)],
    ['2025-06-01T14:00:00+02:00', Date.UTC(2025, 5, 1, 12)],
    ['2025-06-01T07:00:00-0500', Date.UTC(2025, 5, 1, 12)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['2025-12-31T23:59:59Z', Date.UTC(2025, 11, 31, 23, 59, 59)],
  ])('%s → epoch ms', (text, ms) => {
    expect(parseIsoInstant(text)).toBe(ms);
  });

  it.each([
    ['no zone', '2025-06-01T12:00:00'],
    ['date only', '2025-06-01'],
    ['space separator', '2025-06-01 12:00:00Z'],
    ['month 13', '2025-13-01T00:00:00Z'],
    ['month 0', '2025-00-10T00:00:00Z'],
    ['day 0', '2025-01-00T00:00:00Z'],
    ['February 30 (would roll to March 1)', '2024-02-30T00:00:00Z'],
    ['February 29 in a common year', '2023-02-29T00:00:00Z'],
    ['February 29 in 1900 (not a leap year)', '1900-02-29T00:00:00Z'],
    ['April 31', '2025-04-31T00:00:00Z'],
    ['September 31', '2025-09-31T00:00:00Z'],
    ['minute 60', '2025-06-01T12:60:00Z'],
    ['text', 'yesterday'],
    ['empty', ''],
  ])('rejects %s', (_label, text) => {
    expect(parseIsoInstant(text)).toBeNull();
  });
});
