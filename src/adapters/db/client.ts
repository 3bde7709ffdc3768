import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import type postgres from 'postgres';
import type { Log } from '../../app/context.ts';
import type { Config } from '../../config/config.ts';
import { pgCopyOut, pgliteCopyOut } from './copy-out.ts';
import { claimPgliteDir } from './pglite-lock.ts';
import { pgliteStartParams, prepareDataDir } from './pglite-setup.ts';
import * as schema from './schema.ts';
import type { Db, Row, Sql } from './sql.ts';
import { unreachable } from './unreachable.ts';

// The surface types live in sql.ts so migrate.ts (which client.ts loads for readiness) need not import
// this file back; every repository keeps importing them from here.
export type { Db, Row, Sql } from './sql.ts';

const copySql = (table: string, columns: readonly string[], source: string) =>
  `COPY ${table} (${columns.join(', ')}) FROM ${source}`;

// ---------------------------------------------------------------------------------------------- postgres.js

type PgSql = postgres.Sql | postgres.TransactionSql | postgres.ReservedSql;

function pgSurface(sql: PgSql): Sql {
  return {
    // Prepared (named) statements: postgres.js does not prepare `unsafe` text unless asked, so every
    // parameterised query cost two round trips and a fresh plan. The texts are fixed or drawn from a few
    // column lists, so each connection caches a bounded set (measured: −30 % server CPU per webhook).
    async query<T extends Row>(text: string, params: readonly unknown[] = []) {
      const args = params as postgres.ParameterOrJSON<never>[];
      return (await sql.unsafe(text, args, { prepare: params.length > 0 })) as unknown as T[];
    },
    async queryArrays(text, params = []) {
      return (await sql
        .unsafe(text, params as postgres.ParameterOrJSON<never>[])
        .values()) as unknown as unknown[][];
    },
    async exec(script) {
      await sql.unsafe(script).simple();
    },
    async copyIn(table, columns, lines) {
      const writable = await sql.unsafe(copySql(table, columns, 'STDIN')).writable();
      // Batch many lines per write: one write per row costs more than the COPY itself. The lines are
      // iterated synchronously: `for await` over an array costs a promise per row (measured ~2 s of a
      // 1M-row import, most of it garbage collection).
      // A stream error (the connection dropping mid-COPY) must reject, not crash or leave a drain
      // wait pending: listen for it before the first write.
      let failed: Error | undefined;
      let onError: (e: Error) => void = (e) => {
        failed = e;
      };
      writable.on('error', (e: Error) => onError(e));
      const send = async (chunk: string | Uint8Array) => {
        if (failed) throw failed;
        if (!writable.write(chunk))
          await new Promise<void>((resolve, reject) => {
            onError = reject;
            writable.once('drain', () => resolve());
          });
      };
      let buf = '';
      for (const line of lines) {
        // Encoded chunks go as they are (findings-reconcile.ts builds them ~1 MiB each).
        if (typeof line !== 'string') {
          if (buf.length > 0) await send(buf);
          buf = '';
          await send(line);
          continue;
        }
        buf += line;
        if (buf.length >= 1 << 20) {
          await send(buf);
          buf = '';
        }
      }
      if (failed) throw failed;
      await new Promise<void>((resolve, reject) => {
        onError = reject;
        writable.once('finish', resolve);
        writable.end(buf);
      });
    },
    copyOut: (query, onText) => pgCopyOut(sql, query, onText),
  };
}

// Each driver (and its drizzle binding) loads only when chosen: a server on Postgres never loads PGlite's
// WebAssembly, and the embedded database never loads postgres.js.
async function openPostgres(url: string, log: Log): Promise<Db> {
  const [{ default: postgres }, { drizzle: drizzlePostgres }] = await Promise.all([
    import('postgres'),
    import('drizzle-orm/postgres-js'),
  ]);
  const sql = postgres(url, {
    max: 10,
    onnotice: () => {},
    // bigint columns arrive as strings unless cast; repositories cast explicitly.
    connection: { application_name: 'revenue-leak-sre' },
  });
  const orm = drizzlePostgres({ client: sql, schema }) as unknown as Db['orm'];
  const surface = pgSurface(sql);
  return {
    kind: 'postgres',
    orm,
    ...surface,
    transaction: (fn) => sql.begin((tx) => fn(pgSurface(tx))) as Promise<never>,
    async session(fn) {
      const reserved = await sql.reserve();
      try {
        return await fn(pgSurface(reserved));
      } finally {
        reserved.release();
      }
    },
    ready: () => readiness(surface, log),
    async close() {
      await sql.end({ timeout: 5 });
      log.debug({}, 'postgres pool closed');
    },
  };
}

