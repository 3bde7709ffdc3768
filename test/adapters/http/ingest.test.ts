import { request } from 'node:http';
import { createGzip, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES } from '../../../src/adapters/http/ingest.ts';
import { DeltaTracker } from '../../../src/domain/telemetry/delta.ts';
import { type Served, serveIngest, TOKEN } from './ingest-fixtures.ts';

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function start(opts: Parameters<typeof serveIngest>[0] = {}): Promise<Served> {
  served = await serveIngest(opts);
  return served;
}

const auth = { authorization: `Bearer ${TOKEN}` };
const json = { 'content-type': 'application/json' };

const NOW_NS = BigInt(Date.parse('2025-03-01T12:00:00Z')) * 1_000_000n;
const ns = (offsetMs: number): string => String(NOW_NS + BigInt(offsetMs) * 1_000_000n);

const resource = (service: string) => ({
  attributes: [{ key: 'service.name', value: { stringValue: service } }],
});

function logsBody(records: unknown[]): object {
  return {
    resourceLogs: [
      { resource: resource('checkout'), scopeLogs: [{ scope: { name: 'app' }, logRecords: records }] },
    ],
  };
}

const goodRecord = (msg: string, severityNumber = 9) => ({
  timeUnixNano: ns(0),
  severityNumber,
  body: { stringValue: msg },
  attributes: [{ key: 'route', value: { stringValue: '/pay' } }],
});

