export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** Whole minutes elapsed, truncated toward zero (DOMAIN.md time rule). */
export const wholeMinutes = (fromMs: number, nowMs: number): number => Math.trunc((nowMs - fromMs) / MINUTE_MS);
/** Whole days elapsed, truncated toward zero (DOMAIN.md time rule). */
export const wholeDays = (fromMs: number, nowMs: number): number => Math.trunc((nowMs - fromMs) / DAY_MS);

/** Strict ISO-8601 date-time with a zone (Z or ±hh:mm); returns epoch ms or null. */
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
export function parseIsoInstant(text: string): number | null {
  if (!ISO.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}
