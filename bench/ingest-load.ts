/**
 * The ingest benchmark's load generator (bench/ingest-once.ts runs it in a child process of its own):
 * CLIENTS concurrent keep-alive clients POSTing batches of BATCH plain events, timed request by request.
 */
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { rng } from './generate.ts';

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
export const TAG_SETS = [
  { region: 'eu-west-1', method: 'GET', status: 200 },
  { region: 'us-east-1', method: 'POST', status: 201 },
  { region: 'ap-south-1', method: 'GET', status: 200, cached: true },
];
export const SLOW_MS = 1_000;

export interface ClientJob {
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

/** One POST of a batch to the events route over the keep-alive agent: its status and body. */
function postBatch(agent: Agent, job: ClientJob, payload: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
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
}

/** The load generator (a child process): CLIENTS concurrent keep-alive clients, one batch at a time each. */
export async function runClients(job: ClientJob): Promise<ClientResult> {
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
  const post = (payload: string) => postBatch(agent, job, payload);

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
