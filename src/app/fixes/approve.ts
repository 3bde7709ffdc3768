import { regressionGuard } from '../../domain/fixpacks/guard.ts';
import { inverseOf } from '../../domain/fixpacks/plan.ts';
import type { FixRun } from '../../domain/fixpacks/run.ts';
import { type FunnelRecord, sameRecord } from '../../domain/records/record.ts';
import { AppError } from '../../shared/errors.ts';
import { actorLabel, type Ctx } from '../context.ts';
import { scheduleSync } from '../incidents/effects.ts';
import { type Denial, loadForApprover } from './authorize.ts';
import { crmDrift, driftReason, scheduleCrmWrites } from './crm-writeback.ts';
import type { FixDeps } from './deps.ts';
import { type FixStep, recordFixStep, scheduleFixMessage, scheduleNotifications } from './effects.ts';
import { moveRun } from './move-run.ts';
import type { FixTx } from './ports.ts';
import { rollBackInTx } from './rollback.ts';

export type ApproveOutcome =
  | { outcome: 'applied'; run: FixRun }
  | { outcome: 'rolled_back'; run: FixRun }
  | { outcome: 'forbidden'; run: FixRun; denial: Denial }
  | { outcome: 'stale'; run: FixRun }
  | { outcome: 'expired'; run: FixRun }
  | { outcome: 'already'; run: FixRun };

export const STALE_REASON = 'the plan is stale, preview again';

/**
 * Approve = apply. In one transaction: the run moves planned → approved → applying → applied by conditional
 * updates under a row lock (fifty clicks apply once), the records are re-checked against the plan's
 * snapshot (a changed record fails the plan as stale), the diff is written with its inverse kept, tasks and
 * drafts are stored, notifications are queued, and the timeline and audit log get their rows. Right after,
 * the regression guard rescans the affected records and rolls the fix back if it caused a new issue.
 */
export async function approveFix(deps: FixDeps, ctx: Ctx, runId: string): Promise<ApproveOutcome> {
  const { run, denial } = await loadForApprover(deps, ctx, runId, 'approve');
  if (denial) return { outcome: 'forbidden', run, denial };
  const actor = actorLabel(ctx.actor);
  // Records synced from a CRM are re-read there first (outside the transaction: no lock is held across a
  // network call); a field changed in the CRM since the preview makes the plan stale like a local change.
  const crm = deps.crm ?? null;
  const drift =
    crm !== null && run.state === 'planned' ? await crmDrift(crm, run, deps.incident.clock.now()) : [];
  const crmStale = drift.length > 0 ? driftReason(crm!.label, drift) : null;
  const applied = await deps.fixes.transaction((tx) => apply(tx, deps, actor, runId, crmStale));
  deps.incident.onEnqueued?.();
  if (applied.outcome !== 'applied') return applied;
  ctx.log.info({ fix_run_id: runId, changes: applied.run.plan.changes.length }, 'fix applied');
  return guard(deps, ctx, applied.run, applied.before);
}

async function apply(
  tx: FixTx,
  deps: FixDeps,
  actor: string,
  runId: string,
  crmStale: string | null,
): Promise<
  | Exclude<ApproveOutcome, { outcome: 'applied' }>
  | { outcome: 'applied'; run: FixRun; before: FunnelRecord[] }
