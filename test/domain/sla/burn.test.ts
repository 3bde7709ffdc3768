import { describe, expect, it } from 'vitest';
import {
  BURN_PERIOD_DAYS,
  BURN_RULES,
  type BurnEvaluation,
  burnRate,
  DEFAULT_MIN_EVENTS,
  evaluateBurn,
  HOUR_MS,
  rulesForPeriod,
  thresholdFactor,
  type WindowCounts,
} from '../../../src/domain/sla/burn.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { simulatedClock, ticks } from './clock.ts';

const T = 0.999;
const PER_MIN = 1_000;
/** Three healthy days first, so every window (the longest is 3 d) is full before anything happens. */
const HISTORY_MIN = 3 * 24 * 60;
const PERIOD_MIN = BURN_PERIOD_DAYS * 24 * 60;

const constant = (c: WindowCounts) => (): WindowCounts => c;
const fired = (e: BurnEvaluation): string[] => e.rates.filter((r) => r.fired).map((r) => r.rule.name);
const outcome = (e: BurnEvaluation): string => (e.rule ? `${e.action} ${e.rule.name}` : e.action);

/** Healthy history, then `incident` (per-minute bad counts at 1,000 events/min), then healthy to the end. */
function scenario(incident: readonly number[], afterMin = HISTORY_MIN) {
  const history = [
    ...ticks(HISTORY_MIN, PER_MIN, 0),
    ...incident.map((bad) => ({ total: PER_MIN, bad })),
    ...ticks(afterMin, PER_MIN, 0),
  ];
  const clock = simulatedClock(history, MINUTE_MS);
  /** The evaluation `k` minutes after the incident began. */
  const minuteAfter = (k: number, opts = {}) => evaluateBurn(clock.at(HISTORY_MIN + k), T, opts);
  const span = incident.length + afterMin;
  return { minuteAfter, span };
}

describe('the default rules (DOMAIN.md §7)', () => {
  it.each([
    ['page', '1h/5m', 1, 5, 0.02, 14.4],
    ['page', '6h/30m', 6, 30, 0.05, 6],
    ['ticket', '24h/2h', 24, 120, 0.1, 3],
    ['ticket', '3d/6h', 72, 360, 0.1, 1],
  ])('%s %s: %d h / %d min, %d of the budget → factor %d', (action, name, longH, shortMin, x, factor) => {
    const rule = BURN_RULES.find((r) => r.name === name)!;
    expect(rule).toEqual({
      action,
      name,
      longMs: longH * HOUR_MS,
      shortMs: shortMin * MINUTE_MS,
      budgetSpent: x,
      factor,
    });
    // X × P / W, P = 30 days = 720 h.
    expect(thresholdFactor(x, BURN_PERIOD_DAYS, longH)).toBeCloseTo(factor, 12);
  });

  it('pages come first, so table order breaks ties within an action', () => {
    expect(BURN_RULES.map((r) => r.action)).toEqual(['page', 'page', 'ticket', 'ticket']);
  });

  it('rulesForPeriod keeps each rule’s share of the budget: 30 days gives the table, 7 days scales it', () => {
    expect(rulesForPeriod(30).map((r) => r.factor)).toEqual(
      BURN_RULES.map((r) => expect.closeTo(r.factor, 12)),
    );
    expect(rulesForPeriod(7).map((r) => r.factor)).toEqual(
      [3.36, 1.4, 0.7, 0.233].map((f) => expect.closeTo(f, 3)),
    );
  });
});

describe('burnRate = (bad / total) / (1 − target)', () => {
  it.each([
    [0, 1_000, 0.999, 0],
    [1, 1_000, 0.999, 1],
    [5, 1_000, 0.999, 5],
    [1_000, 1_000, 0.999, 1_000],
    [10, 1_000, 0.99, 1],
    [0, 0, 0.999, 0],
  ])('%d bad of %d at %d → %d', (bad, total, target, rate) => {
    expect(burnRate(bad, total, target)).toBeCloseTo(rate, 9);
  });

  it.each([0, 1, 1.5, -0.1, Number.NaN])('rejects target %d (no budget, or not a fraction)', (t) => {
    expect(() => burnRate(1, 10, t)).toThrow(RangeError);
  });
});

