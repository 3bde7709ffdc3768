import { DAY_MS } from '../../shared/time.ts';
import { burnRate } from './burn.ts';
import type { SlaDefinition } from './definition.ts';

/**
 * Gold daily SLA snapshots (DOMAIN.md §6): one per definition and UTC day, written once, kept forever.
 */
export interface GoldSnapshot {
  slaId: string;
  /** The definition version the day was judged by (the one in force when the day ended). */
  slaVersion: number;
  service: string;
  /** Start of the UTC day, epoch ms. */
  dayMs: number;
  total: number;
  /**
   * The day's bad events by the indicator: failed events (availability), or events not faster than the
   * threshold (latency). Never more than total.
   */
  errors: number;
  /** 100 × good / total, rounded to 4 decimals; 100 for a day without events. */
  uptimePct: number;
  /** Minutes whose bad ratio exceeded the error budget (1 − target). */
  breaches: number;
  /** (bad / total) / (1 − target): 1 spends the budget exactly at the allowed rate; 0 for an empty day. */
  budgetBurn: number;
  /** Downtime minutes of the day's SLA incidents. */
  downtimeMinutes: number;
}

/** One UTC day of a definition's series, as counted by the caller. */
export interface SlaDay {
  dayMs: number;
  total: number;
  /** Failed events (ok = false). */
  errors: number;
  /** Latency: events not faster than the threshold. Ignored for availability (errors are the bad ones). */
  slowOrBad?: number;
  /** Minutes whose bad ratio exceeded 1 − target (the caller counts them minute by minute). */
  badMinutes: number;
}

/** Rounds to 4 decimals (99.95 stays 99.95; 2/3 → 66.6667). */
const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** The day's snapshot under `def`. Negative or fractional inputs are the caller's bug: bad is clamped to [0, total]. */
export function snapshotOf(def: SlaDefinition, day: SlaDay, incidentsDowntimeMinutes: number): GoldSnapshot {
  const total = Math.max(0, day.total);
  const rawBad = def.indicator.kind === 'latency' ? (day.slowOrBad ?? 0) : day.errors;
  const bad = Math.min(total, Math.max(0, Math.round(rawBad)));
  return {
    slaId: def.id,
    slaVersion: def.version,
    service: def.service,
    dayMs: day.dayMs,
    total,
    errors: bad,
    uptimePct: total === 0 ? 100 : round4((100 * (total - bad)) / total),
    breaches: Math.max(0, day.badMinutes),
    budgetBurn: burnRate(bad, total, def.target),
    downtimeMinutes: Math.max(0, Math.round(incidentsDowntimeMinutes)),
  };
}

/** Start of the UTC day holding ms. */
export const utcDayOf = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

/** Backfill never reaches further back than this (Silver hour rows are kept 90 days). */
export const MAX_BACKFILL_DAYS = 90;

/**
 * The UTC days (start ms, oldest first) a definition still needs a snapshot for: every complete day from
 * the later of its active_from day and the day after its last snapshot, up to yesterday (the day before
 * nowMs's day). At most the last MAX_BACKFILL_DAYS of them: older Silver data is gone.
 */
export function daysToSnapshot(
  lastSnapshotDayMs: number | null,
  activeFromMs: number,
  nowMs: number,
): number[] {
  const yesterday = utcDayOf(nowMs) - DAY_MS;
  let from = utcDayOf(activeFromMs);
  if (lastSnapshotDayMs !== null) from = Math.max(from, utcDayOf(lastSnapshotDayMs) + DAY_MS);
  from = Math.max(from, yesterday - (MAX_BACKFILL_DAYS - 1) * DAY_MS);
  const days: number[] = [];
  for (let d = from; d <= yesterday; d += DAY_MS) days.push(d);
  return days;
}
