import { describe, expect, it } from 'vitest';
import { diffLines, renderFixPreview } from '../../../src/adapters/slack/blocks/fix-preview.ts';
import { FIX_ACTIONS, parseFixAction } from '../../../src/adapters/slack/blocks/ids.ts';
import { limitViolations } from '../../../src/adapters/slack/blocks/limits.ts';
import type { KnownBlock } from '../../../src/adapters/slack/blocks/types.ts';
import type { FixRunState } from '../../../src/domain/fixpacks/run.ts';
import type { FieldChange } from '../../../src/domain/fixpacks/types.ts';
import { buildPlan, buildRun, CHANGES } from './fix-fixtures.ts';
import { flat, HOSTILE, PINGS, T0 } from './incident-fixtures.ts';

type Button = {
  action_id: string;
  value: string;
  style?: string;
  confirm?: {
    title: { text: string };
    text: { text: string };
    confirm: { text: string };
    deny: { text: string };
  };
};
const buttons = (blocks: readonly KnownBlock[]): Button[] =>
  blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as unknown as Button[]) : []));
const headerText = (blocks: readonly KnownBlock[]) => {
  const h = blocks.find((b) => b.type === 'header');
  return h?.type === 'header' ? h.text.text : '';
};
/** The text of the section holding the diff's code block. */
const diffText = (blocks: readonly KnownBlock[]): string => {
  const s = blocks.find((b) => b.type === 'section' && b.text?.text.includes('```'));
  return s?.type === 'section' ? (s.text?.text ?? '') : '';
};
const STATES: FixRunState[] = [
  'planned',
  'approved',
  'applying',
  'applied',
  'failed',
  'rolled_back',
  'rejected',
  'expired',
];

describe('renderFixPreview: headers and buttons by state', () => {
  it.each([
    ['planned', 'Fix preview', [FIX_ACTIONS.approve, FIX_ACTIONS.reject]],
    ['approved', 'Applying', []],
    ['applying', 'Applying', []],
    ['applied', 'Fix applied', [FIX_ACTIONS.rollback]],
    ['failed', 'Fix failed', []],
    ['rolled_back', 'Fix rolled back', []],
    ['rejected', 'Fix rejected', []],
    ['expired', 'Fix preview expired', []],
  ] as const)('%s: "%s" with %j', (state, heading, actions) => {
    const r = renderFixPreview(buildRun(state));
    expect(headerText(r.blocks)).toBe(`:wrench: ${heading}: SLA Breach Rapid Response`);
    expect(buttons(r.blocks).map((b) => b.action_id)).toEqual(actions);
    expect(r.blocks.some((b) => b.type === 'actions')).toBe(actions.length > 0);
    for (const b of buttons(r.blocks))
      expect(parseFixAction(b.action_id, b.value)).toMatchObject({ runId: '7' });
    expect(limitViolations(r)).toEqual([]);
  });

  it('asks before applying and before rolling back', () => {
    const [approve, reject] = buttons(renderFixPreview(buildRun('planned')).blocks);
    expect(approve?.style).toBe('primary');
    expect(reject?.style).toBe('danger');
    expect(reject?.confirm).toBeUndefined();
    expect(approve?.confirm?.title.text).toBe('Apply this fix?');
    expect(approve?.confirm?.text.text).toBe(
      'Changes 3 records ($12,345 addressed). It is applied in one transaction and can be rolled back for 24 hours.',
    );
    expect(approve?.confirm?.confirm.text).toBe('Apply');
    expect(approve?.confirm?.deny.text).toBe('Cancel');
    const [rollback] = buttons(renderFixPreview(buildRun('applied')).blocks);
    expect(rollback?.style).toBe('danger');
    expect(rollback?.confirm?.title.text).toBe('Roll back this fix?');
    expect(buttons(renderFixPreview(buildRun('applied', { rolledBackAtMs: T0 })).blocks)).toEqual([]);
  });
});

