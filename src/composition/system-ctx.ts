import type { Logger } from 'pino';
import type { Ctx } from '../app/context.ts';
import { newRef } from '../shared/ids.ts';

/** A fresh context for work the system does on its own (a scheduled job, parsing stored webhooks). */
export const systemCtx = (log: Logger, job: string): Ctx => ({
  actor: { type: 'system', job },
  requestId: newRef(),
  log: log.child({ job }),
});
