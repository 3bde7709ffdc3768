import type {
  FunnelRecord,
  ImportRunRepository,
  ImportRunResult,
  ImportRunStart,
  RecordRepository,
} from '../../src/app/ports.ts';
import type { ScannableRecord } from '../../src/domain/records/record.ts';

/**
 * RecordRepository in memory, upserting by id like the real one. It records every upsertMany call and
 * the most writes ever in flight at once, so tests can check batching and pipelining. Each write
 * finishes on a later macrotask, as a database round trip would, so overlap is observable.
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
