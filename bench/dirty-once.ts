/**
 * The "dirty CRM" profile (issue 15), measured as a user runs it: every row has an email, ~200 records
 * share each domain, ~2.2 issues per record (bench/dirty-generate.ts), BENCH_DIRTY_ROWS records (default
 * 200,000). Each command is a whole process under GNU `/usr/bin/time -v` (wall, user + system CPU, peak
 * RSS), exactly as typed: `leak import <csv>`, then the first `leak scan` (every finding new), then
 * `leak scan --json > file` again at the same as-of (steady state: nothing changed). Each figure is
 * printed beside its raw ceiling, measured in the same run on the same database:
 *
 * - the import beside `psql \copy` of the same CSV into a bare table (15 text columns, no key);
 * - the scans beside COPY of the findings the first scan stored (in issue-id order, as the scan sends
 *   them) into a bare table and into one with findings' primary key.
 *
 * On PGlite, which has no psql, the ceilings are the same statements in one process (dirty-ceiling.ts),
 * each timed alone, and that process's start apart. Then bench/scan-once.ts breaks a steady and a first
 * scan into load / evaluate / persist (stage, diff, write) / JSON in process.
 *
 *   BENCH_DATABASE_URL (or DATABASE_URL)  PostgreSQL server; `leak_bench_dirty_<pid>` is made and dropped
 *   BENCH_DIRTY_ROWS                      records (default 200,000)
 *   BENCH_DIRTY_PGLITE=0                  skip the embedded PGlite run (it runs by default)
 *   BENCH_WHOLE_PROFILE=default           run `npm run bench`'s realistic funnel instead (BENCH_ROWS records,
 *                                         default 1,000,000, bench/generate.ts), the same way
 *
 * Prints one JSON line on stdout (the report goes to stderr unless BENCH_DIRTY_CHILD is set); also
 * writes bench/.out/dirty.json. Used by bench/run.ts; runnable alone:
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/dirty-once.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOAD_SCANNABLE } from '../src/adapters/db/records-repository.ts';
import { withBenchDatabase } from './bench-db.ts';
import { writeDirtyCsv } from './dirty-generate.ts';
import { report } from './dirty-report.ts';
import { BENCH_AS_OF, writeFunnelCsv } from './generate.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = join(here, '.out');
const cli = join(here, '..', 'src', 'cli.ts');
const AS_OF = new Date(BENCH_AS_OF).toISOString();
const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const step = (s: string) => process.stderr.write(`… ${s}\n`);
const load1 = () => Math.round(loadavg()[0]! * 100) / 100;

export interface Timed {
  wallS: number;
  cpuS: number;
  maxRssMiB: number;
  /** 1-minute load average when the process started and when it ended. */
  load: [number, number];
}

/** One whole process under GNU time; stdout to `stdoutFile` (else discarded). Throws on a non-zero exit. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv, stdoutFile?: string): Timed {
  const dir = mkdtempSync(join(tmpdir(), 'leak-bench-time-'));
  const file = join(dir, 'time.txt');
  const fd = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
  const before = load1();
  try {
    const r = spawnSync('/usr/bin/time', ['-v', '-o', file, command, ...args], {
      env,
      stdio: ['ignore', fd, 'pipe'],
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (r.error) throw r.error;
    if (r.status !== 0)
      throw new Error(`${command} ${args.join(' ')} exited with ${r.status}:\n${r.stderr.slice(-2000)}`);
    const t = readFileSync(file, 'utf8');
    const num = (re: RegExp) => Number(re.exec(t)?.[1] ?? Number.NaN);
    const clock = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/.exec(t)?.[1] ?? '';
    return {
      wallS: clock.split(':').reduce((acc, part) => acc * 60 + Number(part), 0),
      cpuS: num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/),
      maxRssMiB: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
      load: [before, load1()],
    };
  } finally {
    if (typeof fd === 'number') closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

function child(script: string, env: NodeJS.ProcessEnv, args: string[] = []) {
  const out = execFileSync(process.execPath, [join(here, script), ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

export interface DirtyProfile {
  /** The dirty CRM, or the realistic funnel of `npm run bench` run the same way (BENCH_WHOLE_PROFILE). */
  profile: 'dirty' | 'default';
  backend: 'postgres' | 'pglite';
  rows: number;
  issues: number;
  import: Timed;
  firstScan: Timed;
  steadyJson: Timed & { bytes: number };
  ceiling: {
    /** The CSV into a bare table: psql as a whole process, or the statement alone on PGlite. */
    csvCopy: Timed | { wallS: number };
    findingsCopy: Timed | { wallS: number };
    findingsKeyCopy: Timed | { wallS: number };
    /** The scan's read of every record (its own COPY statement) to nowhere: psql, or the statement on PGlite. */
    recordsRead: Timed | { wallS: number };
    /** PGlite only: opening the database in a process of its own, which every command pays. */
    pgliteOpenS?: number;
  };
  /** bench/scan-once.ts, in process. */
  breakdown: { steady: Record<string, unknown>; first: Record<string, unknown> };
}

