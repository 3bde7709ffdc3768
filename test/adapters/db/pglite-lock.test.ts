import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimPgliteDir, DatabaseInUse } from '../../../src/adapters/db/pglite-lock.ts';

/** One process per embedded database directory (issue 17): the claim file beside the directory. */
describe('claimPgliteDir', () => {
  const dir = () => join(mkdtempSync(join(tmpdir(), 'pglite-lock-')), 'db');
  const kills: (() => void)[] = [];
  afterEach(() => {
    for (const k of kills.splice(0)) k();
  });
  const holder = (pid: number, host = hostname()) => JSON.stringify({ pid, host, command: 'import big.csv' });

  it('writes who holds it, is shared within the process, and is removed by the last release', () => {
    const d = dir();
    const a = claimPgliteDir(d);
    expect(JSON.parse(readFileSync(`${d}.lock`, 'utf8'))).toMatchObject({
      pid: process.pid,
      host: hostname(),
    });
    const b = claimPgliteDir(`${d}/`);
    a();
    a(); // idempotent
    expect(existsSync(`${d}.lock`)).toBe(true);
    b();
    expect(existsSync(`${d}.lock`)).toBe(false);
  });

  it('refuses while another live process holds it, naming the process and its command', () => {
    const d = dir();
    const other = spawn('sleep', ['30']);
    kills.push(() => other.kill('SIGKILL'));
    writeFileSync(`${d}.lock`, holder(other.pid!));
    expect(() => claimPgliteDir(d)).toThrow(DatabaseInUse);
    expect(() => claimPgliteDir(d)).toThrow(
      `the embedded database at ${d} is in use by process ${other.pid} (import big.csv): PGlite serves one process at a time`,
    );
  });

  it('takes over the claim of a process that died', () => {
    const d = dir();
    const gone = spawnSync('sh', ['-c', 'echo $$']);
    writeFileSync(`${d}.lock`, holder(Number(String(gone.stdout).trim())));
    const release = claimPgliteDir(d);
    expect(JSON.parse(readFileSync(`${d}.lock`, 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('a claim from another host is refused with the file to delete; an unreadable old one is stale', () => {
    const d = dir();
    writeFileSync(`${d}.lock`, holder(1, 'elsewhere'));
    expect(() => claimPgliteDir(d)).toThrow(`on host elsewhere (if it is gone, delete ${d}.lock)`);
    writeFileSync(`${d}.lock`, '{"pid":');
    expect(() => claimPgliteDir(d)).toThrow('another process that is opening it');
    utimesSync(`${d}.lock`, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    claimPgliteDir(d)();
  });
});
