import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { revopsReads } from '../../../src/adapters/db/revops-reads.ts';
import type { RevopsReads, StuckRule } from '../../../src/app/revops/ports.ts';
import type { MrrMovement } from '../../../src/domain/revops/aggregates.ts';
import { previousPeriod, type RevopsFilter } from '../../../src/domain/revops/types.ts';
import { backends } from '../../support/db.ts';
import { CUSTOMERS_SQL, DEALS_SQL, RECORDS_SQL, SPEND_SQL } from './revops-fixture.ts';

/**
 * The RevOps reads on the database, over the hand-made dataset of revops-fixture.ts: every aggregate
 * is checked against numbers worked out by hand from the rows (the comments say how).
 */

const Q: RevopsFilter = {
  fromMs: Date.parse('2026-09-01T00:00:00Z'),
  toMs: Date.parse('2026-12-01T00:00:00Z'),
};
const RULE: StuckRule = { minDays: 45, minCents: 5_000_000, limit: 10 };

const stage = (name: string, deals: number, amount: number, weighted: number, days: number, nz: number) => ({
  stage: name,
  deals,
  amountCents: amount,
  weightedCents: weighted,
  daysInStageSum: days,
  nonZeroDaysDeals: nz,
  nonZeroDaysSum: days,
});

const move = (month: string, m: Partial<MrrMovement>): MrrMovement => ({
  month,
  startCents: 0,
  newCents: 0,
  expansionCents: 0,
  reactivationCents: 0,
  contractionCents: 0,
  churnCents: 0,
  endCents: 0,
  customersStart: 0,
  customersNew: 0,
  customersReactivated: 0,
  customersChurned: 0,
  customersEnd: 0,
  ...m,
});

