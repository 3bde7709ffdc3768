import { describe, expect, it } from 'vitest';
import { renderFixAnswer } from '../../../src/adapters/slack/blocks/fix-preview.ts';
import { limitViolations } from '../../../src/adapters/slack/blocks/limits.ts';
import { flat } from './incident-fixtures.ts';

describe('renderFixAnswer', () => {
  it('names approvers without paging the group', () => {
    const r = renderFixAnswer({
      kind: 'unauthorized',
      action: 'approve',
      approverUsers: ['U0A1', '<!channel>'],
      approverGroup: 'S1X',
    });
    expect(r.text).toBe(
      ':lock: Only approvers can approve fixes. Approvers: <@U0A1>, &lt;!channel&gt;, members of `S1X`.',
    );
    expect(flat(r)).not.toContain('<!subteam');
    expect(
      renderFixAnswer({ kind: 'unauthorized', action: 'reject', approverUsers: [], approverGroup: null })
        .text,
    ).toBe(':lock: Only approvers can reject fixes. No approvers are configured.');
    expect(
      renderFixAnswer({
        kind: 'unauthorized',
        action: 'roll_back',
        approverUsers: ['U0A1'],
        approverGroup: null,
      }).text,
    ).toBe(':lock: Only approvers can roll back fixes. Approvers: <@U0A1>.');
  });

  it('explains four eyes, stale plans, decided and expired runs', () => {
    expect(renderFixAnswer({ kind: 'four_eyes', records: 12, dollarsCents: 3_000_000 }).text).toContain(
      'You asked for this preview and it touches 12 records / $30,000: someone else must approve it.',
    );
    expect(renderFixAnswer({ kind: 'stale' }).text).toContain(
      'The plan is stale: records changed since it was planned. Preview again.',
    );
    expect(
      renderFixAnswer({ kind: 'already_decided', state: 'applied', by: 'slack:T1:U0A9' }).text,
    ).toContain('This fix is already applied by <@U0A9>.');
    expect(renderFixAnswer({ kind: 'already_decided', state: 'rolled_back', by: null }).text).toContain(
      'This fix is already rolled back.',
    );
    expect(renderFixAnswer({ kind: 'expired' }).text).toContain('This preview expired');
    for (const a of [{ kind: 'stale' }, { kind: 'expired' }] as const)
      expect(limitViolations(renderFixAnswer(a))).toEqual([]);
  });
});
