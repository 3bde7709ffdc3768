import type { IncidentSeverity, Paging } from '../budget/budget.ts';

/**
 * What a commerce incident shows (REVENUE_DIP or NO_SIGNAL of one source and currency), taken from the
 * evaluation that last touched it. Stored as the incident's `figures` with kind 'commerce'.
 */

export type CommerceSignal = 'REVENUE_DIP' | 'NO_SIGNAL';

/** Which comparison judged a dip (dip.ts documents both formulas). */
export type DipComparison = 'weekday_hour' | 'day_over_day';

export interface DaySeriesPoint {
  /** Local date of the revenue day, YYYY-MM-DD. */
  day: string;
  netCents: number;
}

/** A recent delivery of the source, shown as evidence (never its body). */
export interface DeliveryEvidence {
  id: string;
  topic: string;
  receivedAtMs: number;
  status: 'received' | 'parsed' | 'failed' | 'ignored';
  error: string | null;
}

export interface DipFigures {
  /** The comparison that fired, or (while not firing) the one in force. */
  comparison: DipComparison;
  /** Whether the weekday baseline had enough history to be used (else day over day decides). */
  weekdayBaselineAvailable: boolean;
  /** Today so far (local day of the source's revenue time zone). */
  todayCents: number;
  /** Median of the same weekday, midnight to the same time, over the last 4 weeks; null without history. */
  weekdayBaselineCents: number | null;
  /** Yesterday, the whole day. */
  yesterdayCents: number;
  /** Yesterday from midnight to the same time of day as now. */
  yesterdaySameTimeCents: number;
  /** How far below its comparison today is, 0..1 (0 when at or above). */
  drop: number;
  /** The drop that fires (REVENUE_DIP_THRESHOLD, default 0.2). */
  threshold: number;
}

export interface NoSignalFigures {
  /** The last ledger event of the source, or null if it never sent one. */
  lastEventAtMs: number | null;
  silentMs: number;
  /** The usual gap learned from the source's history (floor 24 h); silence past it warns. */
  limitMs: number;
  /** Silence past this pages (twice the limit). */
  pageAfterMs: number;
  /** The newest parse failure of the source while it is silent: why its deliveries are not counted. */
  parseError: string | null;
}

export interface CommerceFigures {
  kind: 'commerce';
  signal: CommerceSignal;
  source: string;
  currency: string;
  evaluatedAtMs: number;
  severity: IncidentSeverity;
  paging: Paging;
  /** The revenue time zone days are cut in (REVENUE_TIMEZONE, default UTC). */
  timezone: string;
  /** The last 7 local days, oldest first, today last (so far), zero-filled. */
  series: DaySeriesPoint[];
  /** (today − 7 days ago) / 7, cents per day (DOMAIN.md §8). */
  slopeCentsPerDay: number;
  dip: DipFigures | null;
  noSignal: NoSignalFigures | null;
  /** The source's last deliveries, newest first. */
  lastDeliveries: DeliveryEvidence[];
}

/** A dip is judged per source and currency; silence per source (its figures show its main currency). */
export const commerceDedupeKey = (f: Pick<CommerceFigures, 'signal' | 'source' | 'currency'>): string =>
  f.signal === 'REVENUE_DIP' ? `commerce:dip:${f.source}:${f.currency}` : `commerce:no-signal:${f.source}`;
