import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsvReader } from '../../../src/adapters/csv/reader.ts';
import type { Ctx } from '../../../src/app/context.ts';
import type { ImportProgress } from '../../../src/app/import/import.ts';
import {
  type RevopsImportDeps,
  type RevopsImportOptions,
  readCsvKind,
  runRevopsImport,
} from '../../../src/app/revops/import.ts';
import type { RevopsWrites } from '../../../src/app/revops/ports.ts';
import { SPEND_COLUMNS } from '../../../src/domain/revops/parse-spend.ts';
import type { Customer, Deal, MrrMonth, SpendRow } from '../../../src/domain/revops/types.ts';
import { silentLog } from '../../support/db.ts';
import { InMemoryImportRuns } from '../../support/fakes.ts';

/**
 * The RevOps import use case over in-memory fakes: batching across input chunks, keys repeated in the
 * file, unknown customers refused by the writer and reported in line order, dry runs, failures.
 */

const ctx: Ctx = { actor: { type: 'cli', user: 'tester' }, requestId: 'r', log: silentLog };

/** Records every batch; the MRR history refuses customers not in `customers`. */
class FakeWrites implements RevopsWrites {
  batches: { kind: string; rows: unknown[] }[] = [];
  customers = new Set<string>();
  failOnBatch = -1;
  async #take(kind: string, rows: readonly unknown[]) {
    if (this.batches.length === this.failOnBatch) throw new Error('database went away');
    this.batches.push({ kind, rows: [...rows] });
  }
  async upsertDeals(rows: readonly Deal[]) {
    await this.#take('deals', rows);
    return rows.length;
  }
  async upsertCustomers(rows: readonly Customer[]) {
    await this.#take('customers', rows);
    for (const r of rows) this.customers.add(r.customerId);
    return rows.length;
  }
  async upsertMrrHistory(rows: readonly MrrMonth[]) {
    await this.#take('mrr', rows);
    const unknown = [
      ...new Set(rows.filter((r) => !this.customers.has(r.customerId)).map((r) => r.customerId)),
    ];
    return {
      written: rows.length - rows.filter((r) => unknown.includes(r.customerId)).length,
      unknownCustomers: unknown,
    };
  }
  async upsertSpend(rows: readonly SpendRow[]) {
    await this.#take('spend', rows);
    return rows.length;
  }
  /** Each ANALYZE, in order, after the batches written before it. */
  analyzed: { kind: string; afterBatches: number }[] = [];
  async analyze(kind: string) {
    this.analyzed.push({ kind, afterBatches: this.batches.length });
  }
}

/** The file's text served in chunks of `chunk` bytes, so batches and chunks do not line up. */
function setup(text: string, chunk = 40) {
  const writes = new FakeWrites();
  const importRuns = new InMemoryImportRuns();
  const bytes = Buffer.from(text);
  let t = 0;
  const deps: RevopsImportDeps = {
    writes,
    importRuns,
    clock: { now: () => (t += 10) },
    openCsv: async () => {
      const pieces: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += chunk) pieces.push(bytes.subarray(i, i + chunk));
      return new CsvReader(Readable.from(pieces), { sizeBytes: bytes.length });
    },
  };
  const run = (o: Partial<RevopsImportOptions> = {}) =>
    runRevopsImport(deps, ctx, { file: 'f.csv', kind: 'mrr', dryRun: false, ...o });
  return { deps, writes, importRuns, run };
}

const SPEND_HEADER = SPEND_COLUMNS.join(',');

const MRR = [
  'customer_id,month,mrr',
  'A,2026-01,10',
  'B,2026-01,20',
  'A,2026-02,11',
  'Z,2026-01,5',
  'B,2026-02,x',
  'A,2026-01,12',
  'Y,2026-03,1',
  'B,2026-03,21',
].join('\n');

