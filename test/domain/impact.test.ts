import { describe, expect, it } from 'vitest';
import {
  DECAY_HALF_LIFE_DAYS,
  decay,
  estimateLossCents,
  STAGE_WIN_PROBABILITY,
  UNKNOWN_STAGE_P,
  winProbability,
} from '../../src/domain/impact/price.ts';
import type { FunnelRecord } from '../../src/domain/records/record.ts';
import { DEFAULT_THRESHOLDS, RULES, type RuleDef } from '../../src/domain/rules/catalog.ts';
import { type Detection, detect, issueIdOf } from '../../src/domain/rules/evaluate.ts';
import { buildOpp, buildRecord, daysAgo, minutesAgo, NOW } from './build.ts';

const detection = (rule: RuleDef, overrides: Partial<FunnelRecord> = {}): Detection => {
  const record = buildOpp(overrides);
  return { issueId: issueIdOf(record.id, rule), rule, record };
};
const loss = (rule: RuleDef, overrides: Partial<FunnelRecord> = {}): number =>
  estimateLossCents(detection(rule, overrides), NOW);

describe('the check value in DOMAIN.md §3', () => {
  it('Proposal, $10,000, 14 days idle → $2,250 (225,000 cents)', () => {
    expect(
      loss(RULES.staleOpp, { stage: 'Proposal', valueCents: 1_000_000, lastTouchAtMs: daysAgo(14) }),
    ).toBe(225_000);
  });

  it('is what a scan detects and prices end to end', () => {
    const record = buildOpp({ stage: 'Proposal', valueCents: 1_000_000, lastTouchAtMs: daysAgo(14) });
    const [d, ...rest] = detect([record], NOW, DEFAULT_THRESHOLDS);
    expect(rest).toEqual([]);
    expect(d?.rule).toBe(RULES.staleOpp);
    expect(estimateLossCents(d!, NOW)).toBe(225_000);
  });
});

describe('stage win probabilities', () => {
  it.each([
    ['New', 0.1],
    ['Qualified', 0.25],
    ['Proposal', 0.45],
    ['Negotiation', 0.65],
    ['Closed Won', 1.0],
    ['Closed Lost', 0.0],
    ['closed_won', 1.0],
    ['CLOSED LOST', 0.0],
    ['  negotiation ', 0.65],
    ['PROPOSAL', 0.45],
    ['', 0.1],
    ['Discovery', 0.1],
    ['Archived', 0.1],
  ])('%j → %d', (stage, p) => {
    expect(winProbability(stage)).toBe(p);
  });

  it('unknown stages use 0.10 and the table has exactly the six documented stages', () => {
    expect(UNKNOWN_STAGE_P).toBe(0.1);
    expect(STAGE_WIN_PROBABILITY).toEqual({
      new: 0.1,
      qualified: 0.25,
      proposal: 0.45,
      negotiation: 0.65,
      'closed won': 1,
      'closed lost': 0,
    });
  });
});

describe('decay: half-life 14 days, 1 at or before day 0', () => {
  it.each([
    [-30, 1],
    [-1, 1],
    [0, 1],
    [14, 0.5],
    [28, 0.25],
    [42, 0.125],
  ])('decay(%i) = %d exactly', (d, expected) => {
    expect(decay(d)).toBe(expected);
  });

  it('is e^(−ln2/14 · d) between half-lives', () => {
    expect(DECAY_HALF_LIFE_DAYS).toBe(14);
    for (const d of [1, 7, 8, 13, 15, 100]) expect(decay(d)).toBeCloseTo(Math.exp((-Math.LN2 / 14) * d), 15);
    expect(decay(7)).toBeCloseTo(Math.SQRT1_2, 15);
  });
});

