/**
 * Cumulative metrics ingest (issue 13 item 5) in a process of its own: the ingest use case
 * (composeUseCases(…).ingest.metrics, as the /v1/metrics route calls it after parsing) over a fresh
 * database, fed by simulated OpenTelemetry SDKs exporting cumulative counters and histograms. Prints one
 * JSON line on stdout and a readable summary on stderr.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/metrics-once.ts
 *
 *   BENCH_DATABASE_URL       PostgreSQL server (required); `leak_bench_metrics_<pid>` is created, then dropped
 *   BENCH_METRICS_SECONDS    measured duration (default 10), after a 2 s warm-up
 *   BENCH_METRICS_CLIENTS    concurrent SDKs (default 4), each exporting one batch at a time
 *   BENCH_METRICS_SERIES     series per SDK (default 500: half counters, half 11-bucket histograms)
 *   BENCH_METRICS_REPLICAS   ingest instances (default 1); an SDK's n-th batch goes to instance n mod R, as a
 *                            round-robin load balancer would send it
 *   BENCH_METRICS_RESTART=1  halfway through, instance 0 is replaced by a new one (a restart)
 *   BENCH_METRICS_MEMORY=1   each instance keeps its state in memory only (DeltaTracker + storeAsDeltas, the
 *                            design before issue 13): the A/B baseline on the same host; over-counts with
 *                            replicas or a restart, by design
 *
 * No HTTP and no JSON: the figures are the delta step and the database write. At the end the pending
 * Silver rows are compacted and the Silver totals are checked against the true increments the SDKs made:
 * `exact` must be true whatever the replicas and restarts (the cumulative state is shared and durable).
 */
import { readFileSync } from 'node:fs';
import { sketchRollup } from '../src/adapters/telemetry/sketch-ops.ts';
import { ingestMetricPoints, storeAsDeltas } from '../src/app/telemetry/ingest.ts';
import { openServices } from '../src/composition/services.ts';
import { composeUseCases } from '../src/composition/use-cases.ts';
import { loadConfig } from '../src/config/config.ts';
import { DeltaTracker } from '../src/domain/telemetry/delta.ts';
import type { MetricPoint } from '../src/domain/telemetry/otlp-metrics.ts';
import { withBenchDatabase } from './bench-db.ts';

const env = process.env;
const SECONDS = Number(env['BENCH_METRICS_SECONDS'] ?? 10);
const CLIENTS = Number(env['BENCH_METRICS_CLIENTS'] ?? 4);
const SERIES = Number(env['BENCH_METRICS_SERIES'] ?? 500);
const REPLICAS = Number(env['BENCH_METRICS_REPLICAS'] ?? 1);
const RESTART = env['BENCH_METRICS_RESTART'] === '1';
const MEMORY = env['BENCH_METRICS_MEMORY'] === '1';
const WARMUP_MS = 2_000;
const BOUNDS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];
const quiet = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet };

/** One simulated SDK: its series' running totals, exported as cumulative points. */
class Sdk {
  readonly startMs = Date.now() - 60_000;
  lastMs = 0;
  readonly counters: number[];
  readonly buckets: number[][];
  readonly sums: number[];
  seed: number;
  readonly id: number;
  constructor(id: number) {
    this.id = id;
    this.seed = id + 1;
    this.counters = Array.from({ length: SERIES / 2 }, () => 0);
    this.buckets = Array.from({ length: SERIES / 2 }, () => BOUNDS.map(() => 0).concat(0));
    this.sums = Array.from({ length: SERIES / 2 }, () => 0);
  }
  #rand(n: number): number {
    this.seed = (this.seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return this.seed % n;
  }
  /** Advances every series, then exports them all (as an SDK's periodic reader does). */
  export(): MetricPoint[] {
    this.lastMs = Math.max(this.lastMs + 1, Date.now());
    const head = { service: `svc-${this.id % 5}`, startMs: this.startMs, timeMs: this.lastMs };
    const out: MetricPoint[] = [];
    for (let i = 0; i < SERIES / 2; i++) {
      this.counters[i]! += this.#rand(20);
      const b = this.buckets[i]!;
      for (let k = this.#rand(5); k > 0; k--) {
        const at = this.#rand(b.length);
        b[at]! += 1;
        this.sums[i]! += BOUNDS[Math.min(at, BOUNDS.length - 1)]!;
      }
      const attributes = { sdk: this.id, route: `/r/${i}` };
      out.push({ ...head, metric: 'requests', attributes, kind: 'sum', temporality: 'cumulative' });
      out.at(-1)!.value = this.counters[i]!;
      out.at(-1)!.monotonic = true;
      out.push({
        ...head,
        metric: 'latency',
        attributes,
        kind: 'histogram',
        temporality: 'cumulative',
        count: b.reduce((x, y) => x + y, 0),
        sum: this.sums[i]!,
        bounds: BOUNDS,
        bucketCounts: [...b],
      });
    }
    return out;
  }
  get totals() {
    return {
      requests: this.counters.reduce((x, y) => x + y, 0),
      latency: this.buckets.reduce((x, b) => x + b.reduce((p, q) => p + q, 0), 0),
    };
  }
}

