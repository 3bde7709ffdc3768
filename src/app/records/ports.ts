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
}

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