describe('renderFixPreview: content', () => {
  it('renders the exact diff, records grouped, notes as the appended part only', () => {
    expect(diffText(renderFixPreview(buildRun('planned')).blocks)).toBe(
      [
        '*Changes* · 4 changes on 3 records',
        '```',
        '# L-1001',
        '- owner: (empty)',
        '+ owner: Priya Shah',
        '- next_step: (empty)',
        '+ next_step: Discovery Call',
        '# O-2005',
        '+ notes: …Merged from O-2006: wants pricing',
        '# O-2006',
        '- stage: Proposal',
        '+ stage: Archived',
        '```',
      ].join('\n'),
    );
  });

  it('cuts the diff at maxDiffLines, whole changes only, and counts what is left', () => {
    const text = diffText(renderFixPreview(buildRun('planned'), { maxDiffLines: 4 }).blocks);
    expect(text).toContain('+ owner: Priya Shah\n… 3 more changes on 3 records\n```');
    expect(text).not.toContain('next_step');
    expect(diffLines(CHANGES, 6, 3000).at(-1)).toBe('… 2 more changes on 2 records');
    expect(diffLines(CHANGES, 0, 3000)).toEqual(['… 4 more changes on 3 records']);
  });

  it('shows side effects, blast radius, warnings and who planned it', () => {
    const s = flat(renderFixPreview(buildRun('planned')));
    expect(s).toContain('1 task: Call within 10 minutes (high priority, due in 10 min) for Priya Shah');
    expect(s).toContain('2 Slack messages (1 DM, 1 to <#C0MGR>)\\n');
    expect(s).toContain('1 email draft: Quick connect → Grace Liu');
    expect(s).toContain('*Records*\\n3');
    expect(s).toContain('*Owners*\\nPriya Shah, Sam Lee');
    expect(s).toContain('*Teams*\\nSDR_Team, RevOps');
    expect(s).toContain('*Issues*\\n3');
    expect(s).toContain('*Dollars addressed*\\n$12,345');
    expect(s).toContain(':warning: No owner pool for region EMEA');
    expect(s).toMatch(/Planned by <@U0REQ> <!date\^\d+\^[^>]+> · expires <!date\^/);
  });

  it('says when a DM cannot be sent, and when a plan has no side effects', () => {
    const effects = buildPlan().effects.map((e) =>
      e.kind === 'notify' ? { ...e, channel: null, slackUser: null } : e,
    );
    const s = flat(renderFixPreview(buildRun('planned', { plan: buildPlan({ effects }) })));
    expect(s).toContain(
      'No Slack message will be sent · 2 owners not mapped to Slack, no DM: Priya Shah, Sam Lee',
    );
    const none = flat(renderFixPreview(buildRun('planned', { plan: buildPlan({ effects: [] }) })));
    expect(none).toContain('No side effects: only the field changes.');
  });

  it('caps owners at five, then +N', () => {
    const owners = Array.from({ length: 8 }, (_, n) => `owner${n}`);
    const run = buildRun('planned', { plan: buildPlan({ blast: { ...buildPlan().blast, owners } }) });
    expect(flat(renderFixPreview(run))).toContain('owner0, owner1, owner2, owner3, owner4 +3');
  });

  it('reports the guard, verification, rollback and failure', () => {
    const applied = flat(renderFixPreview(buildRun('applied')));
    expect(applied).toContain('Approved by <@U0APP>');
    expect(applied).toContain(
      ':white_check_mark: Cleared 1 issue ($5,000) · :hourglass_flowing_sand: 1 awaiting verification (2 days window) · no new issues',
    );
    expect(applied).toContain('can be rolled back until <!date^');
    expect(applied).toContain('Verification due <!date^');
    const back = flat(renderFixPreview(buildRun('rolled_back')));
    expect(back).toContain(':x: 1 new issue');
    expect(back).toMatch(/Rolled back <!date\^[^>]+>: regression guard: 1 new issue/);
    expect(back).toContain('Left alone, changed since by someone else: `L-1001.owner`');
    expect(flat(renderFixPreview(buildRun('failed')))).toContain(':x: Failed: database unavailable');
    expect(flat(renderFixPreview(buildRun('rejected')))).toContain('Rejected by <@U0REJ>');
    const verified = buildRun('applied', { verification: 'verified', recoveredCents: 500_000 });
    expect(flat(renderFixPreview(verified))).toContain('Verified: the fix held');
    expect(flat(renderFixPreview(verified))).toContain('Recovered $5,000');
  });
});

