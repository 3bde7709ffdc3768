/**
 * RevOps digest benchmark (issue 14: "the digest over 1M deals and 100k customers computed in ≤ 3 s and
 * ≤ 1 GiB RSS on real Postgres"), measured as a user runs it. Prints one JSON line on stdout (the
 * human-readable result goes to stderr). Used by bench/run.ts, and runnable alone:
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/revops-digest-once.ts
 *
 *   BENCH_DATABASE_URL      PostgreSQL server (required; there is no PGlite variant: the ceiling is psql);
 *                           `leak_bench_revops_<pid>` is created on it and dropped afterwards
 *   BENCH_REVOPS_DEALS      deals to generate (default 1,000,000)
 *   BENCH_REVOPS_CUSTOMERS  customers to generate (default 100,000; their MRR history comes with them)
 *   BENCH_REVOPS_END        last day of generated data (default: the last Sunday before today, UTC); the
 *                           digest is of the ISO week ending on the last Sunday up to it
 *   BENCH_REVOPS_RUNS       runs of each measured process (default 3)
 *
 * Setup (timed, not measured against the target): `leak generate --seed 42` writes the four CSVs once into
 * bench/.out/revops-<deals>-<customers>-seed42-to<end>/ (kept between runs); the product's own `leak import`
 * loads each into the fresh database, one process per file, so the rows are exactly what a user's import
 * stores (rejections included: the run fails if any row is rejected); then VACUUM (ANALYZE) of the four
 * tables, which a deployment gets from autovacuum after a bulk load (statistics for the planner, and a
 * visibility map for index-only scans), while the bench server may run with autovacuum off.
 *
 * Measured, BENCH_REVOPS_RUNS rounds, each a whole process under GNU `/usr/bin/time -v` (wall, CPU, max
 * RSS), stdout to /dev/null:
 * - `leak digest --week <monday> --json` (the week and the week before, as the Monday post computes them),
 *   as `npm run leak` runs it (node src/cli.ts) and as the image ships it: `node dist/cli.js`, built for the
 *   run (`tsc -p tsconfig.build.json` into a temporary directory, beside a copy of package.json and
 *   links to node_modules and migrations, as the Dockerfile lays out /app);
 * - `leak --version`: the same process doing nothing, i.e. what starting the CLI costs;
 * - `leak revops pipeline --from <end − 29 d> --to <end> --json` and `leak revops revenue` over the last
 *   complete calendar quarter;
 * - the ceiling: the very statements the digest sent (recorded by bench/revops-report-once.ts, which also
 *   times the report's compute in process), run one by one by psql as a whole process (parameters inlined
 *   as literals, each transaction's SET LOCALs kept), and by a bare postgres.js client, one by one and all
 *   at once as the report sends them;
 * - the floor: one GROUP BY over every row of revops_deals and one over every row of revops_mrr_history,
 *   by psql, which any digest that reads the data must pay.
 * The three slowest statements (alone, bare client) are then EXPLAIN (ANALYZE, BUFFERS)ed into
 * bench/.out/revops-explain.txt.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { weekLabelOf } from '../src/app/revops/view-period.ts';
import { withBenchDatabase } from './bench-db.ts';
import {
  median,
  type ProcessRuns,
  type RevopsDigestFigures,
  report,
  TARGET_RSS_MIB,
  TARGET_WALL_S,
} from './revops-digest-report.ts';
import type { RecordedStatement } from './revops-report-once.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = join(here, '.out');
const root = join(here, '..');
const cli = join(root, 'src', 'cli.ts');
const DAY_MS = 86_400_000;
const SEED = 42;

const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const step = (s: string) => process.stderr.write(`… ${s}\n`);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

async function main(): Promise<void> {
  const server = process.env['BENCH_DATABASE_URL'] || process.env['DATABASE_URL'];
  if (!server) {
    process.stderr.write(
      'revops digest benchmark: set BENCH_DATABASE_URL to a PostgreSQL server (issue 14 measures real Postgres; no PGlite variant)\n',
    );
    process.exit(2);
  }
  const deals = Number(process.env['BENCH_REVOPS_DEALS'] ?? 1_000_000);
  const customers = Number(process.env['BENCH_REVOPS_CUSTOMERS'] ?? 100_000);
  const runs = Number(process.env['BENCH_REVOPS_RUNS'] ?? 3);
  const end = process.env['BENCH_REVOPS_END'] ?? lastSundayBefore(Date.now());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(end) || Number.isNaN(dayMs(end)))
    throw new Error(`BENCH_REVOPS_END must be a date (YYYY-MM-DD), got '${end}'`);
  const out = await withBenchDatabase(server, 'revops', (url) =>
    benchDigest(url, { deals, customers, runs, end }),
  );
  writeFileSync(join(outDir, 'revops-digest.json'), JSON.stringify(out, null, 2));
  // bench/run.ts prints these lines in its own report.
  if (!process.env['BENCH_REVOPS_CHILD']) process.stderr.write(`${report(out, fmt).join('\n')}\n`);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** The last Sunday strictly before the UTC day of `nowMs`: a week a Monday digest would report. */