describe.each(backends)('RevOps reads on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let reads: RevopsReads;
  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    await db.exec(DEALS_SQL + CUSTOMERS_SQL + SPEND_SQL);
    reads = revopsReads(db);
  }, 60_000);
  afterAll(async () => dispose?.());

  describe('pipeline', () => {
    it('reconstructs the pipeline at the period end and its flows', async () => {
      const p = await reads.pipeline(Q, RULE);
      expect(p.source).toBe('deals');
      // Open at t with a known stage: D1, D6 | D2, D5 | D3, D4. Weighted: 10% / 30% / 60% of the amounts.
      expect(p.byStage).toEqual([
        stage('Demo', 2, 13_000_000, 3_900_000, 45 + 44, 2),
        stage('Discovery', 2, 150_000, 15_000, 10, 1),
        // 0.6 × 9,999,999 = 5,999,999.4 → 5,999,999.
        stage('Negotiation', 2, 9_999_999, 5_999_999, 91 + 122, 2),
      ]);
      // Open at t but moved since: D10 (closed at t exactly), D12 (changed stage after t).
      expect(p.closedSince).toEqual({ deals: 2, amountCents: 1_200_000 });
      // Closed in [from, t): D7, D14 won; D8 (closed at from exactly), D9 (just before t) lost.
      expect(p.closed).toEqual({ won: 2, lost: 2, wonCents: 2_200_000, lostCents: 800_000 });
      // Created in the period: D1, D6 (Discovery), D12 (Negotiation), D7, D14 (won), D9 (lost).
      expect(p.created).toEqual({
        deals: 6,
        amountCents: 3_050_000,
        reached: { Discovery: 6, Demo: 3, Negotiation: 3, Closed_Won: 2, Closed_Lost: 1 },
      });
    });

    it('lists stuck deals longest first: ≥ 45 whole days and ≥ $50,000, with totals', async () => {
      const p = await reads.pipeline(Q, RULE);
      // D3: $50,000 exactly, 91 days; D2: 45 days exactly. Not D4 ($49,999.99) nor D5 (44 days 23:59:59).
      expect(
        p.stuck.map((d) => [d.dealId, d.daysInStage, d.amountCents, d.stage, d.owner, d.segment]),
      ).toEqual([
        ['D3', 91, 5_000_000, 'Negotiation', 'bob', 'ENT'],
        ['D2', 45, 6_000_000, 'Demo', 'ann', 'MM'],
      ]);
      expect(p.stuckTotal).toEqual({ deals: 2, amountCents: 11_000_000 });
      const one = await reads.pipeline(Q, { ...RULE, limit: 1 });
      expect(one.stuck.map((d) => d.dealId)).toEqual(['D3']);
      expect(one.stuckTotal).toEqual({ deals: 2, amountCents: 11_000_000 });
    });

    it('sums owners: open at t (any stage), weighted (known stage), closed in the period', async () => {
      const p = await reads.pipeline(Q, RULE);
      expect(p.byOwner).toEqual([
        // D1, D2, D5 known + D10 moved; won D14, lost D9.
        {
          owner: 'ann',
          openDeals: 4,
          openCents: 13_900_000,
          weightedCents: 3_910_000,
          won: 1,
          lost: 1,
          wonCents: 200_000,
        },
        // D3, D4, D6: 3,000,000 + 2,999,999.4 + 5,000.
        {
          owner: 'bob',
          openDeals: 3,
          openCents: 10_049_999,
          weightedCents: 6_004_999,
          won: 0,
          lost: 0,
          wonCents: 0,
        },
        // D12 moved; won D7, lost D8. dan (D13, created after t) has nothing.
        {
          owner: 'cat',
          openDeals: 1,
          openCents: 400_000,
          weightedCents: 0,
          won: 1,
          lost: 1,
          wonCents: 2_000_000,
        },
      ]);
    });

    it('as of the previous period end, a deal that moved since is open with an unknown stage', async () => {
      // t' = 2026-09-01. Known: only D4 (Negotiation since 08-01: 31 days). Moved since: D2, D3 (changed at
      // t' exactly), D5, D8 (closed at t'), D10. D11 closed before t', won in [06-02, t').
      const p = await reads.pipeline(previousPeriod(Q), RULE);
      expect(p.byStage).toEqual([stage('Negotiation', 1, 4_999_999, 2_999_999, 31, 1)]);
      expect(p.closedSince).toEqual({ deals: 5, amountCents: 19_300_000 });
      expect(p.closed).toEqual({ won: 1, lost: 0, wonCents: 900_000, lostCents: 0 });
      // Created in [06-02, 09-01): D2, D5 (Demo), D10 (won). D8 was created 06-01, the day before.
      expect(p.created).toEqual({
        deals: 3,
        amountCents: 13_800_000,
        reached: { Discovery: 3, Demo: 3, Negotiation: 1, Closed_Won: 1 },
      });
      expect(p.stuckTotal).toEqual({ deals: 0, amountCents: 0 });
    });

    it.each([
      // SMB: D1, D6 (Discovery), D5 (Demo) known; D10 moved; D14 won, D9 lost.
      [{ segment: 'SMB' as const }, ['Demo', 'Discovery'], 3, 1, [1, 1], []],
      // bob: D3, D4, D6; D3 stuck.
      [{ owner: 'bob' }, ['Discovery', 'Negotiation'], 3, 0, [0, 0], ['D3']],
      // Events: D2, D5 known; D8 lost; D2 stuck.
      [{ channel: 'Events' }, ['Demo'], 2, 0, [0, 1], ['D2']],
    ])('filters by %o', async (slice, stages, known, moved, [won, lost], stuck) => {
      const p = await reads.pipeline({ ...Q, ...slice }, RULE);
      expect(p.byStage.map((s) => s.stage)).toEqual(stages);
      expect(p.byStage.reduce((n, s) => n + s.deals, 0)).toBe(known);
      expect(p.closedSince.deals).toBe(moved);
      expect([p.closed.won, p.closed.lost]).toEqual([won, lost]);
      expect(p.stuck.map((d) => d.dealId)).toEqual(stuck);
    });
  });

  describe('revenue', () => {
    it('rolls MRR forward month by month: start + new + expansion + reactivation − contraction − churn = end', async () => {
      const r = await reads.revenue(Q);
      expect(r.months).toEqual([
        // Aug 13,500 (C1 1000, C2 2000, C4 10000, C6 500). C1 +500, C2 −2000, C3 new 3000, C6 −500 (a 0 row).
        move('2026-09-01', {
          startCents: 13_500,
          newCents: 3_000,
          expansionCents: 500,
          churnCents: 2_500,
          endCents: 14_500,
          customersStart: 4,
          customersNew: 1,
          customersChurned: 2,
          customersEnd: 3,
        }),
        // C2 back (paid in June: reactivation), C4 churn month (no history), C5 new (no history).
        move('2026-10-01', {
          startCents: 14_500,
          newCents: 700,
          reactivationCents: 2_500,
          churnCents: 10_000,
          endCents: 7_700,
          customersStart: 3,
          customersNew: 1,
          customersReactivated: 1,
          customersChurned: 1,
          customersEnd: 4,
        }),
        // C1 −300, C3 churn, C6 back, C8 back (it paid in 2025, before every month read).
        move('2026-11-01', {
          startCents: 7_700,
          reactivationCents: 1_300,
          contractionCents: 300,
          churnCents: 3_000,
          endCents: 5_700,
          customersStart: 4,
          customersReactivated: 2,
          customersChurned: 1,
          customersEnd: 5,
        }),
      ]);
      for (const m of r.months) {
        const sum = m.startCents + m.newCents + m.expansionCents + m.reactivationCents;
        expect(sum - m.contractionCents - m.churnCents).toBe(m.endCents);
        expect(m.customersStart + m.customersNew + m.customersReactivated - m.customersChurned).toBe(
          m.customersEnd,
        );
      }
      for (let i = 1; i < r.months.length; i++)
        expect(r.months[i]!.startCents).toBe(r.months[i - 1]!.endCents);
    });

    it('reads active MRR in the last month and retention over the customers paying before the period', async () => {
      const r = await reads.revenue(Q);
      expect([r.activeCents, r.activeCustomers]).toEqual([5_700, 5]);
      // Base (August): C1 1000 → 1200, C2 2000 → 2500, C4 10000 → 0, C6 500 → 400.
      expect(r.base).toEqual({
        customers: 4,
        startCents: 13_500,
        endCents: 4_100,
        expansionCents: 700,
        contractionCents: 100,
        churnCents: 10_000,
        churnedCustomers: 1,
      });
      expect(r.churnReasons).toEqual([
        { reason: 'budget', customers: 1, mrrCents: 10_000 },
        { reason: 'price', customers: 1, mrrCents: 3_000 },
      ]);
    });

    it('builds start-month cohorts of the last 12 months', async () => {
      const r = await reads.revenue(Q);
      expect(r.cohorts).toEqual([
        // C4 without history: March to September, then nothing.
        {
          cohort: '2026-03-01',
          customers: 1,
          startCents: 10_000,
          active: [1, 1, 1, 1, 1, 1, 1, 0, 0],
          mrrCents: [10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 0, 0],
        },
        {
          cohort: '2026-06-01',
          customers: 1,
          startCents: 2_000,
          active: [1, 1, 1, 0, 1, 1],
          mrrCents: [2_000, 2_000, 2_000, 0, 2_500, 2_500],
        },
        {
          cohort: '2026-07-01',
          customers: 1,
          startCents: 1_000,
          active: [1, 1, 1, 1, 1],
          mrrCents: [1_000, 1_000, 1_500, 1_500, 1_200],
        },
        {
          cohort: '2026-09-01',
          customers: 1,
          startCents: 3_000,
          active: [1, 1, 0],
          mrrCents: [3_000, 3_000, 0],
        },
        // C5 and C9 (who never pays).
        { cohort: '2026-10-01', customers: 2, startCents: 700, active: [1, 1], mrrCents: [700, 700] },
      ]);
    });

    it('keeps months nobody paid in, as zeros', async () => {
      // C7 paid only in January 2024: it churns in February; in March nobody pays.
      const r = await reads.revenue({
        fromMs: Date.parse('2024-02-01T00:00Z'),
        toMs: Date.parse('2024-04-01T00:00Z'),
      });
      expect(r.months).toEqual([
        move('2024-02-01', { startCents: 5_000, churnCents: 5_000, customersStart: 1, customersChurned: 1 }),
        move('2024-03-01', {}),
      ]);
      expect([r.activeCents, r.activeCustomers, r.base.startCents, r.base.churnedCustomers]).toEqual([
        0, 0, 5_000, 1,
      ]);
    });

    it('filters by segment', async () => {
      const r = await reads.revenue({ ...Q, segment: 'SMB' });
      // C1, C5, C6, C8: Aug 1500; Sep +500 −500; Oct +700 new; Nov −300 +400 +900.
      expect(r.months.map((m) => [m.startCents, m.endCents])).toEqual([
        [1_500, 1_500],
        [1_500, 2_200],
        [2_200, 3_200],
      ]);
      expect(r.months[2]!.reactivationCents).toBe(1_300);
      expect(r.churnReasons).toEqual([]);
      expect(r.cohorts.map((c) => c.cohort)).toEqual(['2026-07-01', '2026-10-01']);
    });

    it('answers two periods asked together (batched) as it answers each alone', async () => {
      const prev = previousPeriod(Q);
      const [a, b] = await Promise.all([reads.revenue(Q), reads.revenue(prev)]);
      expect(a).toEqual(await reads.revenue(Q));
      expect(b).toEqual(await reads.revenue(prev));
      // Jun–Aug: base May = C4 10000; C2 new in June, C1 in July, C6 in August (first paid then).
      expect(b.months.map((m) => [m.month, m.startCents, m.newCents, m.endCents])).toEqual([
        ['2026-06-01', 10_000, 2_000, 12_000],
        ['2026-07-01', 12_000, 1_000, 13_000],
        ['2026-08-01', 13_000, 500, 13_500],
      ]);
      expect([b.activeCents, b.activeCustomers, b.base.startCents, b.base.endCents]).toEqual([
        13_500, 4, 10_000, 10_000,
      ]);
    });
  });

  describe('marketing', () => {
    it('sums spend per channel over the period days and revenue of deals won from it', async () => {
      const m = await reads.marketing(Q);
      expect(m.channels).toEqual([
        // 10-10 ENT and unattributed rows; the 08-31 row is before the period.
        {
          channel: 'Events',
          spendCents: 230_000,
          impressions: 0,
          clicks: 0,
          leads: 30,
          mqls: 8,
          sqls: 4,
          opportunities: 2,
          won: 1,
          wonRevenueCents: 0,
        },
        // 09-01 and 11-30; the 12-01 row is the period end's day. Revenue: D7.
        {
          channel: 'Paid',
          spendCents: 150_000,
          impressions: 10_000,
          clicks: 1_000,
          leads: 150,
          mqls: 50,
          sqls: 25,
          opportunities: 12,
          won: 5,
          wonRevenueCents: 2_000_000,
        },
        {
          channel: 'Referral',
          spendCents: 0,
          impressions: 0,
          clicks: 0,
          leads: 5,
          mqls: 3,
          sqls: 2,
          opportunities: 1,
          won: 1,
          wonRevenueCents: 200_000,
        },
      ]);
      // New customers: C5 (SMB, 700), C3 (MM, 3000) and C9 (MM, 0).
      expect(m.segments).toEqual([
        { segment: 'SMB', spendCents: 100_000, won: 5, newCustomers: 1, newMrrCents: 700 },
        { segment: 'MM', spendCents: 50_000, won: 1, newCustomers: 2, newMrrCents: 3_000 },
        { segment: 'ENT', spendCents: 200_000, won: 1, newCustomers: 0, newMrrCents: 0 },
      ]);
    });

    it.each([
      // SMB rows only; D14 (Referral, SMB) won, D7 is MM.
      [
        { segment: 'SMB' as const },
        [
          ['Paid', 100_000, 0],
          ['Referral', 0, 200_000],
        ],
        ['SMB'],
      ],
      [{ channel: 'Paid' }, [['Paid', 150_000, 2_000_000]], ['SMB', 'MM', 'ENT']],
    ])('filters by %o', async (slice, channels, segments) => {
      const m = await reads.marketing({ ...Q, ...slice });
      expect(m.channels.map((c) => [c.channel, c.spendCents, c.wonRevenueCents])).toEqual(channels);
      expect(m.segments.map((s) => s.segment)).toEqual(segments);
    });
  });
});