/** Issue 10 items 1, 2, 4 and 5: what a reviewer must know before clicking Approve. */
describe('renderFixPreview: survivors, kept values, approval and true counts', () => {
  const merges = [
    {
      domain: 'tyrell.com',
      survivorId: '112',
      archivedIds: ['113'],
      linkedIds: ['110'],
      reason: 'kept 112: open opportunity over lead 113',
    },
  ];
  const kept = [
    {
      recordId: '114',
      field: 'next_step' as const,
      value: 'Contract review',
      proposed: 'Rescue sequence initiated',
      taskCreated: true,
    },
  ];
  const approval = {
    fourEyes: true,
    fourEyesRecords: 10,
    fourEyesCents: 2_500_000,
    approverUsers: ['U0APP1', 'U0APP2'],
    approverGroup: 'S0APPROVE',
  };

  it('names the survivor of each merge and why, and the closed records it only links', () => {
    const s = flat(renderFixPreview(buildRun('planned', { plan: buildPlan({ merges }) })));
    expect(s).toContain(
      '*Survivors*\\n:link: `tyrell.com`: kept 112: open opportunity over lead 113 · linked, never archived: 110',
    );
  });

  it('says which fields were kept instead of overwritten', () => {
    const s = flat(renderFixPreview(buildRun('planned', { plan: buildPlan({ kept }) })));
    expect(s).toContain(
      "*Kept, not overwritten*\\n`114` next_step kept: 'Contract review' (task created instead)",
    );
  });

  it('states that four eyes applies and who can approve, before anyone clicks', () => {
    const s = flat(renderFixPreview(buildRun('planned', { plan: buildPlan({ approval }) })));
    expect(s).toContain(
      ':busts_in_silhouette: Four eyes: 3 records / $12,345 is over 10 records or $25,000, so whoever asked for it (<@U0REQ>) may not approve it.',
    );
    expect(s).toContain(':key: Who can approve: <@U0APP1>, <@U0APP2>, <!subteam^S0APPROVE>');
    // Once decided, the approval lines are gone.
    expect(flat(renderFixPreview(buildRun('applied', { plan: buildPlan({ approval }) })))).not.toContain(
      'Who can approve',
    );
  });

  it('says when four eyes does not apply, and when nobody is configured to approve', () => {
    const none = { ...approval, fourEyes: false, approverUsers: [], approverGroup: null };
    const s = flat(renderFixPreview(buildRun('planned', { plan: buildPlan({ approval: none }) })));
    expect(s).toContain(
      ':bust_in_silhouette: No four eyes: 3 records / $12,345 is within 10 records and $25,000, so whoever asked for it may approve it too.',
    );
    expect(s).toContain(
      ':key: Who can approve: nobody is configured to approve (FIX_APPROVERS, FIX_APPROVER_GROUP).',
    );
  });

  it('counts DMs that will be sent and owners (not records) that are not mapped', () => {
    const dm = (recordId: string, owner: string, slackUser: string | null) => ({
      kind: 'notify' as const,
      recordId,
      channel: null,
      slackUser,
      owner,
      text: 'hi',
    });
    const effects = [
      dm('a', 'Priya Shah', 'U0PRIYA'),
      dm('b', 'Priya Shah', 'U0PRIYA'),
      dm('c', 'Bob', null),
      dm('d', 'Bob', null),
      dm('e', 'Bob', null),
      {
        kind: 'notify' as const,
        recordId: 'a',
        channel: 'C0MGR',
        slackUser: null,
        owner: 'Priya Shah',
        text: 'x',
      },
    ];
    const s = flat(renderFixPreview(buildRun('planned', { plan: buildPlan({ effects }) })));
    expect(s).toContain(
      ':speech_balloon: 3 Slack messages (2 DMs to 1 owner, 1 to <#C0MGR>) · 1 owner not mapped to Slack, no DM: Bob',
    );
  });
});

