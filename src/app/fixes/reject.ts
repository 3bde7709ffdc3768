import type { FixRun } from '../../domain/fixpacks/run.ts';
import { AppError } from '../../shared/errors.ts';
import { actorLabel, type Ctx } from '../context.ts';
import { auditDenial, authorize, type Denial } from './authorize.ts';
import type { FixDeps } from './deps.ts';
import { recordFixStep, scheduleFixMessage } from './effects.ts';

export type RejectOutcome =
  | { outcome: 'rejected'; run: FixRun }
  | { outcome: 'forbidden'; run: FixRun; denial: Denial }
  | { outcome: 'already'; run: FixRun };

export async function rejectFix(deps: FixDeps, ctx: Ctx, runId: string): Promise<RejectOutcome> {
  const run = await deps.fixes.get(runId);
  if (run === null) throw new AppError('NOT_FOUND', `fix ${runId} does not exist`);
  const denial = await authorize(deps, ctx, run, 'reject');
  if (denial) {
    await auditDenial(deps, ctx, run, 'reject', denial);
    return { outcome: 'forbidden', run, denial };
  }
  const actor = actorLabel(ctx.actor);
  const out = await deps.fixes.transaction(async (tx): Promise<RejectOutcome> => {
    const now = deps.incident.clock.now();
    const rejected = await tx.updateRun(runId, ['planned'], { state: 'rejected', rejectedBy: actor });
    if (rejected === null) return { outcome: 'already', run: (await tx.getRun(runId)) ?? run };
    await recordFixStep(tx, run, {
      actor,
      atMs: now,
      action: 'fix.rejected',
      before: { state: 'planned' },
      after: { state: 'rejected' },
      timeline: { kind: 'REJECTED', data: {} },
    });
    await scheduleFixMessage(tx, rejected);
    return { outcome: 'rejected', run: rejected };
  });
  deps.incident.onEnqueued?.();
  return out;
}
