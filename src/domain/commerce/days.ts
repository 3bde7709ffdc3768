import { DAY_MS } from '../../shared/time.ts';

/**
 * Local revenue days in an IANA time zone (REVENUE_TIMEZONE), with nothing but `Intl.DateTimeFormat`.
 *
 * A day is a string `YYYY-MM-DD` naming a local calendar date; its instants are [dayStartMs(day),
 * dayStartMs(addDays(day, 1))), which is 24 hours long except on a clock change (America/New_York
 * 2026-03-08 is 23 h, 2026-11-01 is 25 h). Calendar arithmetic on the strings (addDays, weekdayOf) needs no
 * zone at all: it is done on a UTC calendar, where every day is 24 hours.
 */

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Formatters are costly to build and the zone set is tiny: one per zone, reused. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The local wall clock at `ms` read as if it were UTC (epoch ms, whole seconds). */
function wallClockMs(ms: number, tz: string): number {
  const p: Record<string, number> = {};
  for (const part of formatterOf(tz).formatToParts(ms)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']! % 24, p['minute']!, p['second']!);
}

/** The zone's offset from UTC at instant `ms` (local = UTC + offset), in ms. */
const offsetAt = (ms: number, tz: string): number => wallClockMs(ms, tz) - Math.floor(ms / 1000) * 1000;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

const dayOfUtcMs = (ms: number): string => {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
};

/** `YYYY-MM-DD` as the UTC midnight of that date; throws on anything else (a caller's bug, not input). */
function utcMidnightOf(day: string): number {
  const m = DAY_RE.exec(day);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(ms) || dayOfUtcMs(ms) !== day)
    throw new RangeError(`not a day (YYYY-MM-DD): ${day}`);
  return ms;
}

/** Whether `tz` is a time zone this runtime knows (an IANA name such as Europe/Istanbul, or UTC). */
export function validTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz.trim() === '') return false;
  try {
    formatterOf(tz);
    return true;
  } catch {
    return false;
  }
}

/** The local date of instant `ms` in `tz`, `YYYY-MM-DD`. */
export const localDay = (ms: number, tz: string): string => dayOfUtcMs(wallClockMs(ms, tz));

/** The date `n` days after `day` (n may be negative). */
export const addDays = (day: string, n: number): string => dayOfUtcMs(utcMidnightOf(day) + n * DAY_MS);

/** The day of the week of `day`: 0 = Sunday … 6 = Saturday. */
export const weekdayOf = (day: string): number => new Date(utcMidnightOf(day)).getUTCDay();

/**
 * The first instant of local `day` in `tz`: where local midnight begins.
 *
 * The offsets well before and well after midnight (± one day of wall clock: at least 10 hours either side
 * of the real instant, as offsets lie within −12 h … +14 h) give the candidates `midnight − offset`; a
 * candidate whose own offset is the one it was computed with really shows 00:00, and the earliest such
 * wins (a clock set back over midnight shows 00:00 twice: the day begins at the first). When neither does,
 * midnight falls in a gap (Chile, Cuba set clocks forward at 00:00): the day begins at the change, found
 * by bisection between the two candidates. Two clock changes within those two days are not handled.
 */
export function dayStartMs(day: string, tz: string): number {
  const wall = utcMidnightOf(day);
  const before = offsetAt(wall - DAY_MS, tz);
  const after = offsetAt(wall + DAY_MS, tz);
  const candidates = [wall - before, wall - after]
    .filter((t) => offsetAt(t, tz) === wall - t)
    .sort((a, b) => a - b);
  if (candidates[0] !== undefined) return candidates[0];
  // In the gap: [wall − after, wall − before) holds the change; find the first instant on the new offset.
  let lo = wall - after;
  let hi = wall - before;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (offsetAt(mid, tz) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The instant the day after `day` begins: the end (exclusive) of `day`. */
export const dayEndMs = (day: string, tz: string): number => dayStartMs(addDays(day, 1), tz);
