/**
 * `npm run bench`: import rate, raw COPY rate (the ratio to beat) and a full scan of the stored records
 * with peak RSS, on a seeded, realistic funnel (bench/generate.ts).
 *
 *   BENCH_ROWS          rows to generate (default 1,000,000)
 *   BENCH_DATABASE_URL  PostgreSQL server to run against (else DATABASE_URL); a fresh database is
 *                       created on it and dropped afterwards. Without one, embedded PGlite is used
 *                       (default 100,000 rows there; the raw COPY probe needs a server and is skipped).
 *
 * The SLA burn-rate evaluation follows (bench/sla-burn-once.ts: BENCH_SLAS SLAs, default 20, over 72 hours
 * of Silver minutes with BENCH_SLA_TAGS tag sets each, default 5; the first and the next evaluation).
 *
 * With a server, the telemetry ingest step follows (bench/ingest-once.ts: 4 HTTP clients posting batches
 * of 1,000 events for BENCH_INGEST_SECONDS, default 20, on a database of its own, and the raw COPY rate
 * of as many rows as the ceiling), then the webhook intake step (bench/webhook-once.ts: BENCH_WEBHOOK_CLIENTS
 * clients, default 8, posting signed Shopify and Stripe deliveries for BENCH_WEBHOOK_SECONDS, default 15, on
 * a database of its own; every 2xx checked against the stored rows; the same rows INSERTed one by one and
 * COPYed by a bare client as the ceiling).
 *
 * Each measured step runs in a child process of its own, so each peak RSS belongs to that step alone.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { generateCsvLines, HEADER } from './generate.ts';
import { report as ingestReport } from './ingest-report.ts';
import { report as webhookReport } from './webhook-report.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = join(here, '.out');
mkdirSync(outDir, { recursive: true });
const server = process.env['BENCH_DATABASE_URL'] || process.env['DATABASE_URL'] || undefined;
const rows = Number(process.env['BENCH_ROWS'] ?? (server ? 1_000_000 : 100_000));
const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const step = (s: string) => process.stderr.write(`… ${s}\n`);

async function generate(n: number): Promise<string> {
  const file = join(outDir, `funnel-${n}-seed42.csv`);
  if (existsSync(file)) return file;
  step(`generating ${fmt(n)} records → ${file}`);
  const out = createWriteStream(file);
  out.write(HEADER);
  let buf = '';
  for (const line of generateCsvLines(n)) {
    buf += line;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  await new Promise<void>((resolve, reject) => out.end(buf, () => resolve()).once('error', reject));
  return file;
}

function child(script: string, args: string[], env: Record<string, string | undefined>) {
  const out = execFileSync(process.execPath, [join(here, script), ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

/** The same file COPYed straight into an equivalent table with a primary key: no parsing, no checks. */
async function rawCopy(url: string, file: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql.unsafe(`CREATE TABLE copy_probe (id text PRIMARY KEY, type text, name text, email text, domain text,
    company text, source text, region text, owner text, stage text, created_at timestamptz,
    last_touch_at timestamptz, next_step text, value_usd numeric, notes text)`);
  const t = performance.now();
  const writable = await sql.unsafe('COPY copy_probe FROM STDIN (FORMAT csv, HEADER true)').writable();
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), writable);
  const ms = performance.now() - t;
  await sql.unsafe('DROP TABLE copy_probe');
  await sql.end();
  return ms;
}

const file = await generate(rows);
const sizeMiB = statSync(file).size / 2 ** 20;
let url: string | undefined;
let pgliteDir: string | undefined;
let admin: postgres.Sql | undefined;
let dbName = '';
if (server) {
  dbName = `leak_bench_${Date.now()}`;
  admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const u = new URL(server);
  u.pathname = `/${dbName}`;
  url = u.toString();
} else {
  pgliteDir = mkdtempSync(join(tmpdir(), 'leak-bench-'));
}
const env = { BENCH_URL: url, BENCH_PGLITE_DIR: pgliteDir };

