import { DeliveryError, type Job, type JobQueue } from '../outbox/ports.ts';
import { type PostDeps, postOnce } from '../outbox/post-once.ts';
import type { FixStore } from './ports.ts';

/** What the fix jobs need of the worker's dependencies (delivery/handlers.ts DeliveryDeps has it all). */
export interface FixDeliveryDeps extends PostDeps {
  fixes: FixStore;
  jobs: JobQueue;
}

/** The delivery handler of each fix job kind (delivery/handlers.ts puts them in the outbox's table). */
export const fixHandlers = {
  'fix.message': deliverFixMessage,
  'fix.notify': deliverFixNotify,
  'fix.rollback_notice': deliverFixRollbackNotice,
};

/** The fix preview: posted once (its ts stored on the run), then updated in place at every step. */
async function deliverFixMessage(deps: FixDeliveryDeps, job: Job<'fix.message'>): Promise<void> {
  const run = await deps.fixes.get(job.payload.fix_run_id);
  if (run === null) throw new DeliveryError('fix_run_missing', { permanent: true });
  if (run.channelId !== null && run.messageTs !== null) {
    await deps.chat.update(run.channelId, run.messageTs, { kind: 'fix_preview', run });
    return;
  }
  const channel = typeof job.payload.channel === 'string' ? job.payload.channel : null;
  if (channel === null) return;
  const ts = await postOnce(deps, job, channel, job.key, { kind: 'fix_preview', run });
  await deps.fixes.setMessage(run.id, channel, ts);
  // A step that committed while this was posting found no message to update.
  const latest = await deps.fixes.get(run.id);
  if (latest && latest.state !== run.state)
    await deps.chat.update(channel, ts, { kind: 'fix_preview', run: latest });
}

async function deliverFixNotify(deps: FixDeliveryDeps, job: Job<'fix.notify'>): Promise<void> {
  if (typeof job.progress['posted_ts'] === 'string') return;
  const p = job.payload;
  const channel = p.dm ? await deps.chat.openDm(p.channel) : p.channel;
  const ts = await postOnce(deps, job, channel, job.key, {
    kind: 'fix_notify',
    text: p.text,
    recordId: p.record_id,
  });
  await deps.jobs.saveProgress(job, { posted_ts: ts });
}

/**
 * The correction after a rollback, once per recipient. It must not overtake what it corrects: while one of
 * those notifications is still being sent it waits; if every one of them failed for good, nobody was told
 * and there is nothing to correct. One no longer queued counts as told: it was delivered and purged, or
 * withdrawn after an attempt that may have reached Slack (fix-repository.ts withdrawEffects).
 */
async function deliverFixRollbackNotice(
  deps: FixDeliveryDeps,
  job: Job<'fix.rollback_notice'>,
): Promise<void> {
  if (typeof job.progress['posted_ts'] === 'string') return;
  const p = job.payload;
  const states = await Promise.all(p.corrects.map((key) => deps.jobs.stateOf(key)));
  if (states.includes('pending'))
    throw new DeliveryError('corrected_message_pending', { retryAfterMs: 2_000 });
  if (states.length > 0 && states.every((s) => s === 'failed')) {
    deps.log.info({ job_id: job.id, key: job.key }, 'rollback notice dropped: the notification never left');
    return;
  }
  const channel = p.dm ? await deps.chat.openDm(p.channel) : p.channel;
  const ts = await postOnce(deps, job, channel, job.key, {
    kind: 'fix_rollback_notice',
    runId: p.fix_run_id,
    title: p.title,
    recordIds: p.record_ids,
  });
  await deps.jobs.saveProgress(job, { posted_ts: ts });
}
