import { describe, expect, it } from 'vitest';
import type { PipelineAggregates, StageAggregate } from '../../../src/domain/revops/aggregates.ts';
import { pipelineFigures, velocity, winRate } from '../../../src/domain/revops/pipeline.ts';

/** Pipeline figures from aggregates: every expected number below is worked out by hand in its comment. */

const stage = (name: string, o: Partial<StageAggregate> = {}): StageAggregate => ({
  stage: name,
  deals: 0,
  amountCents: 0,
  weightedCents: 0,
  daysInStageSum: 0,
  nonZeroDaysDeals: 0,
  nonZeroDaysSum: 0,
  ...o,
});

const agg = (o: Partial<PipelineAggregates> = {}): PipelineAggregates => ({
  source: 'deals',
  byStage: [],
  closedSince: { deals: 0, amountCents: 0 },
  byOwner: [],
  closed: { won: 0, lost: 0, wonCents: 0, lostCents: 0 },
  created: { deals: 0, amountCents: 0, reached: {} },
  stuck: [],
  stuckTotal: { deals: 0, amountCents: 0 },
  ...o,
});

describe('winRate = won / (won + lost) × 100', () => {
  it.each([
    [1, 4, 20],
    [3, 0, 100],
    [0, 5, 0],
    [1, 2, 100 / 3],
    [0, 0, null],
  ])('%i won, %i lost → %s', (won, lost, expected) => {
    expect(winRate(won, lost)).toBe(expected);
  });
});

describe('velocity = weighted / mean of non-zero days in stage (1 when none)', () => {
  it.each([
    // 1,000,000 cents over deals with 10 and 20 days: mean 15 → 66,666.67 cents/day.
    [1_000_000, 2, 30, 1_000_000 / 15],
    // No deal a whole day in stage: divided by 1.
    [500_000, 0, 0, 500_000],
    [0, 3, 9, 0],
  ])('weighted %i, %i deals, %i days → %d', (w, deals, days, expected) => {
    expect(velocity(w, deals, days)).toBeCloseTo(expected, 9);
  });
});

describe('pipelineFigures', () => {
  const a = agg({
    byStage: [
      // Two Discovery deals: $1,000 and $3,000 at 10%, 0 and 4 days in stage.
      stage('Discovery', {
        deals: 2,
        amountCents: 400_000,
        weightedCents: 40_000,
        daysInStageSum: 4,
        nonZeroDaysDeals: 1,
        nonZeroDaysSum: 4,
      }),
      // One Negotiation deal: $10,000 at 60%, 16 days.
      stage('Negotiation', {
        deals: 1,
        amountCents: 1_000_000,
        weightedCents: 600_000,
        daysInStageSum: 16,
        nonZeroDaysDeals: 1,
        nonZeroDaysSum: 16,
      }),
      // A funnel record's own stage name.
      stage('Proposal', { deals: 1, amountCents: 50_000, weightedCents: 5_000 }),
    ],
    closedSince: { deals: 2, amountCents: 70_000 },
    closed: { won: 2, lost: 6, wonCents: 300_001, lostCents: 10 },
    created: {
      deals: 10,
      amountCents: 1,
      reached: { Discovery: 10, Demo: 4, Negotiation: 2, Closed_Won: 1 },
    },
    byOwner: [
      { owner: 'bo', openDeals: 1, openCents: 100, weightedCents: 10, won: 0, lost: 0, wonCents: 0 },
      { owner: 'al', openDeals: 1, openCents: 100, weightedCents: 10, won: 1, lost: 3, wonCents: 5 },
      { owner: 'cy', openDeals: 2, openCents: 900, weightedCents: 90, won: 1, lost: 0, wonCents: 5 },
    ],
    stuckTotal: { deals: 3, amountCents: 123 },
  });
  const f = pipelineFigures(a);

  it('counts the deals open at the period end, known stage or not', () => {
    // 2 + 1 + 1 with a known stage, 2 closed or moved since.
    expect(f.openDeals).toBe(6);
    expect(f.openCents).toBe(400_000 + 1_000_000 + 50_000 + 70_000);
    // Weighted: only the known-stage deals.
    expect(f.weightedCents).toBe(645_000);
  });

  it('reads the closed deals of the period', () => {
    expect(f.won).toBe(2);
    expect(f.lost).toBe(6);
    expect(f.winRatePct).toBe(25);
    // 300,001 / 2 = 150,000.5 → rounded half up.
    expect(f.avgDealSizeCents).toBe(150_001);
    expect(f.wonCents).toBe(300_001);
    expect(f.createdDeals).toBe(10);
  });

  it('computes velocity over the non-zero days of every stage', () => {
    // Non-zero days: 4 (Discovery) and 16 (Negotiation): mean 10 → 645,000 / 10.
    expect(f.velocityCentsPerDay).toBe(64_500);
  });

  it('lists the three funnel stages (even empty) and then other stages, with conversions', () => {
    expect(f.stages.map((s) => s.stage)).toEqual(['Discovery', 'Demo', 'Negotiation', 'Proposal']);
    expect(f.stages.map((s) => s.avgDaysInStage)).toEqual([2, null, 16, 0]);
    // Discovery → Demo 4/10, Demo → Negotiation 2/4, Negotiation → Closed_Won 1/2; outside the funnel: null.
    expect(f.stages.map((s) => s.conversionPct)).toEqual([40, 50, 50, null]);
    expect(f.stages[1]).toMatchObject({ deals: 0, amountCents: 0, weightedCents: 0 });
  });

  it('orders owners by open pipeline, then name, each with its win rate', () => {
    expect(f.owners.map((o) => [o.owner, o.winRatePct])).toEqual([
      ['cy', 100],
      ['al', 25],
      ['bo', null],
    ]);
  });

  it('passes stuck deals and the source through', () => {
    expect(f.stuckTotal).toEqual({ deals: 3, amountCents: 123 });
    expect(f.source).toBe('deals');
  });

  it('has no win rate, average deal or conversion when nothing happened', () => {
    const empty = pipelineFigures(agg({ source: 'funnel' }));
    expect(empty).toMatchObject({
      source: 'funnel',
      openDeals: 0,
      winRatePct: null,
      avgDealSizeCents: null,
      velocityCentsPerDay: 0,
    });
    expect(empty.stages.map((s) => s.conversionPct)).toEqual([null, null, null]);
  });
});