describe.each(backends)('RevOps pipeline from funnel records on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    await db.exec(RECORDS_SQL);
  }, 60_000);
  afterAll(async () => dispose?.());

  it('reads opportunities as deals when no deal was imported', async () => {
    const reads = revopsReads(db);
    const p = await reads.pipeline(Q, { minDays: 45, minCents: 100_000, limit: 10 });
    expect(p.source).toBe('funnel');
    // Open: R1 Discovery (touched 11-01: 30 days, 10%), R7 Negotiation (11-11: 20 days, 60%), R5 its own
    // stage Proposal (10-01: 61 days, 10%). R4 archived, R6 a lead, R3 closed (at creation, 08-01).
    expect(p.byStage).toEqual([
      stage('Discovery', 1, 1_000_000, 100_000, 30, 1),
      stage('Negotiation', 1, 100_000, 60_000, 20, 1),
      stage('Proposal', 1, 500_000, 50_000, 61, 1),
    ]);
    // 'closed_won' and 'CLOSED WON' both win.
    expect(p.closed).toEqual({ won: 2, lost: 0, wonCents: 2_700_000, lostCents: 0 });
    // Created in the period: R1, R2, R7, R8.
    expect(p.created.reached).toEqual({ Discovery: 4, Demo: 3, Negotiation: 3, Closed_Won: 2 });
    expect(p.stuck.map((d) => [d.dealId, d.stage, d.segment, d.daysInStage])).toEqual([
      ['R5', 'Proposal', '', 61],
    ]);
    // No segment on records: a segment filter matches none of them.
    expect((await reads.pipeline({ ...Q, segment: 'SMB' }, RULE)).byStage).toEqual([]);
    const m = await reads.marketing(Q);
    expect(m.channels.map((c) => [c.channel, c.wonRevenueCents])).toEqual([
      ['ads', 700_000],
      ['web', 2_000_000],
    ]);
  });
});
