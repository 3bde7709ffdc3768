import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkedRows } from '../../src/adapters/csv/checked-rows.ts';
import { CsvReader } from '../../src/adapters/csv/reader.ts';
import type { Ctx } from '../../src/app/context.ts';
import {
  type ImportDeps,
  type ImportProgress,
  MAX_WRITES_IN_FLIGHT,
  runImport,
} from '../../src/app/import/import.ts';
import { type CsvRow, csvFile, csvLine } from '../support/csv.ts';
import { InMemoryImportRuns, InMemoryRecords } from '../support/fakes.ts';

const line = (o: Partial<CsvRow> = {}) => csvLine(o);
const csv = csvFile;

const logs: { obj: object; msg: string }[] = [];
const log = {
  info: (obj: object, msg: string) => logs.push({ obj, msg }),
  warn() {},
  error() {},
  debug() {},
};
const ctx: Ctx = { actor: { type: 'cli', user: 'tester' }, requestId: 'req-1', log };

/** Fresh fakes; the file's text is served in chunks of `chunk` bytes to exercise batching across chunks. */
function setup(text: string, chunk = 64) {
  const records = new InMemoryRecords();
  const importRuns = new InMemoryImportRuns();
  let t = 1_000;
  const bytes = Buffer.from(text, 'utf8');
  const opened: string[] = [];
  const deps: ImportDeps = {
    records,
    importRuns,
    clock: { now: () => (t += 5) },
    openRows: async (file, o) => {
      opened.push(file);
      const pieces: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += chunk) pieces.push(bytes.subarray(i, i + chunk));
      return checkedRows(new CsvReader(Readable.from(pieces), { sizeBytes: bytes.length }), {
        hashEmail: (e) => `hash:${e}`,
        encode: o.encode ? records.encodeLine : null,
      });
    },
  };
  return { deps, records, importRuns, opened };
}

const mixed = csv(
  line({ id: '1' }), // 2
  line({ id: '2', type: 'deal' }), // 3
  line({ id: '3', created_at: 'yesterday' }), // 4
  line({ id: '4', value_usd: '-5' }), // 5
  line({ id: '5', value_usd: 'abc' }), // 6
  line({ id: '' }), // 7
  line({ id: '1', type: 'opp' }), // 8
  line({ id: '6' }).split(',').slice(0, 14).join(','), // 9
  line({ id: '7', type: ' OPP ', notes: 'two\nlines, "quoted"' }), // 10-11
  line({ id: '8', value_usd: '12.5', email: '' }), // 12
);

