/** Ports of the telemetry tiers (DOMAIN.md §6, issue 5). */

import type { SlaDefinition } from '../../domain/sla/definition.ts';
import type { SlaReportInputs } from '../../domain/sla/report.ts';
import type { GoldSnapshot } from '../../domain/sla/snapshot.ts';
import type { TagCardinality } from '../../domain/telemetry/cardinality.ts';
import type { SeriesState } from '../../domain/telemetry/delta.ts';
import type { MetricPoint } from '../../domain/telemetry/otlp-metrics.ts';
import type { MinuteRollup } from '../../domain/telemetry/rollup.ts';
import type { AuditEntry } from '../incidents/ports.ts';
import type { NewJob } from '../outbox/ports.ts';

/** An ingest token as listed: never the token itself, nor its hash. */
export interface IngestTokenInfo {
  id: string;
  name: string;
  /** The token's first 8 characters, to recognise it. */
  prefix: string;
  createdAtMs: number;
  revokedAtMs: number | null;
}

/**
 * Bearer tokens for the ingest endpoints. The clear token exists only in `create`'s answer: the store keeps
 * its SHA-256, so it can be verified but never shown again.
 */
export interface IngestTokens {
  create(name: string): Promise<{ id: string; token: string; prefix: string }>;
  /** Every token, oldest first, revoked ones included (with revokedAtMs). */
  list(): Promise<IngestTokenInfo[]>;
  /**
   * Revokes the active token with that id (digits) or prefix. False when no active token matches; an
   * ambiguous prefix (two active tokens share it) is a CONFLICT AppError rather than a guess.
   */
  revoke(idOrPrefix: string): Promise<boolean>;
  /** The active token's id and name, or null for an unknown or revoked token. */
  verify(token: string): Promise<{ id: string; name: string } | null>;
}

/** One raw Bronze event (an error or a slow one), PII already hashed: no raw user id or email here. */
export interface BronzeRow {
  timeMs: number;
  service: string;
  name: string;
  level: string | null;
  ok: boolean;
  durationMs: number | null;
  message: string | null;
  traceId: string | null;
  /** Keyed hash of the user id, or null. */
  userHash: string | null;
  /** Keyed hash of the email, or null. */
  emailHash: string | null;
  attributes: Record<string, string | number | boolean>;
}

/**
 * One Silver minute rollup of a (service, metric, tags) series: the increment a batch adds, or the
 * merged row. count/errors/sum add up, min/max combine, the sketch (DDSketch bytes) merges.
 * min, max and sketchBytes are null when the rollup saw no value (a counter, events without a duration).
 * The shape is the domain's (domain/telemetry/rollup.ts), where the folding into minutes happens.
 */
export type SilverMinute = MinuteRollup;

/**
 * An in-memory cumulative→delta state (domain/telemetry/delta.ts DeltaTracker), for storeAsDeltas: one
 * process, forgotten on restart. The ingest use case keeps its state in a SeriesStateStore instead.
 */
export interface DeltaState {
  /** The delta form of a point, or null for a stale or duplicate cumulative point. */
  toDelta(point: MetricPoint): MetricPoint | null;
  /** Remembers the touched series' state; the function returned puts it back (the write failed). */
  checkpoint(points: readonly MetricPoint[]): () => void;
}

/** A cumulative series' saved state and its row's version (1 at the first write, then +1 per write). */
export interface SavedSeries {
  state: SeriesState;
  version: number;
}

/** One series' next state, to be written only if its row still holds version `prev` (0: no row yet). */
export interface SeriesStateWrite {
  /** domain/telemetry/delta.ts seriesKey. */
  key: string;
  service: string;
  metric: string;
  state: SeriesState;
  prev: number;
}

/**
 * What a SeriesStateStore write did: wrote everything, or nothing because some series' rows no longer hold
 * the versions the caller computed from. `moved` holds those rows as they are now, by key, null for a row
 * that no longer exists (empty in the rare case where the writer that won has not committed yet: the
 * caller simply tries again).
 */
export type SeriesWriteOutcome =
  | { written: true }
  | { written: false; moved: Map<string, SavedSeries | null> };