async function main(): Promise<void> {
  const server = env['BENCH_DATABASE_URL'];
  if (!server) {
    process.stderr.write('metrics benchmark: set BENCH_DATABASE_URL to a PostgreSQL server\n');
    process.exit(2);
  }
  const out = await withBenchDatabase(server, 'metrics', run);
  process.stderr.write(`${summary(out)}\n`);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/**
 * CPU time (ms) of this database's server processes (PostgreSQL on this host): utime + stime from
 * /proc/<pid>/stat, by pid. NaN-free: a process gone or unreadable counts 0.
 */
async function serverCpu(db: { query<T extends Record<string, unknown>>(q: string): Promise<T[]> }) {
  const rows = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
  );
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks.set(pid, ((Number(f[11]) + Number(f[12])) * 1000) / 100); // USER_HZ 100
    } catch {
      ticks.set(pid, 0);
    }
  }
  return ticks;
}

async function run(url: string) {
  const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent' }, { storedPiiKey: true });
  const services = await openServices(config, quiet as never);
  const inMemory = () => {
    const deltas = new DeltaTracker();
    const deps = { store: services.repos.telemetry, hash: (v: string) => v, latencyThresholdMs: () => null };
    const d = { ...deps, rollup: sketchRollup };
    return { metrics: (p: MetricPoint[]) => storeAsDeltas(deltas, p, (x) => ingestMetricPoints(d, x)) };
  };
  const replica = () => (MEMORY ? inMemory() : composeUseCases(services, config).ingest);
  const replicas = Array.from({ length: REPLICAS }, replica);
  const sdks = Array.from({ length: CLIENTS }, (_, i) => new Sdk(i));
  const latencies: number[] = [];
  const t0 = performance.now();
  const windowStart = t0 + WARMUP_MS;
  const end = windowStart + SECONDS * 1000;
  let restarted = !RESTART;
  let points = 0;
  let failed = 0;
  let cpu0 = process.cpuUsage();
  let db0 = new Map<number, number>();
  setTimeout(() => {
    cpu0 = process.cpuUsage();
    void serverCpu(services.db).then((m) => {
      db0 = m;
    });
  }, WARMUP_MS);
  const client = async (sdk: Sdk) => {
    for (let n = sdk.id; performance.now() < end; n++) {
      if (!restarted && performance.now() > windowStart + (SECONDS * 1000) / 2) {
        restarted = true;
        replicas[0] = replica();
      }
      const batch = sdk.export();
      const a = performance.now();
      try {
        await replicas[n % REPLICAS]!.metrics(batch);
      } catch {
        failed++; // the SDK keeps its totals: its next export carries this interval's increase too
        continue;
      }
      if (a >= windowStart) {
        latencies.push(performance.now() - a);
        points += batch.length;
      }
    }
  };
  await Promise.all(sdks.map(client));
  const cpu = process.cpuUsage(cpu0);
  const windowMs = performance.now() - windowStart;
  let dbMs = 0;
  for (const [pid, ms] of await serverCpu(services.db)) dbMs += ms - (db0.get(pid) ?? 0);
  while ((await services.repos.telemetry.compact()) > 0);
  const [silver] = await services.db.query<{ requests: string; latency: string; rows: string }>(
    `SELECT (SELECT coalesce(sum(sum), 0) FROM silver_minute WHERE metric = 'requests')::text AS requests,
            (SELECT coalesce(sum(count), 0) FROM silver_minute WHERE metric = 'latency')::text AS latency,
            (SELECT count(*) FROM silver_minute)::text AS rows`,
  );
  await services.close();
  const truth = sdks.reduce(
    (t, s) => ({ requests: t.requests + s.totals.requests, latency: t.latency + s.totals.latency }),
    {
      requests: 0,
      latency: 0,
    },
  );
  const sorted = Float64Array.from(latencies).sort();
  const pct = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  return {
    seconds: SECONDS,
    clients: CLIENTS,
    seriesPerClient: SERIES,
    replicas: REPLICAS,
    restart: RESTART,
    memoryOnly: MEMORY,
    batches: sorted.length,
    failed,
    pointsPerSec: (points / windowMs) * 1000,
    p50Ms: pct(50),
    p99Ms: pct(99),
    cpuMsPer1000Points: ((cpu.user + cpu.system) / 1000 / points) * 1000,
    dbCpuMsPer1000Points: (dbMs / points) * 1000,
    silverRequests: Number(silver!.requests),
    trueRequests: truth.requests,
    silverLatencyCount: Number(silver!.latency),
    trueLatencyCount: truth.latency,
    exact: Number(silver!.requests) === truth.requests && Number(silver!.latency) === truth.latency,
  };
}

function summary(r: Awaited<ReturnType<typeof run>>): string {
  const f = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d });
  return [
    `  ${r.clients} SDKs × ${r.seriesPerClient} series, ${r.replicas} instance(s)${r.restart ? ', one restart' : ''}, ${r.seconds} s${r.memoryOnly ? ', state in memory only' : ''}`,
    `  points/s ${f(r.pointsPerSec)}   batches ${r.batches} (failed ${r.failed})   p50 / p99 ${f(r.p50Ms, 1)} / ${f(r.p99Ms, 1)} ms`,
    `  CPU per 1,000 points ${f(r.cpuMsPer1000Points, 2)} ms (this process: SDKs + ingest), ${f(r.dbCpuMsPer1000Points, 2)} ms (PostgreSQL)`,
    `  Silver requests ${f(r.silverRequests)} vs true ${f(r.trueRequests)}; latency count ${f(r.silverLatencyCount)} vs true ${f(r.trueLatencyCount)}: ${r.exact ? 'exact' : 'NOT EXACT'}`,
  ].join('\n');
}

if (import.meta.main) await main();
