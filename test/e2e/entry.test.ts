import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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
    const r = run({});
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('  - SLACK_BOT_TOKEN is required to run the Slack bot');
    // Nothing was logged: no logger, database or listener was created.
    expect(r.stdout).toBe('');
  });
});
