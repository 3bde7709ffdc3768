import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Log } from '../../app/context.ts';
import type { Db, Sql } from './sql.ts';

/** `migrations/` at the repository root (same depth from src/ and from dist/). */
const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));
/** Arbitrary constant: the advisory lock key every replica takes before migrating ("leakmig" in hex-ish). */
const MIGRATION_LOCK_KEY = 0x1eac_0001;

export interface MigrationFile {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

export function migrationFiles(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = readFileSync(`${dir}/${f}`, 'utf8');
      return {
        version: f.slice(0, 4),
        name: f.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    text PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

export async function migrationStatus(sql: Sql, files = migrationFiles()) {
  const present = await sql.query<{ ok: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS ok",
  );
  const applied = present[0]?.ok
    ? await sql.query<{ version: string; checksum: string }>(
        'SELECT version, checksum FROM schema_migrations',
      )
    : [];
  const done = new Set(applied.map((a) => a.version));
  return { applied, pending: files.filter((f) => !done.has(f.version)).map((f) => f.name) };
}

/**
 * Applies pending migrations in order, each in its own transaction, holding a session advisory lock so
 * that replicas starting together migrate once. An applied file whose text changed is refused: forward only.
 */
export async function migrate(db: Db, log: Log, files = migrationFiles()): Promise<string[]> {
  return db.session(async (s) => {
    await s.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await s.query(CREATE_LEDGER);
      const { applied } = await migrationStatus(s, files);
      const byVersion = new Map(applied.map((a) => [a.version, a.checksum]));
      const ran: string[] = [];
      for (const f of files) {
        const prior = byVersion.get(f.version);
        if (prior !== undefined) {
          if (prior !== f.checksum)
            throw new Error(
              `migration ${f.name} was edited after it was applied; add a new migration instead`,
            );
          continue;
        }
        await s.query('BEGIN');
        try {
          await s.exec(f.sql);
          await s.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            f.version,
            f.name,
            f.checksum,
          ]);
          await s.query('COMMIT');
        } catch (e) {
          await s.query('ROLLBACK');
          throw new Error(`migration ${f.name} failed: ${(e as Error).message}`);
        }
        log.info({ migration: f.name }, 'migration applied');
        ran.push(f.name);
      }
      return ran;
    } finally {
      await s.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}
