import { describe, expect, it } from 'vitest';
import { confidence } from '../../../src/domain/revops/confidence.ts';
import type { RevenueFigures, SegmentPayback } from '../../../src/domain/revops/figures.ts';
import { type InsightInput, type InsightOptions, insights } from '../../../src/domain/revops/insights.ts';
import { emptyChannel, emptyMarketing, emptyPipeline, emptyRevenue } from '../../support/revops-fixtures.ts';

/**
 * Insight rules at their thresholds (strict: exactly on the line is not an insight), with confidence from
 * confidence.ts's formula worked out by hand: n/(n+10) × (0.5 + 0.5 × min(1, distance)), in [0.05, 0.95].
 */

const FROM = Date.parse('2026-09-01T00:00:00Z');
const TO = Date.parse('2026-12-01T00:00:00Z');
const opts: InsightOptions = { stuckMinDays: 45, leakBudgetCents: null };

const report = (o: Partial<Pick<InsightInput, 'pipeline' | 'revenue' | 'marketing'>> = {}): InsightInput => {
  const cur = { pipeline: emptyPipeline(), revenue: emptyRevenue(), marketing: emptyMarketing(), ...o };
  return { filter: { fromMs: FROM, toMs: TO }, ...cur, previous: cur, changes: {} };
};

/** A base of `customers` paying at the period start (what churn and NRR confidence count). */
const withBase = (customers: number, o: Partial<RevenueFigures>) =>
  emptyRevenue({
    months: [
      {
        month: '2026-09-01',
        startCents: 0,
        newCents: 0,
        expansionCents: 0,
        reactivationCents: 0,
        contractionCents: 0,
        churnCents: 0,
        endCents: 0,
        customersStart: customers,
        customersNew: 0,
        customersReactivated: 0,
        customersChurned: 0,
        customersEnd: 0,
      },
    ],
    ...o,
  });

const ids = (r: InsightInput, o = opts) => insights(r, o).map((i) => i.id);
const one = (r: InsightInput, o = opts) => {
  const all = insights(r, o);
  expect(all).toHaveLength(1);
  return all[0]!;
};

const knownStage = {
  stage: 'Demo',
  deals: 10,
  amountCents: 0,
  weightedCents: 0,
  avgDaysInStage: 1,
  conversionPct: null,
};

describe('confidence', () => {
  it.each([
    [10, 1, 0.5], // half sample, full margin
    [90, 0, 0.45], // 0.9 × 0.5
    [90, 0.5, 0.68], // 0.9 × 0.75 = 0.675 → 0.68
    [1000, 5, 0.95], // capped
    [0, 1, 0.05], // floored
  ])('n %i, distance %d → %d', (n, d, expected) => {
    expect(confidence(n, d)).toBe(expected);
  });
});

describe('threshold rules: strictly past the line fires, on the line does not', () => {
  it.each([
    ['win rate 20% exactly', report({ pipeline: emptyPipeline({ winRatePct: 20, won: 1, lost: 4 }) }), []],
    [
      'win rate 19.9%',
      report({ pipeline: emptyPipeline({ winRatePct: 19.9, won: 199, lost: 801 }) }),
      ['low_win_rate'],
    ],
    ['no closed deal', report({ pipeline: emptyPipeline({ winRatePct: null }) }), []],
    [
      'velocity $1,000/day exactly',
      report({ pipeline: emptyPipeline({ velocityCentsPerDay: 100_000, stages: [knownStage] }) }),
      [],
    ],
    [
      'velocity $999.99/day',
      report({ pipeline: emptyPipeline({ velocityCentsPerDay: 99_999, stages: [knownStage] }) }),
      ['low_velocity'],
    ],
    ['velocity 0 with no open deal', report({ pipeline: emptyPipeline({ velocityCentsPerDay: 0 }) }), []],
    ['churn 5% exactly', report({ revenue: withBase(100, { churnRatePct: 5 }) }), []],
    ['churn 5.1%', report({ revenue: withBase(100, { churnRatePct: 5.1 }) }), ['high_churn']],
    ['NRR 105% exactly', report({ revenue: withBase(100, { nrrPct: 105 }) }), []],
    ['NRR 104.9%', report({ revenue: withBase(100, { nrrPct: 104.9 }) }), ['low_nrr']],
    ['no stuck deal', report(), []],
  ])('%s → %o', (_name, r, expected) => {
    expect(ids(r)).toEqual(expected);
  });

  it('states win rate with its numbers, period and evidence; critical under 10%', () => {
    // 1 won, 9 lost: 10%, not under 10 → warning; distance (20 − 10)/20 = 0.5; n 10 → 0.5 × 0.75 = 0.375 → 0.38.
    const i = one(report({ pipeline: emptyPipeline({ winRatePct: 10, won: 1, lost: 9 }) }));
    expect(i).toMatchObject({
      id: 'low_win_rate',
      rule: 'low_win_rate',
      severity: 'warning',
      confidence: 0.38,
      title: 'Win rate 10.0% is under 20%',
      view: 'pipeline',
      evidence: { winRatePct: 10, won: 1, lost: 9, thresholdPct: 20 },
      leak: null,
    });
    expect(i.detail).toBe(
      '2026-09-01 to 2026-11-30: 1 won and 9 lost of 10 closed deals, a win rate of 10.0% against a 20% floor.',
    );
    expect(one(report({ pipeline: emptyPipeline({ winRatePct: 9.9, won: 1, lost: 9 }) })).severity).toBe(
      'critical',
    );
  });

  it('rates churn and NRR over the customers paying at the start', () => {
    // churn 10%: distance (10 − 5)/5 = 1; n 90 → 0.9 × 1 = 0.9; exactly 10 is not over 10 → warning.
    expect(one(report({ revenue: withBase(90, { churnRatePct: 10 }) }))).toMatchObject({
      severity: 'warning',
      confidence: 0.9,
      title: 'Churn 10.0% is over 5%',
      evidence: { baseCustomers: 90 },
    });
    // NRR 84%: distance 21/105 = 0.2; n 10 → 0.5 × 0.6 = 0.3; under 90 → critical.
    expect(one(report({ revenue: withBase(10, { nrrPct: 84, grrPct: 80 }) }))).toMatchObject({
      severity: 'critical',
      confidence: 0.3,
      title: 'NRR 84.0% is under 105%',
    });
  });
});

