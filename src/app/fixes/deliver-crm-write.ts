import type { EditableField } from '../../domain/fixpacks/dsl.ts';
import {
  type CrmValues,
  planCrmRevert,
  type Refusal,
  type UpdateItem,
  type WriteBatch,
  writtenUpdates,
} from '../../domain/fixpacks/writeback.ts';
import type { Log } from '../../shared/log.ts';
import { CrmError } from '../crm/ports.ts';
import type { BatchOutcome, CrmWriter, CrmWriteStore, StoredBatch } from '../crm/write-ports.ts';
import { crashPoint } from '../import/crash-points.ts';
import { DeliveryError, type Job, type JobQueue, type NewJob } from '../outbox/ports.ts';
import { fixJobKeys } from './effects.ts';
import type { FixStore } from './ports.ts';

/** What the write-back jobs need of the worker's dependencies (delivery/handlers.ts DeliveryDeps has it). */
export interface CrmWriteDeliveryDeps {
  /** Absent or null without a CRM: batches left from when there was one fail with a clear reason. */
  crmWriter?: CrmWriter | null;
  /** Where batches are stored; optional so deliveries that never write to a CRM need not pass it. */
  crmWrites?: CrmWriteStore;
  fixes: FixStore;
  jobs: JobQueue;
  log: Log;
}

export const crmWriteHandlers = {
  'crm.write': deliverCrmWrite,
  'crm.revert': deliverCrmRevert,
};

function storeOf(deps: CrmWriteDeliveryDeps): CrmWriteStore {
  if (deps.crmWrites === undefined) throw new DeliveryError('crm_write_store_missing', { permanent: true });
  return deps.crmWrites;
}

async function rerenderOf(deps: CrmWriteDeliveryDeps, runId: string): Promise<NewJob<'fix.message'>> {
  const run = await deps.fixes.get(runId);
  return {
    kind: 'fix.message',
    key: fixJobKeys.message(runId),
    incidentId: run?.incidentId ?? null,
    payload: { fix_run_id: runId, channel: run?.channelId ?? null },
  };
}

const asBatch = (b: StoredBatch): WriteBatch =>
  ({ batchNo: b.batchNo, op: b.op, object: b.object, items: b.items }) as WriteBatch;

/** Fields of update items as the connector re-reads them. */
const fieldsOf = (items: readonly UpdateItem[]) =>
  new Map(items.map((i) => [i.recordId, Object.keys(i.fields) as EditableField[]]));

/** Items whose every field the CRM already holds (a retry after a send whose answer was lost). */
function alreadyWritten(items: readonly UpdateItem[], current: CrmValues): Set<string> {
  const done = new Set<string>();
  for (const i of items) {
    const now = current.get(i.recordId);
    if (
      now &&
      Object.entries(i.fields).every(([f, w]) => (now[f as EditableField] ?? '').trim() === w!.new.trim())
    )
      done.add(i.recordId);
  }
  return done;
}

/**
 * Sends one batch and stores its outcome. Idempotent: a batch with an outcome is never sent again, and a
 * retry of a send that may have reached the CRM (its answer lost to a crash or a timeout) first re-reads
 * the records and leaves out those already holding the values. A CRM that cannot be reached is retried
 * later; one that refuses the whole call (a revoked token, a missing scope) fails the batch with its reason.
 */
async function sendBatch(
  deps: CrmWriteDeliveryDeps,
  writer: CrmWriter,
  job: Job,
  batch: StoredBatch,
): Promise<BatchOutcome> {
  let toSend = asBatch(batch);
  try {
    if (job.progress['sending'] === batch.batchNo && toSend.op === 'update') {
      const items = toSend.items;
      const done = alreadyWritten(items, await writer.read(fieldsOf(items)));
      toSend = { ...toSend, items: items.filter((i) => !done.has(i.recordId)) };
    }
    await deps.jobs.saveProgress(job, { ...job.progress, sending: batch.batchNo });
    const { refused } = toSend.items.length === 0 ? { refused: [] as Refusal[] } : await writer.write(toSend);
    const status =
      refused.length === 0 ? 'written' : refused.length >= batch.items.length ? 'failed' : 'partial';
    return { status, refused, error: null };
  } catch (err) {
    if (!(err instanceof CrmError)) throw err;
    if (err.kind === 'unavailable' || err.kind === 'rate_limited' || err.kind === 'budget')
      throw new DeliveryError(`crm_${err.kind}`, { message: err.message });
    return { status: 'failed', refused: [], error: err.message };
  }
}

/** One batch of a fix's writes ('crm-write:<run>:apply:<n>'). */
async function deliverCrmWrite(deps: CrmWriteDeliveryDeps, job: Job<'crm.write'>): Promise<void> {
  const { fix_run_id: runId, batch_no: batchNo } = job.payload;
  const batch = (await storeOf(deps).batches(runId, 'apply')).find((b) => b.batchNo === batchNo);
  if (batch === undefined || batch.status !== 'pending') return;
  const writer = deps.crmWriter ?? null;
  const outcome: BatchOutcome =
    writer === null || writer.name !== batch.connector
      ? {
          status: 'failed',
          refused: [],
          error: `${batch.connector} is no longer configured; nothing was written`,
        }
      : await sendBatch(deps, writer, job, batch);
  await storeOf(deps).settle(runId, 'apply', batchNo, outcome, await rerenderOf(deps, runId));
  deps.log.info(
    {
      fix_run_id: runId,
      batch_no: batchNo,
      op: batch.op,
      status: outcome.status,
      refused: outcome.refused.length,
    },
    'crm write batch settled',
  );
  await crashPoint('crm:write-batch');
}

/**
 * A rollback in the CRM: once every batch of the fix has settled, reads back what the fix wrote and
 * writes the old values, leaving alone (and naming) every field whose CRM value changed since.
 */
async function deliverCrmRevert(deps: CrmWriteDeliveryDeps, job: Job<'crm.revert'>): Promise<void> {
  const runId = job.payload.fix_run_id;
  const applied = await storeOf(deps).batches(runId, 'apply');
  if (applied.some((b) => b.status === 'pending'))
    throw new DeliveryError('crm_write_pending', { retryAfterMs: 2_000 });
  const writer = deps.crmWriter ?? null;
  const connector = applied[0]?.connector;
  if (writer === null || connector === undefined || writer.name !== connector) {
    deps.log.warn({ fix_run_id: runId }, 'crm revert skipped: the CRM is no longer configured');
    return;
  }
  let reverts = await storeOf(deps).batches(runId, 'revert');
  if (reverts.length === 0) {
    const written = writtenUpdates(applied);
    if (written.length === 0) return;
    let current: CrmValues;
    try {
      current = await writer.read(fieldsOf(written));
    } catch (err) {
      if (err instanceof CrmError) throw new DeliveryError(`crm_${err.kind}`, { message: err.message });
      throw err;
    }
    const plan = planCrmRevert(written, current, writer);
    await storeOf(deps).addRevert(runId, writer.name, plan.batches, plan.skipped);
    reverts = await storeOf(deps).batches(runId, 'revert');
  }
  const rerender = await rerenderOf(deps, runId);
  for (const b of reverts) {
    if (b.status !== 'pending') continue;
    const outcome =
      b.items.length === 0
        ? { status: 'written' as const, refused: [], error: null }
        : await sendBatch(deps, writer, job, b);
    await storeOf(deps).settle(runId, 'revert', b.batchNo, outcome, rerender);
  }
}
