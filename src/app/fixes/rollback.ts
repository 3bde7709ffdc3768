import { conflictsForRollback, inverseOf } from '../../domain/fixpacks/plan.ts';
import type { FixRun } from '../../domain/fixpacks/run.ts';
import { AppError } from '../../shared/errors.ts';
import { actorLabel, type Ctx } from '../context.ts';
import { scheduleSync } from '../incidents/effects.ts';
import { type Denial, loadForApprover } from './authorize.ts';
import { scheduleCrmRevert } from './crm-writeback.ts';
import type { FixDeps } from './deps.ts';
import { recordFixStep, scheduleFixMessage, scheduleRollbackNotices } from './effects.ts';
import { moveRun } from './move-run.ts';
import type { FixTx } from './ports.ts';

/**
 * Writes the inverse diff back, except where someone else changed a field since the fix (those are left
 * alone and named), withdraws the run's tasks and drafts, queues a correction to everyone its
 * notifications told (issue 10 item 3), and records why. Shared by the Roll back button
 * and the regression guard. Null when the run was no longer applied (someone rolled it back first).
 */
export async function rollBackInTx(
  tx: FixTx,
  run: FixRun,
  actor: string,
  now: number,
  reason: string,
): Promise<FixRun | null> {
  const current = await tx.lockRecords(run.plan.recordIds);
  const skipped = conflictsForRollback(run.plan.changes, current);
  const skip = new Set(skipped.map((c) => `${c.recordId}\u0000${c.field}`));
  const revert = inverseOf(run.plan.changes.filter((c) => !skip.has(`${c.recordId}\u0000${c.field}`)));
  const rolled = await moveRun(tx, run.id, 'applied', 'roll_back', {
    rolledBackAtMs: now,
    skipped,
    recoveredCents: 0,
    verification: null,
    verifyDueAtMs: null,
    reason,
  });
  if (rolled === null) return null;
  await tx.writeChanges(revert);
  const told = await tx.withdrawEffects(run.id);
  await scheduleRollbackNotices(tx, rolled, told);
  // What reached the CRM is written back there too, after the batches still in flight settle.
  await scheduleCrmRevert(tx, rolled);
  await recordFixStep(tx, run, {
    actor,
    atMs: now,
    action: 'fix.rolled_back',
    before: { state: 'applied', changes: run.plan.changes.map((c) => ({ ...c })) },
    after: { state: 'rolled_back', reverted: revert, left_alone: skipped },
    timeline: {
      kind: 'ROLLED_BACK',
      data: { reason, reverted: revert.length, left_alone: skipped.map((c) => `${c.recordId}.${c.field}`) },
    },
  });
  await scheduleFixMessage(tx, rolled);
  // Bug fix: the War Room counts what applied fixes recovered (incidents-repository sums applied runs), and
  // approve re-renders it after the guard; a rollback left it saying "Recovered by fixes $X (applied, not
  // rolled back)" about a fix that was rolled back. Re-render it here too.
  if (run.incidentId) {
    const incident = await tx.get(run.incidentId);
    if (incident) await scheduleSync(tx, incident);
  }
  return rolled;
}

export type RollbackOutcome =
  | { outcome: 'rolled_back'; run: FixRun }
  | { outcome: 'forbidden'; run: FixRun; denial: Denial }
  | { outcome: 'already'; run: FixRun };

/** The Roll back button: approvers only, within the rollback window (24 h by default). */
export async function rollBackFix(deps: FixDeps, ctx: Ctx, runId: string): Promise<RollbackOutcome> {
  const { run, denial } = await loadForApprover(deps, ctx, runId, 'roll_back');
  if (denial) return { outcome: 'forbidden', run, denial };
  const actor = actorLabel(ctx.actor);
  const out = await deps.fixes.transaction(async (tx): Promise<RollbackOutcome> => {
    const now = deps.incident.clock.now();
    const current = await tx.getRun(runId);
    if (current === null || current.state !== 'applied') return { outcome: 'already', run: current ?? run };
    if (current.appliedAtMs !== null && now - current.appliedAtMs > deps.approval.rollbackWindowMs)
      throw new AppError('PRECONDITION_FAILED', 'the rollback window of this fix has passed');
    const rolled = await rollBackInTx(tx, current, actor, now, `rolled back by hand`);
    return rolled ? { outcome: 'rolled_back', run: rolled } : { outcome: 'already', run: current };
  });
  if (out.outcome === 'rolled_back') {
    ctx.log.info({ fix_run_id: runId, left_alone: out.run.skipped.length }, 'fix rolled back');
    deps.incident.onEnqueued?.();
  }
  return out;
}
