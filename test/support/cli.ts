import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type Db, openDb } from '../../src/adapters/db/client.ts';
import { main } from '../../src/cli.ts';
import { backends, silentLog } from './db.ts';

/** A writable stream that keeps what was written. */
export function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  });
  return { stream, text: () => text };
}

/**
 * Runs the real `leak` entry point in-process with `env`, capturing stdout and stderr. Without
 * PII_HASH_KEY in `env` it hashes with the key its database keeps (`storedPiiKey`, the suite's switch);
 * `{ storedPiiKey: false }` runs it as a user would.
 */
export async function runLeak(
  args: string[],
  env: Record<string, string>,
  opts: { storedPiiKey?: boolean } = {},
) {
  const out = sink();
  const err = sink();
  const code = await main(args, env, { out: out.stream, err: err.stream }, { storedPiiKey: true, ...opts });
  return { code, out: out.text(), err: err.text() };
}

/** The database a CLI test points `leak` at, and a way for the test itself to reach it. */
export interface CliTarget {
  env: Record<string, string>;
  /** Runs `fn` on a connection to the CLI's database (while the CLI is not running). */
  withDb<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

/**
 * On PGlite the CLI and the test take turns on one on-disk directory (PGlite is single-process); on
 * PostgreSQL the CLI gets the URL of a fresh database the test also holds a pool on.
 */
export async function openCliTarget(name: 'pglite' | 'postgres', prefix: string): Promise<CliTarget> {
  if (name === 'pglite') {
    const dir = join(mkdtempSync(join(tmpdir(), `${prefix}-`)), 'db');
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