describe('runImport', () => {
  it('imports good rows and reports each bad row with its line and reason', async () => {
    const { deps, records, importRuns, opened } = setup(mixed);
    const out = await runImport(deps, ctx, { file: 'funnel.csv', dryRun: false });

    expect(opened).toEqual(['funnel.csv']);
    expect(out.rejected).toEqual([
      { line: 3, reason: "unknown type 'deal' (expected lead or opp)" },
      { line: 4, reason: "created_at: not an ISO-8601 timestamp with zone 'yesterday'" },
      { line: 5, reason: "value_usd: negative value '-5'" },
      { line: 6, reason: "value_usd: non-numeric value 'abc'" },
      { line: 7, reason: 'missing id' },
      { line: 8, reason: "id '1' repeated (first on line 2)" },
      { line: 9, reason: 'expected 15 columns, got 14' },
    ]);
    expect(out).toMatchObject({ runId: 'run-1', total: 10, imported: 3, dryRun: false, elapsedMs: 5 });
    expect([...records.byId.keys()].sort()).toEqual(['1', '7', '8']);
    expect(records.byId.get('1')).toMatchObject({ type: 'lead', emailHash: 'hash:Ann@Example.com' });
    expect(records.byId.get('7')).toMatchObject({ type: 'opp', notes: 'two\nlines, "quoted"' });
    expect(records.byId.get('8')).toMatchObject({ valueCents: 1250, emailHash: null });

    const run = importRuns.runs.get('run-1');
    expect(run).toMatchObject({ file: 'funnel.csv', dryRun: false, actor: 'cli:tester', startedAtMs: 1_005 });
    expect(run?.result).toEqual({ total: 10, imported: 3, rejected: out.rejected, finishedAtMs: 1_010 });
    expect(logs.at(-1)).toMatchObject({
      msg: 'import finished',
      obj: { import_run_id: 'run-1', rejected: 7 },
    });
  });

  it('a dry run validates the same way, records the run, and writes no record', async () => {
    const { deps, records, importRuns } = setup(mixed);
    const out = await runImport(deps, ctx, { file: 'funnel.csv', dryRun: true });
    expect(out).toMatchObject({ total: 10, imported: 0, dryRun: true });
    expect(out.rejected).toHaveLength(7);
    expect(records.calls).toEqual([]);
    expect(records.byId.size).toBe(0);
    expect(importRuns.runs.get(out.runId)).toMatchObject({
      dryRun: true,
      result: { total: 10, imported: 0 },
    });
  });

  it('writes in batches, never more than MAX_WRITES_IN_FLIGHT at once', async () => {
    const text = csv(...['a', 'b', 'c', 'd', 'e'].map((id) => line({ id })));
    const { deps, records } = setup(text, 7);
    const out = await runImport(deps, ctx, { file: 'f.csv', dryRun: false, batchSize: 2 });
    expect(records.calls).toEqual([2, 2, 1]);
    expect(records.maxInFlight).toBeGreaterThanOrEqual(1);
    expect(records.maxInFlight).toBeLessThanOrEqual(MAX_WRITES_IN_FLIGHT);
    expect(out.imported).toBe(5);
  });

  it('drops a repeated id from the written lines wherever it falls in a batch', async () => {
    const ids = ['a', 'b', 'a', 'c', 'b', 'd', 'e', 'e'];
    const text = csv(...ids.map((id, i) => line({ id, name: `n${i}` })));
    for (const chunk of [7, 300, 4096]) {
      const { deps, records } = setup(text, chunk);
      const out = await runImport(deps, ctx, { file: 'f.csv', dryRun: false, batchSize: 2 });
      expect(out.rejected).toEqual([
        { line: 4, reason: "id 'a' repeated (first on line 2)" },
        { line: 6, reason: "id 'b' repeated (first on line 3)" },
        { line: 9, reason: "id 'e' repeated (first on line 8)" },
      ]);
      expect(records.calls).toEqual([2, 2, 1]);
      expect([...records.byId.values()].map((r) => `${r.id}=${r.name}`)).toEqual([
        'a=n0',
        'b=n1',
        'c=n3',
        'd=n5',
        'e=n6',
      ]);
    }
  });

  it('parses the next batch while the previous write is in flight', async () => {
    const text = csv(...['a', 'b', 'c', 'd', 'e'].map((id) => line({ id })));
    const { deps, records } = setup(text, 7);
    const events: string[] = [];
    const upsert = records.upsertMany.bind(records);
    records.upsertMany = async (batch) => {
      events.push(`write ${batch.map((r) => r.id).join('')}`);
      // A real write takes a network round trip; parsing must go on meanwhile.
      await new Promise((r) => setTimeout(r, 20));
      const n = await upsert(batch);
      events.push('written');
      return n;
    };
    const onProgress = (p: ImportProgress) =>
      events.at(-1) !== `rows ${p.rows}` && events.push(`rows ${p.rows}`);
    await runImport(deps, ctx, { file: 'f.csv', dryRun: false, batchSize: 2, onProgress });
    const firstWrite = events.indexOf('write ab');
    const firstDone = events.indexOf('written');
    expect(events.slice(firstWrite, firstDone)).toContain('rows 3');
  });

  it('reports progress as it goes and once at the end', async () => {
    const text = csv(
      ...Array.from({ length: 30 }, (_, i) => line({ id: String(i), type: i % 10 ? 'lead' : '?' })),
    );
    const { deps } = setup(text, 256);
    const seen: ImportProgress[] = [];
    await runImport(deps, ctx, { file: 'f.csv', dryRun: true, onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toEqual({ bytesRead: text.length, totalBytes: text.length, rows: 30, rejected: 3 });
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]!.bytesRead).toBeGreaterThanOrEqual(seen[i - 1]!.bytesRead);
  });

  it('rejects an unterminated quote as a row, not a crash', async () => {
    const { deps, records } = setup(`${csv(line({ id: 'ok' }))}x,lead,"never closed\n`);
    const out = await runImport(deps, ctx, { file: 'f.csv', dryRun: false });
    expect(out.rejected).toEqual([{ line: 3, reason: 'unterminated quoted field (opened on line 3)' }]);
    expect([...records.byId.keys()]).toEqual(['ok']);
  });

  it('a bad header is fatal and records no run', async () => {
    const { deps, importRuns } = setup('id,type,name\n1,lead,x\n');
    await expect(runImport(deps, ctx, { file: 'f.csv', dryRun: false })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/^f\.csv: bad header: missing column\(s\): email, domain/),
    });
    expect(importRuns.runs.size).toBe(0);
  });

  it('an empty file is a validation error', async () => {
    const { deps } = setup('\n\n');
    await expect(runImport(deps, ctx, { file: 'f.csv', dryRun: false })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: 'f.csv: file is empty (no header line)',
    });
  });

  it('a failed write stops the import and closes the run as failed, with the reason', async () => {
    const text = csv(...['a', 'b', 'c', 'd', 'e'].map((id) => line({ id })));
    const { deps, records, importRuns } = setup(text, 7);
    records.failNext = new Error('connection reset');
    await expect(runImport(deps, ctx, { file: 'f.csv', dryRun: false, batchSize: 2 })).rejects.toThrow(
      'connection reset',
    );
    expect(importRuns.runs.get('run-1')?.result).toMatchObject({ error: 'connection reset', imported: 0 });
    expect(records.calls.length).toBeLessThanOrEqual(1 + MAX_WRITES_IN_FLIGHT);
  });

  it('refuses a non-positive batch size', async () => {
    const { deps } = setup(csv(line()));
    await expect(runImport(deps, ctx, { file: 'f.csv', dryRun: false, batchSize: 0 })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});
