import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/adapters/db/client.ts';
import { csvFile, csvLine } from '../support/csv.ts';
import { backends } from '../support/db.ts';
import { CRASH_ENV, leak, spawnLeak, startProxy } from './crash-helpers.ts';

/**
 * Issue 17: the database lost in the middle of `leak import` (PostgreSQL behind a TCP proxy the test cuts).
 * The command says so in one line and exits 1 — no stack, no reference to chase — and, the database back,
 * the next process finds the run failed (its lease went with its connection) and not one record changed.
 *
 * PostgreSQL only: the embedded database lives in the importing process and cannot be lost apart from it.
 */
const server = backends.find((b) => b.name === 'postgres');
const ROWS = 150_000;
const T = 240_000;

describe.runIf(server)('leak import losing its database', () => {
  let db: Db;
  let dispose: () => Promise<void>;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    const fresh = await server!.open();
    ({ db, dispose } = fresh);
    const url = new URL(fresh.url!);
    proxy = await startProxy(Number(url.port || 5432));
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    env = { ...CRASH_ENV, DATABASE_URL: url.toString() };
    dir = mkdtempSync(join(tmpdir(), 'leak-db-lost-'));
  }, T);

  afterAll(async () => {
    await proxy?.close();
    await dispose?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'says the database is unreachable, and after it is back the run is failed and no record changed',
    async () => {
      const file = join(dir, 'big.csv');
      const lines = Array.from({ length: ROWS }, (_, i) =>
        csvLine({ id: `R${i}`, email: `r${i}@example.com` }),
      );
      writeFileSync(file, csvFile(lines.join('\n')));
      await db.query(
        `INSERT INTO records (id, type, created_at, value_cents) VALUES ('kept', 'lead', now(), 100)`,
      );

      const child = spawnLeak(['import', file], env);
      await child.waitFor(/^import \[/m); // the first progress line: rows are being written
      await proxy.cut();
      expect(await child.exited).toBe(1);
      expect(child.err()).toMatch(
        new RegExp(
          `^leak import: cannot reach the database at 127\\.0\\.0\\.1:${proxy.port} \\((CONNECTION_CLOSED|ECONNRESET|ECONNREFUSED)\\): check DATABASE_URL$`,
          'm',
        ),
      );
      expect(child.err()).not.toMatch(/unexpected error|\(ref /);

      await proxy.restore();
      const after = await leak(['imports', '--json'], env);
      expect(after.code, after.err).toBe(0);
      expect(JSON.parse(after.out)).toEqual([
        expect.objectContaining({ file, status: 'failed', error: expect.stringMatching(/^abandoned: /) }),
      ]);
      expect(await db.query('SELECT id FROM records')).toEqual([{ id: 'kept' }]);
    },
    T,
  );
});
