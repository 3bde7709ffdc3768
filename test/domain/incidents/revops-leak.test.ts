import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGET_POLICY, type IncidentSeverity } from '../../../src/domain/budget/budget.ts';
import {
  DEFAULT_INCIDENT_POLICY,
  type Incident,
  type IncidentVerdict,
  REVENUE_DEDUPE_KEY,
  revenueFigures,
  revopsLeakFigures,
} from '../../../src/domain/incidents/incident.ts';
import {
  judgeStuckLeak,
  type StuckReading,
  stuckLeakFigures,
  stuckLeakFiring,
} from '../../../src/domain/incidents/revops-leak.ts';
import type { StuckDeal } from '../../../src/domain/revops/aggregates.ts';
import { stuckDeals } from '../../../src/domain/revops/insight-rules-pipeline.ts';
import type { InsightInput } from '../../../src/domain/revops/insights.ts';
import {
  crossesLeakBudget,
  REVOPS_STUCK_DEDUPE_KEY,
  type RevopsLeakFigures,
  STUCK_LEAK_TITLE,
  stuckLeakResolveReason,
  stuckLeakSummary,
} from '../../../src/domain/revops/leak.ts';

/**
 * The stuck pipeline as an incident source (issue 14): one rule shared with the insight (strictly more than
 * the budget), severity and paging on the revenue budget's ladder read with the budget multiple, and the
 * verdicts at every edge (exactly the budget, the reopen window, an unchanged reading).
 */

const NOW = Date.parse('2026-12-01T08:00:00Z');
const BUDGET = 50_000_000; // $500,000
const P = DEFAULT_INCIDENT_POLICY;

const deal = (id: string, amountCents: number, o: Partial<StuckDeal> = {}): StuckDeal => ({
  dealId: id,
  account: `Account ${id}`,
  owner: 'dana',
  segment: 'ENT',
  stage: 'Negotiation',
  amountCents,
  daysInStage: 60,
  ...o,
});

const reading = (amountCents: number, o: Partial<StuckReading> = {}): StuckReading => ({
  pipeline: {
    source: 'deals',
    stuck: [deal('D1', amountCents)],
    stuckTotal: { deals: 1, amountCents },
  },
  budgetCents: BUDGET,
  rule: { minDays: 45, minCents: 5_000_000 },
  nowMs: NOW,
  ...o,
});

const figuresAt = (amountCents: number, o: Partial<StuckReading> = {}): RevopsLeakFigures =>
  stuckLeakFigures(reading(amountCents, o), DEFAULT_BUDGET_POLICY);

const incident = (f: RevopsLeakFigures, o: Partial<Incident> = {}): Incident => ({
  id: '42',
  dedupeKey: REVOPS_STUCK_DEDUPE_KEY,
  title: STUCK_LEAK_TITLE,
  state: 'detected',
  severity: f.severity,
  paging: f.paging,
  openedAtMs: NOW - 86_400_000,
  acknowledgedAtMs: null,
  acknowledgedBy: null,
  resolvedAtMs: null,
  resolvedBy: null,
  commander: null,
  figures: f,
  channelId: null,
  channelName: null,
  warRoomTs: null,
  pagesSent: 0,
  nextPageAtMs: null,
  recoveredCents: 0,
  ...o,
});

describe('crossesLeakBudget: strictly more than the budget, never without one', () => {
  it.each([
    [BUDGET + 1, BUDGET, true],
    [BUDGET, BUDGET, false], // exactly the budget: not a leak
    [BUDGET - 1, BUDGET, false],
    [BUDGET * 10, null, false],
  ])('%s against %s → %s', (amount, budget, expected) => {
    expect(crossesLeakBudget(amount, budget)).toBe(expected);
  });

  it('is the rule the stuck-deals insight sets `leak` by, so both agree at the edge', () => {
    const input = (amountCents: number) =>
      ({
        filter: { fromMs: NOW - 30 * 86_400_000, toMs: NOW },
        pipeline: { stuck: [deal('D1', amountCents)], stuckTotal: { deals: 1, amountCents } },
      }) as unknown as InsightInput;
    for (const amount of [BUDGET - 1, BUDGET, BUDGET + 1]) {
      const [insight] = stuckDeals(input(amount), { stuckMinDays: 45, leakBudgetCents: BUDGET });
      expect(insight!.leak !== null).toBe(stuckLeakFiring(figuresAt(amount)));
    }
  });
});

