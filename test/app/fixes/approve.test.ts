import { describe, expect, it } from 'vitest';
import { approveFix, STALE_REASON } from '../../../src/app/fixes/approve.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { buildRecord } from '../../domain/build.ts';
import { backends } from '../../support/db.ts';
import {
  auditActions,
  breachedLead,
  count,
  insertCustomRun,
  jobsOf,
  kindsOf,
  previewIssue,
  recordOf,
  seed,
  slackCtx,
  unownedOpp,
  useWorld,
} from './support.ts';

const APPROVER = 'slack:T1:UAPPROVER';

describe.each(backends)('fix approval on $name', (backend) => {
  const t = useWorld(backend);

  it('applies once for fifty concurrent clicks, and the guard verifies an owner fix at once', async () => {
    const { w, deps } = t;
    const incidentId = (await seed(w, unownedOpp()))!;
    const run = await previewIssue(deps, 'big_UNASSIGNED_OWNER');
    const at = w.clock.now();

    const outs = await Promise.all(
      Array.from({ length: 50 }, () => approveFix(deps, slackCtx('UAPPROVER'), run.id)),
    );
    const outcomes = outs.map((o) => o.outcome);
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'already')).toHaveLength(49);

    expect((await recordOf(w, 'big')).owner).toBe('Priya Shah');
    const done = (await w.repos.fixes.get(run.id))!;
    expect(done).toMatchObject({
      state: 'applied',
      approvedBy: APPROVER,
      appliedAtMs: at,
      inverse: [{ recordId: 'big', field: 'owner', old: 'Priya Shah', new: '' }],
      recoveredCents: 20_000_000,
      verification: 'verified',
      verifyDueAtMs: null,
    });
    expect(done.guard).toEqual({
      cleared: [{ issueId: 'big_UNASSIGNED_OWNER', lossCents: 20_000_000 }],
      awaiting: [],
      introduced: [],
      clearedCents: 20_000_000,
      passed: true,
    });
    const applied = outs.find((o) => o.outcome === 'applied')!;
    expect(applied.run).toEqual(done);

    const kinds = await kindsOf(w, incidentId);
    expect(kinds.filter((k) => k === 'APPROVED')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'APPLIED')).toHaveLength(1);
    expect(kinds.slice(-4)).toEqual(['FIXPACK_PREVIEWED', 'APPROVED', 'APPLIED', 'VERIFIED']);
    expect((await auditActions(w)).filter((a) => a.startsWith('fix.'))).toEqual([
      'fix.previewed',
      'fix.approved',
      'fix.applied',
      'fix.guarded',
    ]);
    expect(await w.repos.audit.verify()).toMatchObject({ ok: true });
    // No CRM task or draft in this pack, and the incident gets a sync job.
    expect(await count(w, 'crm_tasks')).toBe(0);
    expect(await jobsOf(w, 'incident.sync')).toHaveLength(1);
  });

  it('SLA breach: assigns, creates the task and draft, DMs the owner, and waits 10 minutes to verify', async () => {
    const { w, deps } = t;
    const incidentId = (await seed(w, breachedLead()))!;
    const run = await previewIssue(deps, 'lead_SLA_BREACH_UNTOUCHED');
    expect(run.plan.packId).toBe('fix_sla_breach');
    const at = w.clock.now();
    const [finding] = await w.db.query<{ unassigned: number }>(
      `SELECT estimated_loss_cents::float8 AS unassigned FROM findings WHERE issue_id = 'lead_UNASSIGNED_OWNER'`,
    );

    const out = await approveFix(deps, slackCtx('UAPPROVER'), run.id);
    expect(out.outcome).toBe('applied');
    expect(await recordOf(w, 'lead')).toMatchObject({ owner: 'Priya Shah', lastTouchAtMs: null });

    const tasks = await w.db.query<Record<string, unknown>>(
      `SELECT record_id, assignee, title, priority, status, floor(extract(epoch FROM due_at) * 1000)::float8 AS due
       FROM crm_tasks WHERE fix_run_id = $1`,
      [run.id],
    );
    expect(tasks).toEqual([
      {
        record_id: 'lead',
        assignee: 'Priya Shah',
        title: 'Call within 10 minutes',
        priority: 'high',
        status: 'open',
        due: at + 10 * MINUTE_MS,
      },
    ]);
    const drafts = await w.db.query('SELECT record_id, recipient, subject, status FROM email_drafts');
    expect(drafts).toEqual([
      { record_id: 'lead', recipient: 'contact', subject: 'Quick connect', status: 'draft' },
    ]);
    const notify = await jobsOf(w, 'fix.notify');
    expect(notify).toEqual([
      {
        key: `fix:${run.id}:notify:0`,
        payload: expect.objectContaining({
          fix_run_id: run.id,
          channel: 'UPRIYA',
          dm: true,
          record_id: 'lead',
        }),
      },
    ]);

    const done = (await w.repos.fixes.get(run.id))!;
    // The owner issue cleared with the assignment; the SLA breach awaits a touch within the window.
    expect(done.guard).toMatchObject({
      cleared: [{ issueId: 'lead_UNASSIGNED_OWNER', lossCents: finding!.unassigned }],
      awaiting: [{ issueId: 'lead_SLA_BREACH_UNTOUCHED', lossCents: 5_000_000 }],
      introduced: [],
      passed: true,
    });
    expect(done).toMatchObject({
      recoveredCents: finding!.unassigned,
      verification: 'pending',
      appliedAtMs: at,
      verifyDueAtMs: at + 10 * MINUTE_MS,
    });
    const kinds = await kindsOf(w, incidentId);
    expect(kinds.slice(-3)).toEqual(['FIXPACK_PREVIEWED', 'APPROVED', 'APPLIED']);
    expect(await w.repos.audit.verify()).toMatchObject({ ok: true });
  });

  it('fails a stale plan: a record changed after the preview is not written', async () => {
    const { w, deps } = t;
    await seed(w, unownedOpp());
    const run = await previewIssue(deps, 'big_UNASSIGNED_OWNER');
    await w.db.query(`UPDATE records SET next_step = 'x' WHERE id = 'big'`);
    const changed = await recordOf(w, 'big');

    const out = await approveFix(deps, slackCtx('UAPPROVER'), run.id);
    expect(out.outcome).toBe('stale');
    expect(out.run).toMatchObject({ state: 'failed', reason: STALE_REASON, appliedAtMs: null });
    expect(STALE_REASON).toBe('the plan is stale, preview again');
    expect(await recordOf(w, 'big')).toEqual(changed);
    expect(changed.owner).toBe('');
    expect((await auditActions(w)).at(-1)).toBe('fix.stale');
    // A failed plan stays failed.
    expect((await approveFix(deps, slackCtx('UAPPROVER'), run.id)).outcome).toBe('already');
  });

  it('rolls back a fix that introduces a new issue (the regression guard)', async () => {
    const { w, deps } = t;
    const incidentId = (await seed(w, [...unownedOpp(), buildRecord({ id: 'own', company: 'Own Co' })]))!;
    const original = await recordOf(w, 'own');
    const { run, plan } = await insertCustomRun(w, deps, incidentId, {
      version: 1,
      id: 'bad',
      title: 'Blank the owner',
      steps: [{ type: 'set_field', field: 'owner', value: '', only_if_empty: false }],
      verify: { kind: 'field_present', field: 'owner' },
    });
    expect(plan.changes).toEqual([{ recordId: 'own', field: 'owner', old: 'alice', new: '' }]);

    const out = await approveFix(deps, slackCtx('UAPPROVER'), run.id);
    expect(out.outcome).toBe('rolled_back');
    expect(await recordOf(w, 'own')).toEqual(original);
    const done = (await w.repos.fixes.get(run.id))!;
    expect(done).toMatchObject({ state: 'rolled_back', recoveredCents: 0, verification: null, skipped: [] });
    expect(done.reason).toMatch(/introduced 1 new issue/);
    expect(done.reason).toContain('own_UNASSIGNED_OWNER');
    expect(done.guard!.introduced.map((i) => i.issueId)).toEqual(['own_UNASSIGNED_OWNER']);
    expect(done.guard!.passed).toBe(false);
    const entry = (await w.repos.incidents.timeline(incidentId, 1))[0]!;
    expect(entry).toMatchObject({
      kind: 'ROLLED_BACK',
      actor: APPROVER,
      data: { fix_run_id: run.id, reverted: 1, left_alone: [] },
    });
    expect((await kindsOf(w, incidentId)).slice(-3)).toEqual(['APPROVED', 'APPLIED', 'ROLLED_BACK']);
    expect((await auditActions(w)).at(-1)).toBe('fix.rolled_back');
    expect(await w.repos.audit.verify()).toMatchObject({ ok: true });
  });

  it('rejects an unknown run with NOT_FOUND', async () => {
    await expect(approveFix(t.deps, slackCtx('UAPPROVER'), '424242')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
