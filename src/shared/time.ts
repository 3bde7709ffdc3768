export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** Whole minutes elapsed, truncated toward zero (DOMAIN.md time rule). */
export const wholeMinutes = (fromMs: number, nowMs: number): number =>
  Math.trunc((nowMs - fromMs) / MINUTE_MS);
/** Whole days elapsed, truncated toward zero (DOMAIN.md time rule). */
export const wholeDays = (fromMs: number, nowMs: number): number => Math.trunc((nowMs - fromMs) / DAY_MS);

const isLeapYear = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const daysInMonth = (y: number, month: number): number =>
  month === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** 400 Gregorian years: Date.UTC reads years 0–99 as 1900–1999, so those are shifted by this. */
const FOUR_CENTURIES_MS = 146_097 * DAY_MS;

/** `n` decimal digits of `t` from `i` as a number, or -1 if any is not a digit. */
function digits(t: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = t.charCodeAt(i + k) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Strict ISO-8601 date-time with a zone: `YYYY-MM-DDTHH:MM[:SS[.f{1,9}]]` then `Z` or `±HH[:]MM`;
 * returns epoch ms (fractions truncated to the millisecond) or null.
 *
 * A hand-written scanner and Date.UTC rather than a regular expression and Date.parse: an import calls
 * this twice per row (a million rows: ~1 s with the regex, a fraction of that here). Fields out of
 * range are rejected rather than rolled over (2023-02-29 must not become March 1, which would silently
 * move a record's dates).
 */
export function parseIsoInstant(t: string): number | null {
  const len = t.length;
  if (len < 17 || t[4] !== '-' || t[7] !== '-' || t[10] !== 'T' || t[13] !== ':') return null;
  const year = digits(t, 0, 4);
  const month = digits(t, 5, 2);
  const day = digits(t, 8, 2);
  const hour = digits(t, 11, 2);
  const minute = digits(t, 14, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return null;
  let i = 16;
  let second = 0;
  let millis = 0;
  if (t[i] === ':') {
    second = digits(t, i + 1, 2);
    if (second < 0 || second > 59) return null;
    i += 3;
    if (t[i] === '.') {
      const start = ++i;
      while (i < len && t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) i++;
      const n = i - start;
      if (n < 1 || n > 9) return null;
      millis = digits(t, start, Math.min(n, 3)) * (n === 1 ? 100 : n === 2 ? 10 : 1);
    }
  }
  let offsetMin = 0;
  if (t[i] === 'Z') {
    if (i + 1 !== len) return null;
  } else if (t[i] === '+' || t[i] === '-') {
    const sign = t[i] === '-' ? -1 : 1;
    const oh = digits(t, i + 1, 2);
    let j = i + 3;
    if (t[j] === ':') j++;
    const om = digits(t, j, 2);
    if (j + 2 !== len || oh < 0 || oh > 23 || om < 0 || om > 59) return null;
    offsetMin = sign * (oh * 60 + om);
  } else {
    return null;
  }
  const shifted = year < 100;
  const utc = Date.UTC(shifted ? year + 400 : year, month - 1, day, hour, minute, second, millis);
  return (shifted ? utc - FOUR_CENTURIES_MS : utc) - offsetMin * MINUTE_MS;
}

/** Monday 00:00 UTC of the ISO week holding `ms`, and the next Monday: the window "this week" means. */
export function isoWeekOf(ms: number): { startMs: number; endMs: number } {
  const d = new Date(ms);
  const day = (d.getUTCDay() + 6) % 7; // Monday = 0
  const startMs = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day);
  return { startMs, endMs: startMs + 7 * DAY_MS };
}
