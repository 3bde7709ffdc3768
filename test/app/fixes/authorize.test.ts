import { describe, expect, it } from 'vitest';
import { approveFix } from '../../../src/app/fixes/approve.ts';
import { rejectFix } from '../../../src/app/fixes/reject.ts';
import { backends } from '../../support/db.ts';
import {
  auditActions,
  count,
  fixDeps,
  kindsOf,
  previewIssue,
  recordOf,
  seed,
  slackCtx,
  unownedOpp,
  useWorld,
} from './support.ts';

describe.each(backends)('fix authorization on $name', (backend) => {
  const t = useWorld(backend);

  const planned = async () => {
    const incidentId = (await seed(t.w, unownedOpp()))!;
    const run = await previewIssue(t.deps, 'big_UNASSIGNED_OWNER');
    return { incidentId, run };
  };

  it('refuses an approval by someone who is not an approver, changing nothing but the audit log', async () => {
    const { w, deps } = t;
    const { incidentId, run } = await planned();
    const events = (await kindsOf(w, incidentId)).length;

    const out = await approveFix(deps, slackCtx('UNOBODY'), run.id);
    expect(out).toMatchObject({ outcome: 'forbidden', denial: 'not_approver' });
    expect(await w.repos.fixes.get(run.id)).toEqual(run);
    expect((await recordOf(w, 'big')).owner).toBe('');
    expect(await kindsOf(w, incidentId)).toHaveLength(events);
    const [denied] = await w.db.query<Record<string, unknown>>(
      `SELECT actor, target_id, before, after FROM audit_log WHERE action = 'fix.approve_denied'`,
    );
    expect(denied).toEqual({
      actor: 'slack:T1:UNOBODY',
      target_id: run.id,
      before: { state: 'planned' },
      after: { denied: 'not_approver' },
    });
    // Actors other than Slack users and the CLI are not approvers either.
    const api = await approveFix(deps, { ...slackCtx('x'), actor: { type: 'api', key: 'k1' } }, run.id);
    expect(api).toMatchObject({ outcome: 'forbidden', denial: 'not_approver' });
    expect(await w.repos.audit.verify()).toMatchObject({ ok: true });
  });

  it('refuses a rejection by someone who is not an approver', async () => {
    const { w, deps } = t;
    const { run } = await planned();
    const out = await rejectFix(deps, slackCtx('UNOBODY'), run.id);
    expect(out).toMatchObject({ outcome: 'forbidden', denial: 'not_approver' });
    expect((await w.repos.fixes.get(run.id))!.state).toBe('planned');
    expect((await auditActions(w)).at(-1)).toBe('fix.reject_denied');
  });

  it('lets a member of the approver group approve', async () => {
    const { w, deps } = t;
    const { run } = await planned();
    const out = await approveFix(deps, slackCtx('UGROUPIE'), run.id);
    expect(out.outcome).toBe('applied');
    expect(out.run.approvedBy).toBe('slack:T1:UGROUPIE');
    expect((await recordOf(w, 'big')).owner).toBe('Priya Shah');
  });

  it('lets nobody approve when no approvers are configured, but trusts the command line', async () => {
    const { w } = t;
    const { run } = await planned();
    const deps = fixDeps(w, { approverUsers: [], approverGroup: null });
    expect(await approveFix(deps, slackCtx('UAPPROVER'), run.id)).toMatchObject({
      outcome: 'forbidden',
      denial: 'no_approvers',
    });
    expect(await rejectFix(deps, slackCtx('UAPPROVER'), run.id)).toMatchObject({
      outcome: 'forbidden',
      denial: 'no_approvers',
    });
    const cli = await approveFix(deps, { ...slackCtx('x'), actor: { type: 'cli', user: 'ops' } }, run.id);
    expect(cli.outcome).toBe('applied');
    expect(cli.run.approvedBy).toBe('cli:ops');
  });

  it('four eyes: the requester of a large plan may not approve it; another approver may', async () => {
    const { w } = t;
    await seed(w, unownedOpp());
    for (const policy of [{ fourEyesRecords: 0 }, { fourEyesCents: 0 }]) {
      const deps = fixDeps(w, policy);
      const run = await previewIssue(deps, 'big_UNASSIGNED_OWNER', 'UAPPROVER');
      expect(run.requestedBy).toBe('slack:T1:UAPPROVER');
      const self = await approveFix(deps, slackCtx('UAPPROVER'), run.id);
      expect(self).toMatchObject({ outcome: 'forbidden', denial: 'four_eyes' });
      expect((await w.repos.fixes.get(run.id))!.state).toBe('planned');
      // The requester may still reject their own plan.
      expect((await rejectFix(deps, slackCtx('UAPPROVER'), run.id)).outcome).toBe('rejected');
    }
    const deps = fixDeps(w, { fourEyesRecords: 0 });
    const run = await previewIssue(deps, 'big_UNASSIGNED_OWNER', 'UAPPROVER');
    expect((await approveFix(deps, slackCtx('UAPPROVER'), run.id)).outcome).toBe('forbidden');
    const other = await approveFix(deps, slackCtx('UGROUPIE'), run.id);
    expect(other.outcome).toBe('applied');
    // Under the thresholds (the defaults: 10 records, $25,000 — this plan is $200,000, so raise them),
    // the requester may approve their own plan.
    const relaxed = fixDeps(w, { fourEyesRecords: 10, fourEyesCents: 1e12 });
    await w.db.query(`UPDATE records SET owner = '' WHERE id = 'big'`);
    await w.scan();
    const mine = await previewIssue(relaxed, 'big_UNASSIGNED_OWNER', 'UAPPROVER');
    expect((await approveFix(relaxed, slackCtx('UAPPROVER'), mine.id)).outcome).toBe('applied');
  });

  it('a rejection by an approver ends the plan: a later approval is "already"', async () => {
    const { w, deps } = t;
    const { incidentId, run } = await planned();
    const out = await rejectFix(deps, slackCtx('UAPPROVER'), run.id);
    expect(out).toMatchObject({
      outcome: 'rejected',
      run: { state: 'rejected', rejectedBy: 'slack:T1:UAPPROVER' },
    });
    const entry = (await w.repos.incidents.timeline(incidentId, 1))[0]!;
    expect(entry).toMatchObject({
      kind: 'REJECTED',
      actor: 'slack:T1:UAPPROVER',
      data: { fix_run_id: run.id, title: 'Auto-Routing' },
    });
    expect((await auditActions(w)).at(-1)).toBe('fix.rejected');

    const again = await approveFix(deps, slackCtx('UAPPROVER'), run.id);
    expect(again).toMatchObject({ outcome: 'already', run: { state: 'rejected' } });
    expect((await rejectFix(deps, slackCtx('UAPPROVER'), run.id)).outcome).toBe('already');
    expect((await recordOf(w, 'big')).owner).toBe('');
    expect(await count(w, 'crm_tasks')).toBe(0);
    expect((await kindsOf(w, incidentId)).filter((k) => k === 'REJECTED')).toHaveLength(1);
    expect(await w.repos.audit.verify()).toMatchObject({ ok: true });
  });

  it('applies four eyes to the person, whatever team id Slack sent them under', async () => {
    const { deps } = t;
    await seed(t.w, unownedOpp());
    const wide = { ...deps, approval: { ...deps.approval, approverUsers: ['UREQ'], fourEyesRecords: 0 } };
    const run = await previewIssue(wide, 'big_UNASSIGNED_OWNER');
    const otherTeam = {
      ...slackCtx('UREQ'),
      actor: { type: 'slack' as const, teamId: 'T2', userId: 'UREQ' },
    };
    expect(await approveFix(wide, otherTeam, run.id)).toMatchObject({
      outcome: 'forbidden',
      denial: 'four_eyes',
    });
  });
});
