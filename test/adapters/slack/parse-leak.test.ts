import { describe, expect, it } from 'vitest';
import { renderLeakAnswer } from '../../../src/adapters/slack/listeners/commands.ts';
import { type LeakCommand, parseLeakCommand } from '../../../src/adapters/slack/listeners/parse-leak.ts';

const AS_OF = '2025-03-01T09:00:00Z';
const AS_OF_MS = Date.parse(AS_OF);

describe('parseLeakCommand', () => {
  it.each<[string, LeakCommand]>([
    ['', { kind: 'help' }],
    ['   ', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['HELP', { kind: 'help' }],
    ['scan', { kind: 'scan' }],
    ['  Scan  ', { kind: 'scan' }],
    [`scan as-of ${AS_OF}`, { kind: 'scan', asOfMs: AS_OF_MS }],
    [`scan --as-of ${AS_OF}`, { kind: 'scan', asOfMs: AS_OF_MS }],
    [`scan --as-of=${AS_OF}`, { kind: 'scan', asOfMs: AS_OF_MS }],
    ['scan as-of 2025-03-01T10:00:00+01:00', { kind: 'scan', asOfMs: AS_OF_MS }],
    ['scan as-of', { kind: 'invalid', reason: 'as_of_missing', token: 'as-of' }],
    ['scan --as-of=', { kind: 'invalid', reason: 'as_of_missing', token: '--as-of=' }],
    ['scan as-of 2025-03-01', { kind: 'invalid', reason: 'as_of_invalid', token: '2025-03-01' }],
    [
      'scan as-of 2025-03-01T09:00:00',
      { kind: 'invalid', reason: 'as_of_invalid', token: '2025-03-01T09:00:00' },
    ],
    ['scan as-of yesterday', { kind: 'invalid', reason: 'as_of_invalid', token: 'yesterday' }],
    [`scan as-of ${AS_OF} now`, { kind: 'invalid', reason: 'unexpected_argument', token: 'now' }],
    ['scan everything', { kind: 'invalid', reason: 'unexpected_argument', token: 'everything' }],
    ['status', { kind: 'status' }],
    ['  STATUS ', { kind: 'status' }],
    ['status now', { kind: 'invalid', reason: 'unexpected_argument', token: 'now', after: 'status' }],
    ['timeline', { kind: 'timeline' }],
    ['Timeline', { kind: 'timeline' }],
    ['timeline 42', { kind: 'invalid', reason: 'unexpected_argument', token: '42', after: 'timeline' }],
    ['note called the AE', { kind: 'note', text: 'called the AE' }],
    ['NOTE Called The AE', { kind: 'note', text: 'Called The AE' }],
    ['note  two  spaces   kept ', { kind: 'note', text: 'two  spaces   kept' }],
    ['  note scan as-of tomorrow', { kind: 'note', text: 'scan as-of tomorrow' }],
    ['note line one\nline two', { kind: 'note', text: 'line one\nline two' }],
    ['note\nfrom the next line', { kind: 'note', text: 'from the next line' }],
    ['note <!channel> & co', { kind: 'note', text: '<!channel> & co' }],
    ['note', { kind: 'invalid', reason: 'note_missing', token: 'note' }],
    ['Note   ', { kind: 'invalid', reason: 'note_missing', token: 'Note' }],
    ['notes are fun', { kind: 'unknown', word: 'notes' }],
    ['bogus', { kind: 'unknown', word: 'bogus' }],
    ['declare sev1', { kind: 'unknown', word: 'declare' }],
  ])('%j → %o', (text, expected) => {
    expect(parseLeakCommand(text)).toEqual(expected);
  });
});

describe('usage answers', () => {
  it('help lists every form of the command', () => {
    const { text, blocks } = renderLeakAnswer({ kind: 'help' });
    for (const usage of [
      '/leak scan',
      '/leak scan as-of <ISO time>',
      '/leak status',
      '/leak timeline',
      '/leak note <text>',
      '/leak help',
    ])
      expect(text).toContain(usage);
    expect(JSON.stringify(blocks)).toContain('/leak scan as-of');
  });

  it('an unknown subcommand is named, escaped, and followed by usage', () => {
    expect(renderLeakAnswer({ kind: 'unknown', word: 'bogus' }).text).toMatch(
      /^Unknown subcommand `bogus`\. Usage: /,
    );
    const hostile = renderLeakAnswer({ kind: 'unknown', word: '<!channel>`&' });
    expect(JSON.stringify(hostile)).not.toContain('<!channel>');
    expect(hostile.text).toContain('`&lt;!channel&gt;ˋ&amp;`');
  });

  it('a note without text says so and shows an example', () => {
    const { text } = renderLeakAnswer({ kind: 'invalid', reason: 'note_missing', token: 'note' });
    expect(text).toContain('`/leak note` needs some text');
    expect(text).toContain('/leak note called the AE');
  });

  it('an argument after status or timeline names the subcommand it followed', () => {
    const answer = { kind: 'invalid', reason: 'unexpected_argument', token: 'x' } as const;
    expect(renderLeakAnswer({ ...answer, after: 'timeline' }).text).toContain(
      'Unexpected `x` after `timeline`.',
    );
    expect(renderLeakAnswer(answer).text).toContain('Unexpected `x` after `scan`.');
  });

  it('a bad time says what is wrong and shows an example', () => {
    const { text } = renderLeakAnswer({ kind: 'invalid', reason: 'as_of_invalid', token: 'tomorrow' });
    expect(text).toContain('`tomorrow` is not an ISO-8601 time with a zone');
    expect(text).toContain(AS_OF);
  });
});
