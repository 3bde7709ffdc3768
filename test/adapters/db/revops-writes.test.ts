import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { revopsWrites } from '../../../src/adapters/db/revops-writes.ts';
import type { RevopsWrites } from '../../../src/app/revops/ports.ts';
import type { Customer, Deal, MrrMonth, SpendRow } from '../../../src/domain/revops/types.ts';
import { backends } from '../../support/db.ts';

/**
 * The RevOps upserts on a real database: rows land typed, a re-import replaces rather than adds, the MRR
 * history refuses (and reports) rows of unknown customers, and text survives the COPY encoding.
 */

const T0 = Date.parse('2026-09-01T10:00:00.123Z');
const deal = (o: Partial<Deal> = {}): Deal => ({
  dealId: 'D-1',
  account: 'Acme',
  segment: 'MM',
  owner: 'Ana',
  stage: 'Demo',
  amountCents: 4_500_000,
  createdAtMs: T0,
  expectedClose: '2026-12-15',
  lastStageChangeMs: T0 + 86_400_000,
  probability: 0.3,
  sourceChannel: 'Paid Search',
  ...o,
});
const customer = (o: Partial<Customer> = {}): Customer => ({
  customerId: 'C-1',
  account: 'Acme',
  segment: 'SMB',
  plan: 'Growth',
  startDate: '2026-01-15',
  mrrCents: 120_000,
  churnDate: null,
  churnReason: null,
  ...o,
});
const month = (customerId: string, m: string, mrrCents: number): MrrMonth => ({
  customerId,
  month: m,
  mrrCents,
});
const spend = (o: Partial<SpendRow> = {}): SpendRow => ({
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
  ...o,
});

