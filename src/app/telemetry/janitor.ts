import { DAY_MS } from '../../shared/time.ts';
import type { Ctx } from '../context.ts';
import type { TagCardinality, TelemetryRetention, TelemetryRollups } from './ports.ts';

/**
 * The telemetry janitor (issue 5 item 6, DOMAIN.md §6), run daily:
 *
 * 1. Pre-creates today's and tomorrow's Bronze partitions, so ingest never creates one on its hot path.
 * 2. Rolls the Silver minutes up into hours (when `rollups` is given), so the minutes can go.
 * 3. Drops every Bronze day partition whose whole day is past retention, its incident evidence copied into
 *    bronze_evidence first, in the same transaction (a partition is dropped, never bulk-DELETEd).
 * 4. Purges Silver minutes past `minuteDays`, only those whose hour row exists, and hours past `hourDays`.
 * 5. Reports the metrics whose distinct tag sets exceed `tagLimit`: the caller alerts the admins.
 * 6. Purges the cumulative state of metric series idle longer than the Bronze (raw tier) retention (when
 *    `series` is given). Safe for the counts: a purged series that comes back is a new series, its first
 *    point a baseline rather than a delta (domain/telemetry/delta.ts, given seriesHorizonMs by ingest), so
 *    nothing an earlier life of it counted is counted again; and a series that keeps sending has its row
 *    rewritten at least hourly even when nothing changed (app/telemetry/series-deltas.ts), so only series
 *    that stopped sending are purged.
 *
 * Gold is never touched. A dry run answers the same report with the counts of what would go, and changes
 * nothing (no partition created, no rollup written, nothing dropped or purged).
 */

/**
 * The cumulative state of metric series (migrations/0008 metric_series_state) by when it was last written,
 * on the database's clock (not a sender's): at least hourly while its series sends (series-deltas.ts).
 */
export interface IdleSeriesStates {
  /** Series states last written before `beforeMs`. */
  countIdle(beforeMs: number): Promise<number>;
  /** Deletes those; answers how many went. A series written meanwhile is kept. */
  purgeIdle(beforeMs: number): Promise<number>;
}

/** Series idle since before this are purged (step 6): the raw tier's retention. */
export const idleSeriesCutoffMs = (nowMs: number, bronzeDays: number): number => nowMs - bronzeDays * DAY_MS;

/**
 * Clocks of replicas (the janitor runs on one, ingest on all) may disagree by this much; ingest's horizon
 * is pushed this much later than the purge cutoff, so no state a janitor purged is ever taken for one that
 * cannot have been.
 */
export const SERIES_CLOCK_SLACK_MS = 60 * 60 * 1000;

/**
 * Ingest's horizon (series-deltas.ts SeriesDeltaDeps.horizonMs): a series' state last seen before it may
 * have been purged by the janitor, so the first point of a series whose counting began before it (or at an
 * unknown time) is taken as a baseline.
 */
export const seriesHorizonMs = (nowMs: number, bronzeDays: number): number =>
  idleSeriesCutoffMs(nowMs, bronzeDays) + SERIES_CLOCK_SLACK_MS;

export interface JanitorDeps {
  retention: TelemetryRetention;
  /** Optional: without it, series states are kept (step 6 skipped). */
  series?: IdleSeriesStates;
  /** Optional: without it, minutes wait for hours written elsewhere. */
  rollups?: TelemetryRollups;
  /**
   * Tells the admins about metrics over the tag limit (the server posts to the admins' channel, once per
   * day); without it they are only logged and reported. Never called on a dry run.
   */
  alertAdmins?: (over: readonly TagCardinality[], tagLimit: number, nowMs: number) => Promise<void>;
}

export interface JanitorOptions {
  dryRun: boolean;
  nowMs: number;
  /** Bronze retention in days, 3–7 (DOMAIN.md §6). */
  bronzeDays: number;
  /** Silver minute retention in days (30). */
  minuteDays?: number;
  /** Silver hour retention in days (90). */
  hourDays?: number;
  /** Distinct tag sets per metric above which the admins are alerted (10,000). */
  tagLimit?: number;
}

export interface JanitorReport {
  dryRun: boolean;
  nowMs: number;
  bronze: {
    retentionDays: number;
    /** Partitions whose day starts before this are dropped (whole days past retention only). */
    cutoffMs: number;
    /** Partitions created ahead (today, tomorrow), or that a real run would create. */
    created: string[];
    /** Partitions dropped (or that would be), with their rows and the evidence rows kept. */
    dropped: { name: string; dayMs: number; rows: number; evidence: number }[];
    /** Partitions left in place. */
    kept: string[];
  };
  /** Evidence rows copied into bronze_evidence (or that would be). */
  evidenceKept: number;
  silver: {
    /** Hour rows written by the rollup (or pending, in a dry run); null without a rollup. */
    hoursRolledUp: number | null;
    minuteCutoffMs: number;
    minutesPurged: number;
    hourCutoffMs: number;
    hoursPurged: number;
  };
  /** Cumulative series states idle since before cutoffMs: purged (or to purge); null without `series`. */
  series: { cutoffMs: number; purged: number | null };
  tagLimit: number;
  /** Metrics over the tag limit, most combinations first. */
  overTagLimit: TagCardinality[];
}

