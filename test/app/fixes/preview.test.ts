import { describe, expect, it } from 'vitest';
import { planFor, previewFix } from '../../../src/app/fixes/preview.ts';
import { buildOpp, buildRecord } from '../../domain/build.ts';
import { backends } from '../../support/db.ts';
import {
  auditActions,
  count,
  jobsOf,
  previewIssue,
  REQUESTER,
  seed,
  slackCtx,
  timeline,
  unownedOpp,
  useWorld,
} from './support.ts';

const TABLES = ['fix_runs', 'audit_log', 'jobs', 'incident_events', 'crm_tasks', 'email_drafts'];
const counts = async (w: Parameters<typeof count>[0]) =>
  Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await count(w, t)] as const)));

describe.each(backends)('fix preview on $name', (backend) => {
  const t = useWorld(backend);

  it('stores the exact plan, its timeline entry, audit row and message job, and leaves records alone', async () => {
    const { w, deps } = t;
    const incidentId = await seed(w, unownedOpp());
    expect(incidentId).not.toBeNull();
    const recordsBefore = await w.db.query('SELECT * FROM records ORDER BY id');

    const run = await previewIssue(deps, 'big_UNASSIGNED_OWNER');

    expect(run).toMatchObject({
      state: 'planned',
      incidentId,
      requestedBy: REQUESTER,
      createdAtMs: w.clock.now(),
      expiresAtMs: w.clock.now() + deps.approval.ttlMs,
      appliedAtMs: null,
      recoveredCents: 0,
    });
    expect(run.plan.packId).toBe('fix_assign_owner');
    expect(run.plan.changes).toEqual([{ recordId: 'big', field: 'owner', old: '', new: 'Priya Shah' }]);
    expect(run.plan.effects).toEqual([]);
    expect(run.plan.recordIds).toEqual(['big']);
    expect(run.plan.blast).toEqual({
      records: 1,
      owners: ['Priya Shah'],
      teams: ['RevOps', 'Sales_Mgmt'],
      issues: 1,
      dollarsCents: 20_000_000,
    });
    expect(run.plan.verify).toEqual({ kind: 'field_present', field: 'owner' });
    expect(run.plan.verifyWindowMs).toBe(0);
    expect(await w.repos.fixes.get(run.id)).toEqual(run);

    const entry = (await timeline(w, incidentId!)).at(-1)!;
    expect(entry).toMatchObject({
      kind: 'FIXPACK_PREVIEWED',
      actor: REQUESTER,
      data: {
        fix_run_id: run.id,
        pack: 'fix_assign_owner',
        title: 'Auto-Routing',
        records: 1,
        dollars_cents: 20_000_000,
        changes: 1,
      },
    });
    expect((await auditActions(w)).at(-1)).toBe('fix.previewed');
    const [audit] = await w.db.query<{ actor: string; target_type: string; target_id: string }>(
      `SELECT actor, target_type, target_id FROM audit_log WHERE action = 'fix.previewed'`,
    );
    expect(audit).toEqual({ actor: REQUESTER, target_type: 'fix_run', target_id: run.id });
    // The incident's channel is not made yet: no message job, the preview is the requester's alone
    // (preview-channel.test.ts has where previews go).
    expect(run.channelId).toBeNull();
    expect(await jobsOf(w, 'fix.message')).toEqual([]);
    expect((await w.repos.audit.verify()).ok).toBe(true);

    // A dry run: the records table is exactly as it was, and nothing was sent to a CRM.
    expect(await w.db.query('SELECT * FROM records ORDER BY id')).toEqual(recordsBefore);
    expect(await count(w, 'crm_tasks')).toBe(0);
    expect(await count(w, 'email_drafts')).toBe(0);
  });

  it('planFor without reserving writes nothing and peeks at the round-robin counter', async () => {
    const { w, deps } = t;
    await seed(w, unownedOpp());
    const before = await counts(w);
    const records = await w.db.query('SELECT * FROM records ORDER BY id');

    const a = await planFor(
      deps,
      { kind: 'issue', issueId: 'big_UNASSIGNED_OWNER' },
      { reserveRoundRobin: false },
    );
    const b = await planFor(
      deps,
      { kind: 'issue', issueId: 'big_UNASSIGNED_OWNER' },
      { reserveRoundRobin: false },
    );

    expect(a.plan).toEqual(b.plan);
    expect(a.plan.changes).toEqual([{ recordId: 'big', field: 'owner', old: '', new: 'Priya Shah' }]);
    expect(a.snapshot.map((r) => r.id)).toEqual(['big']);
    expect(await counts(w)).toEqual(before);
    expect(await w.db.query('SELECT * FROM records ORDER BY id')).toEqual(records);
    // The preview that follows gets the owner the dry run showed (the counter was not moved).
    expect((await previewIssue(deps, 'big_UNASSIGNED_OWNER')).plan.changes[0]!.new).toBe('Priya Shah');
  });

  it('successive previews rotate the round robin', async () => {
    const { w, deps } = t;
    await seed(w, unownedOpp());
    const owners = [];
    for (let n = 0; n < 3; n++)
      owners.push((await previewIssue(deps, 'big_UNASSIGNED_OWNER')).plan.changes[0]!.new);
    expect(owners).toEqual(['Priya Shah', 'Marcus Lee', 'Priya Shah']);
  });

  it('refuses an unknown or cleared issue with NOT_FOUND, writing nothing', async () => {
    const { w, deps } = t;
    await seed(w, unownedOpp());
    await expect(previewIssue(deps, 'nope_UNASSIGNED_OWNER')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // The owner is set and a rescan clears the finding.
    await w.db.query(`UPDATE records SET owner = 'alice' WHERE id = 'big'`);
    await w.scan();
    const before = await counts(w);
    await expect(previewIssue(deps, 'big_UNASSIGNED_OWNER')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/not open/),
    });
    await expect(
      previewFix(deps, slackCtx('UREQ'), { kind: 'bulk', issueType: 'STALE_OPP' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await counts(w)).toEqual(before);
  });

  it('plans a bulk fix over every open issue of a type, alternating owners', async () => {
    const { w, deps } = t;
    const incidentId = await seed(w, [
      buildOpp({ id: 'o1', owner: '', valueCents: 3_000_000 }),
      buildOpp({ id: 'o2', owner: '', valueCents: 2_000_000 }),
      buildRecord({ id: 'l3', owner: '', valueCents: 1_000_000 }),
      buildRecord({ id: 'fine' }),
    ]);
    const run = await previewFix(deps, slackCtx('UREQ'), { kind: 'bulk', issueType: 'UNASSIGNED_OWNER' });
    expect(run.plan.title).toBe('Assign owners to all 3 unowned records');
    expect(run.plan.packId).toBe('fix_assign_owner_bulk');
    // Largest dollars first: o1, o2, l3.
    expect(run.plan.changes).toEqual([
      { recordId: 'o1', field: 'owner', old: '', new: 'Priya Shah' },
      { recordId: 'o2', field: 'owner', old: '', new: 'Marcus Lee' },
      { recordId: 'l3', field: 'owner', old: '', new: 'Priya Shah' },
    ]);
    expect(run.plan.blast).toMatchObject({
      records: 3,
      owners: ['Marcus Lee', 'Priya Shah'],
      issues: 3,
      dollarsCents: 6_000_000,
    });
    expect(run.plan.issues.map((i) => i.issueId)).toEqual([
      'o1_UNASSIGNED_OWNER',
      'o2_UNASSIGNED_OWNER',
      'l3_UNASSIGNED_OWNER',
    ]);
    const entry = (await timeline(w, incidentId!)).at(-1)!;
    expect(entry.data).toMatchObject({ title: 'Assign owners to all 3 unowned records', records: 3 });
    // The whole bulk reserved three positions: the next preview starts at the fourth.
    const next = await previewIssue(deps, 'o1_UNASSIGNED_OWNER');
    expect(next.plan.changes[0]!.new).toBe('Marcus Lee');
  });
});
