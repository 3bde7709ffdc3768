/**
 * Webhook intake benchmark (issue 12) in a process of its own; prints one JSON line on stdout (the
 * human-readable result goes to stderr). Used by bench/run.ts, and runnable alone:
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/webhook-once.ts
 *
 *   BENCH_DATABASE_URL     PostgreSQL server (required); `leak_bench_webhooks_<pid>` is created on it and
 *                          dropped afterwards
 *   BENCH_WEBHOOK_SECONDS  measured duration (default 15), after a 3 s warm-up
 *   BENCH_WEBHOOK_CLIENTS  concurrent keep-alive clients (default 8)
 *
 * The real app runs in this process (start() from src/composition/server.ts with SHOPIFY_WEBHOOK_SECRET and
 * STRIPE_WEBHOOK_SECRET set, Slack pointed at a tiny local stub, no scheduler; its log lines are written
 * and then discarded), so background parsing runs during the load as it would in production. The clients
 * run in a child process of their own (bench/webhook-load.ts; the mix and its signatures: webhook-mix.ts,
 * the bodies: webhook-payloads.ts) and every request time of the measured window is kept, so p50/p99
 * are exact.
 *
 * Durability before the 2xx: every new delivery answered 2xx is listed by the generator and must be a row of
 * webhook_deliveries afterwards; one in 25 is also looked up by the generator on its own connection the
 * moment its 2xx arrives (a row committed before the answer is visible then). synchronous_commit is shown:
 * with `on`, a commit returns only once its WAL is flushed. Then background parsing is waited for (timed),
 * and the ceiling is measured on the same rows (bench/webhook-ceiling.ts).
 */

import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from '../src/adapters/db/sql.ts';
import { slackStub, withBenchDatabase } from './bench-db.ts';
import { rawCeiling } from './webhook-ceiling.ts';
import { CLIENTS, runWebhookClients, type WebhookJob, type WebhookResult } from './webhook-load.ts';
import { SECRETS } from './webhook-mix.ts';
import { report } from './webhook-report.ts';

const WARMUP_MS = 3_000;
/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS = 100;
/** Set (to the WebhookJob's JSON) in the load generator's child process. */
const CLIENT_JOB_ENV = 'BENCH_WEBHOOK_CLIENT_JOB';

const fmt = (n: number, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const step = (s: string) => process.stderr.write(`… ${s}\n`);

const clientJob = process.env[CLIENT_JOB_ENV];
if (clientJob !== undefined) {
  const result = await runWebhookClients(JSON.parse(clientJob) as WebhookJob);
  process.send!(result, () => process.disconnect());
} else if (import.meta.main) {
  await main();
}

async function main(): Promise<void> {
  const server = process.env['BENCH_DATABASE_URL'];
  if (!server) {
    process.stderr.write('webhook benchmark: set BENCH_DATABASE_URL to a PostgreSQL server\n');
    process.exit(2);
  }
  const measureMs = Number(process.env['BENCH_WEBHOOK_SECONDS'] ?? 15) * 1000;
  const slack = await slackStub();
  try {
    const out = await withBenchDatabase(server, 'webhooks', (url) =>
      benchWebhooks(url, slack.port, measureMs),
    );
    // bench/run.ts prints these lines in its own report.
    if (!process.env['BENCH_WEBHOOK_CHILD']) process.stderr.write(`${report(out, fmt).join('\n')}\n`);
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    slack.server.close();
  }
}

/** The real app on the fresh database at `url`, loaded by the client process, then its figures. */
async function benchWebhooks(url: string, slackPort: number, measureMs: number) {
  const { loadConfig } = await import('../src/config/config.ts');
  const { openServices } = await import('../src/composition/services.ts');
  const { start } = await import('../src/composition/server.ts');
  // A throwaway bench database keeps its own random PII key (config.ts LoadOptions).
  const config = loadConfig(
    {
      DATABASE_URL: url,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: 'bench-signing-secret',
      SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/`,
      SHOPIFY_WEBHOOK_SECRET: SECRETS.shopify,
      STRIPE_WEBHOOK_SECRET: SECRETS.stripe,
      SCHEDULER_ENABLED: 'false',
      LOG_LEVEL: 'warn',
      PORT: '0',
    },
    { storedPiiKey: true },
  );
  const services = await openServices(config, { info() {}, warn() {}, error() {}, debug() {} });
  const db = services.db;
  let logLines = 0;
  const running = await start(config, {
    services,
    logDestination: {
      write() {
        logLines += 1;
      },
    },
  });
  try {
    const [pg] = await db.query<{ sc: string; fsync: string }>(
      `SELECT current_setting('synchronous_commit') AS sc, current_setting('fsync') AS fsync`,
    );
    step(
      `webhooks: ${CLIENTS} clients, Shopify/Stripe mix, ${fmt(WARMUP_MS / 1000)} s warm-up + ${fmt(measureMs / 1000)} s`,
    );
    const cpu0 = process.cpuUsage();
    const pg0 = await backendsCpu(db);
    const host0 = hostCpu();
    const t0 = performance.now();
    const result = await loadGenerator({ port: running.port, dbUrl: url, warmupMs: WARMUP_MS, measureMs });
    const cpu = process.cpuUsage(cpu0);
    const pgCpuSec = (await backendsCpu(db, pg0)).total;
    const hostCpuSec = hostCpu() - host0;
    const runSec = (performance.now() - t0) / 1000;
    const parsing = await parsingDrained(db, () => running.drain());
    const stored = await durability(db, result.stored);
    await running.stop();
    step(
      `raw ceiling: the ${fmt(stored.rows)} stored rows, one INSERT each over ${CLIENTS} connections, then COPY`,
    );
    const ceiling = await rawCeiling(url, CLIENTS);
    const used = { pgCpuSec, hostCpuSec, runSec };
    return figures({ result, cpu, used, parsing, stored, ceiling, measureMs, logLines, pg: pg! });
  } finally {
    await running.stop().catch(() => {});
  }
}

/** The load generator's run, in a child process of its own (so this process's CPU is the server's). */
function loadGenerator(job: WebhookJob) {
  return new Promise<WebhookResult>((resolve, reject) => {
    const c = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, [CLIENT_JOB_ENV]: JSON.stringify(job) },
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    c.once('message', (m) => resolve(m as WebhookResult));
    c.once('error', reject);
    c.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
    });
  });
}

/**
 * CPU seconds (user + system) of the PostgreSQL backends serving this database (the app's pool, the
 * parser's connection, the generator's probes), from /proc: since `since` when given (a backend new since
 * then counts from its start).
 */
async function backendsCpu(db: Db, since?: Map<number, number>) {
  const pids = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  const now = new Map<number, number>();
  for (const { pid } of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      now.set(pid, (Number(fields[11]) + Number(fields[12])) / TICKS);
    } catch {} // not on this host, or gone
  }
  let total = 0;
  for (const [pid, sec] of now) total += sec - (since?.get(pid) ?? 0);
  return Object.assign(now, { total });
}

/** Busy CPU seconds of the whole host (every core, every process: other sessions' too), from /proc/stat. */
function hostCpu(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS;
}

/** Background parsing finished (timed from the end of the load), then what it made of the deliveries. */
async function parsingDrained(db: Db, drain: () => Promise<void>) {
  const t0 = performance.now();
  const count = async () =>
    Number(
      (
        await db.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM webhook_deliveries WHERE status = 'received'`,
        )
      )[0]!.n,
    );
  const pendingAtEnd = await count();
  await drain();
  while ((await count()) > 0) await new Promise((r) => setTimeout(r, 50));
  const parseMs = performance.now() - t0;
  const statuses = await db.query<{ status: string; n: string }>(
    'SELECT status, count(*)::text AS n FROM webhook_deliveries GROUP BY status',
  );
  const by = Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)]));
  const [ledger] = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM ledger_entries');
  return {
    pendingAtEnd,
    parseMs,
    parsed: by['parsed'] ?? 0,
    failed: by['failed'] ?? 0,
    ignored: by['ignored'] ?? 0,
    ledgerRows: Number(ledger!.n),
  };
}

