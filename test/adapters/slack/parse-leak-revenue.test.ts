import { describe, expect, it } from 'vitest';
import { renderLeakAnswer } from '../../../src/adapters/slack/listeners/commands.ts';
import { type LeakCommand, parseLeakCommand } from '../../../src/adapters/slack/listeners/parse-leak.ts';

describe('parseLeakCommand: revenue', () => {
  it.each<[string, LeakCommand]>([
    ['revenue', { kind: 'revenue', day: null }],
    ['  REVENUE  ', { kind: 'revenue', day: null }],
    ['revenue today', { kind: 'revenue', day: null }],
    ['revenue 2025-06-02', { kind: 'revenue', day: '2025-06-02' }],
    ['Revenue 2024-02-29', { kind: 'revenue', day: '2024-02-29' }],
    ['revenue 2025-02-29', { kind: 'invalid', reason: 'day_invalid', token: '2025-02-29' }],
    ['revenue 2025-13-01', { kind: 'invalid', reason: 'day_invalid', token: '2025-13-01' }],
    ['revenue 2025-6-2', { kind: 'invalid', reason: 'day_invalid', token: '2025-6-2' }],
    ['revenue yesterday', { kind: 'invalid', reason: 'day_invalid', token: 'yesterday' }],
    [
      'revenue 2025-06-02 usd',
      { kind: 'invalid', reason: 'unexpected_argument', token: 'usd', after: 'revenue' },
    ],
    ['revenues', { kind: 'unknown', word: 'revenues' }],
  ])('%j → %o', (text, expected) => {
    expect(parseLeakCommand(text)).toEqual(expected);
  });

  it('a bad day says what is expected, escaped, with an example', () => {
    const { text } = renderLeakAnswer({ kind: 'invalid', reason: 'day_invalid', token: '<!channel>' });
    expect(text).toContain('`&lt;!channel&gt;` is not a date; give the revenue day as YYYY-MM-DD');
    expect(text).toContain('/leak revenue 2025-03-01');
    expect(text).not.toContain('<!channel>');
  });

  it('an extra argument names the subcommand it followed', () => {
    const answer = renderLeakAnswer({
      kind: 'invalid',
      reason: 'unexpected_argument',
      token: 'x',
      after: 'revenue',
    });
    expect(answer.text).toContain('Unexpected `x` after `revenue`.');
  });

  it('help lists /leak revenue', () => {
    expect(renderLeakAnswer({ kind: 'help' }).text).toContain('/leak revenue [YYYY-MM-DD]');
  });
});
