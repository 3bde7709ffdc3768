import { DAY_MS, MINUTE_MS } from '../../shared/time.ts';
import type { Paging } from '../budget/budget.ts';
import { budgetLeft } from './alerting.ts';
import { type BurnEvaluation, type BurnRule, evaluateBurn, rulesForPeriod } from './burn.ts';
import { calendarBudgetFromDay } from './calendar.ts';
import type { SlaDefinition } from './definition.ts';
import type { SlaFigures } from './figures.ts';

/**
 * What an SLA's minutes burn (DOMAIN.md §7), in pure steps: which minutes an evaluation reads (`burnSpan`)
 * and what they burn (`readBurn`). What that means for the SLA's incident and tickets is
 * domain/incidents/sla-burn.ts `assessBurn`; the evaluator (app/sla/alerts.ts) does the reads between them
 * (the trend is read only when a rule fired, so the burn is read before the assessment).
 */

/** One minute of an SLA's series, every tag set summed; bad by the indicator. */
export interface MinuteCounts {
  /** Start of the UTC minute, epoch ms. */
  minuteMs: number;
  total: number;
  /** Availability: failed events. Latency: events not faster than the threshold (from the sketches). */
  bad: number;
}

/** What an evaluation at nowMs reads: Silver minutes [fromMs, toMs), Gold's complete days [goldFromMs, todayMs). */
export interface BurnSpan {
  rules: BurnRule[];
  currentMinute: number;
  todayMs: number;
  fromMs: number;
  toMs: number;
  goldFromMs: number;
}

/**
 * The SLA's rules (its own, from its alert policies, else the default table rescaled to its period) and
 * the spans they read. The budget counts Gold's complete days from the window's first day: the last
 * windowDays days (rolling), or the days since the calendar period began (calendar.ts).
 */
export function burnSpan(
  def: Pick<SlaDefinition, 'windowDays' | 'rules' | 'calendar'>,
  nowMs: number,
): BurnSpan {
  const rules = def.rules ?? rulesForPeriod(def.windowDays);
  const longest = Math.max(...rules.map((r) => r.longMs));
  const currentMinute = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
  const todayMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
  // The longest rule window, and today back to midnight for the budget, whichever reaches further.
  const fromMs = Math.min(currentMinute - longest + MINUTE_MS, todayMs);
  const goldFromMs = def.calendar
    ? Math.min(calendarBudgetFromDay(def.calendar, nowMs), todayMs)
    : todayMs - (def.windowDays - 1) * DAY_MS;
  return { rules, currentMinute, todayMs, fromMs, toMs: currentMinute + MINUTE_MS, goldFromMs };
}

/** The windows the rules need, summed from the minutes: the last W/1 min minutes, the current one included. */
export function windowsOf(minutes: readonly MinuteCounts[], currentMinute: number) {
  return (windowMs: number) => {
    const from = currentMinute - windowMs + MINUTE_MS;
    let total = 0;
    let bad = 0;
    for (const m of minutes)
      if (m.minuteMs >= from) {
        total += m.total;
        bad += m.bad;
      }
    return { total, bad };
  };
}

export interface BurnReading {
  evaluation: BurnEvaluation;
  /** Share of the SLA window's error budget left: the complete days from Gold, today from the minutes. */
  budgetRemaining: number;
}

export function readBurn(
  def: Pick<SlaDefinition, 'target'>,
  span: BurnSpan,
  minutes: readonly MinuteCounts[],
  gold: { total: number; bad: number },
  minEvents: number,
): BurnReading {
  const windows = windowsOf(minutes, span.currentMinute);
  const evaluation = evaluateBurn(windows, def.target, { rules: span.rules, minEvents });
  const todays = windows(span.toMs - span.todayMs);
  const budgetRemaining = budgetLeft(gold.total + todays.total, gold.bad + todays.bad, def.target);
  return { evaluation, budgetRemaining };
}

/** How an evaluation's action pages: a page rule PAGEs, a ticket rule WARNs, nothing firing is OK. */
export const pagingOfBurn = (a: SlaFigures['action']): Paging =>
  a === 'page' ? 'PAGE' : a === 'ticket' ? 'WARN' : 'OK';
