import { addDays, dayEndMs, dayStartMs, localDay, weekdayOf } from '../../domain/commerce/days.ts';
import { isoWeekContaining, parseIsoWeek } from '../../domain/sla/iso-week.ts';
import { DAY_MS } from '../../shared/time.ts';

/**
 * The periods of the RevOps views (`/revops`, `leak revops`, the digest, the App Home), as typed and as
 * instants. A period is parsed without a clock (PeriodSpec) and resolved against `now` in the RevOps time
 * zone (DIGEST_TIMEZONE): calendar weeks, months, quarters and dates are local, so "this week" starts on
 * Monday 00:00 where the team is, not in UTC.
 */

export type CalendarUnit = 'week' | 'month' | 'quarter';

export type PeriodSpec =
  /** The `days` days up to now (rolling). */
  | { kind: 'days'; days: number }
  /** This calendar week/month/quarter so far, or the last complete one. */
  | { kind: 'calendar'; unit: CalendarUnit; which: 'this' | 'last' }
  /** Local dates, both included. */
  | { kind: 'range'; from: string; to: string }
  /** Instants as a filter carries them (an insight's button reopens its report's period exactly). */
  | { kind: 'exact'; fromMs: number; toMs: number };

export const DEFAULT_PERIOD: PeriodSpec = { kind: 'days', days: 30 };
/** Rolling windows and ranges longer than this are refused (the reads scan every month they overlap). */
export const MAX_PERIOD_DAYS = 731;

