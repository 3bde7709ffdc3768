import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { DatabaseUnreachable } from './unreachable.ts';

/**
 * One process at a time on an embedded (PGlite) database directory. PGlite is the database server inside
 * the process that opened it: two processes on one directory (the bot and a `leak import`, or two CLI
 * commands) would each run their own server on the same files and corrupt them, and each would take the
 * other's running work for a dead process's (run-leases.ts). So the directory is claimed by a lock file
 * beside it (`<dir>.lock`: outside it, as PGlite's initdb wants an empty directory) naming the holder
 * (pid, host, command), created exclusively; a file whose process is gone (killed, crashed) is taken
 * over. Within one process the claim is shared (tests open a directory again
 * for their assertions while nothing else runs).
 */
export class DatabaseInUse extends DatabaseUnreachable {
  constructor(dir: string, holder: string) {
    super(dir, 'in use');
    this.name = 'DatabaseInUse';
    this.message = `the embedded database at ${dir} is in use by ${holder}: PGlite serves one process at a time. Wait for it to finish (or stop it), or use PostgreSQL (DATABASE_URL) to run several processes at once.`;
  }
}

const held = new Map<string, number>();
/** A claim file younger than this with no holder written yet is a process still writing it. */
const WRITING_MS = 2000;

interface Holder {
  pid: number;
  host: string;
  command: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string'
      ? { pid: h.pid, host: h.host, command: String(h.command ?? '') }
      : null;
  } catch {
    return null; // gone meanwhile, or half written by a process killed while writing it: stale
  }
}

/** Claims `dir` for this process; throws DatabaseInUse naming the live holder. Returns the release. */
export function claimPgliteDir(dir: string): () => void {
  const file = `${dir.replace(/\/+$/, '')}.lock`;
  const count = held.get(file);
  if (count !== undefined) {
    held.set(file, count + 1);
    return releaser(file);
  }
  const me: Holder = { pid: process.pid, host: hostname(), command: process.argv.slice(2).join(' ') };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      held.set(file, 1);
      return releaser(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw e;
    }
    const h = readHolder(file);
    if (h === null && recent(file)) throw new DatabaseInUse(dir, 'another process that is opening it');
    if (h && h.host !== me.host)
      throw new DatabaseInUse(dir, `process ${h.pid} on host ${h.host} (if it is gone, delete ${file})`);
    if (h && h.pid !== process.pid && alive(h.pid))
      throw new DatabaseInUse(dir, `process ${h.pid}${h.command ? ` (${h.command})` : ''}`);
    // Its process is gone: the claim is stale.
    try {
      unlinkSync(file);
    } catch {}
  }
}

function recent(file: string): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs < WRITING_MS;
  } catch {
    return false;
  }
}

function releaser(file: string): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const n = (held.get(file) ?? 1) - 1;
    if (n > 0) {
      held.set(file, n);
      return;
    }
    held.delete(file);
    try {
      unlinkSync(file);
    } catch {}
  };
}

/** Claims left at exit (a process ending without closing its database) are removed with it. */
process.once('exit', () => {
  for (const file of held.keys())
    try {
      unlinkSync(file);
    } catch {}
});
