import { describe, expect, it } from 'vitest';
import { renderFixRollbackNotice } from '../../../src/adapters/slack/blocks/fix-notices.ts';
import { limitViolations } from '../../../src/adapters/slack/blocks/limits.ts';

describe('renderFixRollbackNotice', () => {
  it('says the fix was rolled back, its tasks cancelled and nothing is left to do', () => {
    const r = renderFixRollbackNotice({
      kind: 'fix_rollback_notice',
      runId: '7',
      title: 'Rescue stale opp',
      recordIds: ['O-2009'],
    });
    expect(r.text).toBe(
      ':leftwards_arrow_with_hook: Fix #7 (Rescue stale opp) was rolled back: its tasks are cancelled and ' +
        'there is nothing to do for `O-2009`. Please disregard the earlier message about it.',
    );
    expect(limitViolations(r)).toEqual([]);
  });

  it('escapes data and caps the records it names', () => {
    const r = renderFixRollbackNotice({
      kind: 'fix_rollback_notice',
      runId: '8',
      title: 'Ping <!channel>',
      recordIds: ['a`b', ...Array.from({ length: 7 }, (_, i) => `r${i}`)],
    });
    expect(r.text).not.toContain('<!channel>');
    expect(r.text).toContain('`aˋb`');
    expect(r.text).toContain('+3 more');
    expect(limitViolations(r)).toEqual([]);
  });
});