describe('estimated loss per issue type (DOMAIN.md §3), whole dollars returned as cents', () => {
  it.each([
    // STALE_OPP: round(value × (p − p × decay(days))), days since last touch (truncated).
    [
      'STALE Proposal $10,000 at 14d',
      RULES.staleOpp,
      { stage: 'Proposal', valueCents: 1_000_000, lastTouchAtMs: daysAgo(14) },
      225_000,
    ],
    [
      'STALE uses whole days: 14d 23h counts as 14',
      RULES.staleOpp,
      { stage: 'Proposal', valueCents: 1_000_000, lastTouchAtMs: minutesAgo(14 * 1440 + 23 * 60) },
      225_000,
    ],
    [
      'STALE Negotiation $1,000 at 28d: 487.5 → 488',
      RULES.staleOpp,
      { stage: 'Negotiation', valueCents: 100_000, lastTouchAtMs: daysAgo(28) },
      48_800,
    ],
    [
      'STALE New $360 at 42d: 31.5 → 32 (exact at a whole half-life)',
      RULES.staleOpp,
      { stage: 'New', valueCents: 36_000, lastTouchAtMs: daysAgo(42) },
      3_200,
    ],
    [
      'STALE Qualified $100 at 14d: 12.5 → 13',
      RULES.staleOpp,
      { stage: 'qualified', valueCents: 10_000, lastTouchAtMs: daysAgo(14) },
      1_300,
    ],
    // 10,000 × 0.1 × (1 − 2^(−8/14)) = 327.0499… → $327.
    [
      'STALE unknown stage $10,000 at 8d: 327.05 → 327',
      RULES.staleOpp,
      { stage: '', valueCents: 1_000_000, lastTouchAtMs: daysAgo(8) },
      32_700,
    ],
    [
      'STALE Closed Lost (p = 0)',
      RULES.staleOpp,
      { stage: 'Closed Lost', valueCents: 1_000_000, lastTouchAtMs: daysAgo(30) },
      0,
    ],
    [
      'STALE touched in the future (decay 1)',
      RULES.staleOpp,
      { stage: 'Proposal', valueCents: 1_000_000, lastTouchAtMs: daysAgo(-2) },
      0,
    ],
    [
      'STALE without last touch falls back to created',
      RULES.staleOpp,
      { stage: 'Proposal', valueCents: 1_000_000, lastTouchAtMs: null, createdAtMs: daysAgo(14) },
      225_000,
    ],
    // SLA_BREACH_UNTOUCHED: round(value × 0.5).
    ['SLA $10,000', RULES.slaBreach, { valueCents: 1_000_000 }, 500_000],
    ['SLA $101: 50.5 → 51', RULES.slaBreach, { valueCents: 10_100 }, 5_100],
    ['SLA $1: 0.5 → 1', RULES.slaBreach, { valueCents: 100 }, 100],
    ['SLA $100.99: 50.495 → 50', RULES.slaBreach, { valueCents: 10_099 }, 5_000],
    ['SLA $0.99: 0.495 → 0', RULES.slaBreach, { valueCents: 99 }, 0],
    // UNASSIGNED_OWNER: the value, to the cent.
    ['UNASSIGNED $1,234.56 (exact, cents kept)', RULES.unassigned, { valueCents: 123_456 }, 123_456],
    ['UNASSIGNED $0.01', RULES.unassigned, { valueCents: 1 }, 1],
    // DUPLICATE_SUSPECT: round(value × 0.2).
    ['DUPLICATE $10,000', RULES.duplicate, { valueCents: 1_000_000 }, 200_000],
    ['DUPLICATE $12.50: 2.5 → 3', RULES.duplicate, { valueCents: 1_250 }, 300],
    ['DUPLICATE $7.49: 1.498 → 1', RULES.duplicate, { valueCents: 749 }, 100],
    ['DUPLICATE $2.50: 0.5 → 1', RULES.duplicate, { valueCents: 250 }, 100],
    // NO_NEXT_STEP: round(value × 0.25), for the lead and the opp rule alike.
    ['NO_NEXT_STEP opp $10,000', RULES.noNextStepOpp, { valueCents: 1_000_000 }, 250_000],
    ['NO_NEXT_STEP lead $10: 2.5 → 3', RULES.noNextStepLead, { valueCents: 1_000 }, 300],
    ['NO_NEXT_STEP opp $9.99: 2.4975 → 2', RULES.noNextStepOpp, { valueCents: 999 }, 200],
    ['NO_NEXT_STEP lead $6: 1.5 → 2', RULES.noNextStepLead, { valueCents: 600 }, 200],
    // ROUTING_MISMATCH: 0.
    ['ROUTING $1,000,000', RULES.routing, { valueCents: 100_000_000 }, 0],
  ] as const)('%s', (_label, rule, overrides, expected) => {
    expect(loss(rule, overrides)).toBe(expected);
  });

  it.each(Object.entries(RULES))('%s of a $0 record costs nothing', (_name, rule) => {
    expect(loss(rule, { valueCents: 0, lastTouchAtMs: daysAgo(60) })).toBe(0);
  });

  it('every priced loss other than UNASSIGNED is a whole number of dollars', () => {
    for (const rule of [
      RULES.staleOpp,
      RULES.slaBreach,
      RULES.duplicate,
      RULES.noNextStepLead,
      RULES.routing,
    ])
      for (const valueCents of [1, 49, 50, 12_345, 987_654_321])
        expect(loss(rule, { valueCents, lastTouchAtMs: daysAgo(20) }) % 100).toBe(0);
  });
});

