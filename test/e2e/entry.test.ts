import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closedPort } from '../support/ports.ts';

/**
 * `node src/main.ts` as an operator runs it: bad configuration is printed as a list and the process exits 1
 * before opening a database or a socket (ARCHITECTURE.md habit 7).
 */
const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

function run(env: Record<string, string>) {
  // process.execPath is the Node running the tests (24, from node_modules/.bin), which strips types.
  return spawnSync(process.execPath, [MAIN], {
    env: { PATH: process.env['PATH'] ?? '', PGLITE_DIR: 'memory://', PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('node src/main.ts with bad configuration', () => {
  it('lists every problem and exits 1', () => {
    const r = run({ SLACK_BOT_TOKEN: 'not-a-token', PORT: '99999', SLACK_API_URL: 'nope' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Invalid configuration:');
    expect(r.stderr).toContain('  - SLACK_BOT_TOKEN must be a bot token');
    expect(r.stderr).toContain('  - PORT');
    expect(r.stderr).toContain('  - SLACK_API_URL');
    expect(r.stdout).toBe('');
  });

  it('refuses to serve without a bot token, before anything starts', () => {
    const r = run({ PII_HASH_KEY: 'entry-test-key' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('  - SLACK_BOT_TOKEN is required to run the Slack bot');
    // Nothing was logged: no logger, database or listener was created.
    expect(r.stdout).toBe('');
  });

  // Issue 10 item 7: no key written in the source to fall back on, whatever NODE_ENV says.
  it('refuses to serve without PII_HASH_KEY, before anything starts', () => {
    const r = run({ NODE_ENV: 'development', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('  - PII_HASH_KEY is required');
    expect(r.stdout).toBe('');
  });

  // Issue 10 item 16: the scheduler used to throw its own stack for this, after the database and Slack.
  it('lists a bad SCAN_CRON with the other problems and exits 1 before anything starts', () => {
    const r = run({ ...SERVABLE, SCAN_CRON: '*/15 * * *x', PORT: 'eighty' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Invalid configuration:');
    expect(r.stderr).toContain('  - SCAN_CRON "*/15 * * *x" is not a cron expression');
    expect(r.stderr).toContain('  - PORT');
    expect(r.stdout).toBe('');
  });
});

/** What `npm start` needs to get as far as the database. */
const SERVABLE = {
  SLACK_BOT_TOKEN: 'xoxb-1',
  SLACK_SIGNING_SECRET: 's',
  PII_HASH_KEY: 'entry-test-key',
  LOG_LEVEL: 'silent',
};

// Issue 10 item 17: one line naming where, and what to check; never a stack, never the password.
describe('node src/main.ts with an unreachable database', () => {
  it('prints one line naming the host and port, and exits 1', async () => {
    const port = await closedPort();
    // At the default log level, as `npm start` runs.
    const { LOG_LEVEL: _, ...env } = SERVABLE;
    const r = run({ ...env, DATABASE_URL: `postgres://leak:hunter2@127.0.0.1:${port}/leaks` });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `cannot reach the database at 127.0.0.1:${port} (ECONNREFUSED): check DATABASE_URL\n`,
    );
    // The log (stdout) has its info lines, and no error or stack; the password appears nowhere.
    expect(r.stdout).not.toMatch(/"level":50|stack|hunter2/);
  });
});
