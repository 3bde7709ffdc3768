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
 *
 * The real app runs in this process (start() from src/main.ts, Slack pointed at a tiny local stub that
 * answers `{ ok: true }`, no scheduler), and 4 concurrent clients in a child process of their own (a
 * separate load generator: the server's CPU figure is this process alone) POST batches of 1,000
 * plain events to /api/telemetry/events over keep-alive HTTP: 20 services × 10 names × 3 tag sets, times
 * within the last 2 s (so the Silver minute moves forward with the clock), 2% errors (with user ids and
 * emails, hashed into Bronze) and 3% slower than TELEMETRY_SLOW_MS (Bronze too). Every request time of
 * the measured window is kept, so p50/p99 are exact. The host is shared, so the 1-minute load average
 * (os.loadavg, as `uptime` shows it) is reported from the start and the end of the measured window.
 *
 * Then the ceiling: the same number of bronze-like rows COPYed (text format) into a plain table with
 * Bronze's columns and no index, through postgres.js `COPY … FROM STDIN` writable.
 */

import { fork } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { rng } from './generate.ts';

const CLIENTS = Number(process.env['BENCH_INGEST_CLIENTS'] ?? 4);
const COMPACT_DURING = process.env['BENCH_INGEST_COMPACT_DURING'] === '1';
const BATCH = 1_000;
const SERVICES = 20;
const NAMES = [
  'http.request',
  'db.query',
  'cache.get',
  'queue.publish',
  'queue.consume',
  'checkout.submit',
  'payment.authorize',
  'search.query',
  'auth.login',
  'render.page',
];
const TAG_SETS = [
  { region: 'eu-west-1', method: 'GET', status: 200 },
  { region: 'us-east-1', method: 'POST', status: 201 },
  { region: 'ap-south-1', method: 'GET', status: 200, cached: true },
];
const SLOW_MS = 1_000;
const WARMUP_MS = 3_000;
/** Set (to the ClientJob's JSON) in the load generator's child process. */
const CLIENT_JOB_ENV = 'BENCH_INGEST_CLIENT_JOB';

interface ClientJob {
  port: number;
  token: string;
  warmupMs: number;
  measureMs: number;
}

interface ClientResult {
  /** Request times (ms) of the requests started inside the measured window. */
  latencies: Float64Array;
  accepted: number;
  rejected: number;
  failed: number;
  /** From the window's start to the end of its last request. */
  windowMs: number;
  /** Accepted over the whole run, warm-up included (checked against Silver's counts). */
  acceptedTotal: number;
  /** The load generator's own CPU time over its run (user + system), ms. */
  cpuMs: number;
  /** The 1-minute load average at the start and at the end of the measured window. */
  loadStart: number;
  loadEnd: number;
}

/**
 * Events as JSON text split around their `time`, so a body is stamped with the current clock by string
 * concatenation: the clients stay cheap and the server's CPU goes to the server.
 */
function eventTemplates(n: number, seed: number): [string, string][] {
  const r = rng(seed);
  const out: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    const service = `svc-${String(Math.floor(r() * SERVICES)).padStart(2, '0')}`;
    const name = NAMES[Math.floor(r() * NAMES.length)]!;
    const attributes = TAG_SETS[Math.floor(r() * TAG_SETS.length)]!;
    const roll = r();
    const error = roll < 0.02;
    const slow = !error && roll < 0.05;
    const duration = slow ? SLOW_MS + 1 + r() * 4_000 : 5 + -Math.log(1 - r()) * 60;
    const e: Record<string, unknown> = {
      service,
      name,
      duration_ms: Math.round(duration * 100) / 100,
      ok: !error,
      attributes,
    };
    if (error) {
      e['level'] = 'ERROR';
      e['message'] = `${name} failed: upstream timeout after ${Math.round(duration)} ms`;
      e['trace_id'] = Math.floor(r() * 2 ** 52)
        .toString(16)
        .padStart(32, '0');
      const user = Math.floor(r() * 50_000);
      e['user_id'] = `u-${user}`;
      e['email'] = `user${user}@example.com`;
    } else if (slow) {
      e['level'] = 'WARN';
    }
    const json = JSON.stringify(e);
    // `{"time":<ms>,` + the rest of the object
    out.push(['{"time":', `,${json.slice(1)}`]);
  }
  return out;
}