describe('runRevopsImport', () => {
  it('writes good rows in batches and reports every rejection in line order', async () => {
    const s = setup(MRR);
    s.writes.customers = new Set(['A', 'B']);
    const seen: ImportProgress[] = [];
    const out = await s.run({ batchSize: 2, onProgress: (p) => seen.push(p) });
    expect(s.writes.batches.map((b) => b.rows.length)).toEqual([2, 2, 2]);
    expect(out).toMatchObject({ kind: 'mrr', total: 8, imported: 4, dryRun: false });
    expect(out.rejected).toEqual([
      { line: 5, reason: "unknown customer_id 'Z' (import it in customers.csv first)" },
      { line: 6, reason: "mrr: not a dollar amount 'x'" },
      { line: 7, reason: "customer_id 'A' month 2026-01-01 repeated (first on line 2)" },
      { line: 8, reason: "unknown customer_id 'Y' (import it in customers.csv first)" },
    ]);
    const run = [...s.importRuns.runs.values()][0]!;
    expect(run.result).toMatchObject({ total: 8, imported: 4 });
    expect(run.result!.rejected).toHaveLength(4);
    expect(seen.at(-1)).toEqual({ bytesRead: MRR.length, totalBytes: MRR.length, rows: 8, rejected: 4 });
  });

  it('refreshes the table statistics once, after the last batch', async () => {
    const s = setup(MRR);
    s.writes.customers = new Set(['A', 'B']);
    await s.run({ batchSize: 2 });
    expect(s.writes.analyzed).toEqual([{ kind: 'mrr', afterBatches: 3 }]);
    const spend = setup(`${SPEND_HEADER}\n2026-03-02,Events,E1,MM,NA,10,1,1,1,1,1,1,0\n`);
    await spend.run({ kind: 'spend' });
    expect(spend.writes.analyzed).toEqual([{ kind: 'spend', afterBatches: 1 }]);
  });

  it('analyzes nothing when nothing was written or the import failed', async () => {
    const unknown = setup(MRR);
    await unknown.run();
    expect(unknown.writes.analyzed).toEqual([]);
    const failed = setup(MRR);
    failed.writes.customers = new Set(['A', 'B']);
    failed.writes.failOnBatch = 1;
    await expect(failed.run({ batchSize: 2 })).rejects.toThrow('database went away');
    expect(failed.writes.analyzed).toEqual([]);
  });

  it('a dry run writes nothing (and cannot know the customers), but records the run', async () => {
    const s = setup(MRR);
    const out = await s.run({ dryRun: true });
    expect(s.writes.batches).toEqual([]);
    expect(s.writes.analyzed).toEqual([]);
    expect(out).toMatchObject({ total: 8, imported: 0, dryRun: true });
    expect(out.rejected.map((r) => r.line)).toEqual([6, 7]);
    expect(s.importRuns.runs.size).toBe(1);
  });

  it('a header of another kind stops the import before a run is recorded', async () => {
    const s = setup('customer_id,month,mrr_usd\nA,2026-01,1\n');
    await expect(s.run()).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(
        /^f\.csv: bad header: not a mrr CSV: missing column\(s\): mrr; unexpected column\(s\): mrr_usd/,
      ),
    });
    expect(s.importRuns.runs.size).toBe(0);
    await expect(setup('').run()).rejects.toMatchObject({ message: 'f.csv: file is empty (no header line)' });
  });

  it('a failed write propagates and closes the run as failed', async () => {
    const s = setup(MRR);
    s.writes.customers = new Set(['A', 'B']);
    s.writes.failOnBatch = 1;
    await expect(s.run({ batchSize: 2 })).rejects.toThrow('database went away');
    const run = [...s.importRuns.runs.values()][0]!;
    expect(run.result).toMatchObject({ error: 'database went away' });
  });

  it('refuses a batch size below 1', async () => {
    await expect(setup(MRR).run({ batchSize: 0 })).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe('readCsvKind', () => {
  it('reads only the header, and says null for an empty file', async () => {
    const { deps } = setup(`${MRR}\n${'x,'.repeat(1000)}`);
    expect(await readCsvKind(deps.openCsv, 'f.csv')).toMatchObject({ ok: true, layout: { kind: 'mrr' } });
    expect(await readCsvKind(setup('\n\n').deps.openCsv, 'e.csv')).toBeNull();
  });
});
