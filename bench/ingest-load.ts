/**
 * The ingest benchmark's load generator (bench/ingest-once.ts runs it in a child process of its own):
 * CLIENTS concurrent keep-alive clients POSTing batches of BATCH events, timed request by request, in one
 * of three formats carrying the same events: plain JSON batches to /api/telemetry/events, or OTLP/HTTP
 * logs requests to /v1/logs in JSON or in protobuf (bench/ingest-otlp.ts).
 */
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { decodeResponse } from '../src/adapters/http/otlp-proto.ts';
import { rng } from './generate.ts';
import { type BenchEvent, otlpTemplates, stampJson, stampProto } from './ingest-otlp.ts';

export const CLIENTS = Number(process.env['BENCH_INGEST_CLIENTS'] ?? 4);
export const BATCH = 1_000;
export const SERVICES = 20;
export const NAMES = [
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
export const TAG_SETS: Record<string, string | number | boolean>[] = [
  { region: 'eu-west-1', method: 'GET', status: 200 },
  { region: 'us-east-1', method: 'POST', status: 201 },
  { region: 'ap-south-1', method: 'GET', status: 200, cached: true },
];
export const SLOW_MS = 1_000;

/** What the clients send: plain event batches, or OTLP/HTTP logs in JSON or protobuf. */
export type IngestFormat = 'events' | 'otlp-json' | 'otlp-proto';
export const FORMATS: readonly IngestFormat[] = ['events', 'otlp-json', 'otlp-proto'];

export interface ClientJob {
  format: IngestFormat;
  port: number;
  token: string;
  warmupMs: number;
  measureMs: number;
}

export interface ClientResult {
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

/** The benchmark's events, seeded: the same ones in every format. */
function benchEvents(n: number, seed: number): BenchEvent[] {
  const r = rng(seed);
  const out: BenchEvent[] = [];
  for (let i = 0; i < n; i++) {
    const service = `svc-${String(Math.floor(r() * SERVICES)).padStart(2, '0')}`;
    const name = NAMES[Math.floor(r() * NAMES.length)]!;
    const attributes = TAG_SETS[Math.floor(r() * TAG_SETS.length)]!;
    const roll = r();
    const error = roll < 0.02;
    const slow = !error && roll < 0.05;
    const duration = slow ? SLOW_MS + 1 + r() * 4_000 : 5 + -Math.log(1 - r()) * 60;
    const e: BenchEvent = {
      service,
      name,
      duration_ms: Math.round(duration * 100) / 100,
      ok: !error,
      attributes,
    };
    if (error) {
      e.level = 'ERROR';
      e.message = `${name} failed: upstream timeout after ${Math.round(duration)} ms`;
      e.trace_id = Math.floor(r() * 2 ** 52)
        .toString(16)
        .padStart(32, '0');
      const user = Math.floor(r() * 50_000);
      e.user_id = `u-${user}`;
      e.email = `user${user}@example.com`;
    } else if (slow) {
      e.level = 'WARN';
    }
    out.push(e);
  }
  return out;
}

/**
 * Plain events as JSON text split around their `time`, so a body is stamped with the current clock by
 * string concatenation: the clients stay cheap and the server's CPU goes to the server.
 */
function eventTemplates(events: readonly BenchEvent[]): [string, string][] {
  // `{"time":<ms>,` + the rest of the object
  return events.map((e) => ['{"time":', `,${JSON.stringify(e).slice(1)}`]);
}

/** A body of BATCH events (times within the last 2 s) in the job's format, for each request in turn. */
function bodies(format: IngestFormat): () => string | Buffer {
  const events = benchEvents(20_000, 42);
  let cursor = 0;
  const times = () => {
    const now = Date.now();
    const r = rng(cursor);
    return () => now - Math.floor(r() * 2_000);
  };
  if (format === 'events') {
    const templates = eventTemplates(events);
    return () => {
      const time = times();
      let s = '[';
      for (let i = 0; i < BATCH; i++) {
        const [head, tail] = templates[cursor++ % templates.length]!;
        s += (i === 0 ? '' : ',') + head + String(time()) + tail;
      }
      return `${s}]`;
    };
  }
  const otlp = otlpTemplates(events, BATCH);
  return () => {
    const time = times();
    const k = cursor++ % otlp.json.length;
    return format === 'otlp-json' ? stampJson(otlp.json[k]!, time) : stampProto(otlp.proto[k]!, time);
  };
}

const ROUTE: Record<IngestFormat, { path: string; type: string }> = {
  events: { path: '/api/telemetry/events', type: 'application/json' },
  'otlp-json': { path: '/v1/logs', type: 'application/json' },
  'otlp-proto': { path: '/v1/logs', type: 'application/x-protobuf' },
};

/** Accepted and rejected events of a 200 answer, in the job's format. */
function counted(format: IngestFormat, body: Buffer): { ok: number; rejected: number } {
  if (format === 'events') {
    const out = JSON.parse(body.toString('utf8')) as { accepted: number; rejected: unknown[] };
    return { ok: out.accepted, rejected: out.rejected.length };
  }
  const out = (
    body.length === 0
      ? {}
      : format === 'otlp-json'
        ? JSON.parse(body.toString('utf8'))
        : decodeResponse('logs', body)
  ) as { partialSuccess?: { rejectedLogRecords?: number | string } };
  const rejected = Number(out.partialSuccess?.rejectedLogRecords ?? 0);
  return { ok: BATCH - rejected, rejected };
}

/** One POST of a batch over the keep-alive agent: its status and body. */
function postBatch(agent: Agent, job: ClientJob, payload: string | Buffer) {
  const route = ROUTE[job.format];
  return new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: job.port,
        path: route.path,
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${job.token}`,
          'content-type': route.type,
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The load generator (a child process): CLIENTS concurrent keep-alive clients, one batch at a time each. */
export async function runClients(job: ClientJob): Promise<ClientResult> {
  const cpu0 = process.cpuUsage();
  const body = bodies(job.format);
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
  let loadStart = Number.NaN;
  setTimeout(() => {
    loadStart = loadavg()[0]!;
  }, job.warmupMs).unref();
  const post = (payload: string | Buffer) => postBatch(agent, job, payload);

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
        const c = counted(job.format, res.body);
        ok = c.ok;
        acceptedTotal += ok;
        if (measured) rejected += c.rejected;
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