describe('stuck deals', () => {
  const stuck = {
    stuck: [
      {
        dealId: 'd1',
        account: 'A',
        owner: 'o',
        segment: 'ENT' as const,
        stage: 'Demo',
        amountCents: 6_000_000,
        daysInStage: 90,
      },
    ],
    stuckTotal: { deals: 2, amountCents: 11_000_000 },
  };

  it('says how many, worth how much, over how many days', () => {
    // n 2 → 2/12; longest 90 days: distance (90 − 45)/45 = 1 → 0.1667 → 0.17.
    expect(one(report({ pipeline: emptyPipeline(stuck) }))).toMatchObject({
      id: 'stuck_deals',
      severity: 'warning',
      confidence: 0.17,
      title: '2 deals worth $110,000 stuck over 45 days',
      leak: null,
    });
  });

  it.each([
    [null, null],
    [11_000_000, null], // worth exactly the budget: not more than it
    [10_999_999, { reason: 'stuck_deals', atRiskCents: 11_000_000 }],
  ])('with a leak budget of %s → leak %o', (budget, leak) => {
    const i = one(report({ pipeline: emptyPipeline(stuck) }), { stuckMinDays: 45, leakBudgetCents: budget });
    expect(i.leak).toEqual(leak);
    expect(i.severity).toBe(leak ? 'critical' : 'warning');
  });
});