> {
  const now = deps.incident.clock.now();
  const run = await tx.getRun(runId);
  if (run === null) throw new AppError('NOT_FOUND', `fix ${runId} does not exist`);
  if (run.state !== 'planned') return { outcome: 'already', run };
  const step = (s: Omit<FixStep, 'actor' | 'atMs'>) => recordFixStep(tx, run, { actor, atMs: now, ...s });

  if (now >= run.expiresAtMs) {
    const expired = await moveRun(tx, run.id, 'planned', 'expire', { reason: 'the preview expired' });
    await step({ action: 'fix.expired', before: { state: 'planned' }, after: { state: 'expired' } });
    if (expired) await scheduleFixMessage(tx, expired);
    return { outcome: 'expired', run: expired ?? run };
  }
  const snapshot = await tx.snapshotOf(run.id);
  const current = await tx.lockRecords(run.plan.recordIds);
  const byId = new Map(current.map((r) => [r.id, r]));
  const staleHere = snapshot.some((s) => !byId.has(s.id) || !sameRecord(s, byId.get(s.id)!));
  if (staleHere || crmStale !== null) {
    const reason = staleHere ? STALE_REASON : `${STALE_REASON} (${crmStale})`;
    const failed = await moveRun(tx, run.id, 'planned', 'fail', { approvedBy: actor, reason });
    await step({
      action: 'fix.stale',
      before: { state: 'planned' },
      after: { state: 'failed', reason },
    });
    if (failed) await scheduleFixMessage(tx, failed);
    return { outcome: 'stale', run: failed ?? run };
  }

  const approved = await moveRun(tx, run.id, 'planned', 'approve', { approvedBy: actor });
  if (approved === null) return { outcome: 'already', run };
  await step({
    action: 'fix.approved',
    before: { state: 'planned' },
    after: { state: 'approved' },
    timeline: { kind: 'APPROVED', data: {} },
  });
  await moveRun(tx, run.id, 'approved', 'start');
  await tx.writeChanges(run.plan.changes);
  await tx.addEffects(run.id, run.plan.effects);
  // The CRM's copy is written after commit by the outbox, one job per batch, enqueued right here.
  if (deps.crm) await scheduleCrmWrites(tx, deps.crm, run, now);
  const done = await moveRun(tx, run.id, 'applying', 'succeed', {
    appliedAtMs: now,
    inverse: inverseOf(run.plan.changes),
  });
  await step({
    action: 'fix.applied',
    before: run.plan.changes.map((c) => ({ record: c.recordId, field: c.field, value: c.old })),
    after: run.plan.changes.map((c) => ({ record: c.recordId, field: c.field, value: c.new })),
    timeline: {
      kind: 'APPLIED',
      data: {
        records: run.plan.blast.records,
        changes: run.plan.changes.length,
        dollars_cents: run.plan.blast.dollarsCents,
      },
    },
  });
  await scheduleNotifications(tx, done!);
  await scheduleFixMessage(tx, done!);
  return { outcome: 'applied', run: done!, before: current };
}

/** Rescans the affected records; a new issue rolls the fix back, else the result and recovery are kept. */
export async function guard(
  deps: FixDeps,
  ctx: Ctx,
  run: FixRun,
  before: FunnelRecord[],
): Promise<ApproveOutcome> {
  const actor = actorLabel(ctx.actor);
  const now = deps.incident.clock.now();
  const after = await deps.fixes.loadScope(run.plan.recordIds);
  const changed = new Map(before.map((r) => [r.id, r]));
  // Before = the same scope with the fixed records as they were: peers the fix did not touch are equal.
  const beforeScope = after.map((r) => changed.get(r.id) ?? r);
  const result = regressionGuard(beforeScope, after, run.plan.issues, now, deps.thresholds);
  const out = await deps.fixes.transaction(async (tx): Promise<ApproveOutcome> => {
    if (!result.passed) {
      const ids = result.introduced.map((i) => i.issueId);
      const reason = `the fix introduced ${ids.length} new issue${ids.length === 1 ? '' : 's'}: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}`;
      await tx.updateRun(run.id, ['applied'], { guard: result });
      const rolled = await rollBackInTx(tx, run, actor, now, reason);
      return rolled ? { outcome: 'rolled_back', run: rolled } : { outcome: 'already', run };
    }
    const windowMs = run.plan.verifyWindowMs;
    const immediate = windowMs === 0;
    const verified = immediate && result.awaiting.length === 0;
    const updated = await tx.updateRun(run.id, ['applied'], {
      guard: result,
      recoveredCents: result.clearedCents,
      verification: immediate ? (verified ? 'verified' : 'failed') : 'pending',
      verifyDueAtMs: immediate ? null : (run.appliedAtMs ?? now) + windowMs,
    });
    if (updated === null) return { outcome: 'already', run };
    await recordFixStep(tx, run, {
      actor,
      atMs: now,
      action: 'fix.guarded',
      before: null,
      after: {
        cleared: result.cleared.length,
        cleared_cents: result.clearedCents,
        awaiting: result.awaiting.length,
      },
      ...(immediate
        ? {
            timeline: {
              kind: verified ? 'VERIFIED' : 'VERIFICATION_FAILED',
              data: { cleared_cents: result.clearedCents, still_open: result.awaiting.length },
            },
          }
        : {}),
    });
    await scheduleFixMessage(tx, updated);
    if (run.incidentId) {
      const incident = await tx.get(run.incidentId);
      if (incident) await scheduleSync(tx, incident);
    }
    return { outcome: 'applied', run: updated };
  });
  ctx.log.info(
    {
      fix_run_id: run.id,
      outcome: out.outcome,
      cleared_cents: result.clearedCents,
      introduced: result.introduced.length,
    },
    'fix guarded',
  );
  deps.incident.onEnqueued?.();
  return out;
}
