import { describe, expect, it } from 'vitest';
import { DEFAULT_BUDGET_POLICY } from '../../src/domain/budget/budget.ts';
import type { FunnelRecord } from '../../src/domain/records/record.ts';
import { DEFAULT_THRESHOLDS, type RuleThresholds } from '../../src/domain/rules/catalog.ts';
import {
  compareIssues,
  explain,
  type Issue,
  issueAge,
  ROLLUP_LIMIT,
  summarize,
  UNASSIGNED_SEGMENT,
} from '../../src/domain/scan/summarize.ts';
import { buildOpp, buildRecord, daysAgo, minutesAgo, NOW } from './build.ts';

const scan = (records: FunnelRecord[], t: RuleThresholds = DEFAULT_THRESHOLDS) =>
  summarize(records, NOW, t, DEFAULT_BUDGET_POLICY);
const byId = (issues: Issue[], id: string): Issue => {
  const i = issues.find((x) => x.issueId === id);
  if (!i) throw new Error(`no issue ${id}`);
  return i;
};

/*
 * A realistic mini funnel, evaluated at NOW with the default thresholds and the $50,000 budget.
 *
 *  record | what it is                                              | issues (loss)
 *  L1     | lead, alice, untouched 45 min, acme.com, $2,000         | SLA_BREACH 2000×0.5 = $1,000; DUPLICATE 2000×0.2 = $400
 *  O1     | opp Proposal, bob, touched 14 d ago, acme.com, $10,000  | STALE 10000×(0.45−0.225) = $2,250; DUPLICATE $2,000
 *  O2     | opp Negotiation, no owner, no next step, $20,000        | UNASSIGNED $20,000; NO_NEXT_STEP 20000×0.25 = $5,000
 *  L2     | lead, alice, 3 d old, no region, no next step, $1,000   | NO_NEXT_STEP 1000×0.25 = $250; ROUTING $0
 *  O3     | opp Closed Won, carol, no next step, idle 30 d, $50,000 | none (closed)
 *  O4     | opp Archived, bob, acme.com, idle 60 d, $5,000          | none (closed, and not counted in acme.com's group)
 *  L3     | lead, no owner, 10 min old, untouched, $500.50          | UNASSIGNED $500.50 (exact, cents kept)
 *
 *  total  = 20,000 + 5,000 + 2,250 + 2,000 + 1,000 + 500.50 + 400 + 250 + 0 = $31,400.50 = 3,140,050 cents
 *  burn   = 31,400.50 / 50,000 = 0.62801 → PAGE (> 0.5); SEV 3 (> 0.5, not > 1.0); remaining 0.37199
 *  high   = O2 UNASSIGNED, O2 NO_NEXT_STEP (opp), O1 STALE, L1 SLA, L3 UNASSIGNED = 5
 *  causes = UNASSIGNED 2 / $20,500.50; NO_NEXT_STEP 2 / $5,250; DUPLICATE 2 / $2,400; STALE 1 / $2,250;
 *           SLA 1 / $1,000; (ROUTING 1 / $0 is the sixth, not shown)
 *  owners = Unassigned 3 / $25,500.50; bob 2 / $4,250; alice 4 / $1,650 (carol has none)
 *  SLOs   = leads 3, opps 4, records 7: response 1 − 1/3; velocity 1 − 1/4; hygiene 1 − (1 + 2 + 2)/7
 */