describe('stuckLeakFigures: the budget ladder of DOMAIN.md §4 with the multiple as the burn', () => {
  it.each<[number, IncidentSeverity, string]>([
    [BUDGET, 3, 'PAGE'], // 1.0×: burn > 0.5 → SEV-3 (but not a leak, so never declared)
    [BUDGET + 1, 2, 'PAGE'], // just over: burn > 1.0 → SEV-2
    [2 * BUDGET, 2, 'PAGE'], // exactly 2×: not > 2.0
    [2 * BUDGET + 1, 1, 'PAGE'], // over 2× → SEV-1
    [BUDGET / 2, 4, 'WARN'], // 0.5×: not > 0.5 → SEV-4 (some deal), WARN (> 0.25)
  ])('%s cents stuck → SEV-%s, %s', (amount, severity, paging) => {
    const f = figuresAt(amount);
    expect(f).toMatchObject({ severity, paging, stuckCents: amount, leakBudgetCents: BUDGET });
    expect(f.budgetMultiple).toBe(amount / BUDGET);
  });

  it('keeps the reading: source, rule, totals and the listed deals', () => {
    const f = figuresAt(120_000_000, {
      pipeline: {
        source: 'funnel',
        stuck: [deal('D1', 70_000_000), deal('D2', 50_000_000)],
        stuckTotal: { deals: 7, amountCents: 120_000_000 },
      },
    });
    expect(f).toMatchObject({
      kind: 'revops',
      reason: 'stuck_deals',
      evaluatedAtMs: NOW,
      source: 'funnel',
      stuckDeals: 7,
      minDays: 45,
      minCents: 5_000_000,
    });
    expect(f.deals.map((d) => d.dealId)).toEqual(['D1', 'D2']);
    expect(stuckLeakSummary(f)).toBe('7 deals worth $1,200,000 stuck over 45 days (budget $500,000)');
  });

  it('is its own kind: not a revenue leak for the funnel surfaces', () => {
    const i = incident(figuresAt(BUDGET + 1));
    expect(revenueFigures(i)).toBeNull();
    expect(revopsLeakFigures(i)).toBe(i.figures);
    expect(REVOPS_STUCK_DEDUPE_KEY).not.toBe(REVENUE_DEDUPE_KEY);
  });
});

describe('judgeStuckLeak', () => {
  const over = figuresAt(60_000_000); // 1.2× → SEV-2
  const resolvedAgo = (ms: number) =>
    incident(over, { state: 'resolved', resolvedAtMs: NOW - ms, resolvedBy: 'system:revops-watch' });

  it.each<[string, Incident | null, Incident | null, RevopsLeakFigures | null, IncidentVerdict]>([
    ['nothing open, exactly at the budget', null, null, figuresAt(BUDGET), { action: 'none' }],
    ['nothing open, one cent over', null, null, figuresAt(BUDGET + 1), { action: 'declare' }],
    ['nothing open, no budget', null, null, null, { action: 'none' }],
    ['open, the same reading', incident(over), null, figuresAt(60_000_000), { action: 'none' }],
    [
      'open, more stuck at the same severity',
      incident(over),
      null,
      figuresAt(70_000_000),
      { action: 'update', incidentId: '42', severityFrom: null },
    ],
    [
      'open, past 2× the budget',
      incident(over),
      null,
      figuresAt(2 * BUDGET + 1),
      { action: 'update', incidentId: '42', severityFrom: 2 },
    ],
    [
      'open, another deal at the same total',
      incident(over),
      null,
      figuresAt(60_000_000, {
        pipeline: {
          source: 'deals',
          stuck: [deal('D9', 60_000_000)],
          stuckTotal: { deals: 1, amountCents: 60_000_000 },
        },
      }),
      { action: 'update', incidentId: '42', severityFrom: null },
    ],
    [
      'open, back to exactly the budget',
      incident(over),
      null,
      figuresAt(BUDGET),
      { action: 'resolve', incidentId: '42' },
    ],
    ['open, the budget unset', incident(over), null, null, { action: 'resolve', incidentId: '42' }],
    [
      'resolved within the reopen window (edge)',
      null,
      resolvedAgo(P.reopenWindowMs),
      over,
      { action: 'reopen', incidentId: '42' },
    ],
    ['resolved just outside it', null, resolvedAgo(P.reopenWindowMs + 1), over, { action: 'declare' }],
  ])('%s', (_, open, lastResolved, figures, verdict) => {
    expect(judgeStuckLeak(open, lastResolved, figures, P, NOW)).toEqual(verdict);
  });

  it('days in stage growing alone is no change (the War Room says what instant they are as of)', () => {
    const later = figuresAt(60_000_000, {
      nowMs: NOW + 86_400_000,
      pipeline: {
        source: 'deals',
        stuck: [deal('D1', 60_000_000, { daysInStage: 61 })],
        stuckTotal: { deals: 1, amountCents: 60_000_000 },
      },
    });
    expect(judgeStuckLeak(incident(over), null, later, P, NOW + 86_400_000)).toEqual({ action: 'none' });
  });

  it('a severity changed by hand is kept while the reading is unchanged', () => {
    expect(judgeStuckLeak(incident(over, { severity: 3 }), null, over, P, NOW)).toEqual({ action: 'none' });
  });
});

describe('stuckLeakResolveReason', () => {
  it('says what recovered, with its numbers, or that the budget is gone', () => {
    expect(stuckLeakResolveReason(figuresAt(BUDGET), BUDGET)).toBe(
      'stuck pipeline back within the leak budget: 1 deal worth $500,000 stuck over 45 days (budget $500,000)',
    );
    expect(stuckLeakResolveReason(null, null)).toMatch(/^REVOPS_LEAK_BUDGET_USD is no longer set/);
  });
});
