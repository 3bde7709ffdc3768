import { describe, expect, it } from 'vitest';
import { renderFixReply } from '../../../src/adapters/slack/blocks/fix-replies.ts';
import { limitViolations } from '../../../src/adapters/slack/blocks/limits.ts';
import { buildRun } from './fix-fixtures.ts';

const APPROVERS = { users: ['U0A1'], group: 'S0APP' };
const text = (r: Parameters<typeof renderFixReply>[0]) => renderFixReply(r, APPROVERS).text;

describe('renderFixReply', () => {
  it('says where a preview was posted, or that there was nowhere to post it', () => {
    expect(text({ action: 'preview', run: buildRun('planned') })).toBe(
      ':wrench: Preview of fix #7 posted in <#C0INC1>.',
    );
    expect(text({ action: 'preview', run: buildRun('planned', { channelId: null }) })).toBe(
      ':wrench: Fix #7 is planned, but there is no channel to post its preview in.',
    );
    // A malformed channel id is not turned into a link.
    expect(text({ action: 'preview', run: buildRun('planned', { channelId: '<!here>' }) })).not.toContain(
      '<!here>',
    );
  });

  it('reports what an approval did: applied with its guard result, or rolled back by the guard', () => {
    expect(text({ action: 'approve', out: { outcome: 'applied', run: buildRun('applied') } })).toBe(
      ':white_check_mark: Applied fix #7: cleared $5,000 (1 issue); 1 awaiting verification. ' +
        'Roll back from the preview message if needed.',
    );
    const hostile = buildRun('rolled_back', { reason: 'new issue <!channel> on `O-1`' });
    const rolled = text({ action: 'approve', out: { outcome: 'rolled_back', run: hostile } });
    expect(rolled).toBe(
      ':leftwards_arrow_with_hook: The regression guard rolled fix #7 back: new issue &lt;!channel&gt; on `O-1`.',
    );
  });

  it('refuses strangers naming the approvers, and a requester over the four-eyes line', () => {
    const run = buildRun('planned');
    // The refusal names the action refused: a stranger's Roll back is not answered "approve or reject".
    const verbs = { approve: 'approve', reject: 'reject', rollback: 'roll back' } as const;
    for (const action of ['approve', 'reject', 'rollback'] as const)
      expect(text({ action, out: { outcome: 'forbidden', run, denial: 'not_approver' } })).toBe(
        `:lock: Only approvers can ${verbs[action]} fixes. Approvers: <@U0A1>, members of \`S0APP\`.`,
      );
    expect(
      renderFixReply(
        { action: 'approve', out: { outcome: 'forbidden', run, denial: 'no_approvers' } },
        {
          users: [],
          group: null,
        },
      ).text,
    ).toContain('No approvers are configured');
    expect(text({ action: 'approve', out: { outcome: 'forbidden', run, denial: 'four_eyes' } })).toContain(
      'it touches 3 records / $12,345: someone else must approve it.',
    );
  });

  it('answers late clicks from the run as it is now, naming who decided', () => {
    expect(text({ action: 'approve', out: { outcome: 'already', run: buildRun('applied') } })).toBe(
      ':information_source: This fix is already applied by <@U0APP>.',
    );
    expect(text({ action: 'approve', out: { outcome: 'already', run: buildRun('rejected') } })).toBe(
      ':information_source: This fix is already rejected by <@U0REJ>.',
    );
    // Rolled back by hand or by the guard: the run does not say who, so nobody is named.
    expect(text({ action: 'rollback', out: { outcome: 'already', run: buildRun('rolled_back') } })).toBe(
      ':information_source: This fix is already rolled back.',
    );
    expect(text({ action: 'reject', out: { outcome: 'already', run: buildRun('expired') } })).toContain(
      'This preview expired',
    );
    expect(text({ action: 'approve', out: { outcome: 'stale', run: buildRun('failed') } })).toContain(
      'The plan is stale',
    );
    expect(text({ action: 'approve', out: { outcome: 'expired', run: buildRun('expired') } })).toContain(
      'This preview expired',
    );
  });

  it('confirms a rejection and a rollback, naming fields left alone', () => {
    expect(text({ action: 'reject', out: { outcome: 'rejected', run: buildRun('rejected') } })).toBe(
      ':no_entry_sign: You rejected fix #7: nothing was changed.',
    );
    const r = renderFixReply(
      { action: 'rollback', out: { outcome: 'rolled_back', run: buildRun('rolled_back') } },
      APPROVERS,
    );
    expect(r.text).toBe(
      ':leftwards_arrow_with_hook: You rolled fix #7 back: 3 changes reverted; left alone 1 field someone changed since.',
    );
    expect(limitViolations(r)).toEqual([]);
  });
});
