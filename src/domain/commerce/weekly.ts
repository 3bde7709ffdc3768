import type { LedgerEntry } from './ledger.ts';

/**
 * The week's commerce figures in the weekly report (issue 12: the week's revenue, refunds and dips), per
 * currency, each counted at the instant it counts in net revenue (ledger.ts netEffect): sales when they
 * cleared, refunds when made, lost disputes when they closed.
 */
export interface WeeklyRevenue {
  currencies: Array<{
    currency: string;
    salesCents: number;
    refundsCents: number;
    lostDisputesCents: number;
    netCents: number;
  }>;
  /** REVENUE_DIP incidents opened during the week. */
  dips: WeeklyDip[];
}

export interface WeeklyDip {
  title: string;
  openedAtMs: number;
  resolvedAtMs: number | null;
  severity: number;
}

type Row = WeeklyRevenue['currencies'][number];

export function weeklyRevenue(
  entries: readonly LedgerEntry[],
  dips: readonly WeeklyDip[],
  fromMs: number,
  toMs: number,
): WeeklyRevenue {
  const rows = new Map<string, Row>();
  const rowOf = (currency: string): Row => {
    let r = rows.get(currency);
    if (!r) {
      r = { currency, salesCents: 0, refundsCents: 0, lostDisputesCents: 0, netCents: 0 };
      rows.set(currency, r);
    }
    return r;
  };
  const inWeek = (ms: number | null) => ms !== null && ms >= fromMs && ms < toMs;
  for (const e of entries) {
    if (e.kind === 'sale' && e.status === 'CLEARED' && inWeek(e.settledAtMs ?? e.occurredAtMs))
      rowOf(e.currency).salesCents += e.amountCents;
    else if (e.kind === 'refund' && inWeek(e.occurredAtMs)) rowOf(e.currency).refundsCents += e.amountCents;
    else if (e.kind === 'dispute' && e.status === 'LOST' && inWeek(e.settledAtMs ?? e.occurredAtMs))
      rowOf(e.currency).lostDisputesCents += e.amountCents;
  }
  const currencies = [...rows.values()]
    .map((r) => ({ ...r, netCents: r.salesCents - r.refundsCents - r.lostDisputesCents }))
    .sort((a, b) => a.currency.localeCompare(b.currency));
  return { currencies, dips: [...dips].sort((a, b) => a.openedAtMs - b.openedAtMs) };
}
