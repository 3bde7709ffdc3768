import type { IncidentFigures } from '../../domain/incidents/incident.ts';
import type { FunnelRecord, ScannableRecord } from '../../domain/records/record.ts';
import type { Issue, ScanSummary } from '../../domain/scan/summarize.ts';

/**
 * What the import and the scan need from storage: the funnel records, the import runs that wrote them
 * and the scans that read them (the database adapter implements each).
 */

/** A rejected input row: the 1-based physical line number in the file and why. */
export interface RejectedRow {
  line: number;
  reason: string;
}

export interface ImportRunStart {
  file: string;
  dryRun: boolean;
  actor: string;
  startedAtMs: number;
}
export interface ImportRunResult {
  total: number;
  imported: number;
  rejected: RejectedRow[];
  finishedAtMs: number;
  /** Set when the run failed outright (bad header, unreadable file, database error). */
  error?: string;
}

/**
 * Encodes one validated record as one line (ending in '\n') of the record repository's bulk format
 * (PostgreSQL COPY text for the database adapter). Pure and synchronous, so a row source can run it where
 * it parses, on another thread: a million records then reach the writer as a few hundred strings rather
 * than a million objects. The composition root gives the row source the encoder of the repository the
 * use case writes to.
 */
export type RecordLineEncoder = (record: FunnelRecord) => string;

/**
 * One import's writes, applied all at once (issue 17): the rows written through it stay invisible to every
 * other reader (a scan above all) until commit(), which records the run's result in the same transaction,
 * so a scan sees the funnel before the import or after it, never half of each. abort() — or the process
 * dying, which ends its database session — discards every row; the run is then `failed` (abort records
 * why; a dead process's run is found and failed at the next start of any process).
 */
export interface RecordImport {
  readonly runId: string;
  /** upsertLines inside the import. Writes run one at a time in call order; a caller may queue several. */
  write(lines: string, count: number): Promise<number>;
  /** Records `result` on the run and makes every written row visible, in one transaction. */
  commit(result: ImportRunResult): Promise<void>;
  /** Discards every written row and records the run as failed with `result.error`, nothing imported. */
  abort(result: ImportRunResult): Promise<void>;
}

export interface RecordRepository {
  /** Upserts by id in bulk (COPY into a staging table, then UPDATE changed rows and INSERT new ones). Returns the rows given. */
  upsertMany(records: readonly FunnelRecord[]): Promise<number>;
  /**
   * upsertMany for `count` records given as `lines`: the concatenated output of this repository's
   * RecordLineEncoder, one line per record, no id twice. Returns the rows given (unchanged ones included).
   */
  upsertLines(lines: string, count: number): Promise<number>;
  /** Every record, projected for scanning. */
  loadAll(): Promise<ScannableRecord[]>;
  count(): Promise<number>;
  /**
   * Starts an import applied all at once (RecordImport) and records its run as `running`, leased to this
   * process. Refuses with AppError CONFLICT, naming the run, while another import holds the records import
   * lock (one import at a time per database). Optional: the in-memory repository of the use-case tests
   * has none and is written batch by batch (app/import/import.ts batchByBatch), which nothing can read
   * half-way there.
   */
  beginImport?(run: ImportRunStart): Promise<RecordImport>;
}

/**
 * Import runs (funnel and RevOps). A run is leased to the process that started it until finish(): when that
 * process dies first, the run is marked failed, with the reason, at the next start of any process.
 */
export interface ImportRunRepository {
  start(run: ImportRunStart): Promise<string>;
  finish(id: string, result: ImportRunResult): Promise<void>;
}

export interface FindingsDelta {
  newIssues: number;
  stillOpen: number;
  reopened: number;
  cleared: number;
  /**
   * False for a backfill: a scan as of an instant older than the newest reconciled scan stores its totals
   * (burn history) but leaves findings as the present knows them, so all counts are 0.
   */
  reconciled: boolean;
}

export interface ScanRecord {
  id: string;
  asOfMs: number;
  actor: string;
  summary: ScanSummary;
}

export interface ScanRepository {
  /**
   * Persists the scan and reconciles findings in one transaction, writing only what changed: new issues
   * are inserted, re-priced or reopened ones updated, open findings the scan no longer sees cleared.
   */
  record(scan: { asOfMs: number; actor: string; startedAtMs: number; summary: ScanSummary }): Promise<{
    scanId: string;
    delta: FindingsDelta;
  }>;
  /** First-seen time of each open issue id given, for "open since" display. */
  firstSeen(issueIds: readonly string[]): Promise<Map<string, number>>;
  /** The newest reconciled scan's totals as incident figures (its issue list is not stored: empty). */
  latestFigures(): Promise<IncidentFigures | null>;
}

export type { FunnelRecord, Issue, ScanSummary };
