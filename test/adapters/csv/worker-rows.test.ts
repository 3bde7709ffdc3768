import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedRows } from '../../../src/adapters/csv/checked-rows.ts';
import { CsvReader } from '../../../src/adapters/csv/reader.ts';
import { openCsvInWorker } from '../../../src/adapters/csv/worker-rows.ts';
import type { Ctx } from '../../../src/app/context.ts';
import { type ImportDeps, type ImportOptions, runImport } from '../../../src/app/import/import.ts';
import { HEADER } from '../../../src/domain/records/parse-row.ts';
import { hashPii } from '../../../src/shared/pii.ts';
import { type CsvRow, csvLine, GOOD_ROW } from '../../support/csv.ts';
import { InMemoryImportRuns, InMemoryRecords } from '../../support/fakes.ts';

const KEY = 'test-pii-key';
/** The worker loads the fake repository's encoder by URL, as services.ts gives it the database's. */
const JSON_ENCODER = {
  module: new URL('../../support/fakes.ts', import.meta.url).href,
  name: 'encodeJsonLine',
};

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const ctx: Ctx = { actor: { type: 'cli', user: 'tester' }, requestId: 'req-1', log: quiet };

const good: CsvRow = {
  ...GOOD_ROW,
  email: ' Ann@Example.com',
  last_touch_at: '2023-10-26T09:30:00.5+02:00',
};
const line = (o: Partial<CsvRow> = {}) => csvLine(o, good);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leak-worker-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

type Via = 'worker' | 'in-process';

function setup(via: Via, encoder = JSON_ENCODER) {
  const records = new InMemoryRecords();
  const importRuns = new InMemoryImportRuns();
  let t = 0;
  const deps: ImportDeps = {
    records,
    importRuns,
    clock: { now: () => (t += 5) },
    openRows: async (path, o) =>
      via === 'worker'
        ? openCsvInWorker(path, { piiHashKey: KEY, encoder: o.encode ? encoder : null })
        : checkedRows(new CsvReader(createReadStream(path, { highWaterMark: 1 << 20 })), {
            hashEmail: (e) => hashPii(KEY, e),
            encode: o.encode ? records.encodeLine : null,
          }),
  };
  return { deps, records, importRuns };
}

const run = (via: Via, path: string, opts: Partial<ImportOptions> = {}) => {
  const s = setup(via);
  return runImport(s.deps, ctx, { file: path, dryRun: false, ...opts }).then((outcome) => ({
    ...s,
    outcome,
  }));
};

/**
 * ~3 MiB (three 1 MiB chunks, so several worker batches and, at batchSize 1,000, many writes): records
 * with embedded newlines (each moves later line numbers), bad rows, and ids repeated far apart.
 */
function bigFile(): { text: string; expected: { line: number; reason: string }[] } {
  const lines = [HEADER.join(',')];
  const expected: { line: number; reason: string }[] = [];
  const firstLineOf = new Map<string, number>();
  let physical = 2;
  const padding = 'x'.repeat(150);
  for (let i = 0; i < 15_000; i++) {
    const repeat = i > 0 && i % 2_500 === 0;
    const id = repeat ? `r${i - 2_400}` : `r${i}`;
    const bad = i % 1_000 === 7;
    const notes = i % 700 === 3 ? `two\nlines ${padding}` : padding;
    lines.push(line({ id, type: bad ? 'deal' : i % 2 ? 'lead' : 'opp', notes, email: `U${i}@Ex.com` }));
    if (bad) expected.push({ line: physical, reason: "unknown type 'deal' (expected lead or opp)" });
    else if (repeat)
      expected.push({ line: physical, reason: `id '${id}' repeated (first on line ${firstLineOf.get(id)})` });
    else firstLineOf.set(id, physical);
    physical += notes.includes('\n') ? 2 : 1;
  }
  return { text: `${lines.join('\n')}\n`, expected };
}

