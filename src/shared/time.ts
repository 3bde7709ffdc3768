export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** Whole minutes elapsed, truncated toward zero (DOMAIN.md time rule). */
export const wholeMinutes = (fromMs: number, nowMs: number): number => Math.trunc((nowMs - fromMs) / MINUTE_MS);
/** Whole days elapsed, truncated toward zero (DOMAIN.md time rule). */
export const wholeDays = (fromMs: number, nowMs: number): number => Math.trunc((nowMs - fromMs) / DAY_MS);

const isLeapYear = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const daysInMonth = (y: number, month: number): number =>
  month === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** Strict ISO-8601 date-time with a zone (Z or ±hh:mm); returns epoch ms or null. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
export function parseIsoInstant(text: string): number | null {
  const m = ISO.exec(text);
  if (!m) return null;
  // Date.parse rolls an impossible day over (2023-02-29 → March 1, 2024-04-31 → May 1) instead of
  // failing, which would silently move a record's dates; reject days past the end of their month.
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month >= 1 && month <= 12 && day > daysInMonth(year, month)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}
