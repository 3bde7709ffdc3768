/**
 * The webhook benchmark's load generator (bench/webhook-once.ts runs it in a child process of its own):
 * CLIENTS concurrent keep-alive clients POSTing the mix of bench/webhook-mix.ts, timed request by request,
 * every answer checked (2xx, and `duplicate` true exactly for the retries).
 */
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { type Delivery, deliveries, type Kind, RING } from './webhook-mix.ts';

export const CLIENTS = Number(process.env['BENCH_WEBHOOK_CLIENTS'] ?? 8);
/** Every PROBE_EVERY-th new delivery answered 2xx is looked up at once on a connection of our own. */
const PROBE_EVERY = 25;

export interface WebhookJob {
  port: number;
  dbUrl: string;
  warmupMs: number;
  measureMs: number;
}

export interface WebhookResult {
  /** Request times (ms) of the requests started inside the measured window. */
  latencies: Float64Array;
  /** Inside the window: 2xx answers, the others (by status; 0 = no answer), and requests per kind. */
  ok: number;
  non2xx: number;
  statuses: Record<string, number>;
  sent: Record<Kind, number>;
  /**
   * Over the whole run: answers `duplicate: true`, retries sent, and answers whose flag was wrong (a retry
   * not answered as a duplicate, or a new delivery answered as one).
   */
  duplicates: number;
  retriesSent: number;
  wrongDuplicate: number;
  /** From the window's start to the end of its last request. */
  windowMs: number;
  /** `source\tdelivery id` of every new delivery answered 2xx over the whole run (warm-up included). */
  stored: string[];
  requestsTotal: number;
  non2xxTotal: number;
  /** Stored rows looked up right after their 2xx, and how many were not there. */
  probes: number;
  probesMissing: number;
  bodyBytes: number;
  cpuMs: number;
  loadStart: number;
  loadEnd: number;
}

function post(agent: Agent, port: number, d: Delivery) {
  return new Promise<{ status: number; text: string }>((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: d.path,
        method: 'POST',
        agent,
        headers: {
          ...d.headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(d.body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', () => resolve({ status: 0, text }));
      },
    );
    req.on('error', () => resolve({ status: 0, text: '' }));
    req.end(d.body);
  });
}

/**
 * Looks a stored delivery up on a connection of the generator's own right after its 2xx arrived: a row
 * committed before the answer is visible then.
 */
function prober(sql: import('postgres').Sql) {
  const probing = new Set<Promise<void>>();
  const counts = { probes: 0, missing: 0 };
  return {
    counts,
    probe(key: string) {
      const [source, id] = key.split('\t') as [string, string];
      counts.probes += 1;
      const q = sql`SELECT 1 FROM webhook_deliveries WHERE source = ${source} AND delivery_id = ${id}`.then(
        (rows) => {
          if (rows.length === 0) counts.missing += 1;
        },
      );
      probing.add(q);
      void q.finally(() => probing.delete(q));
    },
    done: () => Promise.all(probing),
  };
}

/** The answers' bookkeeping: counts, the keys of the new deliveries stored, the pool retries come from. */
function tally(answered: Delivery[], probe: (key: string) => void) {
  const c = {
    ok: 0,
    non2xx: 0,
    duplicates: 0,
    retriesSent: 0,
    wrongDuplicate: 0,
    requestsTotal: 0,
    non2xxTotal: 0,
  };
  const statuses: Record<string, number> = {};
  const stored: string[] = [];
  const answer = (d: Delivery, status: number, text: string, measured: boolean) => {
    c.requestsTotal += 1;
    if (d.kind === 'retry') c.retriesSent += 1;
    if (status < 200 || status > 299) {
      c.non2xxTotal += 1;
      if (!measured) return;
      c.non2xx += 1;
      statuses[status] = (statuses[status] ?? 0) + 1;
      return;
    }
    if (measured) c.ok += 1;
    const duplicate = (JSON.parse(text) as { duplicate: boolean }).duplicate;
    if (duplicate !== (d.kind === 'retry')) c.wrongDuplicate += 1;
    if (duplicate) {
      c.duplicates += 1;
      return;
    }
    stored.push(d.key);
    answered[answered.length < RING ? answered.length : stored.length % RING] = d;
    if (stored.length % PROBE_EVERY === 0) probe(d.key);
  };
  return { c, statuses, stored, answer };
}

/** The load generator (a child process): CLIENTS concurrent keep-alive clients, one delivery at a time each. */
export async function runWebhookClients(job: WebhookJob): Promise<WebhookResult> {
  const cpu0 = process.cpuUsage();
  const { default: postgres } = await import('postgres');
  const sql = postgres(job.dbUrl, { max: 2, onnotice: () => {} });
  const probes = prober(sql);
  const answered: Delivery[] = [];
  const next = deliveries(answered);
  const t = tally(answered, probes.probe);
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const windowStart = performance.now() + job.warmupMs;
  const windowEnd = windowStart + job.measureMs;
  const latencies: number[] = [];
  const sent: Record<Kind, number> = {
    created: 0,
    paid: 0,
    charged: 0,
    refunded: 0,
    retry: 0,
    unparsable: 0,
  };
  let bodyBytes = 0;
  let lastEnd = windowStart;
  let loadStart = Number.NaN;
  setTimeout(() => {
    loadStart = loadavg()[0]!;
  }, job.warmupMs).unref();

  const client = async () => {
    for (;;) {
      const d = next();
      const t0 = performance.now();
      if (t0 >= windowEnd) return;
      const res = await post(agent, job.port, d);
      const t1 = performance.now();
      const measured = t0 >= windowStart;
      t.answer(d, res.status, res.text, measured);
      if (measured) {
        latencies.push(t1 - t0);
        sent[d.kind] += 1;
        bodyBytes += d.body.length;
        lastEnd = Math.max(lastEnd, t1);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const loadEnd = loadavg()[0]!;
  agent.destroy();
  await probes.done();
  await sql.end();
  const cpu = process.cpuUsage(cpu0);
  return {
    latencies: Float64Array.from(latencies),
    ...t.c,
    statuses: t.statuses,
    sent,
    windowMs: lastEnd - windowStart,
    stored: t.stored,
    probes: probes.counts.probes,
    probesMissing: probes.counts.missing,
    bodyBytes: bodyBytes / Math.max(1, latencies.length),
    cpuMs: (cpu.user + cpu.system) / 1000,
    loadStart,
    loadEnd,
  };
}
