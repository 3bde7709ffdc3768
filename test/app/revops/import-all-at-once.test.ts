import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CsvReader } from '../../../src/adapters/csv/reader.ts';
import type { Db } from '../../../src/adapters/db/client.ts';
import { importRunRepository } from '../../../src/adapters/db/import-runs-repository.ts';
import { revopsWrites } from '../../../src/adapters/db/revops-writes.ts';
import type { Ctx } from '../../../src/app/context.ts';
import { type RevopsImportDeps, runRevopsImport } from '../../../src/app/revops/import.ts';
import type { RevopsWrites } from '../../../src/app/revops/ports.ts';
import { SPEND_COLUMNS } from '../../../src/domain/revops/parse-spend.ts';
import { backends, silentLog } from '../../support/db.ts';

/**
 * Issue 17 for the RevOps imports, on the real database: every batch goes into one transaction that also
 * records the run, so another reader sees none of a file until its commit, and a failure half-way leaves
 * nothing of it and the run failed with nothing imported.
 */
const ctx: Ctx = { actor: { type: 'cli', user: 'tester' }, requestId: 'r', log: silentLog };

const SPEND = [
  SPEND_COLUMNS.join(','),
  ...Array.from({ length: 7 }, (_, i) => `2026-03-0${i + 1},Events,E${i},MM,NA,10,1,1,1,1,1,1,0`),
].join('\n');

describe.each(backends)('a RevOps import applied all at once on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ db, dispose } = await backend.open());
  });
  afterEach(async () => dispose());

  const count = async () =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM revops_marketing_spend'))[0]!.n;
  const runs = () =>
    db.query<{ status: string; imported_rows: number; error: string | null }>(
      'SELECT status, imported_rows, error FROM import_runs ORDER BY id',
    );

  /** The real writes, with the spend batches watched: `onBatch(n)` runs before the n-th batch is written. */
  function deps(onBatch: (n: number) => Promise<void>): RevopsImportDeps {
    const real = revopsWrites(db);
    const writes: RevopsWrites = {
      ...real,
      async beginImport(run) {
        const started = await real.beginImport!(run);
        let n = 0;
        const upsertSpend: typeof started.writes.upsertSpend = async (rows) => {
          await onBatch(++n);
          return started.writes.upsertSpend(rows);
        };
        return { ...started, writes: { ...started.writes, upsertSpend } };
      },
    };
    return {
      writes,
      importRuns: importRunRepository(db),
      clock: { now: () => Date.now() },
      openCsv: async () => new CsvReader(Readable.from([Buffer.from(SPEND)]), { sizeBytes: SPEND.length }),
    };
  }
  const run = (d: RevopsImportDeps) =>
    runRevopsImport(d, ctx, { file: 'spend.csv', kind: 'spend', dryRun: false, batchSize: 2 });

  it('shows another reader nothing of the file before its commit, and all of it after', async () => {
    const seenMeanwhile: number[] = [];
    const outcome = await run(
      deps(async (n) => {
        // PGlite is one connection, the import's own: only a server has another reader to ask.
        if (n === 3 && backend.name === 'postgres') seenMeanwhile.push(await count());
      }),
    );
    expect(outcome).toMatchObject({ total: 7, imported: 7, rejected: [] });
    if (backend.name === 'postgres') expect(seenMeanwhile).toEqual([0]);
    expect(await count()).toBe(7);
    expect(await runs()).toEqual([{ status: 'succeeded', imported_rows: 7, error: null }]);
  });

  it('a failure half-way leaves none of its rows, and the run failed with nothing imported', async () => {
    const failing = deps(async (n) => {
      if (n === 3) throw new Error('connection reset');
    });
    await expect(run(failing)).rejects.toThrow('connection reset');
    expect(await count()).toBe(0);
    expect(await runs()).toEqual([{ status: 'failed', imported_rows: 0, error: 'connection reset' }]);
  });
});
