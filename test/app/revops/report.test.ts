import { describe, expect, it } from 'vitest';
import type { RevopsReads, StuckRule } from '../../../src/app/revops/ports.ts';
import { DEFAULT_REVOPS_OPTIONS, type RevopsOptions, revopsReport } from '../../../src/app/revops/report.ts';
import type {
  MarketingAggregates,
  PipelineAggregates,
  RevenueAggregates,
} from '../../../src/domain/revops/aggregates.ts';
import { DEFAULT_PAYBACK_BENCHMARKS } from '../../../src/domain/revops/benchmarks.ts';
import { previousPeriod, type RevopsFilter } from '../../../src/domain/revops/types.ts';

/** The report use case over an in-memory RevopsReads: what it asks, how it compares, what it concludes. */

const FILTER: RevopsFilter = {
  fromMs: Date.parse('2026-11-01T00:00:00Z'),
  toMs: Date.parse('2026-12-01T00:00:00Z'),
  segment: 'SMB',
};

function pipeline(won: number, lost: number, openCents: number, stuckCents = 0): PipelineAggregates {
  return {
    source: 'deals',
    byStage: [
      {
        stage: 'Demo',
        deals: 2,
        amountCents: openCents,
        weightedCents: openCents / 2,
        daysInStageSum: 20,
        nonZeroDaysDeals: 2,
        nonZeroDaysSum: 20,
      },
    ],
    closedSince: { deals: 1, amountCents: 1_000 },
    byOwner: [],
    closed: { won, lost, wonCents: won * 10_000, lostCents: 0 },
    created: { deals: 3, amountCents: 0, reached: {} },
    stuck: [],
    stuckTotal: { deals: stuckCents > 0 ? 1 : 0, amountCents: stuckCents },
  };
}

function revenue(startCents: number, endCents: number): RevenueAggregates {
  return {
    months: [],
    activeCents: endCents,
    activeCustomers: 10,
    base: {
      customers: 10,
      startCents,
      endCents,
      expansionCents: Math.max(0, endCents - startCents),
      contractionCents: Math.max(0, startCents - endCents),
      churnCents: 0,
      churnedCustomers: 0,
    },
    churnReasons: [],
    cohorts: [],
  };
}

const marketing = (spendCents: number, won: number, revenueCents: number): MarketingAggregates => ({
  channels: [
    {
      channel: 'Paid',
      spendCents,
      impressions: 0,
      clicks: 0,
      leads: 100,
      mqls: 0,
      sqls: 0,
      opportunities: 0,
      won,
      wonRevenueCents: revenueCents,
    },
  ],
  segments: [],
});

/** Answers by period: the filter's own period gets `current`, anything else `previous`; records calls. */
function fakeReads() {
  const calls: { read: string; f: RevopsFilter; stuck?: StuckRule }[] = [];
  const isCurrent = (f: RevopsFilter) => f.fromMs === FILTER.fromMs;
  const reads: RevopsReads = {
    async pipeline(f, stuck) {
      calls.push({ read: 'pipeline', f, stuck });
      // Current: 1 won, 4 lost (20%), $100,000 open, $80,000 stuck; previous: 1 won, 1 lost, $80,000 open.
      return isCurrent(f) ? pipeline(1, 4, 10_000_000, 8_000_000) : pipeline(1, 1, 8_000_000);
    },
    async revenue(f) {
      calls.push({ read: 'revenue', f });
      return isCurrent(f) ? revenue(100_000, 110_000) : revenue(100_000, 100_000);
    },
    async marketing(f) {
      calls.push({ read: 'marketing', f });
      return isCurrent(f) ? marketing(100_000, 4, 250_000) : marketing(50_000, 0, 0);
    },
  };
  return { reads, calls };
}

