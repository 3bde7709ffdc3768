import type { Ctx } from '../context.ts';
import { type ActionOutcome, moveByHand } from './by-hand.ts';
import type { IncidentDeps } from './deps.ts';
import { recordIncidentStep, scheduleSettlePages, scheduleSync } from './effects.ts';
import { incidentSnapshot } from './transitions.ts';

/**
 * Acknowledge stops the page repeats and names a commander (the configured one, else whoever acknowledged).
 * Twenty clicks at once: the row lock and the conditional update let exactly one through; the rest see
 * `changed: false` and say who was first.
 */
export function acknowledge(deps: IncidentDeps, ctx: Ctx, incidentId: string): Promise<ActionOutcome> {
  const slackUser = ctx.actor.type === 'slack' ? ctx.actor.userId : null;
  return moveByHand(deps, ctx, incidentId, 'acknowledge', {
    patch: (s, current) => ({
      acknowledgedAtMs: s.now,
      acknowledgedBy: s.actor,
      nextPageAtMs: null,
      commander: current.commander ?? slackUser,
    }),
    record: async (s, before, after) => {
      await recordIncidentStep(s.tx, {
        incidentId,
        kind: 'ACKNOWLEDGED',
        action: 'incident.acknowledged',
        actor: s.actor,
        atMs: s.now,
        data: {},
        before: incidentSnapshot(before),
        after: incidentSnapshot(after),
      });
      await scheduleSync(s.tx, after);
      await scheduleSettlePages(s.tx, after);
    },
    logged: { from: 'detected', to: 'acknowledged' },
  });
}
