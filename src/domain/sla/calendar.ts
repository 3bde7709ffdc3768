import { DAY_MS } from '../../shared/time.ts';
import { show } from '../zod-issues.ts';
import { type DurationUnit, MAX_WINDOW_DAYS, nominalMs, parseDuration } from './duration.ts';

/**
 * Calendar-aligned budget windows (OpenSLO `timeWindow: [{ duration: 1M, isRolling: false, calendar: {
 * startTime, timeZone } }]`): the budget restarts at each period's start instead of rolling. Periods are
 * counted from `calendar.startTime` (a wall-clock time in `calendar.timeZone`, an IANA zone) in steps of
 * the duration: `1w` from a Monday gives ISO weeks, `1M` from the 1st gives calendar months, `1Q` from
 * January 1st gives quarters. A month step from the 31st lands on the month's last day.
 *
 * Without `calendar`, periods start at Monday 00:00 UTC (d, w) or January 1st 00:00 UTC (M, Q, Y).
 * Gold is kept per UTC day, so the budget of a period counts the whole UTC days from the one its start
 * falls on (exact for UTC; up to a day's hours early for another zone).
 */

export type CalendarUnit = Extract<DurationUnit, 'd' | 'w' | 'M' | 'Q' | 'Y'>;

export interface CalendarWindow {
  count: number;
  unit: CalendarUnit;
  /** `YYYY-MM-DD HH:MM:SS`, wall-clock time in timeZone. */
  startTime: string;
  timeZone: string;
}

const MONTHS: Partial<Record<CalendarUnit, number>> = { M: 1, Q: 3, Y: 12 };
const DAYS: Partial<Record<CalendarUnit, number>> = { d: 1, w: 7 };
const START = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?)?$/;

type Wall = { y: number; mo: number; d: number; h: number; mi: number; s: number };

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      return null;
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock in `timeZone` at `atMs`, read back as if it were UTC (its "local epoch"). */
function localEpoch(f: Intl.DateTimeFormat, atMs: number): number {
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(atMs))) p[part.type] = Number(part.value);
  return Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']! % 24, p['minute']!, p['second']!);
}

/** The instant whose wall clock in the zone is `local` (a DST gap resolves forward, an overlap to the first). */
function instantOf(f: Intl.DateTimeFormat, local: number): number {
  const first = local - (localEpoch(f, local) - local);
  const offset = localEpoch(f, first) - first;
  return local - offset;
}

const wallOf = (ms: number): Wall => {
  const d = new Date(ms);
  return {
    y: d.getUTCFullYear(),
    mo: d.getUTCMonth(),
    d: d.getUTCDate(),
    h: d.getUTCHours(),
    mi: d.getUTCMinutes(),
    s: d.getUTCSeconds(),
  };
};
const lastDay = (y: number, mo: number) => new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();

/** `calendar.startTime` as a local epoch (its wall clock read as UTC), or null when it is no such time. */
function localStart(text: unknown): number | null {
  const m = typeof text === 'string' ? START.exec(text) : null;
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > lastDay(y, mo - 1) || h > 23 || mi > 59 || s > 59)
    return null;
  return Date.UTC(y, mo - 1, d, h, mi, s);
}
/** `start` moved by `k` periods, still as a local epoch. */
function shifted(cal: CalendarWindow, start: Wall, k: number): number {
  const months = MONTHS[cal.unit];
  if (months !== undefined) {
    const total = start.mo + k * months * cal.count;
    const y = start.y + Math.floor(total / 12);
    const mo = ((total % 12) + 12) % 12;
    return Date.UTC(y, mo, Math.min(start.d, lastDay(y, mo)), start.h, start.mi, start.s);
  }
  const { y, mo, d, h, mi, s } = start;
  return Date.UTC(y, mo, d, h, mi, s) + k * DAYS[cal.unit]! * cal.count * DAY_MS;
}

