import { addDays, dayStartMs } from './days.ts';
import type { DaySeriesPoint } from './figures.ts';
import type { NetBucket } from './ledger.ts';
import { minorDigits } from './money-format.ts';

/**
 * Daily net revenue (DNR, DOMAIN.md §8) from the ledger's 15-minute buckets (ledger.ts `NetBucket`), in
 * integer minor units. A bucket belongs to the local day its start falls in: every real zone offset is a
 * multiple of 15 minutes, so a local day is a whole number of buckets and no bucket straddles midnight.
 *
 * Refunds and lost disputes are buckets of their own (netEffect counts them when they happen), so a past
 * day's figure is recomputed from the buckets every time, never stored.
 */

export interface DailyNetQuery {
  currency: string;
  /** One source; every source when absent. */
  source?: string;
  tz: string;
  /** First and last local day of the series, both included. */
  fromDay: string;
  toDay: string;
}

const matches = (b: NetBucket, currency: string, source: string | undefined): boolean =>
  b.currency === currency && (source === undefined || b.source === source);

/**
 * Net revenue of every local day from `fromDay` to `toDay` (both included), oldest first; a day with no
 * bucket is 0. Buckets outside the range are ignored.
 */
export function dailyNet(buckets: readonly NetBucket[], q: DailyNetQuery): DaySeriesPoint[] {
  const days: string[] = [];
  for (let d = q.fromDay; d <= q.toDay; d = addDays(d, 1)) days.push(d);
  // bounds[i] is where days[i] begins; bounds[days.length] is where the range ends.
  const bounds = [...days, addDays(q.toDay, 1)].map((d) => dayStartMs(d, q.tz));
  const sums = days.map(() => 0);
  for (const b of buckets) {
    if (!matches(b, q.currency, q.source)) continue;
    const i = dayIndex(bounds, b.startMs);
    if (i >= 0) sums[i]! += b.netCents;
  }
  return days.map((day, i) => ({ day, netCents: sums[i]! }));
}

/** The i with bounds[i] ≤ ms < bounds[i + 1], or −1 outside them (bisection: bounds ascend). */
function dayIndex(bounds: readonly number[], ms: number): number {
  if (bounds.length < 2 || ms < bounds[0]! || ms >= bounds[bounds.length - 1]!) return -1;
  let lo = 0;
  let hi = bounds.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (bounds[mid]! <= ms) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Net revenue of the buckets that start in [fromMs, toMs), in one currency (and one source if given). */
export function netBetween(
  buckets: readonly NetBucket[],
  currency: string,
  fromMs: number,
  toMs: number,
  source?: string,
): number {
  let sum = 0;
  for (const b of buckets) {
    if (b.startMs >= fromMs && b.startMs < toMs && matches(b, currency, source)) sum += b.netCents;
  }
  return sum;
}

/** Integer `n / d` rounded half away from zero (d > 0), exact for safe integers. */
export function divRound(n: number, d: number): number {
  const q = Math.trunc(n / d);
  const r = n - q * d;
  return 2 * Math.abs(r) >= d ? q + Math.sign(n) : q;
}

/**
 * The DNR slope (DOMAIN.md §8), cents per day: `(DNR(last day) − DNR(last day − 7)) / 7`, rounded half
 * away from zero to whole minor units. The last point is the series' newest day (today so far, when the
 * series ends today: a partial day, so early in the day the slope leans down). The day 7 before it is
 * looked up by date, so the series needs 8 days (today and the 7 before, as dailyNet gives); without
 * that point there is no week-old figure and the slope is 0.
 */
export function slopeCentsPerDay(series: readonly DaySeriesPoint[]): number {
  const last = series[series.length - 1];
  if (!last) return 0;
  const weekAgo = addDays(last.day, -7);
  const then = series.find((p) => p.day === weekAgo);
  return then ? divRound(last.netCents - then.netCents, 7) : 0;
}

export interface SourceNet {
  source: string;
  netCents: number;
  /** Ledger events of the source in the day (any kind). */
  events: number;
}

export interface CurrencyBreakdown {
  currency: string;
  /** Σ netCents of its sources. */
  totalCents: number;
  /** Largest net first, then by name. */
  sources: SourceNet[];
}

/**
 * One local day's net revenue by source, per currency (currencies in code order). Amounts of different
 * currencies are never added here; a reporting-currency total is convert()'s, flagged converted.
 */
export function breakdown(
  buckets: readonly NetBucket[],
  q: { tz: string; day: string; source?: string },
): CurrencyBreakdown[] {
  const from = dayStartMs(q.day, q.tz);
  const to = dayStartMs(addDays(q.day, 1), q.tz);
  const byCurrency = new Map<string, Map<string, SourceNet>>();
  for (const b of buckets) {
    if (b.startMs < from || b.startMs >= to || (q.source !== undefined && b.source !== q.source)) continue;
    const sources = byCurrency.get(b.currency) ?? new Map<string, SourceNet>();
    byCurrency.set(b.currency, sources);
    const s = sources.get(b.source) ?? { source: b.source, netCents: 0, events: 0 };
    s.netCents += b.netCents;
    s.events += b.events;
    sources.set(b.source, s);
  }
  return [...byCurrency.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, m]) => {
      const sources = [...m.values()].sort(
        (a, b) => b.netCents - a.netCents || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0),
      );
      return { currency, totalCents: sources.reduce((t, s) => t + s.netCents, 0), sources };
    });
}

/** A positive finite rate as an exact fraction `num / 10^scale` of its shortest decimal form. */
function rateFraction(rate: number): { num: bigint; scale: number } | null {
  if (!Number.isFinite(rate) || rate <= 0) return null;
  const [mantissa = '', exp = '0'] = rate.toString().split('e');
  const [whole = '', frac = ''] = mantissa.split('.');
  const scale = frac.length - Number(exp);
  return scale >= 0
    ? { num: BigInt(whole + frac), scale }
    : { num: BigInt(whole + frac) * 10n ** BigInt(-scale), scale: 0 };
}

/**
 * `cents` minor units of `from` in minor units of `to`, the reporting currency (REPORTING_CURRENCY) the
 * fixed `rates` are quoted in: `rates[X]` is units of `to` per 1 unit of X (FX_RATES "EUR=1.08").
 *
 *   result = round(cents × rate × 10^digits(to) / 10^digits(from))
 *
 * in integer arithmetic: the rate is taken as the exact decimal it is written as (1.08 = 108 / 100), and
 * the one division rounds half away from zero. Minor digits come from ISO 4217 (JPY 0, KWD 3). The same
 * currency converts to itself unchanged; a missing (or non-positive) rate gives null. A total built with
 * conversions is an estimate at fixed rates: callers must show it as converted.
 */
export function convert(
  cents: number,
  from: string,
  to: string,
  rates: Readonly<Record<string, number>>,
): number | null {
  if (from === to) return cents;
  const rate = rates[from];
  const f = rate === undefined ? null : rateFraction(rate);
  if (!f) return null;
  const num = BigInt(Math.trunc(cents)) * f.num * 10n ** BigInt(minorDigits(to));
  const den = 10n ** BigInt(f.scale + minorDigits(from));
  const q = num / den;
  const r = num - q * den;
  const abs = r < 0n ? -r : r;
  return Number(2n * abs >= den ? q + (num < 0n ? -1n : 1n) : q);
}