export async function runJanitor(deps: JanitorDeps, ctx: Ctx, o: JanitorOptions): Promise<JanitorReport> {
  const tagLimit = o.tagLimit ?? 10_000;
  if (!(Number.isInteger(o.bronzeDays) && o.bronzeDays >= 3 && o.bronzeDays <= 7))
    throw new RangeError(`Bronze retention must be 3–7 days, got ${o.bronzeDays}`);
  const { retention, rollups } = deps;
  const today = Math.floor(o.nowMs / DAY_MS) * DAY_MS;

  // 1. Partitions ahead.
  const existing = await retention.bronzePartitions();
  const have = new Set(existing.map((p) => p.dayMs));
  const created: string[] = [];
  for (const day of [today, today + DAY_MS]) {
    if (have.has(day)) continue;
    created.push(o.dryRun ? partitionName(day) : await retention.ensurePartition(day));
  }

  // 2. Rollups first, so the minute purge below finds the hours it needs.
  let hoursRolledUp: number | null = null;
  if (rollups)
    hoursRolledUp = o.dryRun ? await rollups.countPendingHours(o.nowMs) : await rollups.rollUpHours(o.nowMs);

  // 3. Bronze: a day goes when all of it is older than the retention (day end ≤ now − retention).
  const cutoffMs = o.nowMs - o.bronzeDays * DAY_MS;
  const dropped: JanitorReport['bronze']['dropped'] = [];
  const kept: string[] = [];
  for (const p of existing) {
    if (p.dayMs + DAY_MS > cutoffMs) {
      kept.push(p.name);
      continue;
    }
    const n = o.dryRun ? await retention.partitionStats(p.name) : await retention.dropPartition(p.name);
    dropped.push({ name: p.name, dayMs: p.dayMs, ...n });
    ctx.log.info(
      { partition: p.name, rows: n.rows, evidence: n.evidence, dryRun: o.dryRun },
      o.dryRun ? 'bronze partition would be dropped' : 'bronze partition dropped',
    );
  }
  kept.push(...created);
  kept.sort();

  // 4. Silver.
  const silver = await purgeSilver(retention, o, o.minuteDays ?? 30, o.hourDays ?? 90);

  // 5. Tag cardinality.
  const overTagLimit = await retention.tagCardinality(tagLimit);
  for (const m of overTagLimit) ctx.log.warn({ ...m, tagLimit }, 'metric exceeds the tag combination limit');
  if (!o.dryRun && overTagLimit.length > 0 && deps.alertAdmins)
    await deps.alertAdmins(overTagLimit, tagLimit, o.nowMs);

  // 6. Idle series states.
  const series = await purgeIdleSeries(deps, o);

  const report: JanitorReport = {
    dryRun: o.dryRun,
    nowMs: o.nowMs,
    bronze: { retentionDays: o.bronzeDays, cutoffMs, created, dropped, kept },
    evidenceKept: dropped.reduce((a, d) => a + d.evidence, 0),
    silver: { hoursRolledUp, ...silver },
    series,
    tagLimit,
    overTagLimit,
  };
  ctx.log.info(
    {
      dryRun: o.dryRun,
      dropped: dropped.length,
      evidenceKept: report.evidenceKept,
      minutesPurged: silver.minutesPurged,
      hoursPurged: silver.hoursPurged,
      seriesPurged: series.purged,
      overTagLimit: overTagLimit.length,
    },
    'telemetry janitor done',
  );
  return report;
}

/** Step 4: Silver minutes past `minuteDays` (their hour written) and hours past `hourDays`. */
async function purgeSilver(
  retention: TelemetryRetention,
  o: JanitorOptions,
  minuteDays: number,
  hourDays: number,
) {
  const minuteCutoffMs = o.nowMs - minuteDays * DAY_MS;
  const hourCutoffMs = o.nowMs - hourDays * DAY_MS;
  const minutesPurged = o.dryRun
    ? await retention.countMinutesToPurge(minuteCutoffMs)
    : await retention.purgeMinutes(minuteCutoffMs);
  const hoursPurged = o.dryRun
    ? await retention.countHoursToPurge(hourCutoffMs)
    : await retention.purgeHours(hourCutoffMs);
  return { minuteCutoffMs, minutesPurged, hourCutoffMs, hoursPurged };
}

/** Step 6: the states of series idle past Bronze retention, purged (or counted, on a dry run). */
async function purgeIdleSeries(deps: JanitorDeps, o: JanitorOptions): Promise<JanitorReport['series']> {
  const cutoffMs = idleSeriesCutoffMs(o.nowMs, o.bronzeDays);
  if (!deps.series) return { cutoffMs, purged: null };
  const purged = o.dryRun ? await deps.series.countIdle(cutoffMs) : await deps.series.purgeIdle(cutoffMs);
  return { cutoffMs, purged };
}

/** The name ensure_bronze_partition gives the UTC day starting at dayMs. */
export const partitionName = (dayMs: number): string =>
  `bronze_events_${new Date(dayMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
