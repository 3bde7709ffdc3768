import { describe, expect, it } from 'vitest';
import { describeKept } from '../../../src/domain/fixpacks/explain.ts';
import { DAY_MS, MINUTE_MS } from '../../../src/shared/time.ts';
import { buildOpp, buildRecord, daysAgo, minutesAgo, NOW } from '../build.ts';
import { customPack, planOf } from './support.ts';

describe('fix_sla_breach', () => {
  const lead = buildRecord({
    id: 'L1',
    name: 'Dana Lee',
    company: 'Acme',
    owner: '',
    lastTouchAtMs: null,
    createdAtMs: minutesAgo(45),
  });

  it('assigns an owner, then tasks, notifies and drafts for that owner', () => {
    const plan = planOf('fix_sla_breach', [lead], ['L1'], { roundRobinStart: 1 });
    expect(plan.changes).toEqual([{ recordId: 'L1', field: 'owner', old: '', new: 'ben' }]);
    expect(plan.effects).toEqual([
      {
        kind: 'task',
        recordId: 'L1',
        assignee: 'ben',
        title: 'Call within 10 minutes',
        dueAtMs: NOW + 10 * MINUTE_MS,
        priority: 'high',
      },
      {
        kind: 'notify',
        recordId: 'L1',
        channel: null,
        slackUser: 'UBEN',
        owner: 'ben',
        text: 'SLA breach: Dana Lee (Acme) is waiting for a first response. Call within 10 minutes.',
      },
      {
        kind: 'email_draft',
        recordId: 'L1',
        to: 'contact',
        toLabel: 'Dana Lee',
        subject: 'Quick connect',
        body: expect.stringMatching(/^Hi Dana Lee,\n[\s\S]*\nben$/),
      },
    ]);
    expect(plan).toMatchObject({
      packId: 'fix_sla_breach',
      title: 'SLA Breach Rapid Response',
      recordIds: ['L1'],
      warnings: [],
      verify: { kind: 'touched_within', minutes: 10 },
      verifyWindowMs: 10 * MINUTE_MS,
    });
  });

  it('keeps an existing owner and warns when the owner has no Slack user', () => {
    const plan = planOf('fix_sla_breach', [{ ...lead, owner: 'zoe' }], ['L1']);
    expect(plan.changes).toEqual([]);
    expect(
      plan.effects.map((e) =>
        e.kind === 'task' ? e.assignee : e.kind === 'notify' ? e.slackUser : e.toLabel,
      ),
    ).toEqual(['zoe', null, 'Dana Lee']);
    expect(plan.warnings).toEqual(['No Slack user is mapped for owner "zoe" (1 notification: L1)']);
  });
});

