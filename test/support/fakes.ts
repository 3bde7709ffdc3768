import type {
  FindingsDelta,
  FunnelRecord,
  ImportRunRepository,
  ImportRunResult,
  ImportRunStart,
  RecordRepository,
  ScanRepository,
  ScanSummary,
} from '../../src/app/records/ports.ts';
import { figuresOf, type IncidentFigures } from '../../src/domain/incidents/incident.ts';
import type { ScannableRecord } from '../../src/domain/records/record.ts';

/**
 * The line encoding of InMemoryRecords: one JSON object per line (JSON escapes newlines). Exported so a
 * worker thread can load it by module URL, as it loads the database adapter's encoder.
 */
export const encodeJsonLine = (r: FunnelRecord): string => `${JSON.stringify(r)}\n`;

/**
 * RecordRepository in memory, upserting by id like the real one. It records every write (upsertMany, or
 * upsertLines, which decodes its lines and goes through upsertMany) and the most writes ever in flight
 * at once, so tests can check batching and pipelining. Each write finishes on a later macrotask, as a
 * database round trip would, so overlap is observable.
 */
export class InMemoryRecords implements RecordRepository {
  readonly byId = new Map<string, FunnelRecord>();
  /** Size of each upsertMany call, in order. */
  readonly calls: number[] = [];
  maxInFlight = 0;
  #inFlight = 0;
  /** When set, the next upsertMany rejects with it (once). */
  failNext: Error | undefined;

  constructor(initial: readonly FunnelRecord[] = []) {
    for (const r of initial) this.byId.set(r.id, r);
  }

  /** The RecordLineEncoder of this fake (encodeJsonLine). */
  readonly encodeLine = encodeJsonLine;

  async upsertLines(lines: string, count: number): Promise<number> {
    const records = lines
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as FunnelRecord);
    if (records.length !== count) throw new Error(`upsertLines: ${records.length} lines, count ${count}`);
    return this.upsertMany(records);
  }

  async upsertMany(records: readonly FunnelRecord[]): Promise<number> {
    this.calls.push(records.length);
    this.#inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.#inFlight);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      const failure = this.failNext;
      if (failure) {
        this.failNext = undefined;
        throw failure;
      }
      for (const r of records) this.byId.set(r.id, { ...r });
      return records.length;
    } finally {
      this.#inFlight--;
    }
  }

  async loadAll(): Promise<ScannableRecord[]> {
    return [...this.byId.values()].map((r) => ({ ...r }));
  }

  async count(): Promise<number> {
    return this.byId.size;
  }
}

export interface StoredImportRun extends ImportRunStart {
  id: string;
  /** Undefined until finish(): a run left unfinished is a failed import. */
  result?: ImportRunResult;
}

/** ImportRunRepository in memory; ids are run-1, run-2, … in start order. */
export class InMemoryImportRuns implements ImportRunRepository {
  readonly runs = new Map<string, StoredImportRun>();

  async start(run: ImportRunStart): Promise<string> {
    const id = `run-${this.runs.size + 1}`;
    this.runs.set(id, { ...run, id });
    return id;
  }

  async finish(id: string, result: ImportRunResult): Promise<void> {
    const run = this.runs.get(id);
    if (!run) throw new Error(`unknown import run ${id}`);
    if (run.result) throw new Error(`import run ${id} finished twice`);
    run.result = { ...result, rejected: [...result.rejected] };
  }
}

export interface StoredScan {
  id: string;
  asOfMs: number;
  actor: string;
  startedAtMs: number;
  /** The very summary object the use case handed over (not a copy), so tests can check identity. */
  summary: ScanSummary;
  delta: FindingsDelta;
}

export interface StoredFinding {
  status: 'open' | 'cleared';
  firstSeenMs: number;
  lastSeenMs: number;
  lastScanId: string;
}

/**
 * ScanRepository in memory; ids are scan-1, scan-2, … in record order. Findings are reconciled with the
 * rules of the SQL one (adapters/db/repositories.ts recordScan): a seen issue is new, still open or
 * reopened; an open finding this scan did not see is cleared. A scan older than the newest reconciled
 * one is a backfill: it is recorded, and findings are left alone.
 */
export class InMemoryScans implements ScanRepository {
  readonly scans: StoredScan[] = [];
  readonly findings = new Map<string, StoredFinding>();
  #newestReconciledMs = Number.NEGATIVE_INFINITY;

  async record(scan: {
    asOfMs: number;
    actor: string;
    startedAtMs: number;
    summary: ScanSummary;
  }): Promise<{ scanId: string; delta: FindingsDelta }> {
    const scanId = `scan-${this.scans.length + 1}`;
    const reconciled = scan.asOfMs >= this.#newestReconciledMs;
    const delta: FindingsDelta = { newIssues: 0, stillOpen: 0, reopened: 0, cleared: 0, reconciled };
    if (reconciled) {
      this.#newestReconciledMs = scan.asOfMs;
      for (const i of scan.summary.issues) {
        const f = this.findings.get(i.issueId);
        if (!f) {
          delta.newIssues++;
          this.findings.set(i.issueId, {
            status: 'open',
            firstSeenMs: scan.asOfMs,
            lastSeenMs: scan.asOfMs,
            lastScanId: scanId,
          });
          continue;
        }
        if (f.status === 'open') delta.stillOpen++;
        else delta.reopened++;
        f.status = 'open';
        f.lastSeenMs = scan.asOfMs;
        f.lastScanId = scanId;
      }
      for (const f of this.findings.values()) {
        if (f.status === 'open' && f.lastScanId !== scanId) {
          f.status = 'cleared';
          delta.cleared++;
        }
      }
    }
    this.scans.push({ ...scan, id: scanId, delta: { ...delta } });
    return { scanId, delta };
  }

  async firstSeen(issueIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const id of issueIds) {
      const f = this.findings.get(id);
      if (f) out.set(id, f.firstSeenMs);
    }
    return out;
  }

  async latestFigures(): Promise<IncidentFigures | null> {
    const last = this.scans.filter((x) => x.delta.reconciled).at(-1);
    if (!last) return null;
    const { issues, ...rest } = last.summary;
    return {
      ...figuresOf(last.id, { ...rest, issues: [] }),
      openIssues: issues.length,
    };
  }
}