/**
 * The cumulative→delta state of metric series, durable and shared by every process and replica
 * (migrations/0008), written with the Silver minutes it produced.
 */
export interface SeriesStateStore {
  /**
   * Atomic (all or nothing, durable when it resolves): if every series' row holds its `prev` version, saves
   * each new state (version prev + 1) and appends the Silver minutes as TelemetryStore.write does; else
   * writes nothing and answers what moved. Every series appears once.
   */
  write(batch: { states: readonly SeriesStateWrite[]; silver: SilverMinute[] }): Promise<SeriesWriteOutcome>;
}

/** The Bronze and Silver tiers' write side. */
export interface TelemetryStore {
  /**
   * Atomic (all rows or none, durable when it resolves): inserts the Bronze rows, after creating any day
   * partition they need, and appends the batch's Silver minutes (entries of one key merged) to
   * silver_minute_pending. Insert-only, so concurrent requests never wait on each other; `compact()` merges
   * the pending rows later.
   */
  write(batch: { bronze: BronzeRow[]; silver: SilverMinute[] }): Promise<void>;
  /**
   * One transaction: takes up to `limit` of the oldest pending Silver minutes (SKIP LOCKED, so compactors
   * running at once take disjoint rows), deletes them and merges them into silver_minute (row-locked).
   * Returns how many pending rows it compacted (0 when none were left).
   */
  compact(limit?: number): Promise<number>;
}

/**
 * One step of an SLA change: close the open version (active_to = activeToMs) and/or open a new one,
 * with the audit row that records it.
 */
export interface SlaChange {
  close?: { id: string; version: number; activeToMs: number };
  open?: SlaDefinition;
  audit?: AuditEntry;
}

/** SLA definitions, versioned and never edited in place (DOMAIN.md §6). */
export interface SlaDefinitions {
  /** The open version (active_to null) of that id, or null. */
  current(id: string): Promise<SlaDefinition | null>;
  /** Every version in force at atMs (active_from <= atMs < active_to), by id. */
  listActive(atMs: number): Promise<SlaDefinition[]>;
  /**
   * All changes in one transaction. A close whose version is no longer open, or an open whose id already
   * has an open version (a concurrent apply), is a CONFLICT AppError and nothing is written.
   */
  apply(changes: readonly SlaChange[]): Promise<void>;
}

/** Silver hour rollups, merged from the minute rows (sketches merged, never averaged). */
export interface TelemetryRollups {
  /**
   * Writes (upserts) the hour row of every series and complete hour (hour end ≤ untilMs) whose minute rows
   * have no hour row yet, whose hour row no longer matches its minutes (a late minute changed count, errors
   * or sum), or that is one of the last two complete hours. Idempotent. Answers how many hour rows it wrote.
   */
  rollUpHours(untilMs: number): Promise<number>;
  /** How many hour rows rollUpHours(untilMs) would write now (dry runs). */
  countPendingHours(untilMs: number): Promise<number>;
}

/** A Bronze day partition, bronze_events_YYYYMMDD, covering [dayMs, dayMs + 1 day) in UTC. */
export interface BronzePartition {
  name: string;
  dayMs: number;
}

export type { TagCardinality };

/** Retention of the telemetry tiers (the janitor's side). Nothing here touches gold_snapshots. */
export interface TelemetryRetention {
  /** The existing Bronze day partitions, oldest first. */
  bronzePartitions(): Promise<BronzePartition[]>;
  /** Creates the day partition of the UTC day starting at dayMs if it is missing; answers its name. */
  ensurePartition(dayMs: number): Promise<string>;
  /** The partition's rows, and how many of them are incident evidence (incident_id set). Dry runs. */
  partitionStats(name: string): Promise<{ rows: number; evidence: number }>;
  /**
   * In one transaction: copies the partition's evidence rows (incident_id set, incident existing) into
   * bronze_evidence, then drops the partition. Answers the rows dropped and the evidence rows kept.
   */
  dropPartition(name: string): Promise<{ rows: number; evidence: number }>;
  /** Minute rows older than beforeMs whose hour row exists (only those may go). */
  countMinutesToPurge(beforeMs: number): Promise<number>;
  purgeMinutes(beforeMs: number): Promise<number>;
  /** Hour rows older than beforeMs. */
  countHoursToPurge(beforeMs: number): Promise<number>;
  purgeHours(beforeMs: number): Promise<number>;
  /** Metrics with more than `above` distinct tag sets in the Silver minutes, most first. */
  tagCardinality(above: number): Promise<TagCardinality[]>;
}