describe('evaluateBurn: the rule mechanics', () => {
  it('nothing happening → none, with every rule’s figures', () => {
    const e = evaluateBurn(constant({ total: 60_000, bad: 0 }), T);
    expect(e.action).toBe('none');
    expect(e.rule).toBeUndefined();
    expect(e.rates.map((r) => r.rule.name)).toEqual(['1h/5m', '6h/30m', '24h/2h', '3d/6h']);
    expect(e.rates[0]!.long).toMatchObject({ windowMs: HOUR_MS, total: 60_000, bad: 0, rate: 0 });
  });

  it('asks for each distinct window once (6 h is both a long and a short window: 7 in all)', () => {
    const asked: number[] = [];
    evaluateBurn((ms) => {
      asked.push(ms);
      return { total: 0, bad: 0 };
    }, T);
    expect(asked).toHaveLength(7);
    expect(new Set(asked).size).toBe(7);
  });

  it.each([
    [9, 'none'],
    [10, 'page 1h/5m'],
  ])('minimum events (default 10): windows of %d events, all failing → %s', (n, expected) => {
    expect(outcome(evaluateBurn(constant({ total: n, bad: n }), T))).toBe(expected);
    expect(DEFAULT_MIN_EVENTS).toBe(10);
  });

  it('the minimum is an option', () => {
    const e = evaluateBurn(constant({ total: 3, bad: 3 }), T, { minEvents: 3 });
    expect(outcome(e)).toBe('page 1h/5m');
  });

  it('both windows must exceed: a hot short window over a cool long one does not fire, nor the reverse', () => {
    const shortHot = (ms: number) =>
      ms === 5 * MINUTE_MS ? { total: 5_000, bad: 5_000 } : { total: 60_000, bad: 0 };
    expect(evaluateBurn(shortHot, T).rates[0]).toMatchObject({ fired: false, short: { exceeds: true } });
    const longHot = (ms: number) =>
      ms === HOUR_MS ? { total: 60_000, bad: 60_000 } : { total: 5_000, bad: 0 };
    expect(evaluateBurn(longHot, T).rates[0]).toMatchObject({ fired: false, long: { exceeds: true } });
  });

  it('exactly at the factor is not above it, whatever floating point says', () => {
    // (3 / 10) / (1 − 0.9) computes as 3.0000000000000004: the 24h/2h factor is 3, so it must not fire.
    expect(burnRate(3, 10, 0.9)).toBeGreaterThan(3);
    const e = evaluateBurn(constant({ total: 10, bad: 3 }), 0.9);
    expect(fired(e)).toEqual(['3d/6h']);
    expect(outcome(e)).toBe('ticket 3d/6h');
    // And at 99.9%: 864 of 60,000 is 1.44% exactly, burn 14.4 (computed 14.399999999999986).
    expect(fired(evaluateBurn(constant({ total: 60_000, bad: 864 }), T))).not.toContain('1h/5m');
    expect(fired(evaluateBurn(constant({ total: 60_000, bad: 865 }), T))).toContain('1h/5m');
  });

  it('a page suppresses a ticket: a full outage fires all four rules and pages with the fastest', () => {
    const e = scenario(new Array(5).fill(PER_MIN)).minuteAfter(5);
    expect(fired(e)).toEqual(['1h/5m', '6h/30m', '24h/2h', '3d/6h']);
    expect(outcome(e)).toBe('page 1h/5m');
  });
});

/**
 * The workbook's detection time for an error rate e sustained after a healthy, full window: the long
 * window needs X × P × (1 − T) bad events' worth of minutes, i.e. X × P × (1 − T) / e (P in minutes).
 * Strictly above the factor, on a minute clock, fires at the first whole minute after that.
 */
const detectionMinutes = (budgetSpent: number, errorRate: number) =>
  (budgetSpent * PERIOD_MIN * (1 - T)) / errorRate;

