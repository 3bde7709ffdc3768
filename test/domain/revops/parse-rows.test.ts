import { describe, expect, it } from 'vitest';
import { Bad } from '../../../src/domain/revops/cells.ts';
import { CUSTOMER_COLUMNS, parseCustomer } from '../../../src/domain/revops/parse-customer.ts';
import { DEAL_COLUMNS, parseDeal, STAGE_PROBABILITY } from '../../../src/domain/revops/parse-deal.ts';
import { MRR_COLUMNS, parseMrr } from '../../../src/domain/revops/parse-mrr.ts';
import { parseSpend, SPEND_COLUMNS } from '../../../src/domain/revops/parse-spend.ts';

/** A row builder per kind: a valid row, with only the cells a case is about overridden. */
function builder<C extends readonly string[]>(columns: C, base: Record<C[number], string>) {
  return (o: Partial<Record<C[number], string>> = {}): string[] =>
    columns.map((c: C[number]) => ({ ...base, ...o })[c]);
}
const reason = (v: unknown): string | null => (v instanceof Bad ? v.reason : null);

const deal = builder(DEAL_COLUMNS, {
  deal_id: 'D-1',
  account: 'Acme',
  segment: 'MM',
  owner: 'Ana',
  stage: 'Demo',
  amount: '45000',
  created_at: '2026-09-01T10:00:00Z',
  expected_close: '2026-12-15',
  last_stage_change: '2026-09-20T10:00:00Z',
  probability: '0.3',
  source_channel: 'Paid Search',
});

describe('parseDeal', () => {
  it('reads a good row, canonical stage and cents', () => {
    expect(parseDeal(deal({ stage: 'closed won', probability: '90%', amount: '45000.50' }))).toEqual({
      dealId: 'D-1',
      account: 'Acme',
      segment: 'MM',
      owner: 'Ana',
      stage: 'Closed_Won',
      amountCents: 4_500_050,
      createdAtMs: Date.parse('2026-09-01T10:00:00Z'),
      expectedClose: '2026-12-15',
      lastStageChangeMs: Date.parse('2026-09-20T10:00:00Z'),
      probability: 0.9,
      sourceChannel: 'Paid Search',
    });
  });

  it.each<[string, Record<string, string>, Partial<ReturnType<typeof parseDeal>>]>([
    ['empty expected_close', { expected_close: '' }, { expectedClose: null }],
    ['empty owner and channel', { owner: ' ', source_channel: '' }, { owner: '', sourceChannel: '' }],
    ['stage change at the very creation', { last_stage_change: '2026-09-01T10:00:00Z' }, { stage: 'Demo' }],
    ['empty probability: the stage default', { probability: '', stage: 'Negotiation' }, { probability: 0.6 }],
    ['probability as a percentage', { probability: '35' }, { probability: 0.35 }],
    ['zero amount', { amount: '0' }, { amountCents: 0 }],
  ])('%s', (_, o, want) => {
    expect(parseDeal(deal(o))).toMatchObject(want);
  });

  it.each<[string, Record<string, string>, string]>([
    ['missing id', { deal_id: ' ' }, 'missing deal_id'],
    ['missing account', { account: '' }, 'missing account'],
    ['bad segment', { segment: 'Mid' }, "segment: not a segment (SMB, MM or ENT) 'Mid'"],
    [
      'bad stage',
      { stage: 'Won' },
      "stage: not a stage (Discovery, Demo, Negotiation, Closed_Won, Closed_Lost) 'Won'",
    ],
    ['missing amount', { amount: '' }, 'missing amount'],
    ['negative amount', { amount: '-1' }, "amount: negative amount '-1'"],
    [
      'created_at not an instant',
      { created_at: '2026-09-01' },
      "created_at: not an ISO-8601 timestamp with zone '2026-09-01'",
    ],
    [
      'expected_close not a date',
      { expected_close: 'soon' },
      "expected_close: not an ISO date (YYYY-MM-DD) 'soon'",
    ],
    ['missing last_stage_change', { last_stage_change: '' }, 'missing last_stage_change'],
    [
      'stage change 1 ms before creation',
      { last_stage_change: '2026-09-01T09:59:59.999Z' },
      'last_stage_change 2026-09-01T09:59:59.999Z is before created_at 2026-09-01T10:00:00Z',
    ],
    ['probability above 100 %', { probability: '120' }, "probability: above 100% '120'"],
  ])('rejects %s', (_, o, want) => {
    expect(reason(parseDeal(deal(o)))).toBe(want);
  });

  it('the first problem in column order is the reason', () => {
    expect(reason(parseDeal(deal({ segment: 'x', amount: 'y' })))).toMatch(/^segment:/);
  });

  it('gives each stage its default probability', () => {
    expect(STAGE_PROBABILITY).toEqual({
      Discovery: 0.1,
      Demo: 0.3,
      Negotiation: 0.6,
      Closed_Won: 1,
      Closed_Lost: 0,
    });
  });
});

const customer = builder(CUSTOMER_COLUMNS, {
  customer_id: 'C-1',
  account: 'Acme',
  segment: 'smb',
  plan: 'Growth',
  start_date: '2026-01-15',
  mrr: '1200',
  churn_date: '',
  churn_reason: '',
});

