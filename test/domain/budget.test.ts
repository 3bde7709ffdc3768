import { describe, expect, it } from 'vitest';
import {
  type BudgetPolicy,
  budgetRemaining,
  burnRate,
  DEFAULT_BUDGET_POLICY,
  incidentSeverity,
  paging,
} from '../../src/domain/budget/budget.ts';
import { evaluateSlos, type Population, populationOf, REVENUE_SLOS } from '../../src/domain/budget/slos.ts';
import type { IssueType } from '../../src/domain/rules/catalog.ts';
import { buildOpp, buildRecord } from './build.ts';

const P = DEFAULT_BUDGET_POLICY;
/** Burn of an at-risk amount in cents against the default $50,000 budget. */
const burnOf = (cents: number) => burnRate(cents, P);

describe('default budget policy (DOMAIN.md §4)', () => {
  it('is $50,000 a month, WARN above 0.25, PAGE above 0.5, SEV thresholds 2.0 / 50 high / 1.0 / 0.5', () => {
    expect(DEFAULT_BUDGET_POLICY).toEqual({
      monthlyBudgetCents: 5_000_000,
      pageBurn: 0.5,
      warnBurn: 0.25,
      sev1Burn: 2.0,
      sev1HighIssues: 50,
      sev2Burn: 1.0,
      sev3Burn: 0.5,
    });
  });
});

describe('burn and budget remaining', () => {
  it.each([
    [0, 0, 1],
    [1_250_000, 0.25, 0.75],
    [2_500_000, 0.5, 0.5],
    [5_000_000, 1, 0],
    [7_500_000, 1.5, 0],
    [15_000_000, 3, 0],
  ])('%i cents at risk → burn %d, remaining %d (floored at 0)', (cents, burn, remaining) => {
    expect(burnOf(cents)).toBe(burn);
    expect(budgetRemaining(burnOf(cents))).toBe(remaining);
  });

  it('uses the configured budget', () => {
    expect(burnRate(100_000, { ...P, monthlyBudgetCents: 400_000 })).toBe(0.25);
  });
});

describe('paging: burn > 0.50 → PAGE, > 0.25 → WARN, else OK (strict)', () => {
  it.each([
    ['nothing at risk', 0, 'OK'],
    ['exactly 0.25 ($12,500)', 1_250_000, 'OK'],
    ['one cent above 0.25', 1_250_001, 'WARN'],
    ['exactly 0.50 ($25,000)', 2_500_000, 'WARN'],
    ['one cent above 0.50', 2_500_001, 'PAGE'],
    ['3× the budget', 15_000_000, 'PAGE'],
  ])('%s → %s', (_label, cents, expected) => {
    expect(paging(burnOf(cents), P)).toBe(expected);
  });

  it('follows configured thresholds', () => {
    const p: BudgetPolicy = { ...P, warnBurn: 0.1, pageBurn: 0.2 };
    expect(paging(0.1, p)).toBe('OK');
    expect(paging(0.15, p)).toBe('WARN');
    expect(paging(0.2, p)).toBe('WARN');
    expect(paging(0.21, p)).toBe('PAGE');
  });
});

describe('incident severity: SEV 1 is worst, 5 means nothing open', () => {
  it.each([
    // [label, at-risk cents, high issues, open issues, SEV]
    ['burn exactly 2.0', 10_000_000, 10, 20, 2],
    ['burn one cent above 2.0', 10_000_001, 10, 20, 1],
    ['exactly 50 high issues, no burn', 0, 50, 50, 4],
    ['51 high issues, no burn', 0, 51, 51, 1],
    ['51 high issues, burn 1.5', 7_500_000, 51, 60, 1],
    ['burn exactly 1.0', 5_000_000, 1, 1, 3],
    ['burn one cent above 1.0', 5_000_001, 1, 1, 2],
    ['burn exactly 0.5 with issues open', 2_500_000, 0, 3, 4],
    ['burn one cent above 0.5', 2_500_001, 0, 3, 3],
    ['open issues worth nothing', 0, 0, 1, 4],
    ['no issues at all', 0, 0, 0, 5],
  ])('%s → SEV %i', (_label, cents, high, open, sev) => {
    expect(incidentSeverity(burnOf(cents), high, open, P)).toBe(sev);
  });

  it('follows configured thresholds', () => {
    const p: BudgetPolicy = { ...P, sev1Burn: 1, sev1HighIssues: 2, sev2Burn: 0.5, sev3Burn: 0.1 };
    expect(incidentSeverity(1.01, 0, 1, p)).toBe(1);
    expect(incidentSeverity(0, 3, 3, p)).toBe(1);
    expect(incidentSeverity(0, 2, 2, p)).toBe(4);
    expect(incidentSeverity(1, 0, 1, p)).toBe(2);
    expect(incidentSeverity(0.5, 0, 1, p)).toBe(3);
    expect(incidentSeverity(0.1, 0, 1, p)).toBe(4);
  });
});