describe('sustained error rates at 1,000 events/min, target 99.9% (simulated minute clock)', () => {
  it.each([
    // label, first action, its rule, first minute, bad/min, the rule's share of the budget
    ['100% outage (burn 1000)', 'page', '1h/5m', 1, 1_000, 0.02],
    ['2% errors (burn 20)', 'page', '1h/5m', 44, 20, 0.02],
    ['1% errors (burn 10)', 'page', '6h/30m', 217, 10, 0.05],
    ['0.5% errors (burn 5)', 'ticket', '24h/2h', 865, 5, 0.1],
    ['0.2% errors (burn 2)', 'ticket', '3d/6h', 2161, 2, 0.1],
  ])('%s: first %s, by %s, at minute %i', (_label, action, rule, minute, badPerMin, budgetSpent) => {
    const predicted = detectionMinutes(budgetSpent, badPerMin / PER_MIN);
    expect(Math.floor(predicted + 1e-9) + 1).toBe(minute);
    const { minuteAfter, span } = scenario(new Array(HISTORY_MIN).fill(badPerMin), 0);
    const outcomes = Array.from({ length: span + 1 }, (_, k) => minuteAfter(k));
    const first = outcomes.findIndex((e) => e.action !== 'none');
    expect(first).toBe(minute);
    expect(outcome(outcomes[first]!)).toBe(`${action} ${rule}`);
    const actions = new Set(outcomes.map((e) => e.action));
    // A ticket-only burn never pages, however long it lasts (three days here).
    if (action === 'ticket') expect(actions).not.toContain('page');
  });

  it('burning exactly the budget (0.1%, burn 1) never fires, not even 3d/6h', () => {
    const { minuteAfter, span } = scenario(new Array(HISTORY_MIN).fill(1), 0);
    for (let k = 0; k <= span; k += 10) expect(minuteAfter(k).action).toBe('none');
  });

  it('a 100% outage pages after 52 seconds on a second clock (the 1h rate passes 1.44% at 0.864 min)', () => {
    // 1,000 events a minute spread over the seconds (16 or 17 each); a full outage starts at second 0.
    const perSecond = (s: number) => Math.floor(((s + 1) * PER_MIN) / 60) - Math.floor((s * PER_MIN) / 60);
    const healthy = Array.from({ length: 72 * 3_600 }, (_, s) => ({ total: perSecond(s), bad: 0 }));
    const outage = Array.from({ length: 120 }, (_, s) => ({ total: perSecond(s), bad: perSecond(s) }));
    const clock = simulatedClock([...healthy, ...outage], 1_000);
    const at = (s: number) => evaluateBurn(clock.at(healthy.length + s), T);
    expect(detectionMinutes(0.02, 1) * 60).toBeCloseTo(51.84, 9);
    expect(at(51).action).toBe('none');
    expect(outcome(at(52))).toBe('page 1h/5m');
  });

  it('a 0.1% error rate for 10 minutes does not page (nor ticket)', () => {
    const { minuteAfter, span } = scenario(new Array(10).fill(1));
    for (let k = 0; k <= span; k++) expect(minuteAfter(k).action).toBe('none');
  });

  it('one failure in a quiet hour (5 events) does not page: the windows are under the minimum', () => {
    const quiet = ticks(60, 0, 0);
    for (const m of [10, 25, 40, 50]) quiet[m] = { total: 1, bad: 0 };
    quiet[55] = { total: 1, bad: 1 };
    const clock = simulatedClock(quiet, MINUTE_MS);
    for (let t = 0; t <= 60; t++) expect(evaluateBurn(clock.at(t), T).action).toBe('none');
    const e = evaluateBurn(clock.at(60), T);
    expect(e.rates[0]!.long).toMatchObject({ total: 5, bad: 1, enough: false, exceeds: false });
    // The minimum is what holds it back: burn 200 over the hour, 1,000 over the last 5 minutes.
    expect(outcome(evaluateBurn(clock.at(60), T, { minEvents: 1 }))).toBe('page 1h/5m');
  });

  it('after a 10-minute outage the short windows let each rule reset in turn', () => {
    const { minuteAfter } = scenario(new Array(10).fill(PER_MIN));
    const segments: [number, string][] = [];
    for (let k = 0; k <= 400; k++) {
      const o = outcome(minuteAfter(k));
      if (segments.at(-1)?.[1] !== o) segments.push([k, o]);
    }
    expect(segments).toEqual([
      [0, 'none'],
      [1, 'page 1h/5m'],
      [15, 'page 6h/30m'], // the 5m window is clean again 5 minutes after the outage ends
      [40, 'ticket 24h/2h'], // the 30m window, 30 minutes after
      [130, 'ticket 3d/6h'], // the 2h window, 2 hours after
      [370, 'none'], // the 6h window, 6 hours after
    ]);
  });
});