describe('marketing rules', () => {
  const paid = emptyChannel('Paid', {
    spendCents: 600_000,
    leads: 100,
    won: 10,
    conversionPct: 10,
    cacCents: 60_000,
    revenueCents: 1_200_000,
    roiPct: 100,
  });
  const events = emptyChannel('Events', {
    spendCents: 200_000,
    leads: 100,
    won: 1,
    conversionPct: 1,
    cacCents: 200_000,
    roiPct: 200,
  });
  const organic = emptyChannel('Organic', {
    leads: 50,
    won: 0,
    conversionPct: 0,
    cacCents: null,
    roiPct: null,
  });
  const totals = emptyChannel('Total', { spendCents: 800_000, leads: 250, won: 11, conversionPct: 4.4 });
  const r = report({ marketing: emptyMarketing({ channels: [paid, events, organic], totals }) });

  it('flags ROI under 200% only with a CAC, names the top spender and the worst converter', () => {
    // Paid: ROI 100 < 200 with CAC; Events: ROI exactly 200 → none; Organic: no CAC → none.
    // The warning first, then the infos by confidence.
    expect(ids(r)).toEqual(['low_roi:Paid', 'lowest_converting_channel:Organic', 'top_spend_channel:Paid']);
    const all = insights(r, opts);
    // low_roi: n 10 → 0.5; distance 100/200 = 0.5 → 0.75 → 0.375 → 0.38.
    expect(all[0]).toMatchObject({ severity: 'warning', confidence: 0.38, view: 'marketing' });
    // top spend: 2 channels spend → 2/12; share 0.75 → 0.875 → 0.1458 → 0.15.
    expect(all[2]).toMatchObject({
      severity: 'info',
      confidence: 0.15,
      title: 'Paid is the highest-spend channel ($6,000, 75.0% of spend)',
    });
    // lowest: Organic 0% of 50 leads: 50/60 × (0.5 + 0.5 × 1) = 0.83.
    expect(all[1]).toMatchObject({ confidence: 0.83, title: 'Organic converts worst: 0.0% of leads won' });
  });

  it('is critical when a channel loses money, and needs two converting channels to name the lowest', () => {
    const losing = emptyChannel('Paid', {
      spendCents: 100,
      leads: 10,
      won: 1,
      conversionPct: 10,
      cacCents: 100,
      roiPct: -50,
    });
    const single = report({ marketing: emptyMarketing({ channels: [losing], totals: losing }) });
    expect(insights(single, opts).map((i) => [i.id, i.severity])).toEqual([
      ['low_roi:Paid', 'critical'],
      ['top_spend_channel:Paid', 'info'],
    ]);
  });

  it('compares CAC payback with the segment benchmark', () => {
    const seg = (s: Partial<SegmentPayback> & Pick<SegmentPayback, 'segment'>): SegmentPayback => ({
      spendCents: 120_000,
      won: 10,
      cacCents: 12_000,
      arpaCents: 1_000,
      paybackMonths: 12,
      benchmarkMonths: 12,
      verdict: 'within',
      ...s,
    });
    const segments = [
      seg({ segment: 'SMB' }),
      seg({ segment: 'MM', paybackMonths: 27, benchmarkMonths: 18, verdict: 'over' }),
      seg({ segment: 'ENT', paybackMonths: null, verdict: 'no data' }),
    ];
    const all = insights(report({ marketing: emptyMarketing({ segments }) }), opts);
    expect(all.map((i) => [i.id, i.severity, i.confidence])).toEqual([
      // MM: distance 9/18 = 0.5 → 0.5 × 0.75 = 0.375 → 0.38.
      ['cac_payback:MM', 'warning', 0.38],
      // SMB: exactly on the benchmark: within, distance 0 → 0.5 × 0.5 = 0.25.
      ['cac_payback:SMB', 'info', 0.25],
    ]);
    expect(all[0]!.title).toBe('MM CAC payback 27.0 months is over the 18-month benchmark');
  });
});

describe('top churn reason', () => {
  it('names the reason that cost the most MRR, ties broken by customers then name', () => {
    const r = report({
      revenue: emptyRevenue({
        churnReasons: [
          { reason: 'budget', customers: 1, mrrCents: 50_000 },
          { reason: 'price', customers: 3, mrrCents: 50_000 },
          { reason: 'product', customers: 6, mrrCents: 20_000 },
        ],
      }),
    });
    // 10 churned → 0.5; share 50,000 / 120,000 = 0.4167 → 0.7083 → 0.354 → 0.35.
    expect(one(r)).toMatchObject({
      id: 'top_churn_reason:price',
      confidence: 0.35,
      title: 'Top churn reason: price (3 customers, $500 MRR)',
      view: 'revenue',
    });
  });
});

describe('order', () => {
  it('is severity, then confidence (highest first), then id, and the same for the same data', () => {
    const r = report({
      pipeline: emptyPipeline({
        winRatePct: 5,
        won: 1,
        lost: 19,
        velocityCentsPerDay: 99_000,
        stages: [knownStage],
      }),
      revenue: withBase(1_000, {
        churnRatePct: 6,
        nrrPct: 100,
        churnReasons: [{ reason: 'price', customers: 1, mrrCents: 1 }],
      }),
    });
    const first = insights(r, opts);
    expect(first.map((i) => [i.id, i.severity, i.confidence])).toEqual([
      ['low_win_rate', 'critical', 0.58], // 20/30 × (0.5 + 0.5 × 0.75) = 0.583
      ['high_churn', 'warning', 0.59], // 0.99 × (0.5 + 0.5 × 0.2) = 0.594 — warning after critical
      ['low_nrr', 'warning', 0.52], // 0.99 × (0.5 + 0.5 × 0.0476) = 0.519
      ['low_velocity', 'warning', 0.25], // 10/20 × (0.5 + 0.5 × 0.01) = 0.2525
      ['top_churn_reason:price', 'info', 0.09], // 1/11 × 1 = 0.0909
    ]);
    expect(insights(r, opts)).toEqual(first);
  });
});