/** Start (epoch ms) of the calendar period that contains `nowMs`. */
export function periodStartMs(cal: CalendarWindow, nowMs: number): number {
  const f = formatter(cal.timeZone)!;
  const startLocal = localStart(cal.startTime)!;
  const start = wallOf(startLocal);
  const now = wallOf(localEpoch(f, nowMs));
  const months = MONTHS[cal.unit];
  let k = months
    ? Math.floor((now.y * 12 + now.mo - (start.y * 12 + start.mo)) / (months * cal.count))
    : Math.floor((localEpoch(f, nowMs) - startLocal) / (DAYS[cal.unit]! * cal.count * DAY_MS));
  while (instantOf(f, shifted(cal, start, k)) > nowMs) k--;
  while (instantOf(f, shifted(cal, start, k + 1)) <= nowMs) k++;
  return instantOf(f, shifted(cal, start, k));
}

/** The first UTC day (start ms) whose Gold snapshot counts toward the period containing nowMs. */
export const calendarBudgetFromDay = (cal: CalendarWindow, nowMs: number): number =>
  Math.floor(periodStartMs(cal, nowMs) / DAY_MS) * DAY_MS;

const DEFAULT_START: Record<CalendarUnit, string> = {
  d: '1970-01-05 00:00:00', // a Monday
  w: '1970-01-05 00:00:00',
  M: '1970-01-01 00:00:00',
  Q: '1970-01-01 00:00:00',
  Y: '1970-01-01 00:00:00',
};

/**
 * A calendar window from its duration and `calendar` (at = the timeWindow entry's path), with its nominal
 * length in days for the burn factors (a month 30); or the problems.
 */
export function calendarWindowOf(
  duration: unknown,
  calendar: { startTime?: unknown; timeZone?: unknown } | undefined,
  at: string,
): { window: CalendarWindow; days: number } | { errors: string[] } {
  const errors: string[] = [];
  const d = parseDuration(duration);
  if (typeof d === 'string') return { errors: [`${at}.duration ${d}`] };
  if (d.unit === 'm' || d.unit === 'h')
    return {
      errors: [
        `${at}.duration ${show(duration)}: a calendar window is whole days or longer (d, w, M, Q or Y)`,
      ],
    };
  const days = nominalMs(d) / DAY_MS;
  if (days > MAX_WINDOW_DAYS) errors.push(`${at}.duration must be at most a year (got ${show(duration)})`);
  const unit = d.unit as CalendarUnit;
  const startTime = calendar?.startTime ?? DEFAULT_START[unit];
  const timeZone = calendar?.timeZone ?? 'UTC';
  if (localStart(startTime) === null)
    errors.push(
      `${at}.calendar.startTime must be a date and time such as "2026-01-01 00:00:00" (got ${show(startTime, 'a mapping')})`,
    );
  if (typeof timeZone !== 'string' || formatter(timeZone) === null)
    errors.push(
      `${at}.calendar.timeZone must be an IANA time zone such as "Europe/Paris" or "UTC" (got ${show(timeZone, 'a mapping')})`,
    );
  if (errors.length > 0) return { errors };
  return {
    window: { count: d.count, unit, startTime: startTime as string, timeZone: timeZone as string },
    days,
  };
}

const UNIT_NAMES: Record<CalendarUnit, string> = { d: 'day', w: 'week', M: 'month', Q: 'quarter', Y: 'year' };

/**
 * An SLA's budget window as every view names it (Slack blocks, the CLI): a rolling window by its days,
 * `30d` (`short`) or `30-day` (`adjective`, "the 30-day budget"); a calendar window by its period,
 * `calendar month`, `calendar week`, `calendar quarter` (`calendar 2 weeks` for two), in either form.
 * A calendar month is not 30 days: its windowDays (the burn factors' nominal length) is never shown for it.
 */
export function windowLabel(
  w: { windowDays: number; calendar?: Pick<CalendarWindow, 'count' | 'unit'> },
  form: 'short' | 'adjective' = 'short',
): string {
  if (w.calendar) {
    const name = UNIT_NAMES[w.calendar.unit];
    return w.calendar.count === 1 ? `calendar ${name}` : `calendar ${w.calendar.count} ${name}s`;
  }
  return form === 'short' ? `${w.windowDays}d` : `${w.windowDays}-day`;
}