describe('fix_assign_owner: round robin', () => {
  const unowned = (n: number, region = 'NA') =>
    Array.from({ length: n }, (_, i) => buildRecord({ id: `u${i}`, owner: '', region }));

  it('rotates through the pool from the caller’s counter', () => {
    const recs = unowned(4);
    const plan = planOf('fix_assign_owner', recs, ['u0', 'u1', 'u2', 'u3'], { roundRobinStart: 2 });
    expect(plan.changes.map((c) => [c.recordId, c.new])).toEqual([
      ['u0', 'cat'],
      ['u1', 'amy'],
      ['u2', 'ben'],
      ['u3', 'cat'],
    ]);
    expect(plan.effects).toEqual([]);
    expect(plan.verifyWindowMs).toBe(0);
  });

  it('uses the region’s pool when it has one, else the global pool; k counts every assignment', () => {
    const recs = [
      buildRecord({ id: 'e1', owner: '', region: 'EMEA' }),
      buildRecord({ id: 'n1', owner: '', region: 'NA' }),
      buildRecord({ id: 'e2', owner: '', region: 'EMEA' }),
      buildRecord({ id: 'a1', owner: '', region: 'APAC' }),
    ];
    const plan = planOf('fix_assign_owner', recs, ['e1', 'n1', 'e2', 'a1'], {
      regionPools: { EMEA: ['eve', 'eli'], APAC: [] },
    });
    expect(plan.changes.map((c) => [c.recordId, c.new])).toEqual([
      ['e1', 'eve'], // k=0
      ['n1', 'ben'], // k=1, global pool
      ['e2', 'eve'], // k=2 → 2 % 2
      ['a1', 'amy'], // k=3, an empty region pool falls back → 3 % 3
    ]);
  });

  it('leaves owned records alone (only_if_empty) and does not count them', () => {
    const recs = [buildRecord({ id: 'o', owner: 'zoe' }), ...unowned(1)];
    const plan = planOf('fix_assign_owner', recs, ['o', 'u0']);
    expect(plan.changes).toEqual([{ recordId: 'u0', field: 'owner', old: '', new: 'amy' }]);
  });

  it('with no pool, changes nothing and says why', () => {
    const plan = planOf('fix_assign_owner', unowned(2), ['u0', 'u1'], { ownerPool: [] });
    expect(plan.changes).toEqual([]);
    expect(plan.warnings).toEqual([
      'No owner pool is configured (FIX_OWNER_POOL); 2 records left unassigned',
    ]);
    expect(plan.blast.records).toBe(0);
  });

  it('a named assignment, overriding when only_if_empty is off', () => {
    const pack = customPack([
      { type: 'assign_owner', strategy: 'named', owner: 'max', only_if_empty: false },
    ]);
    const plan = planOf(pack, [buildRecord({ id: 'x', owner: 'zoe' })], ['x']);
    expect(plan.changes).toEqual([{ recordId: 'x', field: 'owner', old: 'zoe', new: 'max' }]);
    expect(plan.blast.owners).toEqual(['max', 'zoe']);
  });
});

describe('fix_next_step', () => {
  it('sets the default next step per record type, and a task for the owner', () => {
    const recs = [
      buildRecord({ id: 'l', nextStep: '', createdAtMs: daysAgo(3) }),
      buildOpp({ id: 'o', nextStep: '', owner: '' }),
    ];
    const plan = planOf('fix_next_step', recs, ['l', 'o']);
    expect(plan.changes).toEqual([
      { recordId: 'l', field: 'next_step', old: '', new: 'Discovery Call' },
      { recordId: 'o', field: 'next_step', old: '', new: 'Review Account Status' },
    ]);
    expect(plan.effects).toEqual([
      {
        kind: 'task',
        recordId: 'l',
        assignee: 'alice',
        title: 'Set the next step',
        dueAtMs: NOW + DAY_MS,
        priority: 'normal',
      },
      {
        kind: 'task',
        recordId: 'o',
        assignee: 'Unassigned',
        title: 'Set the next step',
        dueAtMs: NOW + DAY_MS,
        priority: 'normal',
      },
    ]);
    expect(plan.warnings).toEqual(['1 task goes to "Unassigned": no owner on o']);
  });

  it('leaves an existing next step alone (only_if_empty)', () => {
    const plan = planOf('fix_next_step', [buildOpp({ id: 'o', nextStep: 'Send proposal' })], ['o']);
    expect(plan.changes).toEqual([]);
  });
});