describe('revopsReport', () => {
  it('reads the period and the one before it, with the same slices and stuck rule', async () => {
    const { reads, calls } = fakeReads();
    await revopsReport(reads, FILTER, DEFAULT_REVOPS_OPTIONS);
    const prev = previousPeriod(FILTER);
    expect(calls.map((c) => [c.read, c.f])).toEqual([
      ['pipeline', FILTER],
      ['revenue', FILTER],
      ['marketing', FILTER],
      ['pipeline', prev],
      ['revenue', prev],
      ['marketing', prev],
    ]);
    expect(prev).toEqual({ ...FILTER, fromMs: Date.parse('2026-10-02T00:00:00Z'), toMs: FILTER.fromMs });
    expect(calls[0]!.stuck).toEqual({ minDays: 45, minCents: 5_000_000, limit: 10 });
  });

  it('compares the headline figures, and only the comparable ones', async () => {
    const r = await revopsReport(fakeReads().reads, FILTER, DEFAULT_REVOPS_OPTIONS);
    expect(Object.keys(r.changes)).toEqual([
      'openCents',
      'openDeals',
      'won',
      'lost',
      'winRatePct',
      'avgDealSizeCents',
      'wonCents',
      'createdDeals',
      'mrrCents',
      'arrCents',
      'activeCustomers',
      'churnRatePct',
      'nrrPct',
      'spendCents',
      'leads',
      'marketingWon',
      'cacCents',
      'roiPct',
    ]);
    // Open: 10,001,000 now (known + moved since) against 8,001,000: +1,999,000, +24.98%.
    expect(r.changes['openCents']).toEqual({
      current: 10_001_000,
      previous: 8_001_000,
      delta: 2_000_000,
      pct: (2_000_000 / 8_001_000) * 100,
    });
    expect(r.changes['winRatePct']).toEqual({ current: 20, previous: 50, delta: -30, pct: -60 });
    expect(r.changes['nrrPct']).toEqual({ current: 110, previous: 100, delta: 10, pct: 10 });
    // No customer won before: CAC undefined then, so no change.
    expect(r.changes['cacCents']).toEqual({ current: 25_000, previous: null, delta: null, pct: null });
    expect(r.changes['arrCents']).toMatchObject({ current: 1_320_000, previous: 1_200_000 });
  });

  it('keeps the previous figures and computes the current ones', async () => {
    const r = await revopsReport(fakeReads().reads, FILTER, DEFAULT_REVOPS_OPTIONS);
    expect(r.filter).toEqual(FILTER);
    expect(r.pipeline.winRatePct).toBe(20);
    expect(r.previous.pipeline.winRatePct).toBe(50);
    expect(r.revenue.mrrCents).toBe(110_000);
    expect(r.marketing.totals.roiPct).toBe(150);
    expect(r.previous.marketing.totals.spendCents).toBe(50_000);
  });

  it('draws insights from the current period only, with the leak budget of the options', async () => {
    // Current: win rate exactly 20% (no insight), ROI 150% with CAC $250 (insight), $80,000 stuck.
    const opts: RevopsOptions = { ...DEFAULT_REVOPS_OPTIONS, leakBudgetCents: 7_999_999 };
    const r = await revopsReport(fakeReads().reads, FILTER, opts);
    expect(r.insights.map((i) => i.id)).toEqual(['stuck_deals', 'low_roi:Paid', 'top_spend_channel:Paid']);
    expect(r.insights[0]!.leak).toEqual({ reason: 'stuck_deals', atRiskCents: 8_000_000 });
    const noBudget = await revopsReport(fakeReads().reads, FILTER, DEFAULT_REVOPS_OPTIONS);
    expect(noBudget.insights.every((i) => i.leak === null)).toBe(true);
  });

  it('defaults to 45 days, $50,000, ten deals, our payback benchmarks and no leak budget', () => {
    expect(DEFAULT_REVOPS_OPTIONS).toEqual({
      stuck: { minDays: 45, minCents: 5_000_000, limit: 10 },
      benchmarks: DEFAULT_PAYBACK_BENCHMARKS,
      leakBudgetCents: null,
    });
  });
});