describe('parseCustomer', () => {
  it('reads an active customer', () => {
    expect(parseCustomer(customer())).toEqual({
      customerId: 'C-1',
      account: 'Acme',
      segment: 'SMB',
      plan: 'Growth',
      startDate: '2026-01-15',
      mrrCents: 120_000,
      churnDate: null,
      churnReason: null,
    });
  });

  it.each<[string, Record<string, string>, object]>([
    [
      'churned with a reason',
      { churn_date: '2026-06-01', churn_reason: 'Price' },
      { churnDate: '2026-06-01', churnReason: 'Price' },
    ],
    [
      'churned without a reason',
      { churn_date: '2026-06-01' },
      { churnDate: '2026-06-01', churnReason: null },
    ],
    ['churned the day it started', { churn_date: '2026-01-15' }, { churnDate: '2026-01-15' }],
    ['no plan, zero MRR', { plan: '', mrr: '0' }, { plan: '', mrrCents: 0 }],
  ])('%s', (_, o, want) => {
    expect(parseCustomer(customer(o))).toMatchObject(want);
  });

  it.each<[string, Record<string, string>, string]>([
    ['missing id', { customer_id: '' }, 'missing customer_id'],
    ['missing account', { account: '' }, 'missing account'],
    ['missing start', { start_date: '' }, 'missing start_date'],
    ['missing mrr', { mrr: '' }, 'missing mrr'],
    [
      'churn a day before start',
      { churn_date: '2026-01-14' },
      'churn_date 2026-01-14 is before start_date 2026-01-15',
    ],
    ['bad churn date', { churn_date: '2026-02-30' }, "churn_date: not an ISO date (YYYY-MM-DD) '2026-02-30'"],
    ['reason without churn', { churn_reason: 'Price' }, 'churn_reason given without a churn_date'],
  ])('rejects %s', (_, o, want) => {
    expect(reason(parseCustomer(customer(o)))).toBe(want);
  });
});

const mrr = builder(MRR_COLUMNS, { customer_id: 'C-1', month: '2026-03', mrr: '1200.00' });

describe('parseMrr', () => {
  it.each<[Record<string, string>, unknown]>([
    [{}, { customerId: 'C-1', month: '2026-03-01', mrrCents: 120_000 }],
    [{ month: '2026-03-01' }, { customerId: 'C-1', month: '2026-03-01', mrrCents: 120_000 }],
    [{ mrr: '0' }, { customerId: 'C-1', month: '2026-03-01', mrrCents: 0 }],
  ])('%j → %j', (o, want) => {
    expect(parseMrr(mrr(o))).toEqual(want);
  });

  it.each<[Record<string, string>, string]>([
    [{ customer_id: '' }, 'missing customer_id'],
    [{ month: '2026-03-15' }, "month: not the first day of a month '2026-03-15'"],
    [{ month: '03/2026' }, "month: not a month (YYYY-MM or YYYY-MM-01) '03/2026'"],
    [{ mrr: '-5' }, "mrr: negative amount '-5'"],
  ])('rejects %j', (o, want) => {
    expect(reason(parseMrr(mrr(o)))).toBe(want);
  });
});

const spend = builder(SPEND_COLUMNS, {
  date: '2026-03-02',
  channel: 'Paid Search',
  campaign: 'PS-2026Q1',
  segment: 'ENT',
  geo: 'NA',
  spend: '1500.25',
  impressions: '10000',
  clicks: '300',
  leads: '20',
  mqls: '8',
  sqls: '3',
  opportunities: '2',
  won: '1',
});

describe('parseSpend', () => {
  it('reads a row', () => {
    expect(parseSpend(spend())).toEqual({
      day: '2026-03-02',
      channel: 'Paid Search',
      campaign: 'PS-2026Q1',
      segment: 'ENT',
      geo: 'NA',
      spendCents: 150_025,
      impressions: 10_000,
      clicks: 300,
      leads: 20,
      mqls: 8,
      sqls: 3,
      opportunities: 2,
      won: 1,
    });
  });

  it.each<[string, Record<string, string>, object]>([
    [
      'no segment, campaign or geo',
      { segment: '', campaign: '', geo: '' },
      { segment: '', campaign: '', geo: '' },
    ],
    ['empty counts are 0', { impressions: '', won: '' }, { impressions: 0, won: 0 }],
    // Attribution windows: a day can have more MQLs than leads. Accepted as it is (parse-spend.ts).
    ['a funnel that widens', { leads: '2', mqls: '5', won: '3' }, { leads: 2, mqls: 5, won: 3 }],
    ['zero spend', { spend: '0' }, { spendCents: 0 }],
  ])('%s', (_, o, want) => {
    expect(parseSpend(spend(o))).toMatchObject(want);
  });

  it.each<[string, Record<string, string>, string]>([
    ['missing date', { date: '' }, 'missing date'],
    ['missing channel', { channel: ' ' }, 'missing channel'],
    ['bad segment', { segment: 'XL' }, "segment: not a segment (SMB, MM or ENT) 'XL'"],
    ['missing spend', { spend: '' }, 'missing spend'],
    ['negative clicks', { clicks: '-3' }, "clicks: negative count '-3'"],
    ['fractional won', { won: '0.5' }, "won: not a whole number '0.5'"],
  ])('rejects %s', (_, o, want) => {
    expect(reason(parseSpend(spend(o)))).toBe(want);
  });
});
