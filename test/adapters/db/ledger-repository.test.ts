import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { ledgerStore } from '../../../src/adapters/db/ledger-repository.ts';
import type { LedgerStore, LedgerWrite } from '../../../src/app/commerce/ports.ts';
import { dailyNet } from '../../../src/domain/commerce/dnr.ts';
import { DAY_MS } from '../../../src/shared/time.ts';
import { backends } from '../../support/db.ts';

/**
 * The ledger in the database: refunds and disputes are entries of their own, so a past day recomputes
 * (the sale's day keeps its sale, the refund's day loses the refund); a status only moves forward; a
 * repeated fact changes nothing.
 */

const D1 = Date.parse('2026-11-20T12:00:00Z');
const base = { currency: 'USD', knownAtMs: D1 };
const sale = (
  id: string,
  atMs: number,
  cents: number,
  status: 'PENDING' | 'CLEARED' | 'VOIDED' = 'CLEARED',
) =>
  ({
    ...base,
    kind: 'sale',
    externalId: id,
    status,
    amountCents: cents,
    atMs,
    customerHash: null,
    stream: '',
    items: 1,
  }) as LedgerWrite;

describe.each(backends)('ledger on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let ledger: LedgerStore;
  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    ledger = ledgerStore(db);
  });
  afterAll(async () => dispose?.());
  beforeEach(async () => {
    await db.query('DELETE FROM ledger_entries');
  });

  const days = async () =>
    dailyNet(await ledger.buckets(D1 - DAY_MS, D1 + 10 * DAY_MS), {
      currency: 'USD',
      tz: 'UTC',
      fromDay: '2026-11-20',
      toDay: '2026-11-24',
    }).map((p) => p.netCents);

  it('recomputes past days: a refund and a lost dispute count on their own days, the sale stays', async () => {
    await ledger.writeEntries('stripe', [sale('ch_1', D1, 10_000), sale('ch_2', D1, 5_000)]);
    await ledger.writeEntries('stripe', [
      {
        ...base,
        kind: 'refund',
        externalId: 're_1',
        saleExternalId: 'ch_1',
        amountCents: 2_500,
        atMs: D1 + 2 * DAY_MS,
      },
      {
        ...base,
        kind: 'dispute',
        externalId: 'dp_1',
        saleExternalId: 'ch_2',
        status: 'DISPUTED',
        amountCents: 5_000,
        atMs: D1 + DAY_MS,
      },
    ]);
    expect(await days()).toEqual([15_000, 0, -2_500, 0, 0]);
    // The dispute is lost on day 4: it counts then, and day 1 is still what was sold.
    await ledger.writeEntries('stripe', [
      {
        ...base,
        kind: 'dispute',
        externalId: 'dp_1',
        saleExternalId: 'ch_2',
        status: 'LOST',
        amountCents: 5_000,
        atMs: D1 + 3 * DAY_MS,
      },
    ]);
    expect(await days()).toEqual([15_000, 0, -2_500, -5_000, 0]);
    const rows = await db.query<{ external_id: string; status: string }>(
      "SELECT external_id, status FROM ledger_entries WHERE kind = 'sale' ORDER BY external_id",
    );
    expect(rows).toEqual([
      { external_id: 'ch_1', status: 'CLEARED' },
      { external_id: 'ch_2', status: 'CLEARED' },
    ]);
  });

  it('a won dispute moves no revenue; a closed dispute does not reopen', async () => {
    await ledger.writeEntries('stripe', [sale('ch_1', D1, 10_000)]);
    const dispute = {
      ...base,
      kind: 'dispute',
      externalId: 'dp_1',
      saleExternalId: 'ch_1',
      amountCents: 10_000,
    } as const;
    await ledger.writeEntries('stripe', [{ ...dispute, status: 'DISPUTED', atMs: D1 + DAY_MS }]);
    await ledger.writeEntries('stripe', [{ ...dispute, status: 'WON', atMs: D1 + 2 * DAY_MS }]);
    expect(
      await ledger.writeEntries('stripe', [{ ...dispute, status: 'DISPUTED', atMs: D1 + 3 * DAY_MS }]),
    ).toEqual({
      written: 0,
      unchanged: 1,
    });
    expect(await days()).toEqual([10_000, 0, 0, 0, 0]);
  });

  it('a pending sale counts once it clears, on the day it cleared; repeats write nothing', async () => {
    const pending = sale('o_1', D1, 4_000, 'PENDING');
    expect(await ledger.writeEntries('shopify', [pending])).toEqual({ written: 1, unchanged: 0 });
    expect(await ledger.writeEntries('shopify', [pending])).toEqual({ written: 0, unchanged: 1 });
    expect(await days()).toEqual([0, 0, 0, 0, 0]);
    const paid = { ...sale('o_1', D1, 4_000, 'CLEARED'), knownAtMs: D1 + DAY_MS };
    expect(await ledger.writeEntries('shopify', [paid])).toEqual({ written: 1, unchanged: 0 });
    expect(await ledger.writeEntries('shopify', [paid])).toEqual({ written: 0, unchanged: 1 });
    expect(await days()).toEqual([0, 4_000, 0, 0, 0]);
    // A late "voided" for a cleared sale cannot take it back: a refund would.
    await ledger.writeEntries('shopify', [sale('o_1', D1, 4_000, 'VOIDED')]);
    expect(await days()).toEqual([0, 4_000, 0, 0, 0]);
  });

  it('keeps currencies apart and amounts exact in minor units', async () => {
    await ledger.writeEntries('shopify', [
      { ...sale('jp', D1, 1_200), currency: 'JPY' },
      { ...sale('big', D1, 9_007_199_254_740), currency: 'USD' },
    ]);
    const buckets = await ledger.buckets(D1 - DAY_MS, D1 + DAY_MS);
    expect(buckets.map((b) => [b.currency, b.netCents]).sort()).toEqual([
      ['JPY', 1_200],
      ['USD', 9_007_199_254_740],
    ]);
  });
});
