import { addDays, dayStartMs, localDay } from './days.ts';
import { divRound, netBetween } from './dnr.ts';
import type { DipComparison, DipFigures } from './figures.ts';
import { BUCKET_MS, type NetBucket } from './ledger.ts';

/**
 * REVENUE_DIP (DOMAIN.md §8, issue 12): is today's net revenue of a source and currency far below normal?
 * All amounts are net minor units (dnr.ts) of local days in the revenue time zone `tz`.
 *
 * "So far" and "the same time of day": with `elapsed = now − start(today)` and
 * `cut = ⌊elapsed / 15 min⌋ × 15 min`, a day D counts the buckets in [start(D), min(start(D) + cut, end(D))).
 * Only whole buckets are compared: today's current bucket is still filling, and comparing it with a full
 * one of another day would read every quarter hour as a small dip. Time of day is time since local
 * midnight, which is the wall clock except on the day of a clock change (then off by that hour).
 *
 *   today            = net(today, so far)
 *   yesterday        = net(yesterday, whole day)
 *   yesterdaySame    = net(yesterday, to the same time of day)
 *   weekday days     = today − 7, − 14, − 21, − 28 (the same weekday); a day is alive if any ledger event
 *                      (any kind: a payout, a pending order) of the source falls in it
 *   baseline         = median of net(D, to the same time of day) over the alive weekday days
 *                      (an even count averages the middle two, rounded half away from zero);
 *                      available when at least 2 of the 4 were alive; else null
 *   below(x, c)      ⇔ x < (1 − threshold) × c   (exactly: threshold taken to 6 decimals, integer math)
 *
 * 1. weekday_hour (the default, when the baseline is available; it alone decides):
 *      fires ⇔ baseline ≥ minBaselineCents ∧ below(today, baseline)
 *    A quiet Sunday is judged against past Sundays, never against a busy Saturday.
 * 2. day_over_day (DOMAIN.md §8's rule, when there is no baseline):
 *      fires ⇔ yesterday > minBaselineCents ∧ yesterdaySame > 0 ∧ below(today, yesterdaySame)
 *    The $10 floor is on yesterday's whole day (as §8 states it); today is compared with yesterday up to
 *    the same time, or every morning would page against a finished yesterday.
 *
 *   drop = min(1, max(0, 1 − today / comparison)), comparison = baseline or yesterdaySame (0 when ≤ 0)
 *
 * Minimum elapsed: nothing fires in the first `minElapsedMs` (2 h) of the local day. Early windows hold a
 * handful of orders, so one order more or less moves the ratio past any threshold (and at midnight today
 * is 0 against anything); a dip that is real is still there two hours later. While the guard holds the
 * reading says `guarded`: it cannot tell, so a caller may leave an open incident as it is.
 */

export interface DipInput {
  /** Buckets covering at least the last 29 local days (four weeks back and today). */
  buckets: readonly NetBucket[];
  currency: string;
  /** One source; every source when absent. */
  source?: string;
  tz: string;
  nowMs: number;
  /** REVENUE_DIP_THRESHOLD, 0..1. */
  threshold?: number;
  /** REVENUE_DIP_MIN_USD in minor units: no dip is judged against a smaller comparison. */
  minBaselineCents?: number;
  minElapsedMs?: number;
}

export const DIP_DEFAULTS = {
  threshold: 0.2,
  minBaselineCents: 1000,
  minElapsedMs: 2 * 60 * 60_000,
} as const;

/** How many weeks back the weekday baseline looks, and how many of those days must be alive. */
export const BASELINE_WEEKS = 4;
export const BASELINE_MIN_ALIVE = 2;

export interface DipAssessment {
  firing: boolean;
  /** Inside the minimum-elapsed guard: not firing because it is too early to tell. */
  guarded: boolean;
  figures: DipFigures;
}

/** x < (1 − threshold) × c, in integers: the threshold in millionths, the comparison not in floats. */
export function belowBy(x: number, c: number, threshold: number): boolean {
  const micro = BigInt(Math.round(threshold * 1_000_000));
  return BigInt(Math.trunc(x)) * 1_000_000n < (1_000_000n - micro) * BigInt(Math.trunc(c));
}

/** The median, an even count averaging its middle two (rounded half away from zero); null when empty. */
export function medianCents(values: readonly number[]): number | null {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  if (s.length === 0) return null;
  return s.length % 2 === 1 ? s[mid]! : divRound(s[mid - 1]! + s[mid]!, 2);
}

interface Window {
  x: DipInput;
  cut: number;
}

/** Net of local `day` up to the same time of day (never past the day's end). */
function soFar(w: Window, day: string): number {
  const start = dayStartMs(day, w.x.tz);
  const end = dayStartMs(addDays(day, 1), w.x.tz);
  return netBetween(w.x.buckets, w.x.currency, start, Math.min(start + w.cut, end), w.x.source);
}

function aliveOn(w: Window, day: string): boolean {
  const start = dayStartMs(day, w.x.tz);
  const end = dayStartMs(addDays(day, 1), w.x.tz);
  return w.x.buckets.some(
    (b) =>
      b.events > 0 &&
      b.startMs >= start &&
      b.startMs < end &&
      b.currency === w.x.currency &&
      (w.x.source === undefined || b.source === w.x.source),
  );
}

/** The weekday baseline: the median over the alive same weekdays, or null with fewer than 2 of them. */
function weekdayBaseline(w: Window, today: string): number | null {
  const values: number[] = [];
  for (let k = 1; k <= BASELINE_WEEKS; k++) {
    const day = addDays(today, -7 * k);
    if (aliveOn(w, day)) values.push(soFar(w, day));
  }
  return values.length >= BASELINE_MIN_ALIVE ? medianCents(values) : null;
}

/** Whether today's net revenue dipped, with the figures the incident shows (formulas above). */
export function assessDip(x: DipInput): DipAssessment {
  const threshold = x.threshold ?? DIP_DEFAULTS.threshold;
  const minBaseline = x.minBaselineCents ?? DIP_DEFAULTS.minBaselineCents;
  const minElapsed = x.minElapsedMs ?? DIP_DEFAULTS.minElapsedMs;
  const today = localDay(x.nowMs, x.tz);
  const todayStart = dayStartMs(today, x.tz);
  const elapsed = x.nowMs - todayStart;
  const w: Window = { x, cut: Math.floor(elapsed / BUCKET_MS) * BUCKET_MS };
  const yesterday = addDays(today, -1);

  const todayCents = soFar(w, today);
  const yesterdayCents = netBetween(x.buckets, x.currency, dayStartMs(yesterday, x.tz), todayStart, x.source);
  const yesterdaySameTimeCents = soFar(w, yesterday);
  const baseline = weekdayBaseline(w, today);

  const available = baseline !== null;
  const comparison: DipComparison = available ? 'weekday_hour' : 'day_over_day';
  const below = available
    ? baseline >= minBaseline && belowBy(todayCents, baseline, threshold)
    : yesterdayCents > minBaseline &&
      yesterdaySameTimeCents > 0 &&
      belowBy(todayCents, yesterdaySameTimeCents, threshold);
  const guarded = elapsed < minElapsed;
  const against = available ? baseline : yesterdaySameTimeCents;
  const drop = against > 0 ? Math.min(1, Math.max(0, 1 - todayCents / against)) : 0;
  return {
    firing: below && !guarded,
    guarded,
    figures: {
      comparison,
      weekdayBaselineAvailable: available,
      todayCents,
      weekdayBaselineCents: baseline,
      yesterdayCents,
      yesterdaySameTimeCents,
      drop,
      threshold,
    },
  };
}
