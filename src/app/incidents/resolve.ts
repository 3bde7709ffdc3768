import { revenueFigures } from '../../domain/incidents/incident.ts';
import type { Ctx } from '../context.ts';
import { type ActionOutcome, moveByHand } from './by-hand.ts';
import type { IncidentDeps } from './deps.ts';
import { recordResolved } from './transitions.ts';

/**
 * A person resolves an incident (the Resolve button, after Slack's confirmation when issues are open). If
 * the leak is still there, the next scan reopens the incident within the reopen window.
 */
export function resolveIncident(deps: IncidentDeps, ctx: Ctx, incidentId: string): Promise<ActionOutcome> {
  return moveByHand(deps, ctx, incidentId, 'resolve', {
    patch: (s) => ({ resolvedAtMs: s.now, resolvedBy: s.actor, nextPageAtMs: null }),
    record: (s, before, after) => {
      const open = revenueFigures(before)?.openIssues ?? 0;
      const reason =
        open > 0 ? `resolved by hand with ${open} issue${open === 1 ? '' : 's'} open` : 'resolved by hand';
      return recordResolved(s, before, after, reason);
    },
    logged: { to: 'resolved' },
  });
}
