/**
 * Database backends for integration tests. Every suite runs on embedded PGlite (in memory); when
 * DATABASE_URL (or TEST_DATABASE_URL) points at a real server it runs there too, each suite in a fresh
 * database of its own that is dropped afterwards, so parallel files never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { type Db, openDb } from '../../src/adapters/db/client.ts';
import { migrate } from '../../src/adapters/db/migrate.ts';
import type { Ctx, Log } from '../../src/app/context.ts';

export const silentLog: Log = { info() {}, warn() {}, error() {}, debug() {} };

export const serverUrl: string | undefined =
  process.env['TEST_DATABASE_URL'] || process.env['DATABASE_URL'] || undefined;

export interface Backend {
  name: 'pglite' | 'postgres';
  /** A fresh, migrated database and a function that disposes of it. */
  open(): Promise<{ db: Db; url: string | undefined; dispose(): Promise<void> }>;
}

/** Path of the migrated PGlite tarball that test/support/pglite-snapshot.ts (globalSetup) writes. */
export const SNAPSHOT_ENV = 'LEAK_TEST_PGLITE_SNAPSHOT';

let snapshot: Blob | undefined;
/** The migrated tarball, read once per worker; undefined outside vitest's globalSetup (a fresh start then). */
function pgliteSnapshot(): Blob | undefined {
  const file = process.env[SNAPSHOT_ENV];
  if (!file) return undefined;
  snapshot ??= new Blob([readFileSync(file)]);
  return snapshot;
}

const pglite: Backend = {
  name: 'pglite',
  async open() {
    const db = await openDb({ url: undefined, pgliteDir: 'memory://' }, silentLog, {
      pgliteSnapshot: pgliteSnapshot(),
    });
    await migrate(db, silentLog);
    return { db, url: undefined, dispose: () => db.close() };
  },
};

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

const server = (base: string): Backend => ({
  name: 'postgres',
  async open() {
    const name = `leak_test_${randomBytes(6).toString('hex')}`;
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = withDatabase(base, name);
    const db = await openDb({ url, pgliteDir: '' }, silentLog);
    await migrate(db, silentLog);
    return {
      db,
      url,
      async dispose() {
        await db.close();
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      },
    };
  },
});

/** PGlite always; the real server too when one is configured. */
export const backends: Backend[] = serverUrl ? [pglite, server(serverUrl)] : [pglite];

if (!serverUrl && process.env['CI'])
  console.warn('DATABASE_URL is not set: database suites run on embedded PGlite only.');

/** A context for use cases run by a test as the system would run them, logging nowhere. */
export const testCtx = (job = 'test'): Ctx => ({
  actor: { type: 'system', job },
  requestId: 'test',
  log: silentLog,
});

/** A promise and the function that resolves it: a step a test holds open and lets go of. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Two processes' views of one fresh database for a suite (registered with beforeAll/afterAll): `db`,
 * and `other`, another process's handle — its own pool on PostgreSQL, the same handle on PGlite (which
 * one process alone can open). Read them inside tests, after beforeAll has run.
 */
export function twoProcesses(
  backend: Backend,
  hooks: { beforeAll(fn: () => Promise<void>): void; afterAll(fn: () => Promise<void>): void },
): { readonly db: Db; readonly other: Db } {
  const handles = {} as { db: Db; other: Db };
  let dispose: () => Promise<void> = async () => {};
  hooks.beforeAll(async () => {
    const opened = await backend.open();
    handles.db = opened.db;
    dispose = opened.dispose;
    handles.other = opened.url ? await openDb({ url: opened.url, pgliteDir: '' }, silentLog) : opened.db;
  });
  hooks.afterAll(async () => {
    if (handles.other && handles.other !== handles.db) await handles.other.close();
    await dispose();
  });
  return handles;
}