function lastSundayBefore(nowMs: number): string {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const weekday = new Date(today).getUTCDay();
  return isoDay(today - (weekday === 0 ? 7 : weekday) * DAY_MS);
}

/** The Monday of the last ISO week that ends on or before `end`. */
function lastFullWeekMonday(end: string): string {
  const e = dayMs(end);
  const sunday = e - new Date(e).getUTCDay() * DAY_MS;
  return isoDay(sunday - 6 * DAY_MS);
}

/** The last calendar quarter that ends on or before `end`: [first day, last day]. */
function lastFullQuarter(end: string): [string, string] {
  const after = new Date(dayMs(end) + DAY_MS);
  const startMonth = Math.floor(after.getUTCMonth() / 3) * 3;
  const next = Date.UTC(after.getUTCFullYear(), startMonth, 1);
  const first = Date.UTC(after.getUTCFullYear(), startMonth - 3, 1);
  return [isoDay(first), isoDay(next - DAY_MS)];
}

interface Options {
  deals: number;
  customers: number;
  runs: number;
  end: string;
}

/** `leak generate` into a directory kept between runs (a marker file says it was written in full). */
function generate(o: Options): { dir: string; seconds: number | null } {
  const dir = join(outDir, `revops-${o.deals}-${o.customers}-seed${SEED}-to${o.end}`);
  const done = join(dir, '.complete');
  if (existsSync(done)) return { dir, seconds: null };
  step(`generating ${fmt(o.deals)} deals and ${fmt(o.customers)} customers (to ${o.end}) → ${dir}`);
  mkdirSync(dir, { recursive: true });
  const t = performance.now();
  execFileSync(
    process.execPath,
    [
      cli,
      'generate',
      '--out',
      dir,
      '--deals',
      String(o.deals),
      '--customers',
      String(o.customers),
      '--seed',
      String(SEED),
      '--end',
      o.end,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  writeFileSync(done, new Date().toISOString());
  return { dir, seconds: (performance.now() - t) / 1000 };
}

/**
 * The shipped CLI: `tsc -p tsconfig.build.json` (the Dockerfile's `npm run build`, without the demo files)
 * into a directory laid out as the image's /app. A type error elsewhere in a tree being edited still emits,
 * so only a missing dist/cli.js fails the step.
 */
function buildCli(): { dir: string; cli: string; seconds: number } {
  const dir = mkdtempSync(join(tmpdir(), 'leak-bench-build-'));
  const t = performance.now();
  spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(root, 'tsconfig.build.json'),
      '--outDir',
      join(dir, 'dist'),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const built = join(dir, 'dist', 'cli.js');
  if (!existsSync(built)) throw new Error(`tsc -p tsconfig.build.json wrote no ${built}`);
  copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  symlinkSync(join(root, 'migrations'), join(dir, 'migrations'), 'dir');
  return { dir, cli: built, seconds: (performance.now() - t) / 1000 };
}

/** One whole process under GNU time; stdout to /dev/null unless kept. Throws on a non-zero exit. */
function timed(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  keepStdout = false,
): { wallS: number; cpuS: number; maxRssMiB: number; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'leak-bench-time-'));
  const file = join(dir, 'time.txt');
  try {
    const r = spawnSync('/usr/bin/time', ['-v', '-o', file, command, ...args], {
      env,
      stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'],
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (r.error) throw r.error;
    if (r.status !== 0)
      throw new Error(`${command} ${args.join(' ')} exited with ${r.status}:\n${r.stderr.slice(-2000)}`);
    const t = readFileSync(file, 'utf8');
    const num = (re: RegExp) => Number(re.exec(t)?.[1] ?? Number.NaN);
    const clock = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/.exec(t)?.[1] ?? '';
    const wallS = clock.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
    return {
      wallS,
      cpuS: num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/),
      maxRssMiB: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
      stdout: r.stdout ?? '',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const emptyRuns = (args: string[]): ProcessRuns => ({ args, wallS: [], cpuS: [], maxRssMiB: [] });
function push(r: ProcessRuns, t: { wallS: number; cpuS: number; maxRssMiB: number }): void {
  r.wallS.push(t.wallS);
  r.cpuS.push(t.cpuS);
  r.maxRssMiB.push(t.maxRssMiB);
}

/** `Time: 12.345 ms` lines of psql's \timing, in order. */
const psqlTimes = (stdout: string): number[] =>
  [...stdout.matchAll(/^Time: ([\d.]+) ms/gm)].map((m) => Number(m[1]));

/** A parameter as an SQL literal for psql (the values are the report's own: dates, instants, numbers). */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return `'${String(v).replaceAll("'", "''")}'`;
}

/** The text with each $n replaced by its parameter as a literal. */
const inlined = (s: RecordedStatement) =>
  s.text.replace(/\$(\d+)/g, (_, k: string) => literal(s.params[Number(k) - 1]));

/** The recorded statements grouped as they ran: one group per transaction, or a lone statement. */
function unitsOf(statements: readonly RecordedStatement[]): RecordedStatement[][] {
  const units = new Map<number, RecordedStatement[]>();
  for (const s of statements) units.set(s.unit, [...(units.get(s.unit) ?? []), s]);
  return [...units.values()];
}

function psqlScript(units: readonly RecordedStatement[][]): string {
  const lines = ['\\set ON_ERROR_STOP 1', '\\timing on', '\\o /dev/null'];
  for (const u of units) {
    if (u[0]!.inTransaction) lines.push('BEGIN;');
    for (const s of u) lines.push(`${inlined(s).trim()};`);
    if (u[0]!.inTransaction) lines.push('COMMIT;');
  }
  return `${lines.join('\n')}\n`;
}

const FLOOR_SQL = `\\set ON_ERROR_STOP 1
\\timing on
\\o /dev/null
SELECT stage, segment, count(*), sum(amount_cents), min(created_at), max(last_stage_change)
  FROM revops_deals GROUP BY stage, segment;
SELECT month, count(*), sum(mrr_cents) FROM revops_mrr_history GROUP BY month;
`;

type Bare = postgres.Sql;
const run1 = (sql: Bare | postgres.TransactionSql, s: RecordedStatement) =>
  sql.unsafe(s.text, s.params as postgres.ParameterOrJSON<never>[], { prepare: s.params.length > 0 });

/** A unit as the product runs it: a transaction (its SET LOCALs first) or one statement. */
async function runUnit(sql: Bare, u: readonly RecordedStatement[]): Promise<number> {
  const t = performance.now();
  if (u[0]!.inTransaction)
    await sql.begin(async (tx) => {
      for (const s of u) await run1(tx, s);
    });
  else await run1(sql, u[0]!);
  return performance.now() - t;
}

/** What a statement is, for the report (the file that builds it). */
function nameOf(text: string): string {
  const names: [RegExp, string][] = [
    [/grouping\(stage, owner\)/, 'pipeline aggregate (revops-pipeline-sql.ts)'],
    [/ORDER BY last_stage_change, deal_id/, 'stuck deals (revops-pipeline-sql.ts)'],
    [/WITH h AS \(/, 'MRR roll-forward (revops-revenue-sql.ts)'],
    [/WITH g AS \(/, 'cohorts (revops-cohort-sql.ts)'],
    [/churn_reason/, 'churn reasons (revops-revenue-sql.ts)'],
    [/source_channel AS channel/, 'won revenue by channel (revops-marketing-sql.ts)'],
    [/FROM revops_marketing_spend/, 'spend (revops-marketing-sql.ts)'],
    [/FROM revops_customers JOIN \(VALUES .* ON start_date/, 'new customers (revops-marketing-sql.ts)'],
    [/EXISTS \(SELECT 1 FROM revops_deals\)/, 'deals source (revops-source-sql.ts)'],
  ];
  const flat = text.replace(/\s+/g, ' ').trim();
  return names.find(([re]) => re.test(flat))?.[1] ?? flat.slice(0, 60);
}

async function benchDigest(url: string, o: Options): Promise<RevopsDigestFigures> {
  const loadStart = loadavg();
  const monday = lastFullWeekMonday(o.end);
  const week = weekLabelOf(monday);
  const [qFirst, qLast] = lastFullQuarter(o.end);
  const gen = generate(o);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    // The CLI requires a PII key (config.ts); a throwaway one for a throwaway database.
    PII_HASH_KEY: randomBytes(32).toString('base64'),
  };

  // ---------------------------------------------------------------------------------- setup (not measured)
  const importS: Record<string, number> = {};
  const rows: Record<string, number> = {};
  let rejected = 0;
  for (const kind of ['deals', 'customers', 'mrr', 'spend']) {
    const file = join(gen.dir, `${kind}.csv`);
    const t = performance.now();
    const said = execFileSync(process.execPath, [cli, 'import', file], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 16 << 20,
    });
    importS[kind] = (performance.now() - t) / 1000;
    const m = /: ([\d,]+) rows, [\d,]+ upserted, ([\d,]+) rejected/.exec(said);
    if (!m) throw new Error(`leak import ${file}: unexpected output:\n${said}`);
    rows[kind] = Number(m[1]!.replaceAll(',', ''));
    rejected += Number(m[2]!.replaceAll(',', ''));
    step(`leak import ${kind}.csv: ${fmt(rows[kind]!)} rows in ${fmt(importS[kind]!, 1)} s (whole process)`);
  }
  if (rejected > 0) throw new Error(`leak import rejected ${rejected} generated rows`);
  const built = buildCli();
  step(`built the CLI (tsc -p tsconfig.build.json) in ${fmt(built.seconds, 1)} s`);
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  let t = performance.now();
  await admin.unsafe(
    'VACUUM (ANALYZE) revops_deals, revops_customers, revops_mrr_history, revops_marketing_spend',
  );
  const vacuumAnalyzeS = (performance.now() - t) / 1000;
  step(`VACUUM (ANALYZE) in ${fmt(vacuumAnalyzeS, 1)} s`);

  // ------------------------------------------------------------------------------ the compute, in process
  step(`the report in process (bench/revops-report-once.ts), week ${week}`);
  const inProc = JSON.parse(
    execFileSync(process.execPath, [join(here, 'revops-report-once.ts')], {
      env: { ...process.env, BENCH_URL: url, BENCH_REVOPS_WEEK: monday },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 << 20,
    })
      .trim()
      .split('\n')
      .at(-1)!,
  ) as {
    week: string;
    loadedMs: number;
    openMs: number;
    coldMs: number;
    warmMs: number[];
    peakRssMiB: number;
    statements: RecordedStatement[];
  };
  const units = unitsOf(inProc.statements);
  const scripts = mkdtempSync(join(tmpdir(), 'leak-bench-revops-'));
  const sameSql = join(scripts, 'digest.sql');
  const floorSql = join(scripts, 'floor.sql');
  writeFileSync(sameSql, psqlScript(units));
  writeFileSync(floorSql, FLOOR_SQL);
  const hasPsql = spawnSync('psql', ['--version']).status === 0;
  if (!hasPsql) throw new Error('psql not found: the ceiling runs the same SQL through it');

  // ---------------------------------------------------------------------------------------------- rounds
  const digestArgs = ['digest', '--week', monday, '--json'];
  const from30 = isoDay(dayMs(o.end) - 29 * DAY_MS);
  const pipelineArgs = ['revops', 'pipeline', '--from', from30, '--to', o.end, '--json'];
  const revenueArgs = ['revops', 'revenue', '--from', qFirst, '--to', qLast, '--json'];
  const startup = emptyRuns(['--version']);
  const digest = emptyRuns(digestArgs);
  const digestBuilt = emptyRuns(['dist/cli.js', ...digestArgs]);
  const pipeline = emptyRuns(pipelineArgs);
  const revenue = emptyRuns(revenueArgs);
  const psqlArgs = (f: string) => ['-X', '-q', '-d', url, '-f', f];
  const psql = { ...emptyRuns(psqlArgs(sameSql)), sqlMs: [] as number[] };
  const floor = { ...emptyRuns(psqlArgs(floorSql)), dealsMs: [] as number[], mrrMs: [] as number[] };
  const sequentialMs: number[] = [];
  const concurrentMs: number[] = [];
  const unitMs: number[][] = units.map(() => []);
  const bare = postgres(url, { max: 10, onnotice: () => {} });
  // Open the pool's connections first: the ceiling is the SQL, not the handshakes.
  await Promise.all(Array.from({ length: 10 }, () => bare.begin((tx) => tx`SELECT pg_sleep(0.05)`)));
  for (let round = 1; round <= o.runs; round++) {
    step(
      `round ${round} of ${o.runs}: leak digest / --version / revops pipeline / revops revenue / psql / bare client`,
    );
    push(digest, timed(process.execPath, [cli, ...digestArgs], env));
    push(startup, timed(process.execPath, [cli, '--version'], env));
    push(digestBuilt, timed(process.execPath, [built.cli, ...digestArgs], env));
    push(pipeline, timed(process.execPath, [cli, ...pipelineArgs], env));
    push(revenue, timed(process.execPath, [cli, ...revenueArgs], env));
    const p = timed('psql', psqlArgs(sameSql), env, true);
    push(psql, p);
    psql.sqlMs.push(psqlTimes(p.stdout).reduce((a, b) => a + b, 0));
    const f = timed('psql', psqlArgs(floorSql), env, true);
    push(floor, f);
    const [dealsMs = Number.NaN, mrrMs = Number.NaN] = psqlTimes(f.stdout);
    floor.dealsMs.push(dealsMs);
    floor.mrrMs.push(mrrMs);
    let sum = 0;
    for (const [k, u] of units.entries()) {
      const ms = await runUnit(bare, u);
      unitMs[k]!.push(ms);
      sum += ms;
    }
    sequentialMs.push(sum);
    t = performance.now();
    await Promise.all(units.map((u) => runUnit(bare, u)));
    concurrentMs.push(performance.now() - t);
    step(
      `  digest ${fmt(digest.wallS.at(-1)!, 2)} s (${fmt(digest.maxRssMiB.at(-1)!)} MiB), built ${fmt(digestBuilt.wallS.at(-1)!, 2)} s, --version ${fmt(startup.wallS.at(-1)!, 2)} s, ` +
        `same SQL: psql ${fmt(p.wallS, 2)} s, bare ${fmt(concurrentMs.at(-1)!)} ms at once / ${fmt(sum)} ms one by one; ` +
        `floor ${fmt(f.wallS, 2)} s; load ${fmt(loadavg()[0]!, 2)}`,
    );
  }
  await bare.end();

  // ------------------------------------------------------------------------- the slowest, explained
  const slowest = units
    .map((u, k) => ({ u, ms: median(unitMs[k]!) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3);
  const plans: string[] = [];
  const explained: RevopsDigestFigures['slowest'] = [];
  for (const { u, ms } of slowest) {
    const last = u.at(-1)!;
    const plan = await admin.begin(async (tx) => {
      for (const s of u.slice(0, -1)) await run1(tx, s);
      return tx.unsafe(`EXPLAIN (ANALYZE, BUFFERS) ${last.text}`, last.params as never[]);
    });
    const text = plan.map((r) => String(r['QUERY PLAN'])).join('\n');
    // The first date among the parameters, when there is one: the earliest start of the batch's periods
    // (revops-batch.ts; the statements inline their dates otherwise).
    const k = last.params.findIndex((p) => /^\d{4}-\d{2}-\d{2}/.test(String(p)));
    const at = k >= 0 ? `, $${k + 1} = ${String(last.params[k]).slice(0, 10)}` : '';
    const what = `${nameOf(last.text)}${at}`;
    plans.push(
      `=== ${what}: ${fmt(ms)} ms alone (median)\n${u
        .slice(0, -1)
        .map((s) => `${s.text};\n`)
        .join('')}${inlined(last).trim()};\n\n${text}\n`,
    );
    explained.push({
      ms,
      what,
      executionMs: Number(/Execution Time: ([\d.]+) ms/.exec(text)?.[1] ?? Number.NaN) || null,
    });
  }
  writeFileSync(join(outDir, 'revops-explain.txt'), plans.join('\n'));
  await admin.end();
  rmSync(scripts, { recursive: true, force: true });
  rmSync(built.dir, { recursive: true, force: true });

  const figures: RevopsDigestFigures = {
    deals: rows['deals']!,
    customers: rows['customers']!,
    mrrRows: rows['mrr']!,
    spendRows: rows['spend']!,
    end: o.end,
    week: inProc.week,
    monday,
    setup: { generateS: gen.seconds, importS, rejected, vacuumAnalyzeS, buildS: built.seconds },
    startup,
    digest,
    digestBuilt,
    pipeline,
    revenue,
    inProcess: {
      loadedMs: inProc.loadedMs,
      openMs: inProc.openMs,
      coldMs: inProc.coldMs,
      warmMs: inProc.warmMs,
      peakRssMiB: inProc.peakRssMiB,
    },
    statements: inProc.statements.length,
    ceiling: { sequentialMs, concurrentMs, psql, floor },
    slowest: explained,
    load: { start: loadStart, end: loadavg(), cores: cpus().length },
  };
  if (week !== inProc.week) throw new Error(`asked for ${week}, the digest reported ${inProc.week}`);
  const pass = median(digest.wallS) <= TARGET_WALL_S && Math.max(...digest.maxRssMiB) <= TARGET_RSS_MIB;
  step(`digest targets (≤ ${TARGET_WALL_S} s, ≤ ${TARGET_RSS_MIB} MiB): ${pass ? 'PASS' : 'FAIL'}`);
  return figures;
}

// Last, so every declaration above is initialised before main() runs.
if (import.meta.main) await main();
