import type { RespondArguments, RespondFn } from '@slack/bolt';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { userMessageFor, withErrorBoundary } from '../../../src/adapters/slack/listeners/errors.ts';
import { AppError } from '../../../src/shared/errors.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log, lines };
}

describe('userMessageFor', () => {
  it.each([
    ['NOT_FOUND', 'Not found: no such incident'],
    ['CONFLICT', 'That changed while you were looking: no such incident'],
    ['FORBIDDEN', 'You are not allowed to do that: no such incident'],
    ['VALIDATION', 'That input is not valid: no such incident'],
    ['PRECONDITION_FAILED', 'That cannot be done yet: no such incident'],
  ] as const)('%s is shown with its message, without a reference', (code, text) => {
    const { log } = capture();
    expect(userMessageFor(new AppError(code, 'no such incident'), log)).toEqual({ text });
  });

  it('anything else is logged with a reference id that the user also sees, and nothing more', () => {
    const { log, lines } = capture();
    const { text, ref } = userMessageFor(
      new TypeError('cannot read properties of undefined (secret internals)'),
      log,
    );
    expect(ref).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(text).toBe(
      `Something went wrong (ref ${ref}). Please share that reference with the team running the bot.`,
    );
    expect(text).not.toContain('secret internals');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      ref,
      msg: 'unexpected error',
      err: { message: expect.stringContaining('secret internals') },
    });
  });

  it("unwraps Bolt's UnknownError to log the original", () => {
    const { log, lines } = capture();
    const original = new Error('the real cause');
    userMessageFor(Object.assign(new Error('wrapped'), { code: 'slack_bolt_unknown_error', original }), log);
    expect(lines[0]).toMatchObject({ err: { message: 'the real cause' } });
  });
});

describe('withErrorBoundary', () => {
  const recorder = () => {
    const sent: RespondArguments[] = [];
    const respond = (async (m: string | RespondArguments) => {
      sent.push(typeof m === 'string' ? { text: m } : m);
      return new Response('ok');
    }) as RespondFn;
    return { sent, respond };
  };

  it('does nothing extra when the work succeeds', async () => {
    const { log } = capture();
    const { sent, respond } = recorder();
    await withErrorBoundary(respond, log, async () => {});
    expect(sent).toEqual([]);
  });

  it('answers a failure ephemerally with the mapped message', async () => {
    const { log } = capture();
    const { sent, respond } = recorder();
    await withErrorBoundary(respond, log, async () => {
      throw new AppError('VALIDATION', 'as-of is after now <!channel>');
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(sent[0]!.text).toBe('That input is not valid: as-of is after now &lt;!channel&gt;');
  });

  it('survives a response_url that fails too, keeping the reference in the log', async () => {
    const { log, lines } = capture();
    const respond = (async () => {
      throw new Error('response_url expired');
    }) as RespondFn;
    await expect(
      withErrorBoundary(respond, log, async () => Promise.reject(new Error('db down'))),
    ).resolves.toBeUndefined();
    expect(lines.map((l) => l['msg'])).toEqual(['unexpected error', 'error reply failed']);
    expect(lines[0]!['ref']).toEqual(expect.any(String));
  });
});