describe('renderFixPreview: hostile data and limits', () => {
  const evil = `\`\`\` ${HOSTILE} \`\`\`\n<!channel>`;
  const hostileRun = (state: FixRunState, n = 500, width = 200) => {
    const long = (i: number) => `${evil} ${'W&'.repeat(width / 2)} ${i}`;
    const changes: FieldChange[] = Array.from({ length: n }, (_, i) => ({
      recordId: i % 3 === 0 ? long(i) : `rec-${Math.trunc(i / 4)}`,
      field: i % 2 === 0 ? 'next_step' : 'notes',
      old: long(i),
      new: `${long(i)}${long(i + 1)}`,
    }));
    const plan = buildPlan({
      title: long(0),
      changes,
      effects: buildPlan().effects.map((e) =>
        e.kind === 'task'
          ? { ...e, title: long(1), assignee: long(2) }
          : e.kind === 'email_draft'
            ? { ...e, subject: long(3), toLabel: long(4) }
            : { ...e, channel: e.channel === null ? null : long(5) },
      ),
      blast: {
        records: n,
        owners: [long(1), long(2), long(3), long(4), long(5), long(6)],
        teams: [long(7)],
        issues: n,
        dollarsCents: 1,
      },
      warnings: Array.from({ length: 12 }, (_, i) => long(i)),
      merges: Array.from({ length: 8 }, (_, i) => ({
        domain: long(i),
        survivorId: long(i + 1),
        archivedIds: [long(i + 2)],
        linkedIds: [long(i + 3), long(i + 4)],
        reason: long(i + 5),
      })),
      kept: Array.from({ length: 8 }, (_, i) => ({
        recordId: long(i),
        field: 'next_step' as const,
        value: long(i + 1),
        proposed: long(i + 2),
        taskCreated: i % 2 === 0,
      })),
      approval: {
        fourEyes: true,
        fourEyesRecords: 10,
        fourEyesCents: 1,
        approverUsers: [long(1), 'U0EVIL>', '<@U0EVIL>'],
        approverGroup: 'S0EVIL> <!channel>',
      },
    });
    return buildRun(state, {
      plan,
      reason: state === 'planned' ? null : long(8),
      skipped: changes.slice(0, 9),
      requestedBy: long(9),
    });
  };

  it.each(STATES)('500 changes of 200-character hostile values stay within limits (%s)', (state) => {
    const r = renderFixPreview(hostileRun(state));
    expect(limitViolations(r)).toEqual([]);
    expect(flat(r)).not.toMatch(PINGS);
    expect(flat(r)).toMatch(/… [\d,]+ more changes on [\d,]+ records\\n```/);
  });

  it('data cannot close the code block, ping or forge a link', () => {
    const text = diffText(renderFixPreview(hostileRun('planned', 6)).blocks);
    // Exactly the opening and the closing fence: every backtick from data became a look-alike.
    expect(text.match(/```/g)).toHaveLength(2);
    expect(text.startsWith('*Changes*')).toBe(true);
    expect(text.endsWith('\n```')).toBe(true);
    expect(text).not.toMatch(/<!|<@|<https/);
    expect(text).toContain('ˋˋˋ &lt;!channel&gt;');
    expect(text.length).toBeLessThanOrEqual(3000);
  });

  it('an unlimited maxDiffLines still fits the section and the JSON budget', () => {
    const r = renderFixPreview(hostileRun('applied'), { maxDiffLines: 10_000 });
    expect(limitViolations(r)).toEqual([]);
    expect(diffText(r.blocks).length).toBeLessThanOrEqual(3000);
  });
});
