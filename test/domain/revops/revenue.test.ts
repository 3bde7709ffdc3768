import { describe, expect, it } from 'vitest';
import type { RetentionBase, RevenueAggregates } from '../../../src/domain/revops/aggregates.ts';
import { churnRate, cohortFigure, grr, nrr, revenueFigures } from '../../../src/domain/revops/revenue.ts';

const base = (o: Partial<RetentionBase> = {}): RetentionBase => ({
  customers: 0,
  startCents: 0,
  endCents: 0,
  expansionCents: 0,
  contractionCents: 0,
  churnCents: 0,
  churnedCustomers: 0,
  ...o,
});

describe('retention over the customers paying at the period start', () => {
  it.each([
    // start 10,000; +2,000 expansion, −500 contraction, −1,000 churn → NRR 105%, GRR 85%.
    [base({ startCents: 10_000, expansionCents: 2_000, contractionCents: 500, churnCents: 1_000 }), 105, 85],
    // Churn is subtracted from NRR (DOMAIN.md §9 leaves it out; we do not): all churned → 0%.
    [base({ startCents: 5_000, churnCents: 5_000 }), 0, 0],
    // Only expansion: NRR above 100, GRR exactly 100.
    [base({ startCents: 4_000, expansionCents: 1_000 }), 125, 100],
    // Nobody paying at the start: undefined, not zero.
    [base(), null, null],
  ])('%o → NRR %s, GRR %s', (b, n, g) => {
    expect(nrr(b)).toBe(n);
    expect(grr(b)).toBe(g);
  });

  it.each([
    [base({ customers: 40, churnedCustomers: 2 }), 5],
    [base({ customers: 3, churnedCustomers: 3 }), 100],
    [base({ customers: 7 }), 0],
    [base(), null],
  ])('churn rate %o → %s', (b, expected) => {
    expect(churnRate(b)).toBe(expected);
  });
});

describe('cohortFigure', () => {
  it('gives logo and MRR retention per month since the start month', () => {
    // 4 customers paying $400 in their start month; 3 paying $450 a month later; 1 paying $50 after two.
    expect(
      cohortFigure({
        cohort: '2026-01-01',
        customers: 4,
        startCents: 40_000,
        active: [4, 3, 1],
        mrrCents: [40_000, 45_000, 5_000],
      }),
    ).toEqual({
      cohort: '2026-01-01',
      customers: 4,
      logoRetentionPct: [100, 75, 25],
      mrrRetentionPct: [100, 112.5, 12.5],
    });
  });

  it('has no MRR retention for a cohort that paid nothing in its start month', () => {
    expect(
      cohortFigure({ cohort: '2026-02-01', customers: 2, startCents: 0, active: [0, 1], mrrCents: [0, 300] })
        .mrrRetentionPct,
    ).toEqual([]);
  });
});

describe('revenueFigures', () => {
  it('reads MRR and ARR in the last month and retention over the base', () => {
    const agg: RevenueAggregates = {
      months: [],
      activeCents: 123_456,
      activeCustomers: 9,
      base: base({
        customers: 10,
        startCents: 100_000,
        churnCents: 10_000,
        churnedCustomers: 1,
        expansionCents: 20_000,
      }),
      churnReasons: [{ reason: 'price', customers: 1, mrrCents: 10_000 }],
      cohorts: [],
    };
    expect(revenueFigures(agg)).toEqual({
      mrrCents: 123_456,
      arrCents: 1_481_472,
      activeCustomers: 9,
      churnRatePct: 10,
      nrrPct: 110,
      grrPct: 90,
      months: [],
      churnReasons: [{ reason: 'price', customers: 1, mrrCents: 10_000 }],
      cohorts: [],
    });
  });
});