describe('revenue SLOs (DOMAIN.md §4 table)', () => {
  it('are the three documented SLOs with their targets and budget shares', () => {
    expect(
      REVENUE_SLOS.map((s) => [s.id, s.name, s.target, s.budgetShare, [...s.counts], s.population]),
    ).toEqual([
      [
        'SLO_LEAD_RESPONSE',
        'Lead Response Time: 95% of leads touched within 30 minutes',
        0.95,
        0.3,
        ['SLA_BREACH_UNTOUCHED'],
        'leads',
      ],
      [
        'SLO_DEAL_VELOCITY',
        'Deal Velocity: no open deal idle more than 7 days',
        0.9,
        0.4,
        ['STALE_OPP'],
        'opps',
      ],
      [
        'SLO_DATA_QUALITY',
        'Data Hygiene: region, owner and next step present',
        0.99,
        0.1,
        ['ROUTING_MISMATCH', 'UNASSIGNED_OWNER', 'NO_NEXT_STEP'],
        'records',
      ],
    ]);
  });

  it('split the $50,000 budget 30% / 40% / 10% ($15,000 / $20,000 / $5,000)', () => {
    const s = evaluateSlos(new Map(), { leads: 1, opps: 1, records: 2 }, 5_000_000);
    expect(s.map((x) => [x.id, x.budgetShare, x.budgetCents])).toEqual([
      ['SLO_LEAD_RESPONSE', 0.3, 1_500_000],
      ['SLO_DEAL_VELOCITY', 0.4, 2_000_000],
      ['SLO_DATA_QUALITY', 0.1, 500_000],
    ]);
  });

  const slo = (counts: [IssueType, number][], pop: Population, id: string) => {
    const s = evaluateSlos(new Map(counts), pop, 5_000_000).find((x) => x.id === id);
    if (!s) throw new Error(`no SLO ${id}`);
    return s;
  };

  it.each([
    // [SLO, issue counts, population, current, breached]
    ['SLO_LEAD_RESPONSE', [['SLA_BREACH_UNTOUCHED', 1]], { leads: 10, opps: 0, records: 10 }, 0.9, true],
    ['SLO_LEAD_RESPONSE', [['SLA_BREACH_UNTOUCHED', 1]], { leads: 20, opps: 5, records: 25 }, 0.95, false],
    ['SLO_LEAD_RESPONSE', [['SLA_BREACH_UNTOUCHED', 2]], { leads: 20, opps: 5, records: 25 }, 0.9, true],
    ['SLO_LEAD_RESPONSE', [['STALE_OPP', 5]], { leads: 4, opps: 5, records: 9 }, 1, false],
    ['SLO_DEAL_VELOCITY', [['STALE_OPP', 1]], { leads: 0, opps: 10, records: 10 }, 0.9, false],
    ['SLO_DEAL_VELOCITY', [['STALE_OPP', 2]], { leads: 0, opps: 10, records: 10 }, 0.8, true],
    ['SLO_DEAL_VELOCITY', [['SLA_BREACH_UNTOUCHED', 3]], { leads: 3, opps: 4, records: 7 }, 1, false],
    ['SLO_DATA_QUALITY', [['ROUTING_MISMATCH', 1]], { leads: 50, opps: 50, records: 100 }, 0.99, false],
    [
      'SLO_DATA_QUALITY',
      [
        ['ROUTING_MISMATCH', 1],
        ['UNASSIGNED_OWNER', 1],
      ],
      { leads: 50, opps: 50, records: 100 },
      0.98,
      true,
    ],
    [
      'SLO_DATA_QUALITY',
      [
        ['NO_NEXT_STEP', 3],
        ['UNASSIGNED_OWNER', 2],
        ['ROUTING_MISMATCH', 5],
      ],
      { leads: 500, opps: 500, records: 1000 },
      0.99,
      false,
    ],
    [
      'SLO_DATA_QUALITY',
      [
        ['DUPLICATE_SUSPECT', 9],
        ['STALE_OPP', 9],
      ],
      { leads: 5, opps: 5, records: 10 },
      1,
      false,
    ],
  ] as const)('%s with %j over %j → current %d, breached %s', (id, counts, pop, current, breached) => {
    const s = slo(
      counts.map(([t, n]) => [t, n] as [IssueType, number]),
      pop,
      id,
    );
    expect(s.current).toBeCloseTo(current, 12);
    expect(s.breached).toBe(breached);
    expect(s.target).toBe(REVENUE_SLOS.find((d) => d.id === id)?.target);
  });

  it('an exactly-met target is not breached (current < target is strict)', () => {
    expect(
      slo([['SLA_BREACH_UNTOUCHED', 1]], { leads: 20, opps: 0, records: 20 }, 'SLO_LEAD_RESPONSE'),
    ).toMatchObject({
      current: 0.95,
      breached: false,
      badCount: 1,
      population: 20,
    });
    expect(slo([['STALE_OPP', 1]], { leads: 0, opps: 10, records: 10 }, 'SLO_DEAL_VELOCITY').current).toBe(
      0.9,
    );
  });

  it('an empty population gives 1.0, never breached', () => {
    const all = evaluateSlos(
      new Map<IssueType, number>([
        ['SLA_BREACH_UNTOUCHED', 3],
        ['STALE_OPP', 3],
      ]),
      { leads: 0, opps: 0, records: 0 },
      5_000_000,
    );
    for (const s of all) expect(s).toMatchObject({ current: 1, breached: false, population: 0 });
  });

  it('several hygiene issues on one record floor current at 0 (ours), never negative', () => {
    const s = slo(
      [
        ['ROUTING_MISMATCH', 2],
        ['UNASSIGNED_OWNER', 2],
        ['NO_NEXT_STEP', 2],
      ],
      { leads: 2, opps: 0, records: 2 },
      'SLO_DATA_QUALITY',
    );
    expect(s.current).toBe(0);
    expect(s.badCount).toBe(6);
    expect(s.breached).toBe(true);
  });

  it('populationOf counts leads, opps and records', () => {
    const records = [buildRecord({ id: '1' }), buildRecord({ id: '2' }), buildOpp({ id: '3' })];
    expect(populationOf(records)).toEqual({ leads: 2, opps: 1, records: 3 });
    expect(populationOf([])).toEqual({ leads: 0, opps: 0, records: 0 });
  });
});
