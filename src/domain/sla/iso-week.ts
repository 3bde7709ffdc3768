import { DAY_MS } from '../../shared/time.ts';

/**
 * ISO weeks in UTC, Monday 00:00 to the next Monday: the weekly SLA report's unit, made of whole Gold days
 * (Gold snapshots are UTC days).
 */

const WEEK_MS = 7 * DAY_MS;

/** An ISO week: `2026-W47`, Monday 00:00 UTC (startMs) to the next Monday (endMs, exclusive). */
export interface IsoWeek {
  label: string;
  year: number;
  week: number;
  startMs: number;
  endMs: number;
}

/** Monday 00:00 UTC of week 1 of an ISO year: the week holding January 4th. */
function firstMonday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const weekday = (new Date(jan4).getUTCDay() + 6) % 7; // Monday = 0
  return jan4 - weekday * DAY_MS;
}

/** 52 or 53. */
export const weeksInIsoYear = (year: number): number => (firstMonday(year + 1) - firstMonday(year)) / WEEK_MS;

const labelOf = (year: number, week: number): string => `${year}-W${String(week).padStart(2, '0')}`;

function weekAt(year: number, week: number): IsoWeek {
  const startMs = firstMonday(year) + (week - 1) * WEEK_MS;
  return { label: labelOf(year, week), year, week, startMs, endMs: startMs + WEEK_MS };
}

/** The ISO week holding `ms` (its year is the year of its Thursday: 2027-01-01 is in 2026-W53). */
export function isoWeekContaining(ms: number): IsoWeek {
  const weekday = (new Date(ms).getUTCDay() + 6) % 7;
  const monday = Math.floor(ms / DAY_MS) * DAY_MS - weekday * DAY_MS;
  const year = new Date(monday + 3 * DAY_MS).getUTCFullYear();
  return weekAt(year, Math.round((monday - firstMonday(year)) / WEEK_MS) + 1);
}

/** The last week that has ended by `nowMs` (on a Monday at 09:00, the week that ended 9 hours ago). */
export const lastCompleteWeek = (nowMs: number): IsoWeek =>
  isoWeekContaining(isoWeekContaining(nowMs).startMs - DAY_MS);

/** The week before `w`. */
export const previousWeek = (w: IsoWeek): IsoWeek => isoWeekContaining(w.startMs - DAY_MS);

const WEEK_RE = /^(\d{4})-?W(\d{2})$/i;

/** Does the text look like a week at all (so a caller can tell a bad week from a service name)? */
export const looksLikeWeek = (text: string): boolean => /^\d{4}-?w\d+$/i.test(text.trim());

/** `2026-W47` (also `2026W47`, `2026-w47`) → the week; anything else → a message saying what is wrong. */
export function parseIsoWeek(text: string): { ok: true; week: IsoWeek } | { ok: false; error: string } {
  const t = text.trim();
  const m = WEEK_RE.exec(t);
  if (!m)
    return { ok: false, error: `"${t.slice(0, 40)}" is not an ISO week: expected YYYY-Www, e.g. 2026-W47` };
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (year < 1970) return { ok: false, error: `"${t}": weeks before 1970 are not supported` };
  const max = weeksInIsoYear(year);
  if (week < 1 || week > max)
    return { ok: false, error: `"${t}": ${year} has weeks W01 to W${max}, not W${m[2]}` };
  return { ok: true, week: weekAt(year, week) };
}
