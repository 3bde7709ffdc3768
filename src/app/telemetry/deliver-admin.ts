import type { Job, JobQueue } from '../outbox/ports.ts';
import { type PostDeps, postOnce } from '../outbox/post-once.ts';

/** What the admin jobs need of the worker's dependencies (delivery/handlers.ts DeliveryDeps has it all). */
export interface AdminDeliveryDeps extends PostDeps {
  jobs: JobQueue;
}

/** The delivery handler of each admin job kind (delivery/handlers.ts puts them in the outbox's table). */
export const adminHandlers = {
  'admin.alert': deliverAdminAlert,
};

/** The janitor's tag-cardinality alert: one message in the admins' channel named in the payload. */
async function deliverAdminAlert(deps: AdminDeliveryDeps, job: Job<'admin.alert'>): Promise<void> {
  if (typeof job.progress['posted_ts'] === 'string') return;
  const p = job.payload;
  const ts = await postOnce(deps, job, p.channel, job.key, {
    kind: 'cardinality_alert',
    over: p.over,
    tagLimit: p.tag_limit,
  });
  await deps.jobs.saveProgress(job, { posted_ts: ts });
}
