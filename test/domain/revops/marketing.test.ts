import { describe, expect, it } from 'vitest';
import type { ChannelAggregate, SegmentSpendAggregate } from '../../../src/domain/revops/aggregates.ts';
import {
  DEFAULT_PAYBACK_BENCHMARKS,
  paybackBenchmarksSchema,
  paybackVerdict,
} from '../../../src/domain/revops/benchmarks.ts';
import {
  cac,
  channelFigure,
  marketingFigures,
  roi,
  segmentPayback,
} from '../../../src/domain/revops/marketing.ts';

const channel = (name: string, o: Partial<ChannelAggregate> = {}): ChannelAggregate => ({
  channel: name,
  spendCents: 0,
  impressions: 0,
  clicks: 0,
  leads: 0,
  mqls: 0,
  sqls: 0,
  opportunities: 0,
  won: 0,
  wonRevenueCents: 0,
  ...o,
});

const segment = (o: Partial<SegmentSpendAggregate> & Pick<SegmentSpendAggregate, 'segment'>) => ({
  spendCents: 0,
  won: 0,
  newCustomers: 0,
  newMrrCents: 0,
  ...o,
});

describe('CAC = spend / won, ROI = (revenue − spend) / spend × 100', () => {
  it.each([
    [100_000, 4, 25_000],
    [100_000, 3, 33_333],
    [100_001, 2, 50_001],
    [100_000, 0, null],
    [0, 5, 0],
  ])('CAC of %i over %i won = %s', (spend, won, expected) => {
    expect(cac(spend, won)).toBe(expected);
  });

  it.each([
    [300_000, 100_000, 200],
    [50_000, 100_000, -50],
    [100_000, 100_000, 0],
    [100_000, 0, null],
  ])('ROI of revenue %i on spend %i = %s', (revenue, spend, expected) => {
    expect(roi(revenue, spend)).toBe(expected);
  });
});

describe('channelFigure', () => {
  it('converts the funnel step by step', () => {
    // 200 leads → 50 MQLs → 20 SQLs → 10 opportunities → 4 won; $1,000 spent, $5,000 won.
    const f = channelFigure(
      channel('Events', {
        spendCents: 100_000,
        leads: 200,
        mqls: 50,
        sqls: 20,
        opportunities: 10,
        won: 4,
        wonRevenueCents: 500_000,
      }),
    );
    expect(f).toEqual({
      channel: 'Events',
      spendCents: 100_000,
      leads: 200,
      mqls: 50,
      sqls: 20,
      opportunities: 10,
      won: 4,
      conversionPct: 2,
      steps: { mqlPct: 25, sqlPct: 40, oppPct: 50, wonPct: 40 },
      cacCents: 25_000,
      revenueCents: 500_000,
      roiPct: 400,
    });
  });

  it('leaves every rate over zero undefined', () => {
    const f = channelFigure(channel('Organic', { wonRevenueCents: 10 }));
    expect([f.conversionPct, f.steps.mqlPct, f.steps.wonPct, f.cacCents, f.roiPct]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('CAC payback by segment: CAC / ARPA against the benchmark', () => {
  it.each([
    // SMB: $1,200 spent, 10 won → CAC $120; 4 new customers, $40 MRR → ARPA $10 → 12 months = benchmark: within.
    [
      segment({ segment: 'SMB', spendCents: 120_000, won: 10, newCustomers: 4, newMrrCents: 4_000 }),
      12,
      'within',
    ],
    // MM: CAC $185 / ARPA $10 = 18.5 months, over 18.
    [
      segment({ segment: 'MM', spendCents: 185_000, won: 10, newCustomers: 1, newMrrCents: 1_000 }),
      18.5,
      'over',
    ],
    // ENT: nobody new → no ARPA, no payback.
    [segment({ segment: 'ENT', spendCents: 185_000, won: 10 }), null, 'no data'],
    // Nobody won → no CAC.
    [segment({ segment: 'SMB', spendCents: 1, newCustomers: 1, newMrrCents: 1 }), null, 'no data'],
    // New customers paying nothing: ARPA 0, payback undefined.
    [segment({ segment: 'SMB', spendCents: 1, won: 1, newCustomers: 1 }), null, 'no data'],
  ])('%o → %s months, %s', (s, months, verdict) => {
    const p = segmentPayback(s, DEFAULT_PAYBACK_BENCHMARKS);
    expect(p.paybackMonths).toBe(months);
    expect(p.verdict).toBe(verdict);
    expect(p.benchmarkMonths).toBe(DEFAULT_PAYBACK_BENCHMARKS[s.segment]);
  });

  it('rounds CAC and ARPA for display but computes the payback from the exact ratios', () => {
    // CAC 100/3 = 33.33 (shown 33), ARPA 10/3 = 3.33 (shown 3): payback exactly 10.
    const p = segmentPayback(
      segment({ segment: 'SMB', spendCents: 100, won: 3, newCustomers: 3, newMrrCents: 10 }),
      DEFAULT_PAYBACK_BENCHMARKS,
    );
    expect([p.cacCents, p.arpaCents, p.paybackMonths]).toEqual([33, 3, 10]);
  });

  it('reads a configured override on top of our defaults (SMB 12, MM 18, ENT 24)', () => {
    expect(DEFAULT_PAYBACK_BENCHMARKS).toEqual({ SMB: 12, MM: 18, ENT: 24 });
    expect(paybackBenchmarksSchema.parse({ ENT: 30 })).toEqual({ SMB: 12, MM: 18, ENT: 30 });
    expect(paybackBenchmarksSchema.safeParse({ ENT: 0 }).success).toBe(false);
    expect(paybackBenchmarksSchema.safeParse({ XL: 3 }).success).toBe(false);
    expect(paybackVerdict(24, 24)).toBe('within');
    expect(paybackVerdict(24.01, 24)).toBe('over');
  });
});

describe('marketingFigures', () => {
  const f = marketingFigures(
    {
      channels: [
        channel('B', { spendCents: 100, leads: 10, won: 1, wonRevenueCents: 1_000 }),
        channel('A', { spendCents: 100, leads: 30, won: 2, wonRevenueCents: 0 }),
        channel('C', { spendCents: 500, leads: 60, won: 3, wonRevenueCents: 2_000 }),
      ],
      segments: [segment({ segment: 'ENT' }), segment({ segment: 'SMB' })],
    },
    DEFAULT_PAYBACK_BENCHMARKS,
  );

  it('orders channels by spend, then name, and totals them', () => {
    expect(f.channels.map((c) => c.channel)).toEqual(['C', 'A', 'B']);
    // 700 spent, 100 leads, 6 won, 3,000 of revenue: conversion 6%, CAC 117 (116.67), ROI 328.57%.
    expect(f.totals).toMatchObject({
      channel: 'Total',
      spendCents: 700,
      leads: 100,
      won: 6,
      conversionPct: 6,
    });
    expect(f.totals.cacCents).toBe(117);
    expect(f.totals.roiPct).toBeCloseTo(((3_000 - 700) / 700) * 100, 9);
  });

  it('orders segments SMB, MM, ENT', () => {
    expect(f.segments.map((s) => s.segment)).toEqual(['SMB', 'ENT']);
  });
});