/** One UTC day of a Silver series (every tag set summed), for the SLA engine. */
export interface SlaDayTotals {
  total: number;
  errors: number;
  /**
   * Minutes (all tag sets summed) whose errors / count exceeded 1 − target: availability breaches. Hours
   * read from silver_hour (their minutes purged) count none: their minutes are no longer known.
   */
  errorMinutes: number;
  /** The day's merged sketch bytes, when asked (latency) and some value was recorded; else null. */
  sketchBytes: Uint8Array | null;
  /** When asked (latency): each minute's count and merged sketch (minutes read from silver_minute only). */
  minuteSketches: { count: number; sketchBytes: Uint8Array }[];
}

/** The Gold tier: daily SLA snapshots, inserted once, never updated or deleted (DOMAIN.md §6). */
export interface GoldSnapshots {
  /**
   * The UTC day [dayMs, dayMs + 1 day) of (service, metric), from silver_minute, each hour falling back to
   * its silver_hour row when that holds more events than its minutes (minutes purged by the janitor).
   */
  dayTotals(q: {
    service: string;
    metric: string;
    dayMs: number;
    target: number;
    sketches?: boolean;
  }): Promise<SlaDayTotals>;
  /** The day (start ms) of the definition's latest snapshot, or null. */
  lastSnapshotDay(slaId: string): Promise<number | null>;
  /**
   * Minutes of the definition's SLA incidents (dedupe_key 'sla:' || slaId) within the day: each span the
   * incident was open (detected or reopened until resolved, from its timeline) clipped to the day, an
   * open one counting until the day's end, or until `untilMs` when given (today, counted live: up to now).
   * The gap between a resolve and a reopen is not downtime.
   */
  downtimeMinutes(slaId: string, dayMs: number, untilMs?: number): Promise<number>;
  /**
   * Inserts the snapshot unless (slaId, day) already has one; the audit row is written only when it was
   * inserted, in the same transaction. Answers whether it was inserted.
   */
  insertSnapshot(snapshot: GoldSnapshot, audit: AuditEntry): Promise<boolean>;
}

/** What the weekly SLA report reads (issue 5, item 7): all of it for one ISO week. */
export interface SlaReportReads {
  /** Every definition version in force at some time in [fromMs, toMs), by id then version. */
  definitionsDuring(fromMs: number, toMs: number): Promise<SlaDefinition[]>;
  /** The Gold snapshots of the days in [fromMs, toMs) (service filled in from the definition). */
  snapshots(fromMs: number, toMs: number): Promise<GoldSnapshot[]>;
  /** SLA incidents (dedupe_key 'sla:' || id) opened in [fromMs, toMs); open = not resolved now. */
  slaIncidents(fromMs: number, toMs: number): Promise<SlaReportInputs['incidents'][number][]>;
  /**
   * p99 of an SLA's series over [fromMs, toMs), from the silver_hour sketches of the rows its indicator's
   * filters keep (as the burn reads narrow them) merged, clamped into their min and max; null without values.
   */
  p99(
    series: Pick<SlaDefinition, 'service' | 'metric' | 'indicator'>,
    fromMs: number,
    toMs: number,
  ): Promise<number | null>;
  /** The latest scan (reconciled or backfill) whose as_of falls in [fromMs, toMs), or null. */
  latestScanBetween(fromMs: number, toMs: number): Promise<SlaReportInputs['scan']>;
}

/** The outbox as the weekly post needs it: enqueue a job unless one with its key exists (never re-armed). */
export interface SlaReportOutbox {
  /** True when the job was added; false when a job with its key already exists (pending, done or failed). */
  enqueueOnce(job: NewJob): Promise<boolean>;
}