// ---------------------------------------------------------------------------------------------- PGlite

type PgliteLike = Pick<PGlite, 'query' | 'exec'>;

function pgliteSurface(pg: PgliteLike): Sql {
  return {
    async query<T extends Row>(text: string, params: readonly unknown[] = []) {
      return (await pg.query<T>(text, params as unknown[])).rows;
    },
    async queryArrays(text, params = []) {
      return (await pg.query<unknown[]>(text, params as unknown[], { rowMode: 'array' })).rows;
    },
    async exec(script) {
      await pg.exec(script);
    },
    async copyIn(table, columns, lines) {
      // PGlite has no socket to stream into: COPY reads a Blob. Chunk it to bound memory.
      const flush = async (parts: (string | Uint8Array)[]) => {
        if (parts.length > 0)
          await pg.query(copySql(table, columns, "'/dev/blob'"), [], { blob: new Blob(parts) });
      };
      let parts: (string | Uint8Array)[] = [];
      let size = 0;
      for (const line of lines) {
        parts.push(line);
        size += line.length;
        if (size >= 8 << 20) {
          await flush(parts);
          parts = [];
          size = 0;
        }
      }
      await flush(parts);
    },
    copyOut: (query, onText) => pgliteCopyOut(pg, query, onText),
  };
}

async function openPglite(dir: string, log: Log, snapshot?: Blob): Promise<Db> {
  const onDisk = !dir.startsWith('memory://');
  if (onDisk) mkdirSync(dir, { recursive: true });
  // One process per directory (pglite-lock.ts): a second one is refused here, before it touches a file.
  const release = onDisk ? claimPgliteDir(dir) : () => {};
  try {
    return await startPglite(dir, onDisk, log, snapshot, release);
  } catch (e) {
    release();
    throw e;
  }
}

async function startPglite(
  dir: string,
  onDisk: boolean,
  log: Log,
  snapshot: Blob | undefined,
  release: () => void,
): Promise<Db> {
  const [{ PGlite }, { drizzle: drizzlePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
  ]);
  // Sized for an embedded database (16 MB of shared buffers, not 128), and a new directory is a copy of
  // a template initdb made once, in a child process that needs half the memory (pglite-setup.ts).
  // A snapshot (a `dumpDataDir()` tarball) skips initdb too; tests use it.
  if (onDisk && !snapshot) await prepareDataDir(dir, log);
  const pg = await PGlite.create({
    dataDir: dir,
    startParams: pgliteStartParams(PGlite.defaultStartParams),
    ...(snapshot ? { loadDataDir: snapshot } : {}),
  });
  const orm = drizzlePglite({ client: pg, schema }) as unknown as Db['orm'];
  const surface = pgliteSurface(pg);
  // PGlite is a single connection: serialize transactions and sessions so they never interleave.
  let chain: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => {});
    return run;
  };
  return {
    kind: 'pglite',
    orm,
    ...surface,
    transaction: (fn) => exclusive(() => pg.transaction((tx) => fn(pgliteSurface(tx)))),
    session: (fn) => exclusive(() => fn(surface)),
    ready: () => readiness(surface, log),
    async close() {
      await pg.close();
      release();
      log.debug({ dir }, 'pglite closed');
    },
  };
}

async function readiness(sql: Sql, log: Log): Promise<{ ok: boolean; detail: string }> {
  try {
    const { applied, pending } = await (await import('./migrate.ts')).migrationStatus(sql);
    if (pending.length > 0) return { ok: false, detail: `migrations pending: ${pending.join(', ')}` };
    return { ok: true, detail: `database reachable, ${applied.length} migrations applied` };
  } catch (e) {
    // The reason goes to the log, not to whoever can reach /readyz.
    log.warn({ err: e }, 'readiness check failed');
    return { ok: false, detail: 'database unreachable' };
  }
}

/**
 * postgres.js when DATABASE_URL is set; embedded PGlite (on disk, or `memory://`) otherwise. A server is
 * asked one `SELECT 1` first: one it cannot use throws DatabaseUnreachable here, before any other work.
 */
export async function openDb(cfg: Config['db'], log: Log, opts: { pgliteSnapshot?: Blob } = {}): Promise<Db> {
  if (cfg.url) {
    log.info({ driver: 'postgres' }, 'database selected');
    const db = await openPostgres(cfg.url, log);
    try {
      await db.query('SELECT 1');
    } catch (e) {
      await db.close().catch(() => {});
      throw unreachable(e, cfg.url) ?? e;
    }
    return db;
  }
  log.info({ driver: 'pglite', dir: cfg.pgliteDir }, 'database selected');
  return openPglite(cfg.pgliteDir, log, opts.pgliteSnapshot);
}
