import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../../src/adapters/cli/fix-report.ts';
import { buildPlan } from '../slack/fix-fixtures.ts';

/** `leak fix preview` states what the Slack preview states (issue 10 items 1, 2, 4 and 5). */
describe('formatPlan', () => {
  it('names the survivor of a merge and why, and the closed records only linked', () => {
    const out = formatPlan(
      buildPlan({
        merges: [
          {
            domain: 'tyrell.com',
            survivorId: '112',
            archivedIds: ['113'],
            linkedIds: ['110'],
            reason: 'kept 112: open opportunity over lead 113',
          },
        ],
      }),
    );
    expect(out).toContain(
      'Survivors\n  tyrell.com: kept 112: open opportunity over lead 113 · linked, never archived: 110\n',
    );
  });

  it('lists the fields kept instead of overwritten', () => {
    const out = formatPlan(
      buildPlan({
        kept: [
          {
            recordId: '114',
            field: 'next_step',
            value: 'Contract review',
            proposed: 'Rescue sequence initiated',
            taskCreated: true,
          },
        ],
      }),
    );
    expect(out).toContain(
      "Kept, not overwritten\n  # 114 next_step kept: 'Contract review' (task created instead)\n",
    );
  });

  it('counts the Slack messages that will be sent and the owners not mapped', () => {
    const effects = buildPlan().effects.flatMap((e) =>
      e.kind === 'notify' && e.channel === null
        ? [
            e,
            { ...e, recordId: 'X', slackUser: null, owner: 'Bob' },
            { ...e, recordId: 'Y', slackUser: null, owner: 'Bob' },
          ]
        : [e],
    );
    expect(formatPlan(buildPlan({ effects }))).toContain(
      '  Slack: 2 messages (1 DM, 1 to #C0MGR) · 1 owner not mapped to Slack, no DM: Bob',
    );
  });

  it('says whether four eyes applies and who can approve', () => {
    const approval = {
      fourEyes: false,
      fourEyesRecords: 10,
      fourEyesCents: 2_500_000,
      approverUsers: ['UAPP1'],
      approverGroup: 'SAPPROVERS',
    };
    const out = formatPlan(buildPlan({ approval }));
    expect(out).toContain(
      'Approval\n  no four eyes: 3 records / $12,345 is within 10 records and $25,000; whoever asked for it may approve it too\n  who can approve: UAPP1, members of group SAPPROVERS',
    );
    const four = formatPlan(
      buildPlan({ approval: { ...approval, fourEyes: true, approverUsers: [], approverGroup: null } }),
    );
    expect(four).toContain(
      '  four eyes: 3 records / $12,345 is over 10 records or $25,000; whoever asked for it may not approve it\n  who can approve: nobody is configured to approve (FIX_APPROVERS, FIX_APPROVER_GROUP)',
    );
  });
});
