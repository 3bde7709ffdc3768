import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../src/domain/commerce/ledger.ts';
import { weeklyRevenue } from '../../../src/domain/commerce/weekly.ts';

/** The store's week in the weekly report: each entry counted when it counts in net revenue. */
const MON = Date.parse('2026-11-16T00:00:00Z');
const NEXT_MON = MON + 7 * 86_400_000;
const e = (over: Partial<LedgerEntry>): LedgerEntry => ({
  source: 'stripe',
  kind: 'sale',
  externalId: 'x',
  status: 'CLEARED',
  amountCents: 1_000,
  currency: 'USD',
  occurredAtMs: MON + 3_600_000,
  settledAtMs: MON + 3_600_000,
  stream: '',
  ...over,
});

describe('weeklyRevenue', () => {
  it('adds cleared sales, subtracts refunds and lost disputes, per currency, within the week only', () => {
    const w = weeklyRevenue(
      [
        e({ amountCents: 10_000 }),
        e({ amountCents: 5_000, currency: 'EUR' }),
        // Sold the week before, cleared this week: this week's.
        e({ amountCents: 2_000, occurredAtMs: MON - 1_000, settledAtMs: MON + 1_000 }),
        // Sold this week but cleared after it: not this week's.
        e({ amountCents: 7_000, settledAtMs: NEXT_MON }),
        e({ kind: 'sale', status: 'PENDING', amountCents: 9_999, settledAtMs: null }),
        e({ kind: 'refund', status: 'POSTED', amountCents: 1_500, settledAtMs: null }),
        e({ kind: 'dispute', status: 'LOST', amountCents: 3_000, settledAtMs: MON + 2 * 86_400_000 }),
        e({ kind: 'dispute', status: 'WON', amountCents: 4_000, settledAtMs: MON + 2 * 86_400_000 }),
        e({ kind: 'dispute', status: 'DISPUTED', amountCents: 4_000, settledAtMs: null }),
        e({ kind: 'payout', status: 'POSTED', amountCents: 50_000, settledAtMs: null }),
      ],
      [{ title: 'Revenue dip: shopify USD', openedAtMs: MON + 5, resolvedAtMs: null, severity: 1 }],
      MON,
      NEXT_MON,
    );
    expect(w.currencies).toEqual([
      { currency: 'EUR', salesCents: 5_000, refundsCents: 0, lostDisputesCents: 0, netCents: 5_000 },
      { currency: 'USD', salesCents: 12_000, refundsCents: 1_500, lostDisputesCents: 3_000, netCents: 7_500 },
    ]);
    expect(w.dips).toHaveLength(1);
  });
});