/** The whole profile on one database: PostgreSQL at `url`, or PGlite in `dir`. */
function profile(
  db: { url: string } | { dir: string },
  name: DirtyProfile['profile'],
  csv: string,
  rows: number,
): DirtyProfile {
  const env: NodeJS.ProcessEnv = { ...process.env, PII_HASH_KEY: randomBytes(32).toString('base64') };
  delete env['DATABASE_URL'];
  delete env['PGLITE_DIR'];
  if ('url' in db) env['DATABASE_URL'] = db.url;
  else env['PGLITE_DIR'] = db.dir;
  const backend = 'url' in db ? 'postgres' : 'pglite';
  const node = process.execPath;
  step(`${backend}: leak migrate (setup, not measured)`);
  timed(node, [cli, 'migrate'], env);
  step(`${backend}: leak import (${fmt(rows)} ${name === 'dirty' ? 'dirty ' : ''}records)`);
  const imp = timed(node, [cli, 'import', csv], env);
  step(`${backend}: leak scan (first: every finding new)`);
  const firstScan = timed(node, [cli, 'scan', '--as-of', AS_OF], env);
  step(`${backend}: leak scan --json > file (steady: nothing changed)`);
  const jsonFile = join(mkdtempSync(join(tmpdir(), 'leak-bench-json-')), 'scan.json');
  const steady = timed(node, [cli, 'scan', '--as-of', AS_OF, '--json'], env, jsonFile);
  const bytes = statSync(jsonFile).size;
  const issues = (JSON.parse(readFileSync(jsonFile, 'utf8')) as { issues: unknown[] }).issues.length;
  rmSync(jsonFile, { force: true });

  step(`${backend}: ceilings (raw COPY of the same CSV, and of the ${fmt(issues)} findings)`);
  let ceiling: DirtyProfile['ceiling'];
  if ('url' in db) {
    const findingsFile = join(mkdtempSync(join(tmpdir(), 'leak-bench-findings-')), 'findings.tsv');
    const cols =
      'issue_id, record_id, issue_type, rule_key, severity, severity_label, estimated_loss_cents, status, first_seen_at, first_scan_id, changed_scan_id';
    const psql = (...cmds: string[]) => [
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      db.url,
      ...cmds.flatMap((c) => ['-c', c]),
    ];
    execFileSync(
      'psql',
      psql(`\\copy (SELECT ${cols} FROM findings ORDER BY issue_id) TO '${findingsFile}'`),
    );
    const csvCopy = timed(
      'psql',
      psql(
        `CREATE TABLE bare_csv (id text, type text, name text, email text, domain text, company text, source text,
           region text, owner text, stage text, created_at text, last_touch_at text, next_step text, value_usd text, notes text)`,
        `\\copy bare_csv FROM '${csv}' (FORMAT csv, HEADER true)`,
        'DROP TABLE bare_csv',
      ),
      env,
    );
    const findingsCopy = timed(
      'psql',
      psql(
        'CREATE TABLE bare_findings (LIKE findings)',
        `\\copy bare_findings (${cols}) FROM '${findingsFile}'`,
        'DROP TABLE bare_findings',
      ),
      env,
    );
    const findingsKeyCopy = timed(
      'psql',
      psql(
        'CREATE TABLE key_findings (LIKE findings INCLUDING ALL)',
        `\\copy key_findings (${cols}) FROM '${findingsFile}'`,
        'DROP TABLE key_findings',
      ),
      env,
    );
    rmSync(findingsFile, { force: true });
    const recordsRead = timed(
      'psql',
      psql(`\\copy (${LOAD_SCANNABLE.replace(/\s+/g, ' ')}) TO '/dev/null'`),
      env,
    );
    ceiling = { csvCopy, findingsCopy, findingsKeyCopy, recordsRead };
  } else {
    const c = child('dirty-ceiling.ts', env, [db.dir, csv]);
    ceiling = {
      csvCopy: { wallS: c.csvCopyMs / 1000 },
      findingsCopy: { wallS: c.findingsCopyMs / 1000 },
      findingsKeyCopy: { wallS: c.findingsKeyCopyMs / 1000 },
      recordsRead: { wallS: c.recordsReadMs / 1000 },
      pgliteOpenS: c.openMs / 1000,
    };
  }

  step(`${backend}: the scans again in process, by phase (steady, then first)`);
  const benchEnv: NodeJS.ProcessEnv = { ...env, BENCH_AS_OF: AS_OF };
  if ('url' in db) benchEnv['BENCH_URL'] = db.url;
  else benchEnv['BENCH_PGLITE_DIR'] = db.dir;
  const steadyBreakdown = child('scan-once.ts', { ...benchEnv, BENCH_SCAN_JSON: '/dev/null' });
  if ('url' in db) execFileSync('psql', ['-X', '-q', db.url, '-c', 'TRUNCATE findings, scans']);
  else child('dirty-ceiling.ts', env, [db.dir, 'truncate']);
  const firstBreakdown = child('scan-once.ts', benchEnv);
  return {
    profile: name,
    backend,
    rows,
    issues,
    import: imp,
    firstScan,
    steadyJson: { ...steady, bytes },
    ceiling,
    breakdown: { steady: steadyBreakdown, first: firstBreakdown },
  };
}

