import type { Incident } from '../../domain/incidents/incident.ts';
import { transition } from '../../domain/incidents/lifecycle.ts';
import { AppError } from '../../shared/errors.ts';
import { actorLabel, type Ctx } from '../context.ts';
import type { IncidentDeps } from './deps.ts';
import { scheduleSettlePages, scheduleSync } from './effects.ts';
import { incidentSnapshot } from './reconcile.ts';

export interface ActionOutcome {
  /** False when the move was not made: illegal from the current state, or someone else made it first. */
  changed: boolean;
  incident: Incident;
  reason?: string;
}

/**
 * Acknowledge stops the page repeats and names a commander (the configured one, else whoever acknowledged).
 * Twenty clicks at once: the row lock and the conditional update let exactly one through; the rest see
 * `changed: false` and say who was first.
 */
export async function acknowledge(deps: IncidentDeps, ctx: Ctx, incidentId: string): Promise<ActionOutcome> {
  const actor = actorLabel(ctx.actor);
  const out = await deps.store.transaction(async (tx): Promise<ActionOutcome> => {
    const now = deps.clock.now();
    const current = await tx.get(incidentId);
    if (current === null) throw new AppError('NOT_FOUND', `incident ${incidentId} does not exist`);
    const t = transition(current.state, 'acknowledge');
    if (!t.ok) return { changed: false, incident: current, reason: t.reason };
    const slackUser = ctx.actor.type === 'slack' ? ctx.actor.userId : null;
    const updated = await tx.update(incidentId, t.from, {
      state: t.to,
      acknowledgedAtMs: now,
      acknowledgedBy: actor,
      nextPageAtMs: null,
      commander: current.commander ?? slackUser,
    });
    if (updated === null) return { changed: false, incident: current, reason: 'someone else moved it first' };
    await tx.addEvent({ incidentId, kind: 'ACKNOWLEDGED', actor, atMs: now, data: {} });
    await tx.audit({
      actor,
      action: 'incident.acknowledged',
      targetType: 'incident',
      targetId: incidentId,
      before: incidentSnapshot(current),
      after: incidentSnapshot(updated),
      atMs: now,
    });
    await scheduleSync(tx, updated);
    await scheduleSettlePages(tx, updated);
    return { changed: true, incident: updated };
  });
  if (out.changed) {
    ctx.log.info({ incident_id: incidentId, from: 'detected', to: 'acknowledged' }, 'incident transitioned');
    deps.onEnqueued?.();
  }
  return out;
}
