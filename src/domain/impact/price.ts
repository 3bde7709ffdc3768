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

export const winProbability = (stage: string): number => STAGE_WIN_PROBABILITY[normalizeStage(stage)] ?? UNKNOWN_STAGE_P;

const K = Math.LN2 / DECAY_HALF_LIFE_DAYS;
export const decay = (days: number): number => (days <= 0 ? 1 : Math.exp(-K * days));

/** Rounds a dollar amount to whole dollars, as the original scanner did, and returns cents. */
const dollarsToWholeCents = (dollars: number): Cents => Math.round(dollars) * 100;

/** estimated_loss for one detection at `nowMs` (DOMAIN.md §3), in cents of whole dollars. */
export function estimateLossCents(d: Detection, nowMs: number): Cents {
  const r = d.record;
  const value = r.valueCents / 100;
  switch (d.rule.issueType) {
    case 'STALE_OPP': {
      const p = winProbability(r.stage);
      const days = wholeDays(r.lastTouchAtMs ?? r.createdAtMs, nowMs);
      return dollarsToWholeCents(value * (p - p * decay(days)));
    }
    case 'SLA_BREACH_UNTOUCHED':
      return dollarsToWholeCents(value * 0.5);
    case 'UNASSIGNED_OWNER':
      return r.valueCents;
    case 'DUPLICATE_SUSPECT':
      return dollarsToWholeCents(value * 0.2);
    case 'NO_NEXT_STEP':
      return dollarsToWholeCents(value * 0.25);
    case 'ROUTING_MISMATCH':
      return 0;
  }
}
