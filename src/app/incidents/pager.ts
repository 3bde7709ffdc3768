import { REVENUE_DEDUPE_KEY } from '../../domain/incidents/incident.ts';
import type { Ctx } from '../context.ts';
import type { IncidentDeps } from './deps.ts';
import { schedulePage } from './effects.ts';
import { inIncidentTx } from './transitions.ts';

/**
 * Repeats unacknowledged pages (run every minute by the scheduler). Each due incident is re-read under its
 * key's lock, so two ticks at once (two replicas) send one repeat: the second sees next_page_at moved.
 */
export async function repeatDuePages(deps: IncidentDeps, ctx: Ctx): Promise<number> {
  const due = await deps.store.duePages(deps.clock.now());
  let sent = 0;
  for (const candidate of due) {
    const paged = await inIncidentTx(deps, ctx, async ({ tx, actor, now }) => {
      await tx.lockKey(candidate.dedupeKey ?? REVENUE_DEDUPE_KEY);
      const i = await tx.get(candidate.id);
      if (i === null || i.state !== 'detected' || i.nextPageAtMs === null || i.nextPageAtMs > now)
        return false;
      await schedulePage(tx, deps, i, i.pagesSent, actor, now);
      return true;
    });
    if (paged) {
      sent++;
      ctx.log.info({ incident_id: candidate.id, repeat: candidate.pagesSent }, 'page repeated');
    }
  }
  if (sent > 0) deps.onEnqueued?.();
  return sent;
}
