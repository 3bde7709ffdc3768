import type { Cents } from '../../shared/money.ts';
import { wholeDays } from '../../shared/time.ts';
import { normalizeStage } from '../records/record.ts';
import type { Detection } from '../rules/evaluate.ts';

/** Stage win probabilities (DOMAIN.md §3); unknown or empty stages use UNKNOWN_STAGE_P. */
export const STAGE_WIN_PROBABILITY: Readonly<Record<string, number>> = {
  new: 0.1,
  qualified: 0.25,
  proposal: 0.45,
  negotiation: 0.65,
  'closed won': 1.0,
  'closed lost': 0.0,
};
export const UNKNOWN_STAGE_P = 0.1;
export const DECAY_HALF_LIFE_DAYS = 14;

export const winProbability = (stage: string): number =>
  STAGE_WIN_PROBABILITY[normalizeStage(stage)] ?? UNKNOWN_STAGE_P;

/**
 * decay(d) = e^(−k·d) with k = ln 2 / 14 (DOMAIN.md §3), written as 0.5^(d / 14): the same function, but
 * exact at whole half-lives (decay(42) is 0.125, where Math.exp gives 0.12500000000000003), so a loss
 * that is exactly $x.50 there rounds up as the formula says instead of down by a float hair.
 */
export const decay = (days: number): number => (days <= 0 ? 1 : 0.5 ** (days / DECAY_HALF_LIFE_DAYS));

/**
 * `round(value × factor)` in whole dollars (half up; values are never negative), returned as cents. It is
 * computed from integer cents (`cents × factor / 100`) rather than from a dollar float, which keeps ties
 * exact: checked against integer arithmetic in test/domain/impact.test.ts.
 */
const wholeDollarsOf = (valueCents: Cents, factor: number): Cents =>
  Math.round((valueCents * factor) / 100) * 100;

/** estimated_loss for one detection at `nowMs` (DOMAIN.md §3), in cents: whole dollars as DOMAIN.md rounds them, except UNASSIGNED_OWNER, which is the value itself. */
export function estimateLossCents(d: Detection, nowMs: number): Cents {
  const r = d.record;
  switch (d.rule.issueType) {
    case 'STALE_OPP': {
      const p = winProbability(r.stage);
      const days = wholeDays(r.lastTouchAtMs ?? r.createdAtMs, nowMs);
      // value × (p − p × decay) = value × p × (1 − decay): the win probability lost to staleness.
      return wholeDollarsOf(r.valueCents, p * (1 - decay(days)));
    }
    case 'SLA_BREACH_UNTOUCHED':
      return wholeDollarsOf(r.valueCents, 0.5);
    case 'UNASSIGNED_OWNER':
      return r.valueCents;
    case 'DUPLICATE_SUSPECT':
      return wholeDollarsOf(r.valueCents, 0.2);
    case 'NO_NEXT_STEP':
      return wholeDollarsOf(r.valueCents, 0.25);
    case 'ROUTING_MISMATCH':
      return 0;
  }
}
