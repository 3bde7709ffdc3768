import type { BatchOutcome, CrmWriteStore, StoredBatch, WritePurpose } from '../../app/crm/write-ports.ts';
import type { Drift, WriteBatch } from '../../domain/fixpacks/writeback.ts';
import type { Db, Row, Sql } from './client.ts';
import { json } from './fix-rows.ts';
import { incidentTx } from './incidents-repository.ts';

/**
 * CRM write-back batches (migrations/0015_crm_writeback.sql): stored pending in the fix's apply
 * transaction, settled by their outbox jobs, withdrawn by a rollback that overtakes them.
 */

const BATCH_COLUMNS = 'purpose, batch_no, connector, op, object, status, items, refused, skipped, error';

const toBatch = (r: Row): StoredBatch => ({
  purpose: r['purpose'] as WritePurpose,
  batchNo: Number(r['batch_no']),
  connector: r['connector'] as string,
  op: r['op'] as StoredBatch['op'],
  object: r['object'] as string,
  status: r['status'] as StoredBatch['status'],
  items: json(r['items']),
  refused: json(r['refused']),
  skipped: json(r['skipped']),
  error: (r['error'] as string | null) ?? null,
});

async function insertBatches(
  tx: Sql,
  runId: string,
  purpose: WritePurpose,
  connector: string,
  batches: readonly (WriteBatch & { status?: string; skipped?: readonly Drift[] })[],
): Promise<void> {
  if (batches.length === 0) return;
  await tx.query(
    `INSERT INTO crm_write_batches (fix_run_id, purpose, batch_no, connector, op, object, status, items, skipped)
     SELECT $1::bigint, $2, b.no, $3, b.op, b.object, b.status, b.items::jsonb, b.skipped::jsonb
       FROM unnest($4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
         AS b(no, op, object, status, items, skipped)
     ON CONFLICT DO NOTHING`,
    [
      runId,
      purpose,
      connector,
      batches.map((b) => b.batchNo),
      batches.map((b) => b.op),
      batches.map((b) => b.object),
      batches.map((b) => b.status ?? 'pending'),
      batches.map((b) => JSON.stringify(b.items)),
      batches.map((b) => JSON.stringify(b.skipped ?? [])),
    ],
  );
}

/** FixTx.addCrmBatches: the apply's batches, pending. */
export const addCrmBatches = (tx: Sql, runId: string, connector: string, batches: readonly WriteBatch[]) =>
  insertBatches(tx, runId, 'apply', connector, batches);

/**
 * FixTx.withdrawCrmWrites: jobs no worker has tried are deleted and their batches failed as withdrawn;
 * true when a batch is written, partly written or still in flight (a worker holds it, or tried it).
 */
export async function withdrawCrmWrites(tx: Sql, runId: string): Promise<boolean> {
  const dropped = await tx.query<{ batch_no: string }>(
    `DELETE FROM jobs WHERE key LIKE $1 AND state = 'pending' AND locked_until IS NULL AND attempts = 0
     RETURNING payload->>'batch_no' AS batch_no`,
    [`crm-write:${runId}:apply:%`],
  );
  if (dropped.length > 0)
    await tx.query(
      `UPDATE crm_write_batches SET status = 'failed', updated_at = now(),
         error = 'withdrawn: the fix was rolled back before this batch was sent'
       WHERE fix_run_id = $1 AND purpose = 'apply' AND status = 'pending' AND batch_no = ANY($2::int[])`,
      [runId, dropped.map((d) => Number(d.batch_no))],
    );
  const [r] = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM crm_write_batches
      WHERE fix_run_id = $1 AND purpose = 'apply' AND status IN ('pending', 'written', 'partial')`,
    [runId],
  );
  return (r?.n ?? 0) > 0;
}

export function crmWriteStore(db: Db): CrmWriteStore {
  return {
    async batches(runId, purpose) {
      const rows = await db.query(
        `SELECT ${BATCH_COLUMNS} FROM crm_write_batches WHERE fix_run_id = $1 AND purpose = $2 ORDER BY batch_no`,
        [runId, purpose],
      );
      return rows.map(toBatch);
    },
    settle: (runId, purpose, batchNo, outcome: BatchOutcome, rerender) =>
      db.transaction(async (tx) => {
        const done = await tx.query(
          `UPDATE crm_write_batches SET status = $4, refused = $5::jsonb, error = $6, updated_at = now()
            WHERE fix_run_id = $1 AND purpose = $2 AND batch_no = $3 AND status = 'pending' RETURNING batch_no`,
          [runId, purpose, batchNo, outcome.status, JSON.stringify(outcome.refused), outcome.error],
        );
        if (done.length === 0) return false;
        await incidentTx(tx).enqueue(rerender);
        return true;
      }),
    addRevert: (runId, connector, batches, skipped) =>
      db.transaction(async (tx) => {
        const [had] = await tx.query(
          `SELECT 1 FROM crm_write_batches WHERE fix_run_id = $1 AND purpose = 'revert' LIMIT 1`,
          [runId],
        );
        if (had) return false;
        // The fields left alone ride on the first batch; with nothing to write back, on an empty one.
        const rows =
          batches.length > 0
            ? batches.map((b, i) => ({ ...b, skipped: i === 0 ? skipped : [] }))
            : skipped.length > 0
              ? [{ batchNo: 0, op: 'update' as const, object: '', items: [], status: 'written', skipped }]
              : [];
        await insertBatches(tx, runId, 'revert', connector, rows);
        return true;
      }),
  };
}
