import { describe, expect, it } from 'vitest';
import { type CalendarWindow, periodStartMs } from '../../../src/domain/sla/calendar.ts';
import { durationDays, parseDuration } from '../../../src/domain/sla/duration.ts';
import { burnSpan } from '../../../src/domain/sla/reading.ts';
import { DAY_MS } from '../../../src/shared/time.ts';
import { definitionsOf, edit, errorsOf, service, sli, slo } from './openslo-fixtures.ts';

/** Budget windows: OpenSLO durations, rolling and calendar-aligned (week, month, quarter). */

const at = (iso: string) => Date.parse(iso);
const withWindow = (w: unknown) => [service(), sli(), edit(slo(), 'spec.timeWindow', [w])];
const SLO = 'docs[2] (SLO checkout-availability)';

describe('durations', () => {
  it.each([
    ['1M', { count: 1, unit: 'M' }],
    ['1Q', { count: 1, unit: 'Q' }],
    ['4w', { count: 4, unit: 'w' }],
    ['30d', { count: 30, unit: 'd' }],
    ['1h', { count: 1, unit: 'h' }],
    ['5m', { count: 5, unit: 'm' }],
  ])('%s parses', (text, parsed) => {
    expect(parseDuration(text)).toEqual(parsed);
  });

  it('a rolling window is whole days; a month counts 30, a quarter 90', () => {
    expect([
      durationDays('30d'),
      durationDays('4w'),
      durationDays('720h'),
      durationDays('1M'),
      durationDays('1Q'),
    ]).toEqual([30, 28, 30, 30, 90]);
    expect(durationDays('1h')).toBe('must be a whole number of days from 1d to 366d (got "1h")');
    expect(durationDays('2Y')).toBe('must be a whole number of days from 1d to 366d (got "2Y")');
  });
});

describe('calendar windows', () => {
  const cal = (over: Partial<CalendarWindow>): CalendarWindow => ({
    count: 1,
    unit: 'M',
    startTime: '2026-01-01 00:00:00',
    timeZone: 'UTC',
    ...over,
  });

  it.each([
    // [window, now, period start]
    [cal({}), '2026-03-17T10:00:00Z', '2026-03-01T00:00:00Z'],
    [cal({}), '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z'],
    [cal({}), '2026-02-28T23:59:59Z', '2026-02-01T00:00:00Z'],
    [cal({}), '2025-12-31T12:00:00Z', '2025-12-01T00:00:00Z'], // before startTime: periods run back too
    [cal({ unit: 'Q' }), '2026-05-20T00:00:00Z', '2026-04-01T00:00:00Z'],
    [cal({ unit: 'Q' }), '2026-12-31T23:00:00Z', '2026-10-01T00:00:00Z'],
    [cal({ unit: 'w', startTime: '2026-01-05 00:00:00' }), '2026-03-19T08:00:00Z', '2026-03-16T00:00:00Z'], // Mondays
    [cal({ unit: 'M', startTime: '2026-01-31 00:00:00' }), '2026-02-28T12:00:00Z', '2026-02-28T00:00:00Z'], // the 31st → the month's last day
    // A month in New York starts at 05:00 UTC (04:00 in summer time).
    [cal({ timeZone: 'America/New_York' }), '2026-03-01T04:59:00Z', '2026-02-01T05:00:00Z'],
    [cal({ timeZone: 'America/New_York' }), '2026-07-15T00:00:00Z', '2026-07-01T04:00:00Z'],
    [
      cal({ unit: 'w', startTime: '2026-01-05 00:00:00', timeZone: 'Europe/Paris' }),
      '2026-03-29T12:00:00Z',
      '2026-03-22T23:00:00Z',
    ],
  ])('%j at %s starts at %s', (window, now, start) => {
    expect(new Date(periodStartMs(window, at(now))).toISOString()).toBe(new Date(at(start)).toISOString());
  });

  it('an SLO with a calendar month: nominal 30 days for the factors, the budget from the 1st', () => {
    const [def] = definitionsOf(
      withWindow({
        duration: '1M',
        isRolling: false,
        calendar: { startTime: '2026-01-01 00:00:00', timeZone: 'UTC' },
      }),
    );
    expect(def).toMatchObject({
      windowDays: 30,
      calendar: { count: 1, unit: 'M', startTime: '2026-01-01 00:00:00', timeZone: 'UTC' },
    });
    const span = burnSpan(def!, at('2026-03-17T10:00:00Z'));
    expect(new Date(span.goldFromMs).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    // A rolling 30 days reaches back 29 complete days instead.
    expect(burnSpan({ windowDays: 30 }, at('2026-03-17T10:00:00Z')).goldFromMs).toBe(
      at('2026-03-17T00:00:00Z') - 29 * DAY_MS,
    );
  });

  it('calendar given without isRolling means a calendar window; without calendar, UTC boundaries', () => {
    expect(
      definitionsOf(withWindow({ duration: '1w', calendar: { timeZone: 'Europe/Paris' } }))[0]!.calendar,
    ).toEqual({
      count: 1,
      unit: 'w',
      startTime: '1970-01-05 00:00:00',
      timeZone: 'Europe/Paris',
    });
    expect(definitionsOf(withWindow({ duration: '1Q', isRolling: false }))[0]).toMatchObject({
      windowDays: 90,
      calendar: { unit: 'Q', startTime: '1970-01-01 00:00:00', timeZone: 'UTC' },
    });
  });

  it('refuses a calendar it cannot follow, naming the field', () => {
    expect(
      errorsOf(
        withWindow({
          duration: '1M',
          isRolling: false,
          calendar: { startTime: '2026-02-30', timeZone: 'Mars/Olympus' },
        }),
      ),
    ).toEqual([
      `${SLO}: spec.timeWindow[0].calendar.startTime must be a date and time such as "2026-01-01 00:00:00" (got "2026-02-30")`,
      `${SLO}: spec.timeWindow[0].calendar.timeZone must be an IANA time zone such as "Europe/Paris" or "UTC" (got "Mars/Olympus")`,
    ]);
    expect(errorsOf(withWindow({ duration: '1M', isRolling: true, calendar: { timeZone: 'UTC' } }))).toEqual([
      `${SLO}: spec.timeWindow[0].calendar must not be set when isRolling is true (a rolling window has no calendar)`,
    ]);
    expect(errorsOf(withWindow({ duration: '2Y', isRolling: false }))).toEqual([
      `${SLO}: spec.timeWindow[0].duration must be at most a year (got "2Y")`,
    ]);
  });
});
