import { eq } from 'drizzle-orm';
import type { ImportRunRepository, ImportRunResult, ImportRunStart } from '../../app/records/ports.ts';
import type { Db } from './client.ts';
import { iso } from './instants.ts';
import { importRuns } from './schema.ts';

export function importRunRepository(db: Db): ImportRunRepository {
  return {
    async start(run: ImportRunStart) {
      const [row] = await db.orm
        .insert(importRuns)
        .values({
          file: run.file,
          dryRun: run.dryRun,
          actor: run.actor,
          startedAt: new Date(run.startedAtMs),
        })
        .returning({ id: importRuns.id });
      return String(row!.id);
    },
    async finish(id: string, result: ImportRunResult) {
      await db.transaction(async (tx) => {
        await tx.query(
          `UPDATE import_runs SET status = $2, finished_at = $3, total_rows = $4, imported_rows = $5,
                  rejected_rows = $6, error = $7 WHERE id = $1`,
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
        // unnest arrays, not COPY: this table has keys, and a COPY that fails server-side never settles
        // in postgres.js (porsager/postgres#1173).
        if (result.rejected.length > 0)
          await tx.query(
            `INSERT INTO import_rejections (import_run_id, line, reason)
             SELECT $1, line, reason FROM unnest($2::int[], $3::text[]) AS r(line, reason)`,
            [id, result.rejected.map((r) => r.line), result.rejected.map((r) => r.reason)],
          );
      });
    },
  };
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
