import type { FixRun } from '../../domain/fixpacks/run.ts';
import type { Plan } from '../../domain/fixpacks/types.ts';
import {
  type Drift,
  fieldName,
  fieldsToCheck,
  planCrmWrites,
  staleAgainstCrm,
  type WriteBatch,
} from '../../domain/fixpacks/writeback.ts';
import { AppError } from '../../shared/errors.ts';
import { CrmError } from '../crm/ports.ts';
import type { CrmWriter } from '../crm/write-ports.ts';
import { enqueue } from '../outbox/enqueue.ts';
import type { FixTx } from './ports.ts';

/**
 * Write-back of approved fixes to the CRM (issue 16), as the fix use cases call it: warnings at preview,
 * the CRM-side staleness check before apply, the batches enqueued in the apply's own transaction (one
 * outbox job each, keyed by fix run and batch number), and the revert a rollback enqueues. Without a CRM
 * writer (no CRM configured) none of this runs, and records the CRM does not own are never written to it.
 */

export const crmJobKeys = {
  write: (runId: string, batchNo: number) => `crm-write:${runId}:apply:${batchNo}`,
  /** Every apply batch of a run (a LIKE pattern). */
  writes: (runId: string) => `crm-write:${runId}:apply:%`,
  revert: (runId: string) => `crm-revert:${runId}`,
};

const SHOWN = 5;
const list = (xs: readonly string[]) =>
  `${xs.slice(0, SHOWN).join(', ')}${xs.length > SHOWN ? `, and ${xs.length - SHOWN} more` : ''}`;

/** What the preview says about write-back: changes that stay local because the CRM cannot take them. */
export function crmWarnings(writer: CrmWriter, plan: Plan, nowMs: number): string[] {
  const { localOnly } = planCrmWrites(plan, writer, nowMs);
  const byReason = new Map<string, string[]>();
  for (const r of localOnly)
    byReason.set(r.reason, [
      ...(byReason.get(r.reason) ?? []),
      fieldName({ recordId: r.recordId, field: r.field ?? null }),
    ]);
  return [...byReason].map(
    ([reason, fields]) => `Not written to ${writer.label} (${reason}): ${list(fields)}; changed here only`,
  );
}

/**
 * Re-reads from the CRM the fields the plan writes and answers those that changed there since the preview.
 * A CRM that cannot be read stops the approval with nothing changed: writing blind could overwrite a change.
 */
export async function crmDrift(writer: CrmWriter, run: FixRun, nowMs: number): Promise<Drift[]> {
  const { batches } = planCrmWrites(run.plan, writer, nowMs);
  const fields = fieldsToCheck(batches);
  if (fields.size === 0) return [];
  try {
    return staleAgainstCrm(batches, await writer.read(fields));
  } catch (err) {
    if (!(err instanceof CrmError)) throw err;
    throw new AppError(
      'PRECONDITION_FAILED',
      `could not re-read the records from ${writer.label} before writing (${err.message}); nothing was changed, try again`,
    );
  }
}

/** The stale reason with what changed in the CRM: "changed in HubSpot since the preview: hs-deal-7.owner". */
export const driftReason = (label: string, drift: readonly Drift[]): string =>
  `changed in ${label} since the preview: ${list(drift.map(fieldName))}`;

/**
 * Inside the apply's transaction: the batches stored as pending and one outbox job each, so the CRM is
 * written exactly when the local apply commits, and a retried job finds its batch by key.
 */
export async function scheduleCrmWrites(
  tx: FixTx,
  writer: CrmWriter,
  run: FixRun,
  nowMs: number,
): Promise<WriteBatch[]> {
  const { batches } = planCrmWrites(run.plan, writer, nowMs);
  if (batches.length === 0) return batches;
  await tx.addCrmBatches(run.id, writer.name, batches);
  for (const b of batches)
    await enqueue(
      tx,
      'crm.write',
      { fix_run_id: run.id, batch_no: b.batchNo },
      crmJobKeys.write(run.id, b.batchNo),
      run.incidentId,
    );
  return batches;
}

/**
 * Inside the rollback's transaction: batches not sent yet are withdrawn (nothing to undo), and when any was
 * or may have been written, one revert job writes the old values back once those settle.
 */
export async function scheduleCrmRevert(tx: FixTx, run: FixRun): Promise<void> {
  if (!(await tx.withdrawCrmWrites(run.id))) return;
  await enqueue(tx, 'crm.revert', { fix_run_id: run.id }, crmJobKeys.revert(run.id), run.incidentId);
}
