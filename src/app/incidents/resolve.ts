import { revenueFigures } from '../../domain/incidents/incident.ts';
import { transition } from '../../domain/incidents/lifecycle.ts';
import { AppError } from '../../shared/errors.ts';
import { actorLabel, type Ctx } from '../context.ts';
import type { ActionOutcome } from './acknowledge.ts';
import type { IncidentDeps } from './deps.ts';
import { recordResolved } from './reconcile.ts';

/**
 * A person resolves an incident (the Resolve button, after Slack's confirmation when issues are open). If
 * the leak is still there, the next scan reopens the incident within the reopen window.
 */
export async function resolveIncident(
  deps: IncidentDeps,
  ctx: Ctx,
  incidentId: string,
): Promise<ActionOutcome> {
  const actor = actorLabel(ctx.actor);
  const out = await deps.store.transaction(async (tx): Promise<ActionOutcome> => {
    const now = deps.clock.now();
    const current = await tx.get(incidentId);
    if (current === null) throw new AppError('NOT_FOUND', `incident ${incidentId} does not exist`);
    const t = transition(current.state, 'resolve');
    if (!t.ok) return { changed: false, incident: current, reason: t.reason };
    const updated = await tx.update(incidentId, t.from, {
      state: t.to,
      resolvedAtMs: now,
      resolvedBy: actor,
      nextPageAtMs: null,
    });
    if (updated === null) return { changed: false, incident: current, reason: 'someone else moved it first' };
    const open = revenueFigures(current)?.openIssues ?? 0;
    const reason =
      open > 0 ? `resolved by hand with ${open} issue${open === 1 ? '' : 's'} open` : 'resolved by hand';
    await recordResolved(tx, deps, actor, now, current, updated, reason);
    return { changed: true, incident: updated };
  });
  if (out.changed) {
    ctx.log.info({ incident_id: incidentId, to: 'resolved' }, 'incident transitioned');
    deps.onEnqueued?.();
  }
  return out;
}
