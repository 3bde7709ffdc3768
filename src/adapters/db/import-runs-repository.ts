import { eq } from 'drizzle-orm';
import type { ImportRunRepository, ImportRunResult, ImportRunStart } from '../../app/records/ports.ts';
import type { Db, Sql } from './client.ts';
import { epochMs, iso } from './instants.ts';
import { type RunLease, startRun } from './run-leases.ts';
import { importRuns } from './schema.ts';

// The lease of a run and the recovery of dead ones live in run-leases.ts; these are re-exported for callers.
export { type HeldTransaction, holdTransaction } from './held-transaction.ts';
export { type AbandonedRun, recoverAbandonedRuns, startRun } from './run-leases.ts';

/**
 * Writes a run's result (with every rejected line) on `sql`, only while the run is still `running`: a
 * run that recovery already failed (its lease was lost) is not revived. Returns whether it was written.
 */
export async function writeRunResult(sql: Sql, id: string, result: ImportRunResult): Promise<boolean> {
  const updated = await sql.query(
    `UPDATE import_runs SET status = $2, finished_at = $3, total_rows = $4, imported_rows = $5,
            rejected_rows = $6, error = $7 WHERE id = $1 AND status = 'running' RETURNING id`,
    [
      id,
      result.error ? 'failed' : result.rejected.length > 0 ? 'partial' : 'succeeded',
      iso(result.finishedAtMs),
      result.total,
      result.imported,
      result.rejected.length,
      result.error ?? null,
    ],
  );
  if (updated.length === 0) return false;
  // unnest arrays, not COPY: this table has keys, and a COPY that fails server-side never settles
  // in postgres.js (porsager/postgres#1173).
  if (result.rejected.length > 0)
    await sql.query(
      `INSERT INTO import_rejections (import_run_id, line, reason)
       SELECT $1, line, reason FROM unnest($2::int[], $3::text[]) AS r(line, reason)`,
      [id, result.rejected.map((r) => r.line), result.rejected.map((r) => r.reason)],
    );
  return true;
}

/** Import runs (funnel dry runs, RevOps imports): each leased from start() to finish(). */
export function importRunRepository(db: Db): ImportRunRepository {
  const leases = new Map<string, RunLease>();
  return {
    async start(run: ImportRunStart) {
      const lease = await startRun(db, run, { importLock: false });
      leases.set(lease.runId, lease);
      return lease.runId;
    },
    async finish(id: string, result: ImportRunResult) {
      try {
        await db.transaction((tx) => writeRunResult(tx, id, result));
      } finally {
        await leases.get(id)?.release();
        leases.delete(id);
      }
    },
  };
}

export interface ImportRunRow {
  id: string;
  file: string;
  dryRun: boolean;
  actor: string;
  status: 'running' | 'succeeded' | 'partial' | 'failed';
  startedAtMs: number;
  finishedAtMs: number | null;
  total: number | null;
  imported: number | null;
  rejected: number | null;
  error: string | null;
}

/** The newest `limit` import runs, newest first (`leak imports`). */
export async function listImportRuns(db: Db, limit: number): Promise<ImportRunRow[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT id::text AS id, file, dry_run, actor, status, ${epochMs('started_at')} AS started,
            ${epochMs('finished_at')} AS finished, total_rows, imported_rows, rejected_rows, error
     FROM import_runs ORDER BY import_runs.id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: r['id'] as string,
    file: r['file'] as string,
    dryRun: r['dry_run'] as boolean,
    actor: r['actor'] as string,
    status: r['status'] as ImportRunRow['status'],
    startedAtMs: r['started'] as number,
    finishedAtMs: (r['finished'] as number | null) ?? null,
    total: (r['total_rows'] as number | null) ?? null,
    imported: (r['imported_rows'] as number | null) ?? null,
    rejected: (r['rejected_rows'] as number | null) ?? null,
    error: (r['error'] as string | null) ?? null,
  }));
}

/** Reads an import run back (CLI history, tests). */
export async function getImportRun(db: Db, id: string) {
  const [run] = await db.orm
    .select()
    .from(importRuns)
    .where(eq(importRuns.id, Number(id)));
  if (!run) return undefined;
  const rejected = await db.query<{ line: number; reason: string }>(
    'SELECT line, reason FROM import_rejections WHERE import_run_id = $1 ORDER BY line',
    [id],
  );
  return { ...run, rejected };
}