function sumBody(value: number, atMs: number): object {
  return {
    resourceMetrics: [
      {
        resource: resource('checkout'),
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'orders',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: [
                    {
                      asInt: String(value),
                      startTimeUnixNano: ns(0),
                      timeUnixNano: ns(atMs),
                      attributes: [{ key: 'region', value: { stringValue: 'eu' } }],
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

interface Answer {
  /** The plain events route's refusals. */
  error: string;
  /** An OTLP route's refusal: a google.rpc.Status. */
  code: number;
  message: string;
  accepted: number;
  rejected: unknown[];
  partialSuccess: { rejectedLogRecords?: number; rejectedDataPoints?: number; errorMessage: string };
}
const answer = async (res: Response): Promise<Answer> => (await res.json()) as Answer;

async function post(
  base: string,
  path: string,
  body: string | Uint8Array,
  headers: Record<string, string> = { ...auth, ...json },
): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', headers, body });
}

/**
 * Streams `total` bytes (1 MiB chunks of one reused buffer, so the test holds ~1 MiB) with backpressure;
 * resolves with the status as soon as the server answers, and how much had been written by then.
 */
function streamUpload(
  base: string,
  path: string,
  headers: Record<string, string | number>,
  chunks: () => Iterator<Uint8Array>,
): Promise<{ status: number; body: string; writtenAtResponse: number; closedEarly?: string }> {
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = request(`${base}${path}`, { method: 'POST', headers });
    req.on('response', (res) => {
      answered = true;
      const at = written;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, writtenAtResponse: at }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body, writtenAtResponse: at }));
    });
    // The server closes the connection while we still write: EPIPE/ECONNRESET after the answer is fine.
    // On a busy host the close can beat our reading of the answer; that too is the server refusing early
    // (status 0, with the error code and how much had been written by then).
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (answered) return;
      if (e.code === 'EPIPE' || e.code === 'ECONNRESET')
        resolve({ status: 0, body: '', writtenAtResponse: written, closedEarly: e.code });
      else reject(e);
    });
    const it = chunks();
    const pump = (): void => {
      while (!answered) {
        const next = it.next();
        if (next.done) {
          req.end();
          return;
        }
        written += next.value.length;
        if (!req.write(next.value)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

function* repeat(chunk: Uint8Array, total: number): Iterator<Uint8Array> {
  for (let sent = 0; sent < total; sent += chunk.length)
    yield chunk.subarray(0, Math.min(chunk.length, total - sent));
}

/** A gzip member that inflates to `inflated` zero bytes (~1000:1), compressed in 1 MiB steps. */
async function gzipBomb(inflated: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((r) => gz.on('end', r));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let n = 0; n < inflated; n += zeros.length) {
    if (!gz.write(zeros)) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return Buffer.concat(out);
}

describe('ingest routes: routing and auth', () => {
  it('leaves other paths to the next routes and refuses other methods with 405', async () => {
    const { base } = await start();
    expect((await fetch(`${base}/healthz`)).status).toBe(404);
    const res = await fetch(`${base}/v1/logs`, { headers: auth });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('401 with WWW-Authenticate without a token, and with an unknown token', async () => {
    const { base, ingest } = await start();
    const body = JSON.stringify(logsBody([goodRecord('hi')]));
    const none = await post(base, '/v1/logs', body, json);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await answer(none)).toEqual({ code: 16, message: expect.stringMatching(/bearer token/) });

    const bad = await post(base, '/v1/metrics', body, { ...json, authorization: 'Bearer nope' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer');
    expect((await answer(bad)).message).toMatch(/invalid or revoked/);

    const basic = await post(base, '/api/telemetry/events', '[]', { ...json, authorization: 'Basic abc' });
    expect(basic.status).toBe(401);
    expect(ingest.events).toEqual([]);
  });

  it('415 with a Status for a content type other than JSON or protobuf, and protobuf on the events route', async () => {
    const { base } = await start();
    const text = await post(base, '/v1/logs', '{}', { ...auth, 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await answer(text)).toEqual({
      code: 2,
      message: 'unsupported Content-Type "text/plain": send application/json or application/x-protobuf',
    });
    const br = await post(base, '/v1/logs', '{}', { ...auth, ...json, 'content-encoding': 'br' });
    expect(br.status).toBe(415);
    expect((await answer(br)).message).toMatch(/Content-Encoding "br"/);
    const events = await post(base, '/api/telemetry/events', new Uint8Array([10, 0]), {
      ...auth,
      'content-type': 'application/x-protobuf',
    });
    expect(events.status).toBe(415);
    expect((await answer(events)).error).toMatch(/send application\/json$/);
  });

  it('accepts application/json with a charset', async () => {
    const { base, ingest } = await start();
    const res = await post(base, '/v1/logs', JSON.stringify(logsBody([goodRecord('hi')])), {
      ...auth,
      'content-type': 'application/json; charset=utf-8',
    });
    expect(res.status).toBe(200);
    expect(await answer(res)).toEqual({});
    expect(ingest.events).toHaveLength(1);
  });
});

describe('ingest routes: bodies', () => {
  it('400 for broken JSON, with the parser message', async () => {
    const { base } = await start();
    const res = await post(base, '/v1/logs', '{"resourceLogs": [');
    expect(res.status).toBe(400);
    expect(await answer(res)).toEqual({
      code: 3,
      message: expect.stringMatching(/^body is not valid JSON: /),
    });
  });

  it('400 with the validation message for a body that is not a request', async () => {
    const { base } = await start();
    const logs = await post(base, '/v1/logs', '"hello"');
    expect(logs.status).toBe(400);
    expect((await answer(logs)).message).toMatch(/ExportLogsServiceRequest/);
    const events = await post(base, '/api/telemetry/events', '{"nope": 1}');
    expect(events.status).toBe(400);
    expect((await answer(events)).error).toMatch(/events/);
  });

  it('400 for bad gzip', async () => {
    const { base } = await start();
    const res = await post(base, '/v1/logs', new TextEncoder().encode('{"not":"gzip"}'), {
      ...auth,
      ...json,
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(400);
    expect((await answer(res)).message).toMatch(/^body is not valid gzip/);
    const truncated = gzipSync(JSON.stringify(logsBody([goodRecord('hi')]))).subarray(0, 20);
    const res2 = await post(base, '/v1/logs', truncated, { ...auth, ...json, 'content-encoding': 'gzip' });
    expect(res2.status).toBe(400);
  });

  it('accepts gzip JSON', async () => {
    const { base, ingest } = await start();
    const res = await post(base, '/v1/logs', gzipSync(JSON.stringify(logsBody([goodRecord('zipped')]))), {
      ...auth,
      ...json,
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(200);
    expect(await answer(res)).toEqual({});
    expect(ingest.events.map((e) => [e.service, e.message, e.level])).toEqual([
      ['checkout', 'zipped', 'INFO'],
    ]);
  });

  it('413 at once when Content-Length is over the cap', async () => {
    const { base, ingest } = await start({ maxBodyBytes: 1000 });
    const r = await streamUpload(base, '/v1/logs', { ...auth, ...json, 'content-length': 5000 }, () =>
      repeat(new Uint8Array(5000).fill(32), 5000),
    );
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).message).toMatch(/exceeds the limit of 1000 bytes/);
    expect(ingest.events).toEqual([]);
  });

  it('413 for a 70 MB chunked upload, without holding more than the cap', async () => {
    const { base, ingest, lines } = await start();
    const before = process.memoryUsage();
    const total = 70 * 1024 * 1024;
    const r = await streamUpload(base, '/v1/logs', { ...auth, ...json, 'transfer-encoding': 'chunked' }, () =>
      repeat(new Uint8Array(1024 * 1024).fill(32), total),
    );
    // The server answers 413 and closes as soon as the cap is passed; on a busy host the client can see
    // the close (EPIPE/ECONNRESET) before it reads the answer, and then the server's log has to say it.
    if (r.closedEarly === undefined) {
      expect(r.status).toBe(413);
      expect(JSON.parse(r.body).message).toContain(`limit of ${DEFAULT_MAX_BODY_BYTES} bytes`);
    } else expect(lines.some((l) => l.includes('"status":413'))).toBe(true);
    expect(ingest.events).toEqual([]);
    // The server held at most the cap (plus socket buffers), never the whole upload twice over.
    const grown = process.memoryUsage().rss - before.rss;
    expect(grown).toBeLessThan(3 * DEFAULT_MAX_BODY_BYTES);
    expect(lines.join('')).not.toContain(TOKEN);
  });

  it('413 is answered as soon as the cap is passed, not after the upload ends', async () => {
    const { base } = await start({ maxBodyBytes: 4 * 1024 * 1024 });
    const total = 1024 * 1024 * 1024;
    const r = await streamUpload(
      base,
      '/api/telemetry/events',
      { ...auth, ...json, 'transfer-encoding': 'chunked' },
      () => repeat(new Uint8Array(1024 * 1024).fill(32), total),
    );
    if (r.closedEarly === undefined) expect(r.status).toBe(413);
    // Closed before our answer was read: the server's log says it refused the body as over the cap.
    else expect(served!.lines.some((l) => l.includes('"status":413'))).toBe(true);
    // The cap, plus what the sockets buffer and what the client writes before its event loop gets to the
    // answer (the server discards the rest at loopback speed, so a busy CI host writes tens of MiB more):
    // far from the whole gigabyte.
    expect(r.writtenAtResponse).toBeLessThan(256 * 1024 * 1024);
  });

  it('413 for a gzip bomb: small compressed, huge inflated; inflating stops at the cap', async () => {
    const { base, ingest } = await start({ maxBodyBytes: 8 * 1024 * 1024 });
    const bomb = await gzipBomb(512 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const res = await post(base, '/v1/metrics', bomb, { ...auth, ...json, 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect((await answer(res)).message).toMatch(/once inflated exceeds the limit/);
    expect(ingest.metricBatches).toEqual([]);
  });

  it('413 for a gzip bomb under the default 64 MiB cap', async () => {
    const { base } = await start();
    const bomb = await gzipBomb(100 * 1024 * 1024);
    const res = await post(base, '/v1/logs', bomb, { ...auth, ...json, 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
  });
});

describe('ingest routes: answers', () => {
  it('refuses events outside the accepted window with the reason, keeping the rest', async () => {
    const now = Date.parse('2025-03-01T12:00:00Z');
    const { base, ingest } = await start({
      eventWindow: () => ({ fromMs: now - 7 * 86_400_000, toMs: now + 300_000 }),
    });
    const logs = await post(
      base,
      '/v1/logs',
      JSON.stringify(
        logsBody([goodRecord('now'), { ...goodRecord('old'), timeUnixNano: ns(-8 * 86_400_000) }]),
      ),
    );
    const out = await answer(logs);
    expect(out.partialSuccess.rejectedLogRecords).toBe(1);
    expect(out.partialSuccess.errorMessage).toMatch(/logRecords\[1\].*older than the retention window/);
    const plain = await post(
      base,
      '/api/telemetry/events',
      JSON.stringify([
        { service: 'api', name: 'pay', time: now },
        { service: 'api', name: 'pay', time: now + 3_600_000 },
      ]),
    );
    const answered = await answer(plain);
    expect(answered.accepted).toBe(1);
    expect(answered.rejected).toEqual([{ index: 1, reason: expect.stringMatching(/in the future/) }]);
    expect(ingest.events.map((e) => e.message ?? e.name)).toEqual(['now', 'pay']);
  });

  it('/v1/logs partial success: the good records reach the store, the bad one is counted', async () => {
    const { base, ingest } = await start();
    const body = logsBody([
      goodRecord('one'),
      { ...goodRecord('two'), traceId: 'not-hex' },
      goodRecord('three', 17),
    ]);
    const res = await post(base, '/v1/logs', JSON.stringify(body));
    expect(res.status).toBe(200);
    const out = await answer(res);
    expect(out.partialSuccess.rejectedLogRecords).toBe(1);
    expect(out.partialSuccess.errorMessage).toMatch(/logRecords\[1\].*traceId/);
    expect(ingest.events.map((e) => [e.message, e.level, e.ok])).toEqual([
      ['one', 'INFO', true],
      ['three', 'ERROR', false],
    ]);
  });

  it('/api/telemetry/events: accepted count and rejected reasons', async () => {
    const { base, ingest } = await start();
    const res = await post(
      base,
      '/api/telemetry/events',
      JSON.stringify({
        events: [
          { service: 'api', name: 'checkout', time: '2025-03-01T12:00:00Z', duration_ms: 12 },
          { service: 'api', name: 'checkout', time: 5 },
        ],
      }),
    );
    expect(res.status).toBe(200);
    const out = await answer(res);
    expect(out.accepted).toBe(1);
    expect(out.rejected).toEqual([{ index: 1, reason: expect.stringMatching(/epoch seconds/) }]);
    expect(ingest.events).toHaveLength(1);
  });

  it('503 with Retry-After when storing fails; the error is logged without token or body', async () => {
    const { base, ingest, lines } = await start();
    ingest.fail = new Error('database is down');
    const res = await post(base, '/v1/logs', JSON.stringify(logsBody([goodRecord('secret-body-text')])));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await answer(res)).toEqual({ code: 14, message: expect.stringMatching(/retry/) });
    const logged = lines.join('');
    expect(logged).toContain('database is down');
    expect(logged).not.toContain(TOKEN);
    expect(logged).not.toContain('secret-body-text');
  });

  it('503 with Retry-After when the token store fails', async () => {
    const { base } = await start({
      tokens: {
        verify: async () => {
          throw new Error('pool exhausted');
        },
      },
    });
    const res = await post(base, '/v1/metrics', JSON.stringify(sumBody(1, 1000)));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
  });

  it('the answer waits for the store to resolve', async () => {
    const { base, ingest } = await start();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const original = ingest.port.events;
    ingest.port.events = async (e) => {
      await gate;
      await original(e);
    };
    let answered = false;
    const pending = post(base, '/v1/logs', JSON.stringify(logsBody([goodRecord('slow')]))).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false);
    release();
    expect((await pending).status).toBe(200);
    expect(ingest.events).toHaveLength(1);
  });

  it('/v1/metrics: a batch that could not be stored is counted again when the client retries it', async () => {
    const { base, ingest } = await start({ deltas: new DeltaTracker() });
    expect((await post(base, '/v1/metrics', JSON.stringify(sumBody(5, 10_000)))).status).toBe(200);
    ingest.fail = new Error('database down');
    expect((await post(base, '/v1/metrics', JSON.stringify(sumBody(12, 20_000)))).status).toBe(503);
    ingest.fail = null;
    expect((await post(base, '/v1/metrics', JSON.stringify(sumBody(12, 20_000)))).status).toBe(200);
    expect(ingest.points.map((p) => p.value)).toEqual([5, 7]);
  });

  it('/v1/metrics: cumulative sums become deltas through the tracker across two requests', async () => {
    const deltas = new DeltaTracker();
    const { base, ingest } = await start({ deltas });
    const first = await post(base, '/v1/metrics', JSON.stringify(sumBody(5, 10_000)));
    expect(first.status).toBe(200);
    expect(await answer(first)).toEqual({});
    const second = await post(base, '/v1/metrics', JSON.stringify(sumBody(12, 20_000)));
    expect(second.status).toBe(200);
    // A retried (duplicate) batch yields no delta and is not counted as rejected.
    const dup = await post(base, '/v1/metrics', JSON.stringify(sumBody(12, 20_000)));
    expect(await answer(dup)).toEqual({});
    expect(ingest.points.map((p) => [p.metric, p.temporality, p.value, p.attributes])).toEqual([
      ['orders', 'delta', 5, { region: 'eu' }],
      ['orders', 'delta', 7, { region: 'eu' }],
    ]);
    expect(ingest.metricBatches).toHaveLength(2);
    expect(deltas.size).toBe(1);
  });

  it('/v1/metrics partial success counts rejected data points', async () => {
    const { base, ingest } = await start();
    const body = sumBody(3, 1000) as { resourceMetrics: { scopeMetrics: { metrics: unknown[] }[] }[] };
    body.resourceMetrics[0]!.scopeMetrics[0]!.metrics.push({
      name: 'latency',
      // No temporality: every data point of the metric is refused.
      sum: {
        dataPoints: [
          { timeUnixNano: ns(1000), asInt: '1' },
          { timeUnixNano: ns(2000), asInt: '2' },
        ],
      },
    });
    const res = await post(base, '/v1/metrics', JSON.stringify(body));
    expect(res.status).toBe(200);
    const out = await answer(res);
    expect(out.partialSuccess.rejectedDataPoints).toBe(2);
    expect(out.partialSuccess.errorMessage).toMatch(/latency: sum.aggregationTemporality/);
    expect(ingest.points).toHaveLength(1);
  });
});
