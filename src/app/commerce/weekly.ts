import { type WeeklyRevenue, weeklyRevenue } from '../../domain/commerce/weekly.ts';
import type { LedgerStore } from './ports.ts';

/** The week's store revenue, refunds, lost disputes and REVENUE_DIP incidents, for the weekly report. */
export async function readWeeklyRevenue(
  ledger: LedgerStore,
  fromMs: number,
  toMs: number,
): Promise<WeeklyRevenue> {
  const [entries, dips] = await Promise.all([
    ledger.entries(fromMs, toMs),
    ledger.dipsOpenedBetween(fromMs, toMs),
  ]);
  return weeklyRevenue(entries, dips, fromMs, toMs);
}
