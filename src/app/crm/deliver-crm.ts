import type { Job, JobQueue } from '../outbox/ports.ts';
import { type PostDeps, postOnce } from '../outbox/post-once.ts';

/** What the CRM alert job needs of the worker's dependencies (delivery/handlers.ts DeliveryDeps has it all). */
export interface CrmDeliveryDeps extends PostDeps {
  jobs: JobQueue;
}

/** The delivery handler of each CRM job kind (delivery/handlers.ts puts them in the outbox's table). */
export const crmHandlers = {
  'crm.alert': deliverCrmAlert,
};

/** A sync failure (or its recovery): one message in the admins' channel named in the payload. */
async function deliverCrmAlert(deps: CrmDeliveryDeps, job: Job<'crm.alert'>): Promise<void> {
  if (typeof job.progress['posted_ts'] === 'string') return;
  const p = job.payload;
  const ts = await postOnce(deps, job, p.channel, job.key, {
    kind: 'crm_alert',
    alert: {
      connector: p.connector,
      event: p.event,
      kind: p.kind,
      reason: p.reason,
      failures: p.failures,
      atMs: p.at_ms,
    },
  });
  await deps.jobs.saveProgress(job, { posted_ts: ts });
}
