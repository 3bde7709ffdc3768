import { LogLevel } from '@slack/bolt';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { boltLogger } from '../../../src/adapters/log/bolt-logger.ts';

function capture(level = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const root = pino({ level }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { root, lines };
}

describe('boltLogger', () => {
  it('writes Slack library varargs as one pino line with the component field', () => {
    const { root, lines } = capture();
    const log = boltLogger(root);
    log.info('apiCall', "('chat.postMessage')", 'start', 3);
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, component: 'slack', msg: "apiCall ('chat.postMessage') start 3" }),
    ]);
  });

  it('lifts an Error into err so its stack is kept', () => {
    const { root, lines } = capture();
    boltLogger(root).error('listener failed', new Error('boom'));
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: 'listener failed',
      err: { message: 'boom', stack: expect.stringContaining('boom') },
    });
  });

  it('masks anything shaped like a Slack token', () => {
    const { root, lines } = capture();
    boltLogger(root).debug(
      'http request headers: {"Authorization":"Bearer xoxb-123-456-abcDEF"} app xapp-1-A1-xyz',
    );
    expect(lines[0]!['msg']).toBe(
      'http request headers: {"Authorization":"Bearer [redacted]"} app [redacted]',
    );
  });

  it("follows pino's level and reports it to Slack; Bolt's setLevel cannot change it", () => {
    const { root, lines } = capture('warn');
    const log = boltLogger(root);
    expect(log.getLevel()).toBe(LogLevel.WARN);
    log.info('dropped');
    log.warn('kept');
    // Bolt's App calls setLevel(INFO) when not given a logLevel; LOG_LEVEL must still win.
    log.setLevel(LogLevel.DEBUG);
    log.info('still dropped');
    log.setLevel(LogLevel.ERROR);
    log.warn('still kept');
    expect(lines.map((l) => l['msg'])).toEqual(['kept', 'still kept']);
    expect(root.level).toBe('warn');
  });

  it('keeps debug lines when LOG_LEVEL is debug even inside a Bolt App', async () => {
    const { root, lines } = capture('debug');
    const { App } = await import('@slack/bolt');
    // Constructing an App without logLevel is what makes Bolt call setLevel(INFO).
    new App({ token: 'xoxb-x', signingSecret: 's', logger: boltLogger(root), deferInitialization: true });
    expect(lines.some((l) => l['msg'] === 'initialized')).toBe(true); // the WebClient's own debug line
  });
});

describe('the root logger masks secrets in error stacks too', () => {
  it('a token echoed in an error message is masked in message and stack', async () => {
    const { createLogger } = await import('../../../src/adapters/log/logger.ts');
    const lines: string[] = [];
    const log = createLogger('info', { write: (l: string) => lines.push(l) } as never);
    log.error({ err: new Error('call failed with xoxe-123-abc and postgres://u:pw@db/x') }, 'boom');
    const entry = JSON.parse(lines[0]!);
    expect(entry.err.message).toBe('call failed with [redacted] and [redacted]');
    expect(entry.err.stack).not.toMatch(/xoxe-|pw@db/);
  });
});
