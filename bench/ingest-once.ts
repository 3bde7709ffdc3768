/**
 * Telemetry ingest benchmark (issue 5) in a process of its own; prints one JSON line on stdout (the
 * human-readable result goes to stderr). Used by bench/run.ts, and runnable alone:
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/ingest-once.ts
 *
 *   BENCH_DATABASE_URL    PostgreSQL server (required); `leak_bench_ingest_<pid>` is created on it and
 *                         dropped afterwards
 *   BENCH_INGEST_SECONDS  measured duration (default 20), after a 3 s warm-up
 *   BENCH_INGEST_CLIENTS  concurrent clients (default 4)
 *   BENCH_INGEST_COMPACT_DURING=1  a compactor runs during the ingest too (as the scheduled job would),
 *                         not only afterwards
 *   BENCH_INGEST_FORMATS  what the clients send, comma-separated, each run on a fresh database in turn
 *                         (default all three): `events` (plain batches to /api/telemetry/events),
 *                         `otlp-json` and `otlp-proto` (the same events as OTLP/HTTP logs requests to
 *                         /v1/logs, in JSON and in protobuf: bench/ingest-otlp.ts)
 *
 * The real app runs in this process (start() from src/composition/server.ts, Slack pointed at a tiny local stub that
 * answers `{ ok: true }`, no scheduler), and 4 concurrent clients in a child process of their own (a
 * separate load generator: the server's CPU figure is this process alone) POST batches of 1,000
 * events over keep-alive HTTP (plain to /api/telemetry/events, or as OTLP/HTTP logs in JSON or protobuf
 * to /v1/logs: BENCH_INGEST_FORMATS, each format in a process and on a database of its own, in turn):
 * 20 services × 10 names × 3 tag sets, times
 * within the last 2 s (so the Silver minute moves forward with the clock), 2% errors (with user ids and
 * emails, hashed into Bronze) and 3% slower than TELEMETRY_SLOW_MS (Bronze too). Every request time of
 * the measured window is kept, so p50/p99 are exact. The host is shared, so the 1-minute load average
 * (os.loadavg, as `uptime` shows it) is reported from the start and the end of the measured window.
 *
 * Then the ceiling: the same number of bronze-like rows COPYed (text format) into a plain table with
 * Bronze's columns and no index, through postgres.js `COPY … FROM STDIN` writable.
 */