describe.each(backends)('RevOps writes on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let w: RevopsWrites;
  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    w = revopsWrites(db);
  });
  afterAll(async () => dispose?.());
  beforeEach(async () => {
    await db.exec(
      'DELETE FROM revops_mrr_history; DELETE FROM revops_customers; DELETE FROM revops_deals; DELETE FROM revops_marketing_spend;',
    );
  });

  const deals = () =>
    db.query<Record<string, unknown>>(
      `SELECT deal_id, account, segment, owner, stage, amount_cents::float8 AS amount, probability,
              floor(extract(epoch FROM created_at) * 1000)::float8 AS created_ms,
              floor(extract(epoch FROM last_stage_change) * 1000)::float8 AS changed_ms,
              expected_close::text AS close, source_channel
       FROM revops_deals ORDER BY deal_id`,
    );

  it('writes deals typed, and a re-import replaces them instead of adding', async () => {
    expect(
      await w.upsertDeals([deal(), deal({ dealId: 'D-2', expectedClose: null, probability: 0.35 })]),
    ).toBe(2);
    expect(await deals()).toEqual([
      {
        deal_id: 'D-1',
        account: 'Acme',
        segment: 'MM',
        owner: 'Ana',
        stage: 'Demo',
        amount: 4_500_000,
        probability: 0.3,
        created_ms: T0,
        changed_ms: T0 + 86_400_000,
        close: '2026-12-15',
        source_channel: 'Paid Search',
      },
      expect.objectContaining({ deal_id: 'D-2', close: null, probability: 0.35 }),
    ]);
    await w.upsertDeals([
      deal({ stage: 'Closed_Won', probability: 1, amountCents: 5_000_000 }),
      deal({ dealId: 'D-3' }),
    ]);
    const after = await deals();
    expect(after.map((d) => [d['deal_id'], d['stage'], d['amount']])).toEqual([
      ['D-1', 'Closed_Won', 5_000_000],
      ['D-2', 'Demo', 4_500_000],
      ['D-3', 'Demo', 4_500_000],
    ]);
  });

  it('keeps text with tabs, newlines and backslashes intact through COPY', async () => {
    const account = 'Tab\tNew\nline \\N back\\slash "quoted", comma';
    await w.upsertDeals([deal({ account, owner: '' })]);
    expect((await deals())[0]).toMatchObject({ account, owner: '' });
  });

  it('upserts customers, churn and all', async () => {
    await w.upsertCustomers([
      customer(),
      customer({ customerId: 'C-2', churnDate: '2026-05-03', churnReason: 'Price' }),
    ]);
    await w.upsertCustomers([customer({ mrrCents: 150_000, churnDate: '2026-06-01', churnReason: null })]);
    const rows = await db.query(
      `SELECT customer_id, mrr_cents::float8 AS mrr, start_date::text AS start, churn_date::text AS churn, churn_reason
       FROM revops_customers ORDER BY customer_id`,
    );
    expect(rows).toEqual([
      { customer_id: 'C-1', mrr: 150_000, start: '2026-01-15', churn: '2026-06-01', churn_reason: null },
      { customer_id: 'C-2', mrr: 120_000, start: '2026-01-15', churn: '2026-05-03', churn_reason: 'Price' },
    ]);
  });

  it('refuses MRR history of unknown customers, writes the rest, and replaces on re-import', async () => {
    await w.upsertCustomers([customer(), customer({ customerId: 'C-2' })]);
    const r = await w.upsertMrrHistory([
      month('C-1', '2026-01-01', 120_000),
      month('C-9', '2026-01-01', 50_000),
      month('C-1', '2026-02-01', 130_000),
      month('C-9', '2026-02-01', 50_000),
      month('C-8', '2026-02-01', 50_000),
      month('C-2', '2026-02-01', 90_000),
    ]);
    expect({ ...r, unknownCustomers: [...r.unknownCustomers].sort() }).toEqual({
      written: 3,
      unknownCustomers: ['C-8', 'C-9'],
    });
    expect(await w.upsertMrrHistory([month('C-1', '2026-02-01', 140_000)])).toEqual({
      written: 1,
      unknownCustomers: [],
    });
    const rows = await db.query(
      `SELECT customer_id, month::text AS month, mrr_cents::float8 AS mrr FROM revops_mrr_history
       ORDER BY customer_id, month`,
    );
    expect(rows).toEqual([
      { customer_id: 'C-1', month: '2026-01-01', mrr: 120_000 },
      { customer_id: 'C-1', month: '2026-02-01', mrr: 140_000 },
      { customer_id: 'C-2', month: '2026-02-01', mrr: 90_000 },
    ]);
  });

  it('upserts spend by day, channel, campaign, segment and geo', async () => {
    await w.upsertSpend([spend(), spend({ segment: '', geo: '' }), spend({ campaign: 'PS-2026Q1-B' })]);
    await w.upsertSpend([spend({ spendCents: 99, won: 0 })]);
    const rows = await db.query(
      `SELECT campaign, segment, geo, spend_cents::float8 AS spend, won::int AS won FROM revops_marketing_spend
       ORDER BY campaign, segment, geo`,
    );
    expect(rows).toEqual([
      { campaign: 'PS-2026Q1', segment: '', geo: '', spend: 150_025, won: 1 },
      { campaign: 'PS-2026Q1', segment: 'ENT', geo: 'NA', spend: 99, won: 0 },
      { campaign: 'PS-2026Q1-B', segment: 'ENT', geo: 'NA', spend: 150_025, won: 1 },
    ]);
  });

  it('a row the table refuses fails its batch with the database error, and writes none of it', async () => {
    await expect(
      w.upsertDeals([deal({ dealId: 'D-ok' }), deal({ dealId: 'D-bad', probability: 1.5 })]),
    ).rejects.toThrow(/probability/);
    expect(await deals()).toEqual([]);
    // The connection is usable afterwards (no COPY left hanging).
    expect(await w.upsertDeals([deal()])).toBe(1);
  });

  it('ANALYZE gives the planner the row count of a freshly loaded table', async () => {
    const many = Array.from({ length: 500 }, (_, i) => deal({ dealId: `D-${i}` }));
    await w.upsertDeals(many);
    await w.upsertCustomers([customer()]);
    await w.upsertMrrHistory([month('C-1', '2026-01-01', 1)]);
    await w.upsertSpend([spend()]);
    for (const kind of ['deals', 'customers', 'mrr', 'spend'] as const) await w.analyze(kind);
    // reltuples is what the planner estimates from: set by ANALYZE (-1 or stale before it).
    const rows = await db.query<{ relname: string; reltuples: number }>(
      `SELECT relname, reltuples::float8 AS reltuples FROM pg_class
       WHERE relname IN ('revops_deals', 'revops_customers', 'revops_mrr_history', 'revops_marketing_spend')
       ORDER BY relname`,
    );
    expect(rows).toEqual([
      { relname: 'revops_customers', reltuples: 1 },
      { relname: 'revops_deals', reltuples: 500 },
      { relname: 'revops_marketing_spend', reltuples: 1 },
      { relname: 'revops_mrr_history', reltuples: 1 },
    ]);
  });

  it('writes nothing for an empty batch', async () => {
    expect(await w.upsertDeals([])).toBe(0);
    expect(await w.upsertMrrHistory([])).toEqual({ written: 0, unknownCustomers: [] });
  });
});
