import type { DaySeriesPoint, DeliveryEvidence } from '../../domain/commerce/figures.ts';
import type { Incident } from '../../domain/incidents/incident.ts';

/**
 * What `/leak revenue`, `leak revenue`, the App Home revenue section and the weekly post show: one revenue
 * day (today by default) of the ledger, per currency, and the state of every source. Money in minor units.
 */
export interface RevenueView {
  asOfMs: number;
  /** The revenue day shown (local date in `timezone`), and whether it is still in progress. */
  day: string;
  dayComplete: boolean;
  timezone: string;
  currencies: CurrencyRevenue[];
  /** Every currency converted into REPORTING_CURRENCY, when one is configured; null otherwise. */
  reporting: ReportingTotals | null;
  /** Open REVENUE_DIP and NO_SIGNAL incidents. */
  openIncidents: Incident[];
  sources: SourceState[];
}

export interface CurrencyRevenue {
  currency: string;
  /** Net revenue of the day (DNR): cleared sales − refunds − lost disputes. */
  netCents: number;
  /** The same for the day before, whole. */
  previousDayCents: number;
  /** (DNR of the day − DNR 7 days earlier) / 7, per DOMAIN.md §8. */
  slopeCentsPerDay: number;
  /** The 7 days ending with the day shown, oldest first, zero-filled. */
  series: DaySeriesPoint[];
  /** The day's figures by source, largest first. */
  bySource: Array<{ source: string; netCents: number; sales: number; refunds: number; disputes: number }>;
}

export interface ReportingTotals {
  currency: string;
  netCents: number;
  series: DaySeriesPoint[];
  /** Currencies left out of the totals because FX_RATES has no rate for them. */
  missingRates: string[];
}

export interface SourceState {
  source: string;
  lastDeliveryAtMs: number | null;
  lastEventAtMs: number | null;
  /** The newest delivery (evidence: topic, status, parse error), or null. */
  lastDelivery: DeliveryEvidence | null;
  /** Deliveries of the last 24 hours kept as failed (see `leak webhooks failed`). */
  failedLast24h: number;
}

export type { WeeklyRevenue } from '../../domain/commerce/weekly.ts';
