import { describe, expect, it } from 'vitest';
import { approveFix } from '../../../src/app/fixes/approve.ts';
import { previewFix } from '../../../src/app/fixes/preview.ts';
import { rollBackFix } from '../../../src/app/fixes/rollback.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { buildOpp } from '../../domain/build.ts';
import { backends } from '../../support/db.ts';
import {
  auditActions,
  breachedLead,
  kindsOf,
  previewIssue,
  recordOf,
  seed,
  slackCtx,
  useWorld,
} from './support.ts';

const HOUR_MS = 60 * MINUTE_MS;

describe.each(backends)('fix rollback on $name', (backend) => {
  const t = useWorld(backend);

  const applySla = async () => {
    const incidentId = (await seed(t.w, breachedLead()))!;
    const before = await recordOf(t.w, 'lead');
    const run = await previewIssue(t.deps, 'lead_SLA_BREACH_UNTOUCHED');
    const out = await approveFix(t.deps, slackCtx('UAPPROVER'), run.id);
    expect(out.outcome).toBe('applied');
    return { incidentId, before, run: out.run };
  };

  it('writes every changed field back, withdraws tasks and drafts, and gives back the recovery', async () => {
    const { w, deps } = t;
    const { incidentId, before, run } = await applySla();
    expect(run.recoveredCents).toBeGreaterThan(0);
    expect(await recordOf(w, 'lead')).not.toEqual(before);

    w.clock.advance(MINUTE_MS);
    const out = await rollBackFix(deps, slackCtx('UAPPROVER'), run.id);
    expect(out.outcome).toBe('rolled_back');
    expect(await recordOf(w, 'lead')).toEqual(before);
    const done = (await w.repos.fixes.get(run.id))!;
    expect(done).toMatchObject({
      state: 'rolled_back',
      rolledBackAtMs: w.clock.now(),
      recoveredCents: 0,
      verification: null,
      verifyDueAtMs: null,
      skipped: [],
      reason: 'rolled back by hand',
    });
    expect(await w.db.query('SELECT status FROM crm_tasks')).toEqual([{ status: 'cancelled' }]);
    // The owner's "call within 10 minutes" DM, not yet sent, is not sent about a cancelled task.
    expect(await w.db.query(`SELECT key FROM jobs WHERE kind = 'fix.notify'`)).toEqual([]);
    expect(await w.db.query('SELECT status FROM email_drafts')).toEqual([{ status: 'discarded' }]);
    const entry = (await w.repos.incidents.timeline(incidentId, 1))[0]!;
    expect(entry).toMatchObject({
      kind: 'ROLLED_BACK',
      actor: 'slack:T1:UAPPROVER',
      data: { fix_run_id: run.id, reverted: 1, left_alone: [], reason: 'rolled back by hand' },
    });
    expect((await auditActions(w)).at(-1)).toBe('fix.rolled_back');
    // Once only.
    expect((await rollBackFix(deps, slackCtx('UAPPROVER'), run.id)).outcome).toBe('already');
    expect((await kindsOf(w, incidentId)).filter((k) => k === 'ROLLED_BACK')).toHaveLength(1);
    // Verification does not pick a rolled-back run up.
    w.clock.advance(20 * MINUTE_MS);
    expect(await w.repos.fixes.dueVerifications(w.clock.now())).toEqual([]);
    expect(await w.repos.audit.verify()).toMatchObject({ ok: true });
  });

  it('leaves a field someone changed since alone and names it; the rest is written back', async () => {
    const { w, deps } = t;
    await seed(w, [
      buildOpp({ id: 'a', owner: '', valueCents: 3_000_000 }),
      buildOpp({ id: 'b', owner: '', valueCents: 2_000_000 }),
    ]);
    const before = { a: await recordOf(w, 'a'), b: await recordOf(w, 'b') };
    const run = await previewFix(deps, slackCtx('UREQ'), { kind: 'bulk', issueType: 'UNASSIGNED_OWNER' });
    expect((await approveFix(deps, slackCtx('UAPPROVER'), run.id)).outcome).toBe('applied');
    await w.db.query(`UPDATE records SET owner = 'Someone' WHERE id = 'a'`);

    const out = await rollBackFix(deps, slackCtx('UAPPROVER'), run.id);
    expect(out.outcome).toBe('rolled_back');
    expect(out.run.skipped).toEqual([{ recordId: 'a', field: 'owner', old: '', new: 'Priya Shah' }]);
    expect(await recordOf(w, 'a')).toEqual({ ...before.a, owner: 'Someone' });
    expect(await recordOf(w, 'b')).toEqual(before.b);
    const [audit] = await w.db.query<{ after: { left_alone: unknown[]; reverted: unknown[] } }>(
      `SELECT after FROM audit_log WHERE action = 'fix.rolled_back'`,
    );
    expect(audit!.after.left_alone).toHaveLength(1);
    expect(audit!.after.reverted).toEqual([{ recordId: 'b', field: 'owner', old: 'Marcus Lee', new: '' }]);
  });

  it('refuses a rollback after the window with PRECONDITION_FAILED, changing nothing', async () => {
    const { w, deps } = t;
    const { run } = await applySla();
    const applied = await recordOf(w, 'lead');
    w.clock.advance(25 * HOUR_MS);
    await expect(rollBackFix(deps, slackCtx('UAPPROVER'), run.id)).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
    });
    expect((await w.repos.fixes.get(run.id))!.state).toBe('applied');
    expect(await recordOf(w, 'lead')).toEqual(applied);
    expect(await w.db.query('SELECT status FROM crm_tasks')).toEqual([{ status: 'open' }]);
  });

  it('refuses a rollback by someone who is not an approver, on the record', async () => {
    const { w, deps } = t;
    const { run } = await applySla();
    const applied = await recordOf(w, 'lead');
    const out = await rollBackFix(deps, slackCtx('UNOBODY'), run.id);
    expect(out).toMatchObject({ outcome: 'forbidden', denial: 'not_approver' });
    expect((await w.repos.fixes.get(run.id))!.state).toBe('applied');
    expect(await recordOf(w, 'lead')).toEqual(applied);
    const [denied] = await w.db.query<Record<string, unknown>>(
      `SELECT actor, after FROM audit_log WHERE action = 'fix.roll_back_denied'`,
    );
    expect(denied).toEqual({ actor: 'slack:T1:UNOBODY', after: { denied: 'not_approver' } });
  });

  it('refuses to roll back a plan that was never applied ("already")', async () => {
    const { w, deps } = t;
    await seed(w, breachedLead());
    const run = await previewIssue(deps, 'lead_SLA_BREACH_UNTOUCHED');
    expect((await rollBackFix(deps, slackCtx('UAPPROVER'), run.id)).outcome).toBe('already');
    await expect(rollBackFix(deps, slackCtx('UAPPROVER'), '424242')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
