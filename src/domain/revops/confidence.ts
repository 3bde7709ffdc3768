/**
 * How sure an insight is, in [0.05, 0.95] (DOMAIN.md §9). One formula for every rule, simple enough to
 * state in a sentence:
 *
 *   confidence = clamp( n / (n + 10) × (0.5 + 0.5 × min(1, distance)), 0.05, 0.95 ), to 2 decimals
 *
 * - n / (n + 10), the sample: how many observations the figure rests on (closed deals for a win rate,
 *   customers for churn, leads for a conversion …). 10 observations give one half, 90 give 0.9; a rate
 *   over 3 deals is a hint, over 300 a fact.
 * - 0.5 + 0.5 × distance, the margin: how far past its threshold the figure is, relative to the
 *   threshold (|value − threshold| / |threshold|). Just past it gives one half, twice as far (or more)
 *   gives the full factor. Rankings (top spend, top churn reason) use the leader's share of the whole as
 *   the distance: a channel with 90% of spend is more clearly "the" top channel than one with 26%.
 *
 * Never 0 or 1: every insight is a reading of imported data, which can be incomplete or wrong.
 */

export const CONFIDENCE_MIN = 0.05;
export const CONFIDENCE_MAX = 0.95;
/** Observations at which the sample factor is one half. */
export const HALF_SAMPLE = 10;

export function confidence(n: number, distance: number): number {
  const sample = n <= 0 ? 0 : n / (n + HALF_SAMPLE);
  const margin = 0.5 + 0.5 * Math.min(1, Math.max(0, distance));
  const c = Math.min(CONFIDENCE_MAX, Math.max(CONFIDENCE_MIN, sample * margin));
  return Math.round(c * 100) / 100;
}

/** Relative distance of `value` past `threshold` (0 when the threshold is 0). */
export const distancePast = (value: number, threshold: number): number =>
  threshold === 0 ? 0 : Math.abs(value - threshold) / Math.abs(threshold);
