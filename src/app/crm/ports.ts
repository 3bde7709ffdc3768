import type { Allowance } from '../../domain/crm/allowance.ts';
import type { CrmLookups, CrmRecord } from '../../domain/crm/map-record.ts';
import type { ObjectMapping } from '../../domain/crm/mapping.ts';
import type { AlertMemory, CrmFailureKind, RunStatus, SyncAlert } from '../../domain/crm/sync-run.ts';
import type { RecordType } from '../../domain/records/record.ts';

/**
 * The CRM connector port (issue 16): what a sync needs of a CRM, so HubSpot, Salesforce and a third CRM
 * are one adapter each (adapters/crm/<vendor>). A connector reads records as the CRM has them, a page at
 * a time, with a checkpoint after each page; the use case maps them (domain/crm/map-record.ts), stores
 * them, and keeps the checkpoints, so a sync stopped anywhere resumes without losing or skipping a record.
 */

/** One kind of CRM object a connector reads (HubSpot contacts, deals; Salesforce Lead, Opportunity). */
export interface CrmStream {
  /** Stable key, stored with its cursor: `contacts`, `deals`. */
  key: string;
  /** Singular noun for reports: `contact 51: created_at: no value in createdate`. */
  noun: string;
  /** The funnel record type its records become. */
  type: RecordType;
  mapping: ObjectMapping;
}

/**
 * Where to read from. `full`: every record, from the start or from `resume` (a full read stopped early).
 * `incremental`: records modified at or after `sinceMs`, or from `resume` (an incremental read stopped early).
 */
export type ReadFrom =
  | { mode: 'full'; resume: string | null }
  | { mode: 'incremental'; sinceMs: number; resume: string | null };

/** Where a read got to once a page is stored: resume token (null: finished) and modified-time cursor. */
export interface Checkpoint {
  resume: string | null;
  /** The latest modified time of the records read so far (incremental reads only; null for full ones). */
  cursorMs: number | null;
}

export interface CrmPage {
  records: CrmRecord[];
  checkpoint: Checkpoint;
}

/** What a connector has spent (Allowance) and what the CRM's rate limits cost it in waiting. */
export interface CrmUsage extends Allowance {
  /** 429 answers received (each waited out and retried). */
  rateLimited: number;
  /** Milliseconds spent waiting for a rate-limit window or a Retry-After. */
  waitedMs: number;
}

/** Asked before every call: why no further call may be made (the daily share), or null. */
export type CallGuard = (usage: CrmUsage) => string | null;

/** One sync's connection to the CRM: its own call counter, rate-limit pacing and lookups. */
export interface CrmSession {
  /** Owners and pipeline stages, loaded once per session (only those some mapping resolves). */
  lookups(): Promise<CrmLookups>;
  read(stream: CrmStream, from: ReadFrom): AsyncIterable<CrmPage>;
  usage(): CrmUsage;
}

export interface CrmConnector {
  /** Stored key: `hubspot`. */
  readonly name: string;
  /** For people: `HubSpot`. */
  readonly label: string;
  /** The objects it syncs, in order (those the mapping has `sync: false` for are left out). */
  readonly streams: readonly CrmStream[];
  open(guard: CallGuard): CrmSession;
}

/**
 * A failure the CRM caused (a refused token, a missing scope, an outage past its retries). Thrown by
 * connectors; `budget` is not a failure but the daily share reached: the sync stops, resumable.
 */
export class CrmError extends Error {
  readonly kind: CrmFailureKind | 'budget';
  readonly status: number | null;
  constructor(kind: CrmFailureKind | 'budget', message: string, status: number | null = null) {
    super(message);
    this.name = 'CrmError';
    this.kind = kind;
    this.status = status;
  }
}

// ---------------------------------------------------------------------------------------------- storage

export interface StreamState {
  stream: string;
  /** Incremental reads start here (less an overlap); null: never fully read. */
  cursorMs: number | null;
  /** A read stopped early resumes here. */
  resume: string | null;
  /** Set while a full read is under way: when it began (the cursor it leaves behind). */
  fullStartedMs: number | null;
}

export interface CrmRejection {
  stream: string;
  /** The CRM's own id of the record. */
  crmId: string;
  reason: string;
}

export interface RunTotals {
  seen: number;
  written: number;
}

export interface FinishedRun {
  status: Exclude<RunStatus, 'running'>;
  /** What was read: full when any object was read in full (the first sync of an object always is). */
  mode: 'full' | 'incremental' | null;
  totals: RunTotals;
  usage: CrmUsage;
  /** Why it stopped early (partial) or failed; null when it completed. */
  reason: string | null;
  failure: { kind: CrmFailureKind; reason: string } | null;
  finishedAtMs: number;
}

/** What begin() hands the run: its id, the state of each stream, and the alerts' memory. */
export interface StartedRun {
  runId: string;
  streams: StreamState[];
  alerts: AlertMemory;
}

export interface CrmSyncStore {
  /**
   * Takes the connector's sync slot (idle → running, or a running one whose lease lapsed) and opens a run
   * row; null when another sync holds it.
   */
  begin(
    connector: string,
    run: { mode: 'full' | 'incremental'; actor: string; nowMs: number; leaseMs: number },
  ): Promise<StartedRun | null>;
  /** Stores a page's rejections and the stream's new state, and extends the lease, in one transaction. */
  checkpoint(
    connector: string,
    runId: string,
    page: { state: StreamState; rejections: readonly CrmRejection[]; totals: RunTotals; leaseMs: number },
  ): Promise<void>;
  /**
   * Closes the run, frees the slot and records the alerts' memory; `alert` (with its channel) is written to
   * the outbox in the same transaction, so it is sent exactly when the run's failure is stored.
   */
  finish(
    connector: string,
    runId: string,
    run: FinishedRun & {
      alerts: AlertMemory;
      alert: { channel: string; alert: SyncAlert; label: string } | null;
    },
  ): Promise<void>;
  /** Up to `limit` rejections of a run (and how many there are). */
  rejections(runId: string, limit: number): Promise<{ total: number; items: CrmRejection[] }>;
  status(connector: string): Promise<StoredSyncStatus | null>;
  /** Funnel records whose id starts with `prefix` (the records this connector wrote). */
  countRecords(prefix: string): Promise<number>;
}

export interface StoredRun {
  id: string;
  mode: 'full' | 'incremental';
  actor: string;
  status: RunStatus;
  startedAtMs: number;
  finishedAtMs: number | null;
  seen: number;
  written: number;
  rejected: number;
  calls: number;
  dailyMax: number | null;
  dailyRemaining: number | null;
  rateLimited: number;
  waitedMs: number;
  reason: string | null;
  failureKind: CrmFailureKind | null;
}

export interface StoredSyncStatus {
  running: boolean;
  leaseUntilMs: number | null;
  streams: StreamState[];
  lastRun: StoredRun | null;
  lastSuccessAtMs: number | null;
  /** The latest failed run's reason, kept until a run gets through. */
  lastError: { atMs: number; kind: CrmFailureKind; reason: string } | null;
  alerts: AlertMemory;
}
