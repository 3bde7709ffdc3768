import type { FixRun } from '../../domain/fixpacks/run.ts';
import { duplicateKey, type FunnelRecord, isClosedStage } from '../../domain/records/record.ts';
import { actorLabel, type Ctx } from '../context.ts';
import { schedulePage } from '../incidents/effects.ts';
import { guard } from './approve.ts';
import type { FixDeps } from './deps.ts';
import { recordFixStep, scheduleFixMessage } from './effects.ts';

const VALUE: Record<'owner' | 'stage' | 'next_step' | 'region', (r: FunnelRecord) => string> = {
  owner: (r) => r.owner,
  stage: (r) => r.stage,
  next_step: (r) => r.nextStep,
  region: (r) => r.region,
};

/** Whether a fix held up over its window (each fix pack's verify rule), on the records as they are now. */
export function verifies(run: FixRun, scope: readonly FunnelRecord[]): boolean {
  const targets = new Set(run.plan.issues.map((i) => i.recordId));
  const records = scope.filter((r) => targets.has(r.id));
  const spec = run.plan.verify;
  switch (spec.kind) {
    case 'touched_within': {
      // Bug fix: "last_touch_at set within N minutes of apply" has an end too. Without it, a touch after the
      // window (seen when the verification pass runs late) verified the fix.
      const from = run.appliedAtMs ?? 0;
      const until = from + run.plan.verifyWindowMs;
      return records.every(
        (r) => r.lastTouchAtMs !== null && r.lastTouchAtMs > from && r.lastTouchAtMs <= until,
      );
    }
    case 'field_present':
      return records.every((r) => VALUE[spec.field](r).trim() !== '');
    case 'one_active_per_domain': {
      // Active = open, as the duplicate rule counts it: a Closed Won or Closed Lost record sharing the
      // domain is history the merge linked, not a duplicate left behind.
      const active = new Map<string, number>();
      for (const r of scope)
        if (r.domain.trim() !== '' && !isClosedStage(r.stage))
          active.set(duplicateKey(r.domain), (active.get(duplicateKey(r.domain)) ?? 0) + 1);
      return records.every((r) => (active.get(duplicateKey(r.domain)) ?? 0) <= 1);
    }
  }
}

/**
 * When a verification window ends (run by the scheduler), records VERIFIED or VERIFICATION_FAILED; a
 * failure pages again on the incident. Also expires previews nobody decided on in time.
 */
/** How long an applied fix may go without its guard before the sweeper guards it. */
const GUARD_GRACE_MS = 60_000;

export async function verifyDueFixes(
  deps: FixDeps,
  ctx: Ctx,
): Promise<{ verified: number; failed: number; expired: number }> {
  const actor = actorLabel(ctx.actor);
  const now = deps.incident.clock.now();
  let verified = 0;
  let failed = 0;
  // Apply and the guard are two transactions: a fix whose process died in between is guarded here. Its
  // plan's snapshot is the pre-apply state (the apply refused any record that differed from it).
  for (const run of await deps.fixes.unguarded(now - GUARD_GRACE_MS)) {
    const before = await deps.fixes.transaction((tx) => tx.snapshotOf(run.id));
    await guard(deps, ctx, run, before);
  }
  for (const run of await deps.fixes.dueVerifications(now)) {
    const scope = await deps.fixes.loadScope(run.plan.recordIds);
    const ok = verifies(run, scope);
    const changed = await deps.fixes.transaction(async (tx) => {
      // Bug fix: updateRun is conditional on the state only, which stays 'applied', so two passes at once
      // (two replicas) both recorded the verdict: two timeline entries, two audit rows and two re-pages.
      // Lock the run and go on only while its verification is still pending.
      const locked = await tx.getRun(run.id);
      if (locked === null || locked.state !== 'applied' || locked.verification !== 'pending') return false;
      // A verified fix also recovered what was waiting on its window (the lead got its call, the deal moved).
      const awaitingCents = (locked.guard?.awaiting ?? []).reduce((sum, a) => sum + a.lossCents, 0);
      const updated = await tx.updateRun(run.id, ['applied'], {
        verification: ok ? 'verified' : 'failed',
        ...(ok ? { recoveredCents: locked.recoveredCents + awaitingCents } : {}),
      });
      if (updated === null) return false;
      await recordFixStep(tx, run, {
        actor,
        atMs: now,
        action: ok ? 'fix.verified' : 'fix.verification_failed',
        before: { verification: 'pending' },
        after: { verification: ok ? 'verified' : 'failed' },
        timeline: { kind: ok ? 'VERIFIED' : 'VERIFICATION_FAILED', data: { check: run.plan.verify.kind } },
      });
      await scheduleFixMessage(tx, updated);
      if (!ok && run.incidentId) {
        const incident = await tx.get(run.incidentId);
        if (incident && incident.state !== 'resolved')
          await schedulePage(tx, deps.incident, incident, 0, actor, now);
      }
      return true;
    });
    if (changed) ok ? verified++ : failed++;
  }
  let expired = 0;
  for (const run of await deps.fixes.expiredPlans(now)) {
    const done = await deps.fixes.transaction(async (tx) => {
      const updated = await tx.updateRun(run.id, ['planned'], {
        state: 'expired',
        reason: 'nobody decided before the preview expired',
      });
      if (updated === null) return false;
      await recordFixStep(tx, run, {
        actor,
        atMs: now,
        action: 'fix.expired',
        before: { state: 'planned' },
        after: { state: 'expired' },
      });
      await scheduleFixMessage(tx, updated);
      return true;
    });
    if (done) expired++;
  }
  if (verified + failed + expired > 0) {
    ctx.log.info({ verified, failed, expired }, 'fix verification pass');
    deps.incident.onEnqueued?.();
  }
  return { verified, failed, expired };
}