/** round-half-up(numerator / denominator) in exact integer arithmetic (both non-negative). */
const roundHalfUp = (numerator: number, denominator: number): number =>
  Math.floor((2 * numerator + denominator) / (2 * denominator));

describe('rounding has no float drift at exact halves', () => {
  // Every value from $0.00 to $2,000.00, priced in floats, against the same formula in integers.
  const MAX_CENTS = 200_000;

  it.each([
    ['SLA_BREACH × 1/2', RULES.slaBreach, 1, 2],
    ['DUPLICATE × 1/5', RULES.duplicate, 1, 5],
    ['NO_NEXT_STEP × 1/4', RULES.noNextStepOpp, 1, 4],
  ] as const)('%s', (_label, rule, num, den) => {
    const d = detection(rule);
    let mismatches = 0;
    for (let c = 0; c <= MAX_CENTS; c++) {
      const expected = roundHalfUp(c * num, den * 100) * 100;
      if (estimateLossCents({ ...d, record: { ...d.record, valueCents: c } }, NOW) !== expected) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('STALE_OPP at whole half-lives, where value × p × (1 − 2^−n) can be exactly $x.50', () => {
    let mismatches = 0;
    for (const [stage, pPercent] of [
      ['New', 10],
      ['Qualified', 25],
      ['Proposal', 45],
      ['Negotiation', 65],
      ['Closed Won', 100],
    ] as const) {
      for (let n = 1; n <= 5; n++) {
        const d = detection(RULES.staleOpp, { stage, lastTouchAtMs: daysAgo(14 * n) });
        const pow = 2 ** n;
        for (let c = 0; c <= MAX_CENTS / 4; c++) {
          // loss in dollars = c/100 × pPercent/100 × (pow − 1)/pow
          const expected = roundHalfUp(c * pPercent * (pow - 1), 10_000 * pow) * 100;
          if (estimateLossCents({ ...d, record: { ...d.record, valueCents: c } }, NOW) !== expected)
            mismatches++;
        }
      }
    }
    expect(mismatches).toBe(0);
  });
});

describe('the record type does not change the price', () => {
  it('a lead and an opp with the same value cost the same for the same rule', () => {
    const lead = buildRecord({ valueCents: 12_345 });
    const opp = buildOpp({ valueCents: 12_345 });
    for (const rule of [RULES.unassigned, RULES.duplicate, RULES.routing]) {
      expect(estimateLossCents({ issueId: 'x', rule, record: lead }, NOW)).toBe(
        estimateLossCents({ issueId: 'y', rule, record: opp }, NOW),
      );
    }
  });
});