const FUNNEL: FunnelRecord[] = [
  buildRecord({
    id: 'L1',
    owner: 'alice',
    createdAtMs: minutesAgo(45),
    lastTouchAtMs: null,
    domain: 'acme.com',
    valueCents: 200_000,
  }),
  buildOpp({
    id: 'O1',
    owner: 'bob',
    stage: 'Proposal',
    lastTouchAtMs: daysAgo(14),
    domain: 'acme.com',
    valueCents: 1_000_000,
  }),
  buildOpp({
    id: 'O2',
    owner: '',
    stage: 'Negotiation',
    lastTouchAtMs: daysAgo(2),
    nextStep: '',
    region: 'EMEA',
    valueCents: 2_000_000,
  }),
  buildRecord({
    id: 'L2',
    owner: 'alice',
    createdAtMs: daysAgo(3),
    lastTouchAtMs: daysAgo(2),
    nextStep: '',
    region: '',
    valueCents: 100_000,
  }),
  buildOpp({
    id: 'O3',
    owner: 'carol',
    stage: 'Closed Won',
    nextStep: '',
    lastTouchAtMs: daysAgo(30),
    valueCents: 5_000_000,
  }),
  buildOpp({
    id: 'O4',
    owner: 'bob',
    stage: 'Archived',
    nextStep: '',
    lastTouchAtMs: daysAgo(60),
    domain: 'acme.com',
    valueCents: 500_000,
  }),
  buildRecord({
    id: 'L3',
    owner: '',
    createdAtMs: minutesAgo(10),
    lastTouchAtMs: null,
    nextStep: '',
    domain: '',
    valueCents: 50_050,
  }),
];

describe('summarize: the mini funnel worked out by hand', () => {
  const s = scan(FUNNEL);

  it('finds every issue, priced, largest dollars first (then severity, then id)', () => {
    expect(s.issues.map((i) => [i.issueId, i.lossCents])).toEqual([
      ['O2_UNASSIGNED_OWNER', 2_000_000],
      ['O2_NO_NEXT_STEP', 500_000],
      ['O1_STALE_OPP', 225_000],
      ['O1_DUPLICATE_SUSPECT', 200_000],
      ['L1_SLA_BREACH_UNTOUCHED', 100_000],
      ['L3_UNASSIGNED_OWNER', 50_050],
      ['L1_DUPLICATE_SUSPECT', 40_000],
      ['L2_NO_NEXT_STEP', 25_000],
      ['L2_ROUTING_MISMATCH', 0],
    ]);
  });

  it('totals, burn, paging and severity', () => {
    expect(s).toMatchObject({
      asOfMs: NOW,
      records: 7,
      totalAtRiskCents: 3_140_050,
      highIssues: 5,
      paging: 'PAGE',
      incidentSeverity: 3,
    });
    expect(s.burn).toBeCloseTo(0.62801, 12);
    expect(s.budgetRemaining).toBeCloseTo(0.37199, 12);
  });

  it('top causes grouped by type, largest dollars first, five shown', () => {
    expect(s.topCauses).toEqual([
      { issueType: 'UNASSIGNED_OWNER', count: 2, lossCents: 2_050_050 },
      { issueType: 'NO_NEXT_STEP', count: 2, lossCents: 525_000 },
      { issueType: 'DUPLICATE_SUSPECT', count: 2, lossCents: 240_000 },
      { issueType: 'STALE_OPP', count: 1, lossCents: 225_000 },
      { issueType: 'SLA_BREACH_UNTOUCHED', count: 1, lossCents: 100_000 },
    ]);
  });

  it('affected segments grouped by owner, with Unassigned for an empty owner', () => {
    expect(s.affectedSegments).toEqual([
      { owner: UNASSIGNED_SEGMENT, count: 3, lossCents: 2_550_050 },
      { owner: 'bob', count: 2, lossCents: 425_000 },
      { owner: 'alice', count: 4, lossCents: 165_000 },
    ]);
    expect(UNASSIGNED_SEGMENT).toBe('Unassigned');
  });

  it('SLOs over the funnel population', () => {
    expect(s.slos.map((x) => [x.id, x.badCount, x.population, x.breached])).toEqual([
      ['SLO_LEAD_RESPONSE', 1, 3, true],
      ['SLO_DEAL_VELOCITY', 1, 4, true],
      ['SLO_DATA_QUALITY', 5, 7, true],
    ]);
    expect(s.slos[0]?.current).toBeCloseTo(2 / 3, 12);
    expect(s.slos[1]?.current).toBe(0.75);
    expect(s.slos[2]?.current).toBeCloseTo(2 / 7, 12);
  });

  it('explains each issue with the right numbers', () => {
    const t = DEFAULT_THRESHOLDS;
    const text = (id: string) => explain(byId(s.issues, id), NOW, t);
    expect(text('L1_SLA_BREACH_UNTOUCHED')).toBe('Lead untouched for 45 minutes (SLA 30 minutes).');
    expect(text('O2_UNASSIGNED_OWNER')).toBe('Opportunity has no owner.');
    expect(text('L3_UNASSIGNED_OWNER')).toBe('Lead has no owner.');
    expect(text('L2_NO_NEXT_STEP')).toBe('Lead is 3 days old with no next step.');
    expect(text('O2_NO_NEXT_STEP')).toBe('Open opportunity in stage Negotiation has no next step.');
    expect(text('O1_STALE_OPP')).toBe('Open opportunity idle for 14 days (limit 7).');
    expect(text('O1_DUPLICATE_SUSPECT')).toBe('Domain acme.com is shared with other records.');
    expect(text('L2_ROUTING_MISMATCH')).toBe('Record has no region, so routing cannot place it.');
  });

  it('issue ages count from the last touch, else from creation', () => {
    expect(issueAge(byId(s.issues, 'O1_STALE_OPP'), NOW)).toEqual({ days: 14, minutes: 14 * 1440 });
    expect(issueAge(byId(s.issues, 'L1_SLA_BREACH_UNTOUCHED'), NOW)).toEqual({ days: 0, minutes: 45 });
  });
});