/** The load generator (a child process): CLIENTS concurrent keep-alive clients, one batch at a time each. */
async function runClients(job: ClientJob): Promise<ClientResult> {
  const cpu0 = process.cpuUsage();
  const templates = eventTemplates(20_000, 42);
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const start = performance.now();
  const windowStart = start + job.warmupMs;
  const windowEnd = windowStart + job.measureMs;
  const latencies: number[] = [];
  let accepted = 0;
  let acceptedTotal = 0;
  let rejected = 0;
  let failed = 0;
  let lastEnd = windowStart;
  let cursor = 0;
  let loadStart = Number.NaN;
  setTimeout(() => {
    loadStart = loadavg()[0]!;
  }, job.warmupMs).unref();

  const body = (): string => {
    const now = Date.now();
    const r = rng(cursor);
    let s = '[';
    for (let i = 0; i < BATCH; i++) {
      const [head, tail] = templates[cursor++ % templates.length]!;
      s += (i === 0 ? '' : ',') + head + String(now - Math.floor(r() * 2_000)) + tail;
    }
    return `${s}]`;
  };
  const post = (payload: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: job.port,
          path: '/api/telemetry/events',
          method: 'POST',
          agent,
          headers: {
            authorization: `Bearer ${job.token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });

  const client = async () => {
    for (;;) {
      const payload = body();
      const t0 = performance.now();
      if (t0 >= windowEnd) return;
      const res = await post(payload);
      const t1 = performance.now();
      const measured = t0 >= windowStart;
      let ok = 0;
      if (res.status === 200) {
        const out = JSON.parse(res.text) as { accepted: number; rejected: unknown[] };
        ok = out.accepted;
        acceptedTotal += ok;
        if (measured) rejected += out.rejected.length;
      } else if (measured) failed += 1;
      if (measured) {
        latencies.push(t1 - t0);
        accepted += ok;
        lastEnd = Math.max(lastEnd, t1);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const loadEnd = loadavg()[0]!;
  agent.destroy();
  const cpu = process.cpuUsage(cpu0);
  return {
    latencies: Float64Array.from(latencies),
    accepted,
    rejected,
    failed,
    windowMs: lastEnd - windowStart,
    acceptedTotal,
    cpuMs: (cpu.user + cpu.system) / 1000,
    loadStart,
    loadEnd,
  };
}

const clientJob = process.env[CLIENT_JOB_ENV];
if (clientJob !== undefined) {
  const result = await runClients(JSON.parse(clientJob) as ClientJob);
  process.send!(result, () => process.disconnect());
} else if (import.meta.main) {
  await main();
}

async function main(): Promise<void> {
  const { default: postgres } = await import('postgres');
  const { loadConfig } = await import('../src/config/config.ts');
  const { openServices } = await import('../src/services.ts');
  const { start } = await import('../src/main.ts');

  const server = process.env['BENCH_DATABASE_URL'];
  if (!server) {
    process.stderr.write('ingest benchmark: set BENCH_DATABASE_URL to a PostgreSQL server\n');
    process.exit(2);
  }
  const measureMs = Number(process.env['BENCH_INGEST_SECONDS'] ?? 20) * 1000;
  const fmt = (n: number, d = 0) =>
    n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const step = (s: string) => process.stderr.write(`… ${s}\n`);

  // Slack stub: every Web API method answers ok (auth.test with a bot identity).
  const slack = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ ok: true, user_id: 'UBENCH', bot_id: 'BBENCH', team_id: 'TBENCH', user: 'bench' }),
      );
    });
  });
  await new Promise<void>((r) => slack.listen(0, '127.0.0.1', () => r()));
  const slackPort = (slack.address() as AddressInfo).port;

  const dbName = `leak_bench_ingest_${process.pid}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const u = new URL(server);
  u.pathname = `/${dbName}`;
  const url = u.toString();

  let running: Awaited<ReturnType<typeof start>> | undefined;
  try {
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
    running = await start(config, { services });

    step(
      `ingest: ${CLIENTS} clients × batches of ${fmt(BATCH)} events, ${fmt(WARMUP_MS / 1000)} s warm-up + ${fmt(measureMs / 1000)} s`,
    );
    const job: ClientJob = { port: running.port, token, warmupMs: WARMUP_MS, measureMs };
    const { telemetryStore } = await import('../src/adapters/db/telemetry-repository.ts');
    const { mergeSketchBytes, sketchQuantiles } = await import('../src/adapters/telemetry/sketch.ts');
    const compactor = telemetryStore(services.db, mergeSketchBytes, { quantiles: sketchQuantiles });
    // BENCH_INGEST_COMPACT_DURING=1: one compactor drains pending rows all along, as the scheduled job
    // would on a loaded server, so the ingest rate is measured with compaction competing for the CPU.
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

    // Ingest leaves Silver minutes pending; drain them (the every-minute compaction job's work) so the
    // Silver counts below are checked, and time it.
    const compact0 = performance.now();
    let compacted = 0;
    for (let n = await compactor.compact(); n > 0; n = await compactor.compact()) compacted += n;
    const compactMs = performance.now() - compact0;

    const [counts] = await services.db.query<{ bronze: string; silver: string; events: string }>(
      `SELECT (SELECT count(*) FROM bronze_events)::text AS bronze,
              (SELECT count(*) FROM silver_minute)::text AS silver,
              (SELECT coalesce(sum(count), 0) FROM silver_minute)::text AS events`,
    );
    await running.stop();
    running = undefined;

    const sorted = Float64Array.from(result.latencies).sort();
    // Exact nearest-rank percentiles over every measured request.
    const pct = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
    const rate = (result.accepted / result.windowMs) * 1000;

    step(`raw COPY ceiling: ${fmt(result.accepted)} bronze-like rows`);
    const copyMs = await rawCopy(url, result.accepted);
    const copyRate = (result.accepted / copyMs) * 1000;

    const out = {
      seconds: measureMs / 1000,
      clients: CLIENTS,
      batch: BATCH,
      requests: sorted.length,
      accepted: result.accepted,
      rejected: result.rejected,
      failed: result.failed,
      windowMs: result.windowMs,
      eventsPerSec: rate,
      p50Ms: pct(50),
      p99Ms: pct(99),
      maxMs: sorted.at(-1) ?? Number.NaN,
      bronzeRows: Number(counts!.bronze),
      silverRows: Number(counts!.silver),
      silverEvents: Number(counts!.events),
      acceptedTotal: result.acceptedTotal,
      compactDuring: COMPACT_DURING,
      compactedDuringRows: compactedDuring,
      compactedRows: compacted,
      compactMs,
      compactRowsPerSec: (compacted / compactMs) * 1000,
      serverCpuSec: (cpu.user + cpu.system) / 1e6,
      /** Server CPU per 1,000 accepted events, warm-up included (the server's CPU covers it too). */
      serverCpuMsPer1000: ((cpu.user + cpu.system) / 1000 / result.acceptedTotal) * 1000,
      clientCpuSec: result.cpuMs / 1000,
      loadStart: result.loadStart,
      loadEnd: result.loadEnd,
      copyRows: result.accepted,
      copyMs,
      copyRowsPerSec: copyRate,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    };
    // bench/run.ts prints these lines in its own report.
    if (!process.env['BENCH_INGEST_CHILD']) process.stderr.write(`${report(out, fmt).join('\n')}\n`);
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    if (running) await running.stop().catch(() => {});
    slack.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }

  /** Bronze-like rows (text format), a pool of distinct lines cycled, COPYed into a plain table. */
  async function rawCopy(dbUrl: string, rows: number): Promise<number> {
    const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
    await sql`CREATE TABLE copy_probe (time timestamptz NOT NULL, service text NOT NULL, name text NOT NULL,
      level text, ok boolean, duration_ms double precision, message text, trace_id text, user_hash text,
      email_hash text, attributes jsonb NOT NULL DEFAULT '{}'::jsonb, incident_id bigint)`;
    const r = rng(7);
    const now = Date.now();
    const POOL = 10_000;
    let text = '';
    for (let i = 0; i < POOL; i++) {
      const error = r() < 0.4;
      const service = `svc-${String(Math.floor(r() * SERVICES)).padStart(2, '0')}`;
      const name = NAMES[Math.floor(r() * NAMES.length)]!;
      const tags = JSON.stringify(TAG_SETS[Math.floor(r() * TAG_SETS.length)]!);
      const hash = () => Math.floor(r() * 2 ** 52).toString(16) + Math.floor(r() * 2 ** 52).toString(16);
      text += `${new Date(now - Math.floor(r() * 60_000)).toISOString()}\t${service}\t${name}\t${
        error ? 'ERROR' : 'WARN'
      }\t${error ? 'f' : 't'}\t${(r() * 4_000).toFixed(2)}\t${
        error ? `${name} failed: upstream timeout` : '\\N'
      }\t${error ? hash() : '\\N'}\t${error ? hash() : '\\N'}\t${error ? hash() : '\\N'}\t${tags}\t\\N\n`;
    }
    const pool = Buffer.from(text);
    const lineEnds: number[] = [];
    for (let i = 0; i < pool.length; i++) if (pool[i] === 10) lineEnds.push(i + 1);
    const t = performance.now();
    const writable = await sql`COPY copy_probe FROM STDIN`.writable();
    const write = (b: Buffer) =>
      writable.write(b) ? undefined : new Promise<void>((res) => writable.once('drain', () => res()));
    let left = rows;
    while (left > 0) {
      const n = Math.min(left, POOL);
      const chunk = n === POOL ? pool : pool.subarray(0, lineEnds[n - 1]);
      const wait = write(chunk);
      if (wait) await wait;
      left -= n;
    }
    await new Promise<void>((resolve, reject) => {
      writable.once('error', reject);
      writable.end(() => resolve());
    });
    const ms = performance.now() - t;
    const [{ n }] = (await sql`SELECT count(*)::int AS n FROM copy_probe`) as unknown as [{ n: number }];
    if (n !== rows) throw new Error(`raw COPY stored ${n} rows, expected ${rows}`);
    await sql`DROP TABLE copy_probe`;
    await sql.end();
    return ms;
  }
}

/** The result lines, in bench/run.ts's layout. */
export function report(
  r: {
    eventsPerSec: number;
    p50Ms: number;
    p99Ms: number;
    requests: number;
    accepted: number;
    failed: number;
    rejected: number;
    bronzeRows: number;
    silverRows: number;
    copyRowsPerSec: number;
    seconds: number;
    clients: number;
    batch: number;
    serverCpuMsPer1000?: number;
    clientCpuSec?: number;
    loadStart?: number;
    loadEnd?: number;
    compactedRows?: number;
    compactMs?: number;
    compactDuring?: boolean;
    compactedDuringRows?: number;
  },
  fmt: (n: number, d?: number) => string,
): string[] {
  const line = (k: string, v: string, target = '') => `  ${k.padEnd(34)} ${v.padStart(16)}   ${target}`;
  const ok = (pass: boolean) => (pass ? 'met' : 'NOT MET');
  return [
    line(
      'ingest rate (events/s)',
      fmt(r.eventsPerSec),
      `target ≥ 50,000: ${ok(r.eventsPerSec >= 50_000)} (${r.clients} clients × ${fmt(r.batch)}, ${fmt(r.seconds)} s)`,
    ),
    line(
      '  request latency p50 / p99 (ms)',
      `${fmt(r.p50Ms)} / ${fmt(r.p99Ms)}`,
      `p99 target ≤ 250: ${ok(r.p99Ms <= 250)}`,
    ),
    line('  requests / failed / rejected ev.', `${fmt(r.requests)} / ${fmt(r.failed)} / ${fmt(r.rejected)}`),
    line('  Bronze / Silver rows', `${fmt(r.bronzeRows)} / ${fmt(r.silverRows)}`),
    line(
      '  raw COPY rate (rows/s)',
      fmt(r.copyRowsPerSec),
      `ingest is ${fmt(r.eventsPerSec / r.copyRowsPerSec, 2)}× raw COPY (ceiling)`,
    ),
    ...(r.serverCpuMsPer1000 !== undefined && r.clientCpuSec !== undefined
      ? [
          line(
            '  server CPU per 1,000 events (ms)',
            fmt(r.serverCpuMsPer1000, 1),
            `load generator (own process): ${fmt(r.clientCpuSec, 1)} s CPU`,
          ),
        ]
      : []),
    ...(r.loadStart !== undefined && r.loadEnd !== undefined
      ? [
          line(
            '  host load average (1 min)',
            `${fmt(r.loadStart, 2)} → ${fmt(r.loadEnd, 2)}`,
            '(2 cores, shared)',
          ),
        ]
      : []),
    ...(r.compactDuring && r.compactedDuringRows !== undefined
      ? [
          line(
            '  compacted during the ingest (rows)',
            fmt(r.compactedDuringRows),
            '(one compactor all along)',
          ),
        ]
      : []),
    ...(r.compactedRows !== undefined && r.compactMs !== undefined
      ? [
          line(
            '  compaction afterwards (rows/s)',
            fmt((r.compactedRows / r.compactMs) * 1000),
            `${fmt(r.compactedRows)} pending rows in ${fmt(r.compactMs / 1000, 1)} s`,
          ),
        ]
      : []),
  ];
}
