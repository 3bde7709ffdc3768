import type { Incident } from '../../domain/incidents/incident.ts';
import { transition } from '../../domain/incidents/lifecycle.ts';
import { AppError } from '../../shared/errors.ts';
import type { Ctx } from '../context.ts';
import type { IncidentDeps } from './deps.ts';
import type { IncidentPatch } from './ports.ts';
import { inIncidentTx, type Step } from './transitions.ts';

export interface ActionOutcome {
  /** False when the move was not made: illegal from the current state, or someone else made it first. */
  changed: boolean;
  incident: Incident;
  reason?: string;
}

/**
 * A person moves an incident by id (the Acknowledge and Resolve buttons). The lifecycle table decides
 * whether the move is legal; the conditional update lets exactly one of many simultaneous clicks through,
 * and the rest see `changed: false` with the reason.
 */
export async function moveByHand(
  deps: IncidentDeps,
  ctx: Ctx,
  incidentId: string,
  event: 'acknowledge' | 'resolve',
  how: {
    patch: (s: Step, current: Incident) => IncidentPatch;
    record: (s: Step, before: Incident, after: Incident) => Promise<void>;
    /** Fields of the 'incident transitioned' log line besides the incident id. */
    logged: Record<string, unknown>;
  },
): Promise<ActionOutcome> {
  const out = await inIncidentTx(deps, ctx, async (s): Promise<ActionOutcome> => {
    const current = await s.tx.get(incidentId);
    if (current === null) throw new AppError('NOT_FOUND', `incident ${incidentId} does not exist`);
    const t = transition(current.state, event);
    if (!t.ok) return { changed: false, incident: current, reason: t.reason };
    const updated = await s.tx.update(incidentId, t.from, { state: t.to, ...how.patch(s, current) });
    if (updated === null) return { changed: false, incident: current, reason: 'someone else moved it first' };
    await how.record(s, current, updated);
    return { changed: true, incident: updated };
  });
  if (out.changed) {
    ctx.log.info({ incident_id: incidentId, ...how.logged }, 'incident transitioned');
    deps.onEnqueued?.();
  }
  return out;
}
