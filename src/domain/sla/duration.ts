import { DAY_MS, MINUTE_MS } from '../../shared/time.ts';
import { show } from '../zod-issues.ts';

/**
 * OpenSLO's duration shorthand: a positive whole number and a case-sensitive unit, `m` minutes, `h` hours,
 * `d` days, `w` weeks, `M` months, `Q` quarters, `Y` years (`5m`, `1h`, `30d`, `4w`, `1M`, `1Q`, `1Y`).
 *
 * The spec leaves the length of a month to implementations. Where a length is needed (a rolling window
 * written `1M`, the budget period the burn factors are computed for) a month is 30 days, a quarter 90 and
 * a year 365, as the OpenSLO Go SDK counts them; a calendar window (calendar.ts) follows the real calendar.
 */

export type DurationUnit = 'm' | 'h' | 'd' | 'w' | 'M' | 'Q' | 'Y';

export interface Duration {
  count: number;
  unit: DurationUnit;
}

const NOMINAL_MS: Record<DurationUnit, number> = {
  m: MINUTE_MS,
  h: 60 * MINUTE_MS,
  d: DAY_MS,
  w: 7 * DAY_MS,
  M: 30 * DAY_MS,
  Q: 90 * DAY_MS,
  Y: 365 * DAY_MS,
};

/** The longest budget window accepted: a year (Gold is daily, reports are weekly). */
export const MAX_WINDOW_DAYS = 366;

const SHORTHAND = /^([1-9][0-9]{0,6})([mhdwMQY])$/;

/** `1M` → { count: 1, unit: 'M' }; anything else is the problem, worded to follow the field's path. */
export function parseDuration(text: unknown): Duration | string {
  const m = typeof text === 'string' ? SHORTHAND.exec(text) : null;
  if (m === null) return `must be a duration such as 30d, 4w, 1M or 720h (got ${show(text, 'a mapping')})`;
  return { count: Number(m[1]), unit: m[2] as DurationUnit };
}

/** The duration's length in ms, months 30 days, quarters 90, years 365. */
export const nominalMs = (d: Duration): number => d.count * NOMINAL_MS[d.unit];

/** `5m`, `1h`, `24h`, `3d`: a length as the rule names show it (whole minutes; days from 2d, as the workbook's table). */
export function formatDurationMs(ms: number): string {
  const minutes = Math.round(ms / MINUTE_MS);
  if (minutes % (24 * 60) === 0 && minutes > 24 * 60) return `${minutes / (24 * 60)}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

/** A rolling window: `30d` → 30 (also `4w`, `720h`, `1M` = 30, `1Q` = 90); else the problem. */
export function durationDays(duration: unknown): number | string {
  const d = parseDuration(duration);
  if (typeof d === 'string') return d;
  const days = nominalMs(d) / DAY_MS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_WINDOW_DAYS)
    return `must be a whole number of days from 1d to ${MAX_WINDOW_DAYS}d (got ${show(duration)})`;
  return days;
}