try {
  step(
    `importing ${fmt(rows)} rows (${fmt(sizeMiB, 1)} MiB) on ${server ? 'PostgreSQL' : 'embedded PGlite'}`,
  );
  const imp = child('import-once.ts', [file], env);
  const copyMs = url ? await rawCopy(url, file) : undefined;
  step('full scan (first: every finding is new)');
  const scan1 = child('scan-once.ts', [], env);
  step('full scan again (steady state: findings still open)');
  const scan2 = child('scan-once.ts', [], env);
  if (server) step('telemetry ingest over HTTP (4 clients × batches of 1,000 events)');
  const ingest = server
    ? child('ingest-once.ts', [], { BENCH_DATABASE_URL: server, BENCH_INGEST_CHILD: '1' })
    : undefined;
  if (server)
    step(
      `webhook intake over HTTP (${process.env['BENCH_WEBHOOK_CLIENTS'] ?? 8} clients × signed Shopify and Stripe deliveries)`,
    );
  const webhook = server
    ? child('webhook-once.ts', [], { BENCH_DATABASE_URL: server, BENCH_WEBHOOK_CHILD: '1' })
    : undefined;
  step('SLA burn-rate evaluation (the per-minute job) over 3 days of Silver minutes');
  const burn = child('sla-burn-once.ts', [], env);

  const importRate = (imp.rows / imp.totalMs) * 1000;
  const copyRate = copyMs ? (rows / copyMs) * 1000 : undefined;
  const line = (k: string, v: string, target = '') => `  ${k.padEnd(34)} ${v.padStart(16)}   ${target}`;
  const ok = (pass: boolean) => (pass ? 'met' : 'NOT MET');
  const report = [
    `Revenue Leak SRE benchmark — ${fmt(rows)} records, ${server ? 'PostgreSQL' : 'PGlite'}, node ${process.version}`,
    line('import rate (rows/s)', fmt(importRate), `target ≥ 100,000: ${ok(importRate >= 100_000)}`),
    line('import time (s)', fmt(imp.totalMs / 1000, 2), `peak RSS ${fmt(imp.peakRssMiB)} MiB`),
    copyRate
      ? line('raw COPY rate (rows/s)', fmt(copyRate), `import is ${fmt(importRate / copyRate, 2)}× raw COPY`)
      : line('raw COPY rate', 'skipped', '(needs a PostgreSQL server)'),
    line('full scan, first (s)', fmt(scan1.totalMs / 1000, 2), `target ≤ 10: ${ok(scan1.totalMs <= 10_000)}`),
    line(
      '  load / evaluate / persist (s)',
      `${fmt(scan1.loadMs / 1000, 2)} / ${fmt(scan1.evaluateMs / 1000, 2)} / ${fmt(scan1.persistMs / 1000, 2)}`,
    ),
    line('  peak RSS (MiB)', fmt(scan1.peakRssMiB), `target ≤ 1,024: ${ok(scan1.peakRssMiB <= 1024)}`),
    line(
      'full scan, steady state (s)',
      fmt(scan2.totalMs / 1000, 2),
      `target ≤ 10: ${ok(scan2.totalMs <= 10_000)}`,
    ),
    line(
      '  load / evaluate / persist (s)',
      `${fmt(scan2.loadMs / 1000, 2)} / ${fmt(scan2.evaluateMs / 1000, 2)} / ${fmt(scan2.persistMs / 1000, 2)}`,
    ),
    line('  peak RSS (MiB)', fmt(scan2.peakRssMiB), `target ≤ 1,024: ${ok(scan2.peakRssMiB <= 1024)}`),
    line('issues found', fmt(scan1.issues), `$${fmt(scan1.atRiskUsd)} at risk`),
    ...(ingest
      ? ingestReport(ingest, fmt)
      : [line('telemetry ingest', 'skipped', '(needs a PostgreSQL server)')]),
    ...(webhook
      ? webhookReport(webhook, fmt)
      : [line('webhook intake', 'skipped', '(needs a PostgreSQL server)')]),
    line(
      'SLA burn evaluation, warm (ms)',
      fmt(burn.warmMs),
      `${burn.slas} SLAs × ${burn.tags} tag sets × 72 h (${fmt(burn.rows)} minutes); first run ${fmt(burn.coldMs)} ms`,
    ),
  ].join('\n');
  process.stdout.write(`${report}\n`);
  const results = {
    rows,
    server: Boolean(server),
    import: imp,
    copyMs,
    scan1,
    scan2,
    ingest,
    webhook,
    burn,
    at: new Date().toISOString(),
  };
  createWriteStream(join(outDir, 'results.json')).end(JSON.stringify(results, null, 2));
} finally {
  if (admin) {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}