export interface ResolvedPeriod {
  fromMs: number;
  toMs: number;
  /** "last 30 days (2 Nov – 1 Dec 2026)", "this month so far (1 – 9 Dec 2026)". */
  label: string;
  /** The period runs up to now (its state figures are live, its flows still growing). */
  partial: boolean;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS = /^(\d{1,4})d$/i;
const RANGE = /^(\S+?)\.\.(\S+)$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A real calendar date `YYYY-MM-DD` (not 2026-02-30). */
export function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/** "7d" → 7 days; anything else null. */
export function parseDays(word: string): { ok: true; days: number } | { ok: false; error: string } | null {
  const m = DAYS.exec(word);
  if (!m) return null;
  const days = Number(m[1]);
  if (days < 1 || days > MAX_PERIOD_DAYS)
    return { ok: false, error: `"${word}": give between 1d and ${MAX_PERIOD_DAYS}d` };
  return { ok: true, days };
}

/** `2026-11-01..2026-11-30` → a range; null when the word has no `..`. */
export function parseRange(
  word: string,
): { ok: true; spec: PeriodSpec } | { ok: false; error: string } | null {
  const m = RANGE.exec(word);
  if (!m) return null;
  const [, from, to] = m as unknown as [string, string, string];
  for (const d of [from, to])
    if (!isDate(d)) return { ok: false, error: `"${d}" is not a date: write YYYY-MM-DD, e.g. 2026-11-01` };
  if (to < from) return { ok: false, error: `the range ends (${to}) before it starts (${from})` };
  if (daysBetween(from, to) + 1 > MAX_PERIOD_DAYS)
    return { ok: false, error: `a range spans at most ${MAX_PERIOD_DAYS} days` };
  return { ok: true, spec: { kind: 'range', from, to } };
}

/** "23 Nov 2026" (with the year) or "23 Nov". */
export function dayText(day: string, withYear = true): string {
  const [y, m, d] = day.split('-');
  return `${Number(d)} ${MONTHS[Number(m) - 1] ?? m}${withYear ? ` ${y}` : ''}`;
}

/** "23 – 29 Nov 2026", "30 Nov – 6 Dec 2026", "28 Dec 2026 – 3 Jan 2027" (both days included). */
export function spanText(first: string, last: string): string {
  if (first === last) return dayText(first);
  if (first.slice(0, 4) !== last.slice(0, 4)) return `${dayText(first)} – ${dayText(last)}`;
  if (first.slice(0, 7) === last.slice(0, 7)) return `${Number(first.slice(8))} – ${dayText(last)}`;
  return `${dayText(first, false)} – ${dayText(last)}`;
}

/** The Monday (local date) of the week holding local `day`. */
export const mondayOf = (day: string): string => addDays(day, -((weekdayOf(day) + 6) % 7));

function calendarStart(unit: CalendarUnit, today: string): string {
  if (unit === 'week') return mondayOf(today);
  const [y, m] = today.split('-').map(Number) as [number, number];
  const month = unit === 'month' ? m : Math.floor((m - 1) / 3) * 3 + 1;
  return `${y}-${String(month).padStart(2, '0')}-01`;
}

function previousStart(unit: CalendarUnit, start: string): string {
  if (unit === 'week') return addDays(start, -7);
  const back = unit === 'month' ? 1 : 3;
  const [y, m] = start.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - back;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

/** The ISO week label of the week starting on local Monday `monday` (`2026-W48`). */
export const weekLabelOf = (monday: string): string =>
  isoWeekContaining(Date.parse(`${monday}T00:00:00Z`)).label;

const UNIT_WORD: Record<CalendarUnit, string> = { week: 'week', month: 'month', quarter: 'quarter' };

/** The period's instants in `tz` as of `nowMs`, and how to name it. */
export function resolvePeriod(spec: PeriodSpec, nowMs: number, tz: string): ResolvedPeriod {
  const today = localDay(nowMs, tz);
  switch (spec.kind) {
    case 'days': {
      const fromMs = nowMs - spec.days * DAY_MS;
      const span = spanText(localDay(fromMs, tz), today);
      return { fromMs, toMs: nowMs, label: `last ${spec.days} days (${span})`, partial: true };
    }
    case 'calendar': {
      const thisStart = calendarStart(spec.unit, today);
      const week =
        spec.unit === 'week'
          ? ` ${weekLabelOf(spec.which === 'this' ? thisStart : previousStart('week', thisStart))}`
          : '';
      if (spec.which === 'this')
        return {
          fromMs: dayStartMs(thisStart, tz),
          toMs: nowMs,
          label: `this ${UNIT_WORD[spec.unit]}${week} so far (${spanText(thisStart, today)})`,
          partial: true,
        };
      const start = previousStart(spec.unit, thisStart);
      return {
        fromMs: dayStartMs(start, tz),
        toMs: dayStartMs(thisStart, tz),
        label: `last ${UNIT_WORD[spec.unit]}${week} (${spanText(start, addDays(thisStart, -1))})`,
        partial: false,
      };
    }
    case 'exact': {
      const last = localDay(Math.max(spec.fromMs, spec.toMs - 1), tz);
      const partial = spec.toMs >= nowMs;
      const label = `${spanText(localDay(spec.fromMs, tz), last)}${partial ? ' (so far)' : ''}`;
      return { fromMs: spec.fromMs, toMs: spec.toMs, label, partial };
    }
    case 'range': {
      const fromMs = dayStartMs(spec.from, tz);
      const endMs = dayEndMs(spec.to, tz);
      // A range reaching past now is cut at now: figures "as of" a future instant would be today's anyway.
      // (A range starting in the future is refused by the caller: its start is after now.)
      const partial = endMs > nowMs;
      return {
        fromMs,
        toMs: partial ? Math.max(fromMs + 1, nowMs) : endMs,
        label:
          partial && today >= spec.from
            ? `${spanText(spec.from, today)} (so far)`
            : spanText(spec.from, spec.to),
        partial,
      };
    }
  }
}

/** A week of the digest: Monday 00:00 to the next Monday 00:00 in the RevOps zone. */
export interface DigestWeek {
  /** `2026-W48`. */
  label: string;
  /** Its Monday, local date. */
  monday: string;
  fromMs: number;
  toMs: number;
  /** "23 – 29 Nov 2026". */
  span: string;
}

export function digestWeekOf(monday: string, tz: string): DigestWeek {
  return {
    label: weekLabelOf(monday),
    monday,
    fromMs: dayStartMs(monday, tz),
    toMs: dayStartMs(addDays(monday, 7), tz),
    span: spanText(monday, addDays(monday, 6)),
  };
}

/** The week that ended last (Monday to Sunday in `tz`): on Monday 09:00, the one that ended 9 hours ago. */
export const lastCompleteDigestWeek = (nowMs: number, tz: string): DigestWeek =>
  digestWeekOf(addDays(mondayOf(localDay(nowMs, tz)), -7), tz);

/** The week in progress, from its Monday. */
export const currentDigestWeek = (nowMs: number, tz: string): DigestWeek =>
  digestWeekOf(mondayOf(localDay(nowMs, tz)), tz);

/**
 * `2026-W48` or its Monday `2026-11-23` → the week; anything else a message saying what to write. A date
 * that is not a Monday is refused with the Monday of its week, so a typo cannot pick another week.
 */
export function parseDigestWeek(
  text: string,
  tz: string,
): { ok: true; week: DigestWeek } | { ok: false; error: string } {
  const t = text.trim();
  if (isDate(t)) {
    const monday = mondayOf(t);
    if (monday !== t)
      return {
        ok: false,
        error: `${t} is not a Monday: give the week's Monday (${monday}) or its ISO week (${weekLabelOf(monday)})`,
      };
    return { ok: true, week: digestWeekOf(t, tz) };
  }
  const parsed = parseIsoWeek(t);
  if (!parsed.ok)
    return {
      ok: false,
      error: `"${t.slice(0, 40)}" is neither an ISO week nor a Monday: write 2026-W48 or 2026-11-23`,
    };
  return { ok: true, week: digestWeekOf(new Date(parsed.week.startMs).toISOString().slice(0, 10), tz) };
}
