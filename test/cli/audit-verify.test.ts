import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/adapters/db/client.ts';
import { makeRepositories } from '../../src/adapters/db/repositories.ts';
import { main } from '../../src/cli.ts';
import { backends, silentLog } from '../support/db.ts';

/**
 * `leak audit verify` through the real entry point, in-process. On PGlite the CLI and the test take turns
 * on one on-disk directory (PGlite is single-process: the test opens it only while the CLI has it
 * closed); on PostgreSQL (when DATABASE_URL is set) the CLI gets the URL of a fresh database the test
 * also holds a pool on.
 */
function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  });
  return { stream, text: () => text };
}

interface Target {
  env: Record<string, string>;
  /** Runs `fn` on a connection to the CLI's database (while the CLI is not running). */
  withDb<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

async function openTarget(name: 'pglite' | 'postgres'): Promise<Target> {
  if (name === 'pglite') {
    const dir = join(mkdtempSync(join(tmpdir(), 'leak-audit-')), 'db');
    return {
      env: { PGLITE_DIR: dir, LOG_LEVEL: 'silent' },
      async withDb(fn) {
        const db = await openDb({ url: undefined, pgliteDir: dir }, silentLog);
        try {
          return await fn(db);
        } finally {
          await db.close();
        }
      },
      dispose: async () => {},
    };
  }
  const { db, url, dispose } = await backends.find((b) => b.name === 'postgres')!.open();
  return { env: { DATABASE_URL: url!, LOG_LEVEL: 'silent' }, withDb: (fn) => fn(db), dispose };
}

describe.each(backends.map((b) => b.name))('leak audit verify on %s', (name) => {
  let target: Target;
  const leak = async (args: string[]) => {
    const out = sink();
    const err = sink();
    const code = await main(args, target.env, { out: out.stream, err: err.stream });
    return { code, out: out.text(), err: err.text() };
  };
  const append = (count: number) =>
    target.withDb(async (db) => {
      const repos = makeRepositories(db);
      for (let i = 1; i <= count; i++)
        await repos.incidents.transaction((tx) =>
          tx.audit({
            actor: `U${i}`,
            action: 'incident.acknowledge',
            targetType: 'incident',
            targetId: String(i),
            before: { state: 'detected' },
            after: { state: 'acknowledged' },
            atMs: Date.parse('2026-11-02T16:00:00Z') + i,
          }),
        );
    });

  beforeAll(async () => {
    target = await openTarget(name);
  });
  afterAll(async () => target.dispose());

  it('is listed in --help, has its own help, and rejects a missing or unknown subcommand with 64', async () => {
    expect((await leak(['--help'])).out).toMatch(/leak audit verify \[--json\]/);
    const help = await leak(['audit', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--json/);
    const none = await leak(['audit']);
    expect(none.code).toBe(64);
    expect(none.err).toMatch(/expected a subcommand: verify/);
    const unknown = await leak(['audit', 'fix']);
    expect(unknown.code).toBe(64);
    expect(unknown.err).toMatch(/unknown subcommand 'fix'/);
    expect((await leak(['audit', 'verify', 'now'])).code).toBe(64);
  });

  it('reports an empty log (a fresh, migrated database) as intact', async () => {
    const r = await leak(['audit', 'verify']);
    expect(r).toEqual({ code: 0, out: 'audit log ok: 0 rows, chain intact\n', err: '' });
  });

  it('reports an untouched log as intact, in text and as JSON', async () => {
    // 12 rows: ids cross from one digit to two, which once broke the walk order.
    await append(12);
    const r = await leak(['audit', 'verify']);
    expect(r).toEqual({ code: 0, out: 'audit log ok: 12 rows, chain intact\n', err: '' });
    const j = await leak(['audit', 'verify', '--json']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.out)).toEqual({ rows: 12, ok: true });
  });

  it('names the first row changed behind the back on stderr and exits 1', async () => {
    const third = await target.withDb(async (db) => {
      const [row] = await db.query<{ id: string }>(
        'SELECT a.id::text AS id FROM audit_log a ORDER BY a.id OFFSET 2 LIMIT 1',
      );
      await db.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
        UPDATE audit_log SET actor = 'mallory' WHERE id = ${row!.id};
        ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;`);
      return row!.id;
    });
    const r = await leak(['audit', 'verify']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      `audit log BROKEN at row ${third}: its content does not match its hash (the row was changed) (3 rows checked)\n`,
    );
    const j = await leak(['audit', 'verify', '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out)).toMatchObject({ rows: 3, ok: false, firstBad: { id: third } });
  });
});
