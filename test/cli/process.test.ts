import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * `leak` as a separate process, for what only a real process shows: its stdout is a pipe whose reader
 * may go away (`leak scan | head -1`).
 */
const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** Runs the CLI with its stdout piped to a reader that has already gone (like `head` once it has its lines). */
function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env['PATH'] ?? '', PGLITE_DIR: 'memory://', PII_HASH_KEY: 'k', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Our end of the pipe closes before the CLI has written anything: every write it makes gets EPIPE.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

// Issue 10 item 13: `leak … | head` exits quietly, without an EPIPE stack.
describe('leak writing into a closed pipe', () => {
  it.each([['--help'], ['--version'], ['scan', '--help'], ['scan']])(
    'leak %s exits 0 with nothing on stderr',
    async (...args) => {
      const r = await runIntoClosedPipe(args);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    },
  );
});