/** The file to run: the dirty CRM (default), or with BENCH_WHOLE_PROFILE=default the realistic funnel. */
async function input(): Promise<{ name: DirtyProfile['profile']; rows: number; csv: string }> {
  mkdirSync(outDir, { recursive: true });
  if (process.env['BENCH_WHOLE_PROFILE'] === 'default') {
    const rows = Number(process.env['BENCH_ROWS'] ?? 1_000_000);
    return { name: 'default', rows, csv: await writeFunnelCsv(rows, outDir, step) };
  }
  const rows = Number(process.env['BENCH_DIRTY_ROWS'] ?? 200_000);
  const csv = join(outDir, `dirty-${rows}.csv`);
  if (!existsSync(csv)) {
    step(`generating ${fmt(rows)} dirty records → ${csv}`);
    await writeDirtyCsv(rows, csv);
  }
  return { name: 'dirty', rows, csv };
}

async function main(): Promise<void> {
  const server = process.env['BENCH_DATABASE_URL'] || process.env['DATABASE_URL'] || undefined;
  const { name, rows, csv } = await input();
  const profiles: DirtyProfile[] = [];
  if (server)
    profiles.push(await withBenchDatabase(server, name, async (url) => profile({ url }, name, csv, rows)));
  if (process.env['BENCH_DIRTY_PGLITE'] !== '0') {
    const dir = mkdtempSync(join(tmpdir(), 'leak-bench-dirty-'));
    try {
      profiles.push(profile({ dir: join(dir, 'pglite') }, name, csv, rows));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const out = { at: new Date().toISOString(), profiles };
  writeFileSync(
    join(outDir, name === 'dirty' ? 'dirty.json' : 'whole-default.json'),
    JSON.stringify(out, null, 2),
  );
  if (!process.env['BENCH_DIRTY_CHILD']) process.stderr.write(`${report(out, fmt).join('\n')}\n`);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (import.meta.main) await main();
