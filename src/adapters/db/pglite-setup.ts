import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Log } from '../../app/context.ts';

/*
 * The embedded database (PGlite) sized for what it holds: a demo, a trial, a small team's funnel (issue 15).
 *
 * Where a PGlite process's memory went, measured on this project's 2-core host (Node 24, PGlite 0.5.16):
 * - shared_buffers. initdb writes PostgreSQL's default, 128 MB, and PGlite allocates and touches it inside
 *   its WebAssembly heap at every start: opening an existing database took 290 MB RSS (heap 189 MiB),
 *   with 16 MB 160–180 MB (heap 128 MiB, PGlite's fixed minimum), and 0.5–1 s less time.
 *   max_connections (100 → 5; PGlite is one backend) saved nothing measurable; it is set for the record.
 * - initdb, on a data directory's first start: 1.05–1.17 GB peak and 9–19 s here. PGlite runs initdb in a
 *   second instance whose whole 128 MiB heap it copies and restores for every postgres run initdb makes,
 *   and V8 compiles PostgreSQL's hot WebAssembly functions with TurboFan meanwhile; with V8's baseline
 *   compiler only (`--liftoff-only`) the same initdb peaked at 620–640 MB in 6–11 s, 520–540 MB with
 *   shared_buffers 16 MB. That flag cannot be set inside a running process, so initdb runs in a
 *   short-lived child process that has it (pglite-initdb.ts), once: the cleanly closed result is kept as a
 *   template, and every new data directory after that is a copy of it (60–130 ms) opened as an existing
 *   one (1.1–1.3 s, ~175 MB), where it was an initdb each time (the demo makes a fresh database every run).
 * - Extensions: none is loaded (the default build brings plpgsql only), so there is nothing to trim.
 *
 * Where the template is kept: node_modules/.cache/revenue-leak-sre (removed with node_modules), else the
 * user's ~/.cache/revenue-leak-sre; a directory that cannot be written is skipped, never a shared /tmp
 * (a template another user planted would become our database). Keyed by PGlite's version, since its
 * PostgreSQL's data format is. If the child cannot run, PGlite's own initdb runs in process, as before.
 */

/**
 * The embedded database's settings, on top of PGlite's defaults. The command line overrides
 * postgresql.conf, so a directory made before these were chosen gets them too.
 */
export const PGLITE_SETTINGS: readonly string[] = ['shared_buffers=16MB', 'max_connections=5'];

/** PGlite's start parameters with PGLITE_SETTINGS added (`defaults` is PGlite.defaultStartParams). */
export const pgliteStartParams = (defaults: readonly string[]): string[] => [
  ...defaults,
  ...PGLITE_SETTINGS.flatMap((s) => ['-c', s]),
];

/** The child that runs initdb: this folder's pglite-initdb, .ts in src/, .js in dist/. */
const INITDB_CHILD = fileURLToPath(new URL(`./pglite-initdb${extname(import.meta.url)}`, import.meta.url));
/** An initdb that takes longer than this (a hung child) is abandoned for PGlite's in-process one. */
const INITDB_TIMEOUT_MS = 120_000;

/** PGlite's package directory and version. */
function pgliteInstall(): { nodeModules: string; version: string } | null {
  try {
    // …/node_modules/@electric-sql/pglite/dist/index.js
    const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
    const pkg = dirname(dirname(entry));
    const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
    return { nodeModules: dirname(dirname(pkg)), version };
  } catch {
    return null;
  }
}

/** The first cache directory that exists or can be made, and is writable; null if none. */
function cacheDir(nodeModules: string): string | null {
  for (const dir of [
    join(nodeModules, '.cache', 'revenue-leak-sre'),
    join(homedir(), '.cache', 'revenue-leak-sre'),
  ]) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const probe = join(dir, `.probe-${process.pid}-${randomBytes(4).toString('hex')}`);
      mkdirSync(probe);
      rmSync(probe, { recursive: true, force: true });
      return dir;
    } catch {}
  }
  return null;
}

const isDataDir = (dir: string) => existsSync(join(dir, 'PG_VERSION'));

/** Runs initdb into `dir` in a child process with V8's baseline compiler only; rejects on any failure. */
function initdbInChild(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--liftoff-only', INITDB_CHILD, dir, ...PGLITE_SETTINGS], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-2000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), INITDB_TIMEOUT_MS);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && isDataDir(dir)) resolve();
      else reject(new Error(`initdb child exited with ${signal ?? code}: ${stderr.trim()}`));
    });
  });
}

/**
 * Makes `dir` (on disk, without a database yet) a fresh PostgreSQL data directory: a copy of the cached
 * template, made first if there is none. Leaves `dir` as it was when that fails (logged); PGlite then runs
 * initdb itself. A directory that already holds a database is left alone.
 */
export async function prepareDataDir(dir: string, log: Log): Promise<void> {
  if (isDataDir(dir) || readdirSync(dir).length > 0) return;
  const install = pgliteInstall();
  if (install === null) return;
  const cache = cacheDir(install.nodeModules);
  const template = cache === null ? null : join(cache, `pglite-${install.version}`);
  try {
    if (template !== null && isDataDir(template)) {
      cpSync(template, dir, { recursive: true });
      return;
    }
    if (template === null) {
      await initdbInChild(dir);
      return;
    }
    // Made aside and renamed into place whole, so no process ever copies half a template; two processes
    // racing both make one, and the second rename finds the first's in place.
    const staging = `${template}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await initdbInChild(staging);
      try {
        renameSync(staging, template);
      } catch (e) {
        if (!isDataDir(template)) throw e;
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    cpSync(template, dir, { recursive: true });
    log.info({ template }, 'pglite template made');
  } catch (err) {
    // Nothing half-made may stay behind: PGlite's initdb wants an empty directory.
    for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
    log.warn({ err }, 'pglite template unavailable: initdb runs in process');
  }
}
