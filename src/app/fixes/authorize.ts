import { type FixRun, needsFourEyes } from '../../domain/fixpacks/run.ts';
import { AppError } from '../../shared/errors.ts';
import { actorLabel, type Ctx } from '../context.ts';
import type { FixDeps } from './deps.ts';

export type Denial = 'not_approver' | 'no_approvers' | 'four_eyes';

/** The steps only approvers may take; a refusal names the one that was refused. */
export type ApproverAction = 'approve' | 'reject' | 'roll_back';

/**
 * Approvers are the configured Slack users and the members of the configured user group. The person who
 * asked for a preview may not approve it when its blast radius is over the four-eyes threshold. The
 * command line (an operator with database access anyway) is trusted; other actors are not approvers.
 */
export async function authorize(
  deps: FixDeps,
  ctx: Ctx,
  run: FixRun,
  action: ApproverAction,
): Promise<Denial | null> {
  const a = ctx.actor;
  if (a.type === 'cli') return null;
  if (a.type !== 'slack') return 'not_approver';
  const { approverUsers, approverGroup } = deps.approval;
  if (approverUsers.length === 0 && approverGroup === null) return 'no_approvers';
  const allowed =
    approverUsers.includes(a.userId) ||
    (approverGroup !== null && (await deps.directory.isGroupMember(approverGroup, a.userId)));
  if (!allowed) return 'not_approver';
  // The same person can appear under different team ids (Enterprise Grid, shared channels): compare users.
  const requester = run.requestedBy.startsWith('slack:') ? run.requestedBy.split(':')[2] : null;
  if (action === 'approve' && requester === a.userId && needsFourEyes(run.plan, deps.approval))
    return 'four_eyes';
  return null;
}

/** A refused click changes nothing but is on the record. */
export async function auditDenial(
  deps: FixDeps,
  ctx: Ctx,
  run: FixRun,
  action: ApproverAction,
  denial: Denial,
): Promise<void> {
  const now = deps.incident.clock.now();
  await deps.fixes.transaction((tx) =>
    tx.audit({
      actor: actorLabel(ctx.actor),
      action: `fix.${action}_denied`,
      targetType: 'fix_run',
      targetId: run.id,
      before: { state: run.state },
      after: { denied: denial },
      atMs: now,
    }),
  );
  ctx.log.warn({ fix_run_id: run.id, action, denial }, 'fix action refused');
}

/**
 * The preamble every approver action starts with: load the run (a missing one is NOT_FOUND), check the
 * clicker may take `action` on it, and put a refusal on the record. The caller answers `forbidden` when
 * `denial` is set and goes on with `run` otherwise.
 */
export async function loadForApprover(
  deps: FixDeps,
  ctx: Ctx,
  runId: string,
  action: ApproverAction,
): Promise<{ run: FixRun; denial: Denial | null }> {
  const run = await deps.fixes.get(runId);
  if (run === null) throw new AppError('NOT_FOUND', `fix ${runId} does not exist`);
  const denial = await authorize(deps, ctx, run, action);
  if (denial) await auditDenial(deps, ctx, run, action, denial);
  return { run, denial };
}
