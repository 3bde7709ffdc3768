import { describe, expect, it } from 'vitest';
import { approveFix } from '../../../src/app/fixes/approve.ts';
import { rollBackFix } from '../../../src/app/fixes/rollback.ts';
import { verifyDueFixes } from '../../../src/app/fixes/verify.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { buildOpp } from '../../domain/build.ts';
import { backends } from '../../support/db.ts';
import { systemCtx } from '../incidents/setup.ts';
import {
  auditActions,
  breachedLead,
  jobsOf,
  kindsOf,
  previewIssue,
  seed,
  slackCtx,
  unownedOpp,
  useWorld,
} from './support.ts';

const HOUR_MS = 60 * MINUTE_MS;

describe.each(backends)('fix verification on $name', (backend) => {
  const t = useWorld(backend);

  const applySla = async () => {
    const incidentId = (await seed(t.w, breachedLead()))!;
    const run = await previewIssue(t.deps, 'lead_SLA_BREACH_UNTOUCHED');
    const out = await approveFix(t.deps, slackCtx('UAPPROVER'), run.id);
    expect(out.run).toMatchObject({
      verification: 'pending',
      verifyDueAtMs: out.run.appliedAtMs! + 10 * MINUTE_MS,
    });
    return { incidentId, run: out.run };
  };
  const touch = (atMs: number) =>
    t.w.db.query(`UPDATE records SET last_touch_at = $1::timestamptz WHERE id = 'lead'`, [
      new Date(atMs).toISOString(),
    ]);

  it('fails an SLA fix nobody acted on when its window ends, and pages again', async () => {
    const { w, deps } = t;
    const { incidentId, run } = await applySla();
    expect((await w.repos.incidents.get(incidentId))!.state).toBe('detected');
    // Not before the window ends.
    w.clock.advance(9 * MINUTE_MS);
    expect(await verifyDueFixes(deps, systemCtx)).toEqual({ verified: 0, failed: 0, expired: 0 });
    const pages = (await jobsOf(w, 'incident.page')).length;

    w.clock.advance(2 * MINUTE_MS);
    expect(await verifyDueFixes(deps, systemCtx)).toEqual({ verified: 0, failed: 1, expired: 0 });
    expect((await w.repos.fixes.get(run.id))!).toMatchObject({ state: 'applied', verification: 'failed' });
    expect((await kindsOf(w, incidentId)).slice(-2)).toEqual(['VERIFICATION_FAILED', 'PAGED']);
    const failed = (await w.repos.incidents.timeline(incidentId, 2))[0]!;
    expect(failed).toMatchObject({
      actor: 'system:test',
      atMs: w.clock.now(),
      data: { fix_run_id: run.id, check: 'touched_within' },
    });
    expect(await jobsOf(w, 'incident.page')).toHaveLength(pages + 1);
    expect((await auditActions(w)).at(-1)).toBe('fix.verification_failed');
    // Once: a second pass (another replica) finds nothing due.
    expect(await verifyDueFixes(deps, systemCtx)).toEqual({ verified: 0, failed: 0, expired: 0 });
  });

  it('records a verification once when two passes run at once (two replicas)', async () => {
    const { w, deps } = t;
    const { incidentId } = await applySla();
    w.clock.advance(11 * MINUTE_MS);
    const [a, b] = await Promise.all([verifyDueFixes(deps, systemCtx), verifyDueFixes(deps, systemCtx)]);
    expect(a.failed + b.failed).toBe(1);
    const kinds = await kindsOf(w, incidentId);
    expect(kinds.filter((k) => k === 'VERIFICATION_FAILED')).toHaveLength(1);
    expect((await auditActions(w)).filter((x) => x === 'fix.verification_failed')).toHaveLength(1);
  });

  it('does not page again for a failed verification when the incident is resolved', async () => {
    const { w, deps } = t;
    const { incidentId } = await applySla();
    await w.db.query(`UPDATE incidents SET state = 'resolved', resolved_at = now() WHERE id = $1`, [
      incidentId,
    ]);
    w.clock.advance(11 * MINUTE_MS);
    expect((await verifyDueFixes(deps, systemCtx)).failed).toBe(1);
    expect((await kindsOf(w, incidentId)).at(-1)).toBe('VERIFICATION_FAILED');
  });

  it('verifies an SLA fix when the lead is touched within the window', async () => {
    const { w, deps } = t;
    const { incidentId, run } = await applySla();
    await touch(run.appliedAtMs! + 3 * MINUTE_MS);
    w.clock.advance(11 * MINUTE_MS);
    expect(await verifyDueFixes(deps, systemCtx)).toEqual({ verified: 1, failed: 0, expired: 0 });
    const verifiedRun = (await w.repos.fixes.get(run.id))!;
    expect(verifiedRun.verification).toBe('verified');
    // What waited on the window counts as recovered once verified.
    const waited = run.guard!.awaiting.reduce((sum, a) => sum + a.lossCents, 0);
    expect(waited).toBeGreaterThan(0);
    expect(verifiedRun.recoveredCents).toBe(run.recoveredCents + waited);
    expect((await kindsOf(w, incidentId)).at(-1)).toBe('VERIFIED');
    expect((await auditActions(w)).at(-1)).toBe('fix.verified');
  });

  it('does not count a touch after the window ended (the pass ran late)', async () => {
    const { w, deps } = t;
    const { run } = await applySla();
    await touch(run.appliedAtMs! + 12 * MINUTE_MS);
    w.clock.advance(13 * MINUTE_MS);
    expect(await verifyDueFixes(deps, systemCtx)).toEqual({ verified: 0, failed: 1, expired: 0 });
  });

  it('does not count a touch from before the fix', async () => {
    const { w, deps } = t;
    const { run } = await applySla();
    await touch(run.appliedAtMs! - MINUTE_MS);
    w.clock.advance(11 * MINUTE_MS);
    expect((await verifyDueFixes(deps, systemCtx)).failed).toBe(1);
  });

  it('expires a preview nobody decided on; approving a preview past its expiry says "expired"', async () => {
    const { w, deps } = t;
    await seed(w, unownedOpp());
    const a = await previewIssue(deps, 'big_UNASSIGNED_OWNER');
    w.clock.advance(deps.approval.ttlMs - 1);
    expect((await verifyDueFixes(deps, systemCtx)).expired).toBe(0);
    w.clock.advance(1);
    expect(await verifyDueFixes(deps, systemCtx)).toEqual({ verified: 0, failed: 0, expired: 1 });
    expect((await w.repos.fixes.get(a.id))!).toMatchObject({ state: 'expired' });
    expect((await w.repos.fixes.get(a.id))!.reason).toMatch(/expired/);
    expect((await auditActions(w)).at(-1)).toBe('fix.expired');
    expect((await approveFix(deps, slackCtx('UAPPROVER'), a.id)).outcome).toBe('already');

    const b = await previewIssue(deps, 'big_UNASSIGNED_OWNER');
    w.clock.advance(deps.approval.ttlMs);
    const out = await approveFix(deps, slackCtx('UAPPROVER'), b.id);
    expect(out).toMatchObject({ outcome: 'expired', run: { state: 'expired', approvedBy: null } });
    expect((await w.repos.fixes.get(b.id))!.state).toBe('expired');
    const [owner] = await w.db.query<{ owner: string }>(`SELECT owner FROM records WHERE id = 'big'`);
    expect(owner!.owner).toBe('');
  });

  it('sums recovered dollars of applied fixes in a window, leaving out rolled-back ones', async () => {
    const { w, deps } = t;
    await seed(w, [...unownedOpp(), buildOpp({ id: 'mid', owner: '', valueCents: 5_000_000 })]);
    const t1 = w.clock.now();
    const a = await previewIssue(deps, 'big_UNASSIGNED_OWNER');
    expect((await approveFix(deps, slackCtx('UAPPROVER'), a.id)).run.recoveredCents).toBe(20_000_000);
    w.clock.advance(HOUR_MS);
    const t2 = w.clock.now();
    const b = await previewIssue(deps, 'mid_UNASSIGNED_OWNER');
    expect((await approveFix(deps, slackCtx('UAPPROVER'), b.id)).run.recoveredCents).toBe(5_000_000);

    const rec = w.repos.fixes;
    expect(await rec.recovered(t1, t2 + 1)).toBe(25_000_000);
    expect(await rec.recovered(t1, t2)).toBe(20_000_000);
    expect(await rec.recovered(t1 + 1, t2 + 1)).toBe(5_000_000);
    expect(await rec.recovered(t2 + 1, t2 + HOUR_MS)).toBe(0);

    await rollBackFix(deps, slackCtx('UAPPROVER'), b.id);
    expect(await rec.recovered(t1, t2 + 1)).toBe(20_000_000);
    // A plan still waiting for approval recovers nothing.
    await w.scan();
    await previewIssue(deps, 'mid_UNASSIGNED_OWNER');
    expect(await rec.recovered(0, t2 + HOUR_MS)).toBe(20_000_000);
  });

  it('guards a fix whose process died between apply and guard', async () => {
    const { w, deps } = t;
    await seed(w, unownedOpp());
    const run = await previewIssue(deps, 'big_UNASSIGNED_OWNER');
    const applied = (await approveFix(deps, slackCtx('UAPPROVER'), run.id)).run;
    expect(applied.guard).not.toBeNull();
    // What a crash right after the apply transaction leaves behind.
    await w.db.query(
      `UPDATE fix_runs SET guard = NULL, verification = NULL, recovered_cents = 0 WHERE id = $1`,
      [run.id],
    );
    expect((await verifyDueFixes(deps, systemCtx)).verified).toBe(0);
    expect((await w.repos.fixes.get(run.id))!.guard).toBeNull(); // still within the grace minute
    w.clock.advance(2 * MINUTE_MS);
    await verifyDueFixes(deps, systemCtx);
    const swept = (await w.repos.fixes.get(run.id))!;
    expect(swept).toMatchObject({ state: 'applied', verification: 'verified' });
    expect(swept.guard!.clearedCents).toBe(applied.guard!.clearedCents);
    expect(swept.recoveredCents).toBe(applied.recoveredCents);
  });
});