describe('fix_stale_opp', () => {
  const opp = (id: string, valueCents: number) =>
    buildOpp({
      id,
      name: `Deal ${id}`,
      company: 'Acme',
      valueCents,
      lastTouchAtMs: daysAgo(10),
      owner: 'alice',
    });

  // Issue 10 item 2: "Contract review" and "Demo scheduled" were replaced by "Rescue sequence initiated".
  it('keeps a real next step (the task is created instead), notifies (the manager above $10,000) and drafts', () => {
    const plan = planOf('fix_stale_opp', [opp('big', 1_200_000)], ['big']);
    expect(plan.changes).toEqual([]);
    expect(plan.kept).toEqual([
      {
        recordId: 'big',
        field: 'next_step',
        value: 'Send proposal',
        proposed: 'Rescue sequence initiated',
        taskCreated: true,
      },
    ]);
    expect(plan.effects).toEqual([
      {
        kind: 'task',
        recordId: 'big',
        assignee: 'alice',
        title: 'Rescue: re-engage Deal big',
        dueAtMs: NOW + DAY_MS,
        priority: 'high',
      },
      {
        kind: 'notify',
        recordId: 'big',
        channel: null,
        slackUser: 'UALICE',
        owner: 'alice',
        text: 'Deal going cold: Deal big (Acme, $12,000) has had no activity. A rescue task is on you.',
      },
      {
        kind: 'notify',
        recordId: 'big',
        channel: 'CMGR',
        slackUser: null,
        owner: 'alice',
        text: 'Deal at risk: Deal big (Acme, $12,000, owner alice) has had no activity; a rescue is under way.',
      },
      {
        kind: 'email_draft',
        recordId: 'big',
        to: 'contact',
        toLabel: 'Deal big',
        subject: 'Checking in on Acme',
        body: expect.stringContaining('where things stand at Acme'),
      },
    ]);
    expect(plan.verifyWindowMs).toBe(2 * DAY_MS);
  });

  it('fills an empty next step, and says nothing was kept', () => {
    const plan = planOf('fix_stale_opp', [buildOpp({ ...opp('o', 500_000), nextStep: ' ' })], ['o']);
    expect(plan.changes).toEqual([
      { recordId: 'o', field: 'next_step', old: ' ', new: 'Rescue sequence initiated' },
    ]);
    expect(plan.kept).toEqual([]);
  });

  it('a kept field with no task for its record says it was left as it is', () => {
    const pack = customPack([{ type: 'set_field', field: 'region', value: 'EMEA', only_if_empty: true }]);
    const plan = planOf(
      pack,
      [buildOpp({ id: 'o', region: 'NA' }), buildOpp({ id: 'e', region: '' })],
      ['o', 'e'],
    );
    expect(plan.changes).toEqual([{ recordId: 'e', field: 'region', old: '', new: 'EMEA' }]);
    expect(plan.kept).toEqual([
      { recordId: 'o', field: 'region', value: 'NA', proposed: 'EMEA', taskCreated: false },
    ]);
    expect(plan.kept!.map(describeKept)).toEqual(["region kept: 'NA' (left as it is)"]);
  });

  it('overwrites only when the pack says so (only_if_empty: false)', () => {
    const pack = customPack([
      { type: 'set_field', field: 'next_step', value: 'Escalate', only_if_empty: false },
      {
        type: 'create_task',
        assignee: 'record_owner',
        title: 'Escalate',
        due_in_minutes: 60,
        priority: 'high',
      },
    ]);
    const plan = planOf(pack, [opp('o', 500_000)], ['o']);
    expect(plan.changes).toEqual([
      { recordId: 'o', field: 'next_step', old: 'Send proposal', new: 'Escalate' },
    ]);
    expect(plan.kept).toEqual([]);
  });

  it('names what it kept in words', () => {
    const plan = planOf(
      'fix_stale_opp',
      [opp('c', 9_000_000)].map((r) => ({ ...r, nextStep: 'Contract review' })),
      ['c'],
    );
    expect(plan.kept!.map(describeKept)).toEqual([
      "next_step kept: 'Contract review' (task created instead)",
    ]);
  });

  it('a deal of exactly $10,000 does not reach the manager channel', () => {
    const plan = planOf('fix_stale_opp', [opp('even', 1_000_000)], ['even']);
    expect(plan.effects.filter((e) => e.kind === 'notify' && e.channel === 'CMGR')).toEqual([]);
  });

  it('without a manager channel the manager notification is skipped with a warning', () => {
    const plan = planOf('fix_stale_opp', [opp('a', 2_000_000), opp('b', 3_000_000)], ['a', 'b'], {
      managerChannel: null,
    });
    expect(plan.effects.filter((e) => e.kind === 'notify')).toHaveLength(2);
    expect(plan.warnings).toEqual([
      'No manager channel is configured; 2 manager notifications skipped (a, b)',
    ]);
  });
});