describe('explanations follow the configured thresholds and edge fields', () => {
  it('quotes the configured SLA and stale limits', () => {
    const t: RuleThresholds = { leadSlaMinutes: 10, leadNextStepDays: 1, staleOppDays: 3 };
    const s = scan(
      [
        buildRecord({ id: 'l', createdAtMs: minutesAgo(12), lastTouchAtMs: null }),
        buildOpp({ id: 'o', lastTouchAtMs: daysAgo(5) }),
      ],
      t,
    );
    expect(explain(byId(s.issues, 'l_SLA_BREACH_UNTOUCHED'), NOW, t)).toBe(
      'Lead untouched for 12 minutes (SLA 10 minutes).',
    );
    expect(explain(byId(s.issues, 'o_STALE_OPP'), NOW, t)).toBe(
      'Open opportunity idle for 5 days (limit 3).',
    );
  });

  it('names an empty stage "(none)"', () => {
    const s = scan([buildOpp({ id: 'o', stage: '', nextStep: '' })]);
    expect(explain(byId(s.issues, 'o_NO_NEXT_STEP'), NOW, DEFAULT_THRESHOLDS)).toBe(
      'Open opportunity in stage (none) has no next step.',
    );
  });
});

describe('issue order', () => {
  it('breaks equal dollars by severity (highest first), then by id', () => {
    // $0 records: every loss is 0, so only severity and id decide.
    const s = scan([
      buildRecord({ id: 'b', owner: '', valueCents: 0 }),
      buildRecord({ id: 'a', owner: '', region: '', valueCents: 0 }),
      buildRecord({ id: 'c', region: '', valueCents: 0 }),
    ]);
    expect(s.issues.map((i) => i.issueId)).toEqual([
      'a_UNASSIGNED_OWNER',
      'b_UNASSIGNED_OWNER',
      'a_ROUTING_MISMATCH',
      'c_ROUTING_MISMATCH',
    ]);
  });

  it('compareIssues puts dollars before severity', () => {
    const [cheap] = scan([buildRecord({ id: 'x', owner: '', valueCents: 100 })]).issues;
    const [dear] = scan([
      buildRecord({ id: 'y', region: '', domain: '', valueCents: 0 }),
      buildOpp({ id: 'z', nextStep: '', valueCents: 1_000_000 }),
    ]).issues;
    expect(cheap && dear).toBeTruthy();
    expect(compareIssues(dear!, cheap!)).toBeLessThan(0);
    expect(compareIssues(cheap!, dear!)).toBeGreaterThan(0);
    expect(compareIssues(cheap!, cheap!)).toBe(0);
  });
});