import { execFileSync, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { slackStub, withBenchDatabase } from './bench-db.ts';
import { rawCopy } from './ingest-copy.ts';
import {
  BATCH,
  CLIENTS,
  type ClientJob,
  type ClientResult,
  FORMATS,
  type IngestFormat,
  runClients,
  SLOW_MS,
} from './ingest-load.ts';
import { type IngestFigures, report } from './ingest-report.ts';

const COMPACT_DURING = process.env['BENCH_INGEST_COMPACT_DURING'] === '1';
const WARMUP_MS = 3_000;
/** Set (to the ClientJob's JSON) in the load generator's child process. */
const CLIENT_JOB_ENV = 'BENCH_INGEST_CLIENT_JOB';

type Fmt = (n: number, d?: number) => string;
const fmt: Fmt = (n, d = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const step = (s: string) => process.stderr.write(`… ${s}\n`);

const clientJob = process.env[CLIENT_JOB_ENV];
if (clientJob !== undefined) {
  const result = await runClients(JSON.parse(clientJob) as ClientJob);
  process.send!(result, () => process.disconnect());
} else if (import.meta.main) {
  await main();
}

async function main(): Promise<void> {
  const server = process.env['BENCH_DATABASE_URL'];
  if (!server) {
    process.stderr.write('ingest benchmark: set BENCH_DATABASE_URL to a PostgreSQL server\n');
    process.exit(2);
  }
  const measureMs = Number(process.env['BENCH_INGEST_SECONDS'] ?? 20) * 1000;
  const formats = (process.env['BENCH_INGEST_FORMATS'] ?? FORMATS.join(','))
    .split(',')
    .map((f) => f.trim()) as IngestFormat[];
  const unknown = formats.filter((f) => !FORMATS.includes(f));
  if (unknown.length > 0 || formats.length === 0) {
    process.stderr.write(`ingest benchmark: BENCH_INGEST_FORMATS: use ${FORMATS.join(', ')}\n`);
    process.exit(2);
  }
  if (formats.length > 1) {
    // One process per format, one after the other: neither shares a warmed-up JIT, a cache or a peak RSS
    // with another.
    const byFormat: Record<string, IngestFigures> = {};
    for (const format of formats) {
      const text = execFileSync(process.execPath, [fileURLToPath(import.meta.url)], {
        env: { ...process.env, BENCH_INGEST_FORMATS: format, BENCH_INGEST_CHILD: '1' },
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 64 * 1024 * 1024,
      });
      byFormat[format] = JSON.parse(text.toString('utf8').trim().split('\n').at(-1)!) as IngestFigures;
    }
    // The first format's figures at the top level (as before), every format's under `formats`.
    const out = { ...byFormat[formats[0]!]!, formats: byFormat };
    // bench/run.ts prints these lines in its own report.
    if (!process.env['BENCH_INGEST_CHILD']) process.stderr.write(`${report(out, fmt).join('\n')}\n`);
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const slack = await slackStub();
  try {
    const out = await withBenchDatabase(server, 'ingest', (url) =>
      benchIngest(url, slack.port, measureMs, formats[0]!),
    );
    if (!process.env['BENCH_INGEST_CHILD']) process.stderr.write(`${report(out, fmt).join('\n')}\n`);
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    slack.server.close();
  }
}

/** The real app on the fresh database at `url`, loaded by the client process, then its figures. */
async function benchIngest(url: string, slackPort: number, measureMs: number, format: IngestFormat) {
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
      SCHEDULER_ENABLED: 'false',
      LOG_LEVEL: 'warn',
      PORT: '0',
      TELEMETRY_SLOW_MS: String(SLOW_MS),
    },
    { storedPiiKey: true },
  );
  const services = await openServices(config, { info() {}, warn() {}, error() {}, debug() {} });
  const { token } = await services.repos.tokens.create('bench');
  const running = await start(config, { services });
  try {
    step(
      `ingest (${format}): ${CLIENTS} clients × batches of ${fmt(BATCH)} events, ${fmt(WARMUP_MS / 1000)} s warm-up + ${fmt(measureMs / 1000)} s`,
    );
    const job: ClientJob = { format, port: running.port, token, warmupMs: WARMUP_MS, measureMs };
    const load = await underLoad(services.repos.telemetry, job);
    // Ingest leaves Silver minutes pending; drain them (the every-minute compaction job's work) so the
    // Silver counts below are checked, and time it.
    const compact0 = performance.now();
    let compacted = 0;
    for (let n = await load.compactor.compact(); n > 0; n = await load.compactor.compact()) compacted += n;
    const compactMs = performance.now() - compact0;
    const [counts] = await services.db.query<{ bronze: string; silver: string; events: string }>(
      `SELECT (SELECT count(*) FROM bronze_events)::text AS bronze,
              (SELECT count(*) FROM silver_minute)::text AS silver,
              (SELECT coalesce(sum(count), 0) FROM silver_minute)::text AS events`,
    );
    await running.stop();
    step(`raw COPY ceiling: ${fmt(load.result.accepted)} bronze-like rows`);
    const copyMs = await rawCopy(url, load.result.accepted);
    return figures({ ...load, counts: counts!, compacted, compactMs, copyMs, measureMs, format });
  } finally {
    await running.stop().catch(() => {});
  }
}

/**
 * The client process's run against the server; BENCH_INGEST_COMPACT_DURING=1 adds one compactor that
 * drains pending rows all along, as the scheduled job would on a loaded server, so the ingest rate is
 * measured with compaction competing for the CPU.
 */
async function underLoad(compactor: { compact(): Promise<number> }, job: ClientJob) {
  let ingesting = true;
  let compactedDuring = 0;
  const during = COMPACT_DURING
    ? (async () => {
        while (ingesting) {
          const n = await compactor.compact();
          compactedDuring += n;
          if (n === 0) await new Promise((r) => setTimeout(r, 200));
        }
      })()
    : Promise.resolve();
  during.catch(() => {}); // awaited (and thrown) once the clients are done
  const cpu0 = process.cpuUsage();
  const result = await new Promise<ClientResult>((resolve, reject) => {
    const c = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, [CLIENT_JOB_ENV]: JSON.stringify(job) },
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    c.once('message', (m) => resolve(m as ClientResult));
    c.once('error', reject);
    c.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
    });
  });
  // This process alone: the server (HTTP, parsing, rollups, the driver), not the load generator.
  const cpu = process.cpuUsage(cpu0);
  ingesting = false;
  await during;
  return { compactor, result, cpu, compactedDuring };
}

interface Measured {
  format: IngestFormat;
  result: ClientResult;
  cpu: NodeJS.CpuUsage;
  compactedDuring: number;
  counts: { bronze: string; silver: string; events: string };
  compacted: number;
  compactMs: number;
  copyMs: number;
  measureMs: number;
}

/** The JSON line: rates, exact nearest-rank percentiles over every measured request, CPU, tiers' rows. */
function figures(m: Measured) {
  const { result, cpu, counts } = m;
  const sorted = Float64Array.from(result.latencies).sort();
  const pct = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  return {
    format: m.format,
    seconds: m.measureMs / 1000,
    clients: CLIENTS,
    batch: BATCH,
    requests: sorted.length,
    accepted: result.accepted,
    rejected: result.rejected,
    failed: result.failed,
    windowMs: result.windowMs,
    eventsPerSec: (result.accepted / result.windowMs) * 1000,
    p50Ms: pct(50),
    p99Ms: pct(99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    bronzeRows: Number(counts.bronze),
    silverRows: Number(counts.silver),
    silverEvents: Number(counts.events),
    acceptedTotal: result.acceptedTotal,
    compactDuring: COMPACT_DURING,
    compactedDuringRows: m.compactedDuring,
    compactedRows: m.compacted,
    compactMs: m.compactMs,
    compactRowsPerSec: (m.compacted / m.compactMs) * 1000,
    serverCpuSec: (cpu.user + cpu.system) / 1e6,
    /** Server CPU per 1,000 accepted events, warm-up included (the server's CPU covers it too). */
    serverCpuMsPer1000: ((cpu.user + cpu.system) / 1000 / result.acceptedTotal) * 1000,
    clientCpuSec: result.cpuMs / 1000,
    loadStart: result.loadStart,
    loadEnd: result.loadEnd,
    copyRows: result.accepted,
    copyMs: m.copyMs,
    copyRowsPerSec: (result.accepted / m.copyMs) * 1000,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}