describe('openCsvInWorker', () => {
  it('imports like the in-process source: line numbers and repeated ids across batches', async () => {
    const { text, expected } = bigFile();
    expect(text.length).toBeGreaterThan(3 << 20);
    const path = await file('big.csv', text);

    const w = await run('worker', path, { batchSize: 1_000 });
    expect(w.outcome.rejected).toEqual(expected);
    expect(w.outcome).toMatchObject({ total: 15_000, imported: 15_000 - expected.length });
    expect(w.records.calls.length).toBeGreaterThan(10);
    expect(w.records.byId.get('r3')).toMatchObject({
      type: 'lead',
      emailHash: hashPii(KEY, 'u3@ex.com'),
      notes: `two\nlines ${'x'.repeat(150)}`,
      createdAtMs: Date.parse('2023-10-25T08:00:00Z'),
      lastTouchAtMs: Date.parse('2023-10-26T07:30:00.500Z'),
      valueCents: 10_000,
    });
    // A repeat never overwrites the first occurrence.
    expect(w.records.byId.get('r100')?.type).toBe('opp');

    const p = await run('in-process', path, { batchSize: 1_000 });
    expect(w.outcome.rejected).toEqual(p.outcome.rejected);
    expect(w.records.byId).toEqual(p.records.byId);
    expect(w.importRuns.runs.get(w.outcome.runId)?.result).toMatchObject({
      total: 15_000,
      rejected: expected,
    });
  });

  it('rejects an unterminated quote as a row, with its line', async () => {
    const path = await file(
      'quote.csv',
      `${HEADER.join(',')}\n${line({ id: 'ok' })}\nx,lead,"never closed\n`,
    );
    const { outcome, records } = await run('worker', path);
    expect(outcome.rejected).toEqual([{ line: 3, reason: 'unterminated quoted field (opened on line 3)' }]);
    expect([...records.byId.keys()]).toEqual(['ok']);
  });

  it('a bad header is fatal (VALIDATION) and records no run', async () => {
    const path = await file('header.csv', 'id,type,name\n1,lead,x\n');
    const { deps, importRuns } = setup('worker');
    await expect(runImport(deps, ctx, { file: path, dryRun: false })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining(': bad header: missing column(s): email, domain'),
    });
    expect(importRuns.runs.size).toBe(0);
  });

  it('an empty file is a validation error', async () => {
    const path = await file('empty.csv', '\n\n');
    const { deps } = setup('worker');
    await expect(runImport(deps, ctx, { file: path, dryRun: false })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: `${path}: file is empty (no header line)`,
    });
  });

  it('a dry run validates the same way and writes nothing', async () => {
    const path = await file('dry.csv', `${HEADER.join(',')}\n${line({ id: 'a' })}\n${line({ id: 'a' })}\n`);
    // An encoder that cannot load proves the dry run never asks for one.
    const { deps, records, importRuns } = setup('worker', { module: JSON_ENCODER.module, name: 'missing' });
    const out = await runImport(deps, ctx, { file: path, dryRun: true });
    expect(out).toMatchObject({ total: 2, imported: 0, dryRun: true });
    expect(out.rejected).toEqual([{ line: 3, reason: "id 'a' repeated (first on line 2)" }]);
    expect(records.calls).toEqual([]);
    expect(importRuns.runs.get(out.runId)).toMatchObject({ dryRun: true, result: { total: 2, imported: 0 } });
  });

  it('a missing file is NOT_FOUND and a directory VALIDATION, before any thread starts', async () => {
    await expect(
      openCsvInWorker(join(dir, 'nope.csv'), { piiHashKey: KEY, encoder: null }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(openCsvInWorker(dir, { piiHashKey: KEY, encoder: null })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });

  it('a failure on the worker thread fails the import and closes the run as failed', async () => {
    const path = await file('enc.csv', `${HEADER.join(',')}\n${line()}\n`);
    const { deps, importRuns } = setup('worker', { module: JSON_ENCODER.module, name: 'missing' });
    await expect(runImport(deps, ctx, { file: path, dryRun: false })).rejects.toThrow(
      /no encoder named missing/,
    );
    // The encoder loads before the header is read, so no run was started.
    expect(importRuns.runs.size).toBe(0);
  });

  it('a failed write stops the worker mid-file and closes the run as failed', async () => {
    const path = await file('write.csv', bigFile().text);
    const { deps, records, importRuns } = setup('worker');
    records.failNext = new Error('connection reset');
    await expect(runImport(deps, ctx, { file: path, dryRun: false, batchSize: 500 })).rejects.toThrow(
      'connection reset',
    );
    expect(importRuns.runs.get('run-1')?.result).toMatchObject({ error: 'connection reset' });
  });

  it('reports progress up to the whole file', async () => {
    const text = `${HEADER.join(',')}\n${line({ id: 'a' })}\n${line({ id: 'b', type: '?' })}\n`;
    const path = await file('progress.csv', text);
    const { deps } = setup('worker');
    const seen: { bytesRead: number; totalBytes: number; rows: number; rejected: number }[] = [];
    await runImport(deps, ctx, { file: path, dryRun: false, onProgress: (p) => seen.push(p) });
    expect(seen.at(-1)).toEqual({ bytesRead: text.length, totalBytes: text.length, rows: 2, rejected: 1 });
  });
});
