import { describe, expect, it } from 'vitest';
import {
  addDays,
  dayEndMs,
  dayStartMs,
  localDay,
  validTimeZone,
  weekdayOf,
} from '../../../src/domain/commerce/days.ts';
import { BUCKET_MS } from '../../../src/domain/commerce/ledger.ts';

const HOUR = 3_600_000;
const utc = (iso: string): number => Date.parse(iso);
const hoursLong = (day: string, tz: string): number => (dayEndMs(day, tz) - dayStartMs(day, tz)) / HOUR;

describe('localDay: the local date of an instant', () => {
  it.each([
    ['2026-06-10T23:59:59.999Z', 'UTC', '2026-06-10'],
    ['2026-06-11T00:00:00.000Z', 'UTC', '2026-06-11'],
    // New York in EDT (−4): midnight is 04:00Z.
    ['2026-06-11T03:59:59.999Z', 'America/New_York', '2026-06-10'],
    ['2026-06-11T04:00:00.000Z', 'America/New_York', '2026-06-11'],
    // Kathmandu is +05:45 all year: midnight is 18:15Z the day before.
    ['2026-06-10T18:14:59.999Z', 'Asia/Kathmandu', '2026-06-10'],
    ['2026-06-10T18:15:00.000Z', 'Asia/Kathmandu', '2026-06-11'],
    ['2026-06-10T10:00:00.000Z', 'Pacific/Kiritimati', '2026-06-11'],
  ])('%s in %s is %s', (iso, tz, day) => {
    expect(localDay(utc(iso), tz)).toBe(day);
  });
});

describe('dayStartMs: where local midnight begins, across clock changes', () => {
  it('America/New_York 2026-03-08 (clocks forward at 02:00) begins on EST and is 23 hours long', () => {
    expect(dayStartMs('2026-03-08', 'America/New_York')).toBe(utc('2026-03-08T05:00:00Z'));
    expect(dayStartMs('2026-03-09', 'America/New_York')).toBe(utc('2026-03-09T04:00:00Z'));
    expect(hoursLong('2026-03-08', 'America/New_York')).toBe(23);
  });

  it('America/New_York 2026-11-01 (clocks back at 02:00) is 25 hours long; the days around it 24', () => {
    expect(dayStartMs('2026-11-01', 'America/New_York')).toBe(utc('2026-11-01T04:00:00Z'));
    expect(hoursLong('2026-11-01', 'America/New_York')).toBe(25);
    expect(hoursLong('2026-10-31', 'America/New_York')).toBe(24);
    expect(hoursLong('2026-11-02', 'America/New_York')).toBe(24);
    expect(hoursLong('2026-03-07', 'America/New_York')).toBe(24);
  });

  it('Asia/Kathmandu (+05:45) begins at 18:15Z the day before, a whole number of 15-minute buckets', () => {
    const start = dayStartMs('2026-01-01', 'Asia/Kathmandu');
    expect(start).toBe(utc('2025-12-31T18:15:00Z'));
    expect(start % BUCKET_MS).toBe(0);
    expect(hoursLong('2026-01-01', 'Asia/Kathmandu')).toBe(24);
  });

  it('a midnight that does not exist (Santiago moves 00:00 to 01:00) begins at the change', () => {
    const start = dayStartMs('2026-09-06', 'America/Santiago');
    expect(start).toBe(utc('2026-09-06T04:00:00Z'));
    expect(localDay(start, 'America/Santiago')).toBe('2026-09-06');
    expect(localDay(start - 1, 'America/Santiago')).toBe('2026-09-05');
    expect(hoursLong('2026-09-06', 'America/Santiago')).toBe(23);
  });

  it('every day starts where the previous one ends, for a year in several zones', () => {
    for (const tz of ['America/New_York', 'Europe/London', 'Asia/Kathmandu', 'Australia/Lord_Howe']) {
      for (let d = '2026-01-01'; d < '2027-01-01'; d = addDays(d, 1)) {
        const start = dayStartMs(d, tz);
        expect(localDay(start, tz)).toBe(d);
        expect(localDay(start - 1, tz)).toBe(addDays(d, -1));
      }
    }
  });

  it('UTC days are 24 hours from 00:00Z', () => {
    expect(dayStartMs('2026-06-10', 'UTC')).toBe(utc('2026-06-10T00:00:00Z'));
    expect(hoursLong('2026-06-10', 'UTC')).toBe(24);
  });
});

describe('calendar arithmetic on days', () => {
  it.each([
    ['2026-03-01', -1, '2026-02-28'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2026-03-08', -28, '2026-02-08'],
    ['2026-06-10', 0, '2026-06-10'],
  ])('addDays(%s, %i) is %s', (day, n, want) => {
    expect(addDays(day, n)).toBe(want);
  });

  it('weekdayOf: 0 is Sunday', () => {
    expect(weekdayOf('2026-03-08')).toBe(0);
    expect(weekdayOf('2026-06-13')).toBe(6);
    expect(weekdayOf('2026-06-10')).toBe(3);
  });

  it('a malformed or impossible day is a caller bug and throws', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => weekdayOf('2026-6-1')).toThrow(RangeError);
    expect(() => dayStartMs('yesterday', 'UTC')).toThrow(RangeError);
  });
});

describe('validTimeZone', () => {
  it.each([
    ['UTC', true],
    ['America/New_York', true],
    ['Asia/Kathmandu', true],
    ['Mars/Olympus_Mons', false],
    ['', false],
    ['  ', false],
  ])('%j → %s', (tz, ok) => {
    expect(validTimeZone(tz)).toBe(ok);
  });
});