/** Every new delivery answered 2xx must be a stored row: the rows, the answers, and those missing. */
async function durability(db: Db, answered: string[]) {
  const rows = await db.query<{ k: string }>(
    `SELECT source || E'\\t' || delivery_id AS k FROM webhook_deliveries`,
  );
  const keys = new Set(rows.map((r) => r.k));
  const missing = answered.filter((k) => !keys.has(k));
  if (missing.length > 0) step(`NOT STORED though answered 2xx: ${missing.slice(0, 5).join(', ')}…`);
  return { rows: rows.length, answeredNew: answered.length, missing: missing.length };
}

interface Measured {
  result: WebhookResult;
  cpu: NodeJS.CpuUsage;
  used: { pgCpuSec: number; hostCpuSec: number; runSec: number };
  parsing: Awaited<ReturnType<typeof parsingDrained>>;
  stored: Awaited<ReturnType<typeof durability>>;
  ceiling: Awaited<ReturnType<typeof rawCeiling>>;
  measureMs: number;
  logLines: number;
  pg: { sc: string; fsync: string };
}

/** The JSON line: rates, exact nearest-rank percentiles over every measured request, checks, ceiling. */
function figures(m: Measured) {
  const { result: r, cpu } = m;
  const sorted = Float64Array.from(r.latencies).sort();
  const pct = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  const { stored: _ids, latencies: _times, ...counts } = r;
  return {
    seconds: m.measureMs / 1000,
    clients: CLIENTS,
    ...counts,
    requests: sorted.length,
    deliveriesPerSec: (r.ok / r.windowMs) * 1000,
    p50Ms: pct(50),
    p99Ms: pct(99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    ...m.stored,
    synchronousCommit: m.pg.sc,
    fsync: m.pg.fsync,
    ...m.parsing,
    ...m.ceiling,
    serverCpuSec: (cpu.user + cpu.system) / 1e6,
    /** Server CPU per request, warm-up included (the server's CPU covers it too), parsing during it too. */
    serverCpuMsPerDelivery: (cpu.user + cpu.system) / 1000 / r.requestsTotal,
    clientCpuSec: r.cpuMs / 1000,
    /**
     * Over the load generator's run (runSec, warm-up included): PostgreSQL's CPU for this database, per
     * request; the host's busy CPU, and the part of it that is none of those three (other sessions, the WAL
     * writer, the kernel's own threads).
     */
    runSec: m.used.runSec,
    pgCpuSec: m.used.pgCpuSec,
    pgCpuMsPerDelivery: (m.used.pgCpuSec * 1000) / r.requestsTotal,
    hostCpuSec: m.used.hostCpuSec,
    otherCpuSec: m.used.hostCpuSec - (cpu.user + cpu.system) / 1e6 - r.cpuMs / 1000 - m.used.pgCpuSec,
    serverLogLines: m.logLines,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}
