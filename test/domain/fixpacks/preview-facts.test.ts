import { describe, expect, it } from 'vitest';
import { notifySummary } from '../../../src/domain/fixpacks/notifications.ts';
import { approvalOf, DEFAULT_APPROVAL_POLICY } from '../../../src/domain/fixpacks/run.ts';
import type { SideEffect } from '../../../src/domain/fixpacks/types.ts';
import { buildOpp } from '../build.ts';
import { planOf } from './support.ts';

/** The facts a preview states besides the diff (issue 10 items 4 and 5), decided in the domain. */

describe('approvalOf: whether four eyes applies and who can approve', () => {
  const plan = (records: number, dollarsCents: number) => ({
    ...planOf('fix_assign_owner', [], []),
    blast: { records, owners: [], teams: [], issues: 1, dollarsCents },
  });
  const policy = {
    ...DEFAULT_APPROVAL_POLICY,
    approverUsers: ['UAPP1', 'UAPP2'],
    approverGroup: 'SAPPROVERS',
    fourEyesRecords: 10,
    fourEyesCents: 2_500_000,
  };

  it.each([
    ['at both thresholds', 10, 2_500_000, false],
    ['one record over', 11, 0, true],
    ['one cent over', 1, 2_500_001, true],
  ])('%s → four eyes %s', (_name, records, cents, fourEyes) => {
    expect(approvalOf(plan(records, cents), policy)).toEqual({
      fourEyes,
      fourEyesRecords: 10,
      fourEyesCents: 2_500_000,
      approverUsers: ['UAPP1', 'UAPP2'],
      approverGroup: 'SAPPROVERS',
    });
  });

  it('says when nobody is configured', () => {
    expect(approvalOf(plan(1, 0), DEFAULT_APPROVAL_POLICY)).toMatchObject({
      approverUsers: [],
      approverGroup: null,
    });
  });
});

describe('notifySummary: the Slack messages a plan will send, counted as the outbox sends them', () => {
  const dm = (recordId: string, owner: string, slackUser: string | null): SideEffect => ({
    kind: 'notify',
    recordId,
    channel: null,
    slackUser,
    owner,
    text: 'hi',
  });
  const post = (recordId: string, channel: string): SideEffect => ({
    kind: 'notify',
    recordId,
    channel,
    slackUser: null,
    owner: 'x',
    text: 'hi',
  });

  it('counts DMs to mapped owners only (one per notification), and unmapped owners once each', () => {
    const effects: SideEffect[] = [
      dm('a', 'Priya', 'UPRIYA'),
      dm('b', 'Priya', 'UPRIYA'),
      dm('c', 'Bob', null),
      dm('d', 'Bob', null),
      dm('e', 'Carol', null),
      post('a', 'CMGR'),
      post('b', 'CMGR'),
      post('c', 'COPS'),
      { kind: 'task', recordId: 'a', assignee: 'Priya', title: 't', dueAtMs: 0, priority: 'high' },
    ];
    expect(notifySummary(effects)).toEqual({
      messages: 5,
      dms: 2,
      dmUsers: 1,
      channels: [
        { channel: 'CMGR', count: 2 },
        { channel: 'COPS', count: 1 },
      ],
      unmappedOwners: ['Bob', 'Carol'],
    });
  });

  it('a bulk rescue of three deals of one unmapped owner: no DM, one owner not mapped', () => {
    const deals = ['x', 'y', 'z'].map((id) => buildOpp({ id, owner: 'Bob', lastTouchAtMs: 0 }));
    const plan = planOf('fix_stale_opp', deals, ['x', 'y', 'z'], { managerChannel: null });
    expect(notifySummary(plan.effects)).toMatchObject({ messages: 0, dms: 0, unmappedOwners: ['Bob'] });
  });
});
