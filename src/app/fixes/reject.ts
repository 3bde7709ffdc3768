import type { FixRun } from '../../domain/fixpacks/run.ts';
import { actorLabel, type Ctx } from '../context.ts';
import { type Denial, loadForApprover } from './authorize.ts';
import type { FixDeps } from './deps.ts';
import { recordFixStep, scheduleFixMessage } from './effects.ts';
import { moveRun } from './move-run.ts';

export type RejectOutcome =
  | { outcome: 'rejected'; run: FixRun }
  | { outcome: 'forbidden'; run: FixRun; denial: Denial }
  | { outcome: 'already'; run: FixRun };

export async function rejectFix(deps: FixDeps, ctx: Ctx, runId: string): Promise<RejectOutcome> {
  const { run, denial } = await loadForApprover(deps, ctx, runId, 'reject');
  if (denial) return { outcome: 'forbidden', run, denial };
  const actor = actorLabel(ctx.actor);
  const out = await deps.fixes.transaction(async (tx): Promise<RejectOutcome> => {
    const now = deps.incident.clock.now();
    const rejected = await moveRun(tx, runId, 'planned', 'reject', { rejectedBy: actor });
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
