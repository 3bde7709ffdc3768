import { MINUTE_MS } from '../../shared/time.ts';

/**
 * Multiwindow, multi-burn-rate alerting (DOMAIN.md §7, after the SRE workbook, chapter 5).
 *
 * For a target T the error budget is 1 − T; the burn rate of a window is its error rate over that budget
 * (1 = spending exactly the budget over the period). A rule pairs a long window with a short one: it fires
 * when both burn faster than its factor, so the long window proves the burn is significant and the short
 * one that it is still happening (an alert resets minutes after the burn stops, not an hour later).
 */

export const HOUR_MS = 60 * MINUTE_MS;
/** The period the default factors are computed for (DOMAIN.md §7: "burn rate (30-day period)"). */
export const BURN_PERIOD_DAYS = 30;
/** A window with fewer events than this never fires: one failure in a quiet hour must not page. */
export const DEFAULT_MIN_EVENTS = 10;

export type BurnAction = 'page' | 'ticket';

export interface BurnRule {
  action: BurnAction;
  /** "1h/5m": long window / short window, as the tables and alerts show it. */
  name: string;
  longMs: number;
  shortMs: number;
  /** X: the share of the period's budget the long window has spent when it burns at exactly `factor`. */
  budgetSpent: number;
  /** Both windows must burn faster than this (strictly) for the rule to fire. */
  factor: number;
}

/** The default rules (DOMAIN.md §7), pages first; factors for a 30-day period (= X × 720 h / W). */
// biome-ignore format: one rule per line reads as the DOMAIN.md table it mirrors
export const BURN_RULES: readonly BurnRule[] = [
  { action: 'page', name: '1h/5m', longMs: HOUR_MS, shortMs: 5 * MINUTE_MS, budgetSpent: 0.02, factor: 14.4 },
  { action: 'page', name: '6h/30m', longMs: 6 * HOUR_MS, shortMs: 30 * MINUTE_MS, budgetSpent: 0.05, factor: 6 },
  { action: 'ticket', name: '24h/2h', longMs: 24 * HOUR_MS, shortMs: 2 * HOUR_MS, budgetSpent: 0.1, factor: 3 },
  { action: 'ticket', name: '3d/6h', longMs: 72 * HOUR_MS, shortMs: 6 * HOUR_MS, budgetSpent: 0.1, factor: 1 },
];

/**
 * (bad / total) / (1 − target). An empty window burns nothing (0). `target` must lie strictly between 0
 * and 1 (a definition guarantees it): a target of 1 has no budget to burn.
 */
export function burnRate(bad: number, total: number, target: number): number {
  if (!(target > 0 && target < 1)) throw new RangeError(`target must be between 0 and 1, got ${target}`);
  return total === 0 ? 0 : bad / total / (1 - target);
}

/**
 * The burn rate at which a window of `windowHours` spends `budgetSpentFraction` of a `periodDays` budget:
 * X × P / W, with P in hours (2% of 30 days in 1 h → 0.02 × 720 / 1 = 14.4).
 */
export const thresholdFactor = (
  budgetSpentFraction: number,
  periodDays: number,
  windowHours: number,
): number => (budgetSpentFraction * (periodDays * 24)) / windowHours;

/**
 * The rules with their factors recomputed for another period, keeping each rule's share of the budget
 * (the workbook's advice). The default table is for 30 days; pass a definition's windowDays here.
 */
export const rulesForPeriod = (periodDays: number, rules: readonly BurnRule[] = BURN_RULES): BurnRule[] =>
  rules.map((r) => ({ ...r, factor: thresholdFactor(r.budgetSpent, periodDays, r.longMs / HOUR_MS) }));

/** Events in a window ending now (bad ≤ total). */
export interface WindowCounts {
  total: number;
  bad: number;
}

export interface WindowBurn extends WindowCounts {
  windowMs: number;
  /** burnRate(bad, total, target). */
  rate: number;
  /** total ≥ minEvents: the window has enough events to fire at all. */
  enough: boolean;
  /** enough, and rate > the rule's factor. */
  exceeds: boolean;
}

export interface RuleBurn {
  rule: BurnRule;
  long: WindowBurn;
  short: WindowBurn;
  /** Both windows exceed. */
  fired: boolean;
}

export interface BurnEvaluation {
  /** The highest action among the rules that fired: a page suppresses a ticket. */
  action: BurnAction | 'none';
  /** The rule behind the action: the first of the highest action's firing rules, in table order. */
  rule?: BurnRule;
  /** Every rule in table order, fired or not, with both windows' figures (for the alert and the log). */
  rates: RuleBurn[];
}

export interface BurnOptions {
  /** Default DEFAULT_MIN_EVENTS (10). */
  minEvents?: number;
  /** Default BURN_RULES (a 30-day period); see rulesForPeriod. */
  rules?: readonly BurnRule[];
}

const ACTION_RANK: Record<BurnAction, number> = { page: 2, ticket: 1 };

/**
 * Floating point leaves noise in 1 − T (1 − 0.999 = 0.0010000000000000009), so a window burning at
 * exactly the factor can compute a hair above or below it. Strictly "exceeds" is read with a relative
 * tolerance of 1e-9: exactly at the factor never fires, whichever way the noise falls.
 */
const exceeds = (rate: number, factor: number): boolean => rate > factor * (1 + 1e-9);

/**
 * Evaluates every rule against the windows ending now. `windows(ms)` sums the events of the last `ms`
 * milliseconds (a caller reads Silver minute rollups; tests sum simulated minutes); it is called once
 * per distinct window length.
 */
export function evaluateBurn(
  windows: (windowMs: number) => WindowCounts,
  target: number,
  opts: BurnOptions = {},
): BurnEvaluation {
  const minEvents = opts.minEvents ?? DEFAULT_MIN_EVENTS;
  const rules = opts.rules ?? BURN_RULES;
  const counted = new Map<number, WindowCounts>();
  const countsOf = (ms: number): WindowCounts => {
    let c = counted.get(ms);
    if (c === undefined) {
      c = windows(ms);
      counted.set(ms, c);
    }
    return c;
  };
  const burnOf = (windowMs: number, factor: number): WindowBurn => {
    const { total, bad } = countsOf(windowMs);
    const rate = burnRate(bad, total, target);
    const enough = total >= minEvents;
    return { windowMs, total, bad, rate, enough, exceeds: enough && exceeds(rate, factor) };
  };

  const rates = rules.map((rule): RuleBurn => {
    const long = burnOf(rule.longMs, rule.factor);
    const short = burnOf(rule.shortMs, rule.factor);
    return { rule, long, short, fired: long.exceeds && short.exceeds };
  });
  let top: RuleBurn | undefined;
  for (const r of rates)
    if (r.fired && (top === undefined || ACTION_RANK[r.rule.action] > ACTION_RANK[top.rule.action])) top = r;
  return top === undefined ? { action: 'none', rates } : { action: top.rule.action, rule: top.rule, rates };
}