describe('rollup limits', () => {
  it(`shows at most ${ROLLUP_LIMIT} owners, the largest`, () => {
    expect(ROLLUP_LIMIT).toBe(5);
    // Seven owners, one no-next-step opp each, worth $1,000 … $7,000 → losses $250 … $1,750.
    const records = [1, 2, 3, 4, 5, 6, 7].map((n) =>
      buildOpp({ id: `o${n}`, owner: `owner${n}`, nextStep: '', valueCents: n * 100_000 }),
    );
    const s = scan(records);
    expect(s.issues).toHaveLength(7);
    expect(s.affectedSegments.map((x) => [x.owner, x.lossCents])).toEqual([
      ['owner7', 175_000],
      ['owner6', 150_000],
      ['owner5', 125_000],
      ['owner4', 100_000],
      ['owner3', 75_000],
    ]);
    expect(s.topCauses).toEqual([{ issueType: 'NO_NEXT_STEP', count: 7, lossCents: 700_000 }]);
    expect(s.totalAtRiskCents).toBe(700_000);
  });

  it('orders equal-dollar segments by issue count, then by name', () => {
    const s = scan([
      buildRecord({ id: '1', owner: 'bob', region: '', valueCents: 0 }),
      buildRecord({ id: '2', owner: 'alice', region: '', valueCents: 0 }),
      buildRecord({ id: '3', owner: 'carol', region: '', valueCents: 0 }),
      buildRecord({ id: '4', owner: 'carol', region: '', valueCents: 0 }),
    ]);
    expect(s.affectedSegments.map((x) => x.owner)).toEqual(['carol', 'alice', 'bob']);
  });
});

describe('edge scans', () => {
  it('an empty funnel: nothing at risk, OK, SEV 5, every SLO at 1.0', () => {
    const s = scan([]);
    expect(s).toMatchObject({
      records: 0,
      issues: [],
      totalAtRiskCents: 0,
      burn: 0,
      budgetRemaining: 1,
      paging: 'OK',
      incidentSeverity: 5,
      highIssues: 0,
      topCauses: [],
      affectedSegments: [],
    });
    for (const slo of s.slos) expect(slo).toMatchObject({ current: 1, breached: false });
  });

  it('open issues worth $0 are SEV 4, not 5', () => {
    const s = scan([buildRecord({ region: '' })]);
    expect(s).toMatchObject({ totalAtRiskCents: 0, paging: 'OK', incidentSeverity: 4 });
  });

  it('more than 50 high issues is SEV 1 even with nothing at risk; exactly 50 is not', () => {
    const unowned = (n: number) =>
      Array.from({ length: n }, (_, i) => buildRecord({ id: `u${i}`, owner: '', valueCents: 0 }));
    expect(scan(unowned(50))).toMatchObject({ highIssues: 50, burn: 0, incidentSeverity: 4 });
    expect(scan(unowned(51))).toMatchObject({ highIssues: 51, burn: 0, incidentSeverity: 1 });
  });

  it('burns past 2× the budget into SEV 1', () => {
    // One unassigned $100,000.01 record: burn 2.0000002.
    const s = scan([buildRecord({ owner: '', valueCents: 10_000_001 })]);
    expect(s).toMatchObject({
      totalAtRiskCents: 10_000_001,
      paging: 'PAGE',
      incidentSeverity: 1,
      budgetRemaining: 0,
    });
  });
});
