import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkedRows } from '../../../src/adapters/csv/checked-rows.ts';
import { CsvReader } from '../../../src/adapters/csv/reader.ts';
import type { Ctx } from '../../../src/app/context.ts';
import { type ImportDeps, runImport } from '../../../src/app/import/import.ts';
import type {
  FunnelRecord,
  ImportRunResult,
  ImportRunStart,
  RecordImport,
} from '../../../src/app/records/ports.ts';
import { AppError } from '../../../src/shared/errors.ts';
import { csvFile, csvLine } from '../../support/csv.ts';
import { InMemoryImportRuns, InMemoryRecords } from '../../support/fakes.ts';

/**
 * Issue 17, the use case's side: a repository that applies an import all at once (beginImport) gets every
 * batch through it and the run's result with the commit; a failure aborts it (nothing committed, the
 * reason recorded), and a refused lock stops the import before anything is read.
 */
const ctx: Ctx = {
  actor: { type: 'cli', user: 'tester' },
  requestId: 'r',
  log: { info() {}, warn() {}, error() {}, debug() {} },
};

/** In-memory records whose imports are staged and applied at commit, like the database's. */
class AllAtOnceRecords extends InMemoryRecords {
  readonly imports: {
    run: ImportRunStart;
    outcome?: { committed: ImportRunResult } | { aborted: ImportRunResult };
  }[] = [];
  refuse: AppError | undefined;
  failWriteNo: number | undefined;

  async beginImport(run: ImportRunStart): Promise<RecordImport> {
    if (this.refuse) throw this.refuse;
    const entry: (typeof this.imports)[number] = { run };
    this.imports.push(entry);
    const staged: FunnelRecord[] = [];
    let writes = 0;
    return {
      runId: `import-${this.imports.length}`,
      write: async (lines, count) => {
        if (++writes === this.failWriteNo) throw new Error('connection reset');
        const rows = lines
          .split('\n')
          .slice(0, -1)
          .map((l) => JSON.parse(l) as FunnelRecord);
        expect(rows).toHaveLength(count);
        staged.push(...rows);
        return count;
      },
      commit: async (result) => {
        await this.upsertMany(staged);
        entry.outcome = { committed: result };
      },
      abort: async (result) => {
        entry.outcome = { aborted: result };
      },
    };
  }
}

function setup(text: string) {
  const records = new AllAtOnceRecords();
  const importRuns = new InMemoryImportRuns();
  let closed = 0;
  const deps: ImportDeps = {
    records,
    importRuns,
    clock: { now: () => 1_000 },
    openRows: async (_file, o) => {
      const rows = checkedRows(
        new CsvReader(Readable.from([Buffer.from(text)]), { sizeBytes: text.length }),
        {
          hashEmail: (e) => `hash:${e}`,
          encode: o.encode ? records.encodeLine : null,
        },
      );
      const close = rows.close.bind(rows);
      rows.close = async () => {
        closed++;
        await close();
      };
      return rows;
    },
  };
  return { deps, records, importRuns, closed: () => closed };
}

const file = csvFile(...['a', 'b', 'c', 'd', 'e'].map((id) => csvLine({ id })), csvLine({ id: 'a' }));

describe('runImport on a repository that applies imports all at once', () => {
  it('writes every batch through the import and commits the run’s result with it', async () => {
    const s = setup(file);
    const out = await runImport(s.deps, ctx, { file: 'f.csv', dryRun: false, batchSize: 2 });
    expect(out).toMatchObject({ runId: 'import-1', total: 6, imported: 5 });
    expect(s.records.imports).toEqual([
      {
        run: { file: 'f.csv', dryRun: false, actor: 'cli:tester', startedAtMs: 1_000 },
        outcome: {
          committed: {
            total: 6,
            imported: 5,
            rejected: [{ line: 7, reason: "id 'a' repeated (first on line 2)" }],
            finishedAtMs: 1_000,
          },
        },
      },
    ]);
    expect([...s.records.byId.keys()].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(s.importRuns.runs.size).toBe(0);
  });

  it('a failed write aborts the import with the reason: nothing is committed', async () => {
    const s = setup(file);
    s.records.failWriteNo = 2;
    await expect(runImport(s.deps, ctx, { file: 'f.csv', dryRun: false, batchSize: 2 })).rejects.toThrow(
      'connection reset',
    );
    expect(s.records.imports[0]!.outcome).toMatchObject({ aborted: { error: 'connection reset' } });
    expect(s.records.byId.size).toBe(0);
    expect(s.closed()).toBeGreaterThan(0);
  });

  it('another import holding the lock stops this one before it reads a row', async () => {
    const s = setup(file);
    s.records.refuse = new AppError('CONFLICT', 'run 7 (x.csv, by cli:ann, since …) holds the import lock');
    await expect(runImport(s.deps, ctx, { file: 'f.csv', dryRun: false })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(s.records.imports).toEqual([]);
    expect(s.importRuns.runs.size).toBe(0);
    expect(s.closed()).toBeGreaterThan(0);
  });

  it('a dry run takes no lock and records its run apart', async () => {
    const s = setup(file);
    s.records.refuse = new AppError('CONFLICT', 'held');
    const out = await runImport(s.deps, ctx, { file: 'f.csv', dryRun: true });
    expect(out).toMatchObject({ runId: 'run-1', total: 6, imported: 0 });
    expect(s.importRuns.runs.get('run-1')?.result).toMatchObject({ total: 6 });
  });
});
