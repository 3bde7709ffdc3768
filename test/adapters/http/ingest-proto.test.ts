import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  decodeResponse,
  decodeStatus,
  encodeRequest,
  type OtlpSignal,
} from '../../../src/adapters/http/otlp-proto.ts';
import * as traces from '../../../src/domain/telemetry/otlp-traces.ts';
import { type Served, serveIngest, TOKEN } from './ingest-fixtures.ts';

/**
 * OTLP/HTTP protobuf on the ingest routes (issue 13): accepted on the same paths as JSON, decoded into
 * the same events, answered in protobuf; refusals are protobuf google.rpc.Status messages.
 */
vi.mock('../../../src/domain/telemetry/otlp-traces.ts', async (importOriginal) => {
  const real = await importOriginal<typeof traces>();
  return { ...real, tracesRequestToEvents: vi.fn(real.tracesRequestToEvents) };
});

const servers: Served[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  vi.mocked(traces.tracesRequestToEvents).mockClear();
});
async function start(opts: Parameters<typeof serveIngest>[0] = {}): Promise<Served> {
  const s = await serveIngest(opts);
  servers.push(s);
  return s;
}

const auth = { authorization: `Bearer ${TOKEN}` };
const PROTO = { 'content-type': 'application/x-protobuf' };
const JSON_TYPE = { 'content-type': 'application/json' };

const NOW_NS = BigInt(Date.parse('2025-03-01T12:00:00Z')) * 1_000_000n;
const ns = (offsetMs: number): string => String(NOW_NS + BigInt(offsetMs) * 1_000_000n);
const kv = (key: string, value: object) => ({ key, value });
const resource = { attributes: [kv('service.name', { stringValue: 'checkout' })] };

const record = (msg: string, severityNumber = 9, extra: object = {}) => ({
  timeUnixNano: ns(0),
  severityNumber,
  body: { stringValue: msg },
  traceId: '5B8EFFF798038103D269B633813FC60C',
  attributes: [kv('http.route', { stringValue: '/pay' }), kv('retries', { intValue: 2 })],
  ...extra,
});
const logs = (records: object[]) => ({
  resourceLogs: [{ resource, scopeLogs: [{ scope: { name: 'payments' }, logRecords: records }] }],
});
const sums = (value: number, atMs: number) => ({
  resourceMetrics: [
    {
      resource,
      scopeMetrics: [
        {
          metrics: [
            {
              name: 'orders',
              sum: {
                aggregationTemporality: 2,
                isMonotonic: true,
                dataPoints: [{ asInt: String(value), startTimeUnixNano: ns(0), timeUnixNano: ns(atMs) }],
              },
            },
          ],
        },
      ],
    },
  ],
});
const spans = {
  resourceSpans: [
    {
      resource,
      scopeSpans: [
        {
          scope: { name: 'http' },
          spans: [
            {
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
              name: 'POST /pay',
              kind: 2,
              startTimeUnixNano: ns(0),
              endTimeUnixNano: ns(120),
              status: { code: 2, message: 'card service down' },
              attributes: [kv('http.response.status_code', { intValue: '503' })],
            },
          ],
        },
      ],
    },
  ],
};

const post = (base: string, path: string, body: Uint8Array | string, headers: Record<string, string>) =>
  fetch(`${base}${path}`, { method: 'POST', headers, body });
const protoPost = (base: string, signal: OtlpSignal, json: object, headers = {}) =>
  post(base, `/v1/${signal}`, encodeRequest(signal, json), { ...auth, ...PROTO, ...headers });
const bytes = async (res: Response) => new Uint8Array(await res.arrayBuffer());

describe('OTLP/HTTP protobuf: accepted like JSON', () => {
  it('/v1/logs: 200 with an empty protobuf response; the same events as the same request in JSON', async () => {
    const viaJson = await start();
    const viaProto = await start();
    const request = logs([record('card declined', 17, { eventName: 'payment.declined' }), record('ok')]);
    const j = await post(viaJson.base, '/v1/logs', JSON.stringify(request), { ...auth, ...JSON_TYPE });
    const p = await protoPost(viaProto.base, 'logs', request);
    expect(j.status).toBe(200);
    expect(p.status).toBe(200);
    expect(p.headers.get('content-type')).toBe('application/x-protobuf');
    expect(await bytes(p)).toHaveLength(0); // an ExportLogsServiceResponse with nothing rejected
    expect(viaProto.ingest.events).toHaveLength(2);
    expect(viaProto.ingest.events).toEqual(viaJson.ingest.events);
    expect(viaProto.ingest.events[0]).toMatchObject({
      service: 'checkout',
      name: 'payment.declined',
      level: 'ERROR',
      traceId: '5b8efff798038103d269b633813fc60c',
      attributes: { 'http.route': '/pay', retries: 2 },
    });
  });

  it('/v1/logs: partial success is an ExportLogsPartialSuccess in the protobuf response', async () => {
    const { base, ingest } = await start();
    const res = await protoPost(
      base,
      'logs',
      logs([record('one'), record('two', 9, { severityNumber: 99 })]),
    );
    expect(res.status).toBe(200);
    expect(decodeResponse('logs', await bytes(res))).toEqual({
      partialSuccess: {
        rejectedLogRecords: '1',
        errorMessage: expect.stringMatching(/^1 rejected: .*logRecords\[1\]: severityNumber/),
      },
    });
    expect(ingest.events.map((e) => e.message)).toEqual(['one']);
  });

  it('/v1/metrics: gzip protobuf; cumulative points become the same deltas as in JSON', async () => {
    const viaJson = await start();
    const viaProto = await start();
    for (const [value, at] of [
      [5, 10_000],
      [12, 20_000],
    ] as const) {
      const body = JSON.stringify(sums(value, at));
      expect((await post(viaJson.base, '/v1/metrics', body, { ...auth, ...JSON_TYPE })).status).toBe(200);
      const gz = gzipSync(encodeRequest('metrics', sums(value, at)));
      const res = await post(viaProto.base, '/v1/metrics', gz, {
        ...auth,
        ...PROTO,
        'content-encoding': 'gzip',
      });
      expect(res.status).toBe(200);
    }
    expect(viaProto.ingest.points.map((p) => p.value)).toEqual([5, 7]);
    expect(viaProto.ingest.points).toEqual(viaJson.ingest.points);
  });

  it('/v1/traces: JSON and protobuf reach the span converter as the same object; the answer is its verdict', async () => {
    const { base, ingest } = await start();
    const j = await post(base, '/v1/traces', JSON.stringify(spans), { ...auth, ...JSON_TYPE });
    const p = await protoPost(base, 'traces', spans);
    expect([j.status, p.status]).toEqual([200, 200]);
    const calls = vi.mocked(traces.tracesRequestToEvents).mock.calls;
    expect(calls).toHaveLength(2);
    expect(calls[1]![0]).toEqual(calls[0]![0]);
    const verdict = vi.mocked(traces.tracesRequestToEvents).mock.results[0]!.value as traces.TracesConversion;
    expect(ingest.events).toEqual([...verdict.events, ...verdict.events]);
    const expected =
      verdict.rejected === 0 && verdict.errors.length === 0
        ? {}
        : {
            partialSuccess: {
              rejectedSpans: verdict.rejected,
              errorMessage: `${verdict.rejected} rejected: ${verdict.errors.join('; ')}`,
            },
          };
    expect(await j.json()).toEqual(expected);
    const fromProto = decodeResponse('traces', await bytes(p)) as {
      partialSuccess?: { rejectedSpans?: string };
    };
    if (fromProto.partialSuccess?.rejectedSpans !== undefined) {
      fromProto.partialSuccess.rejectedSpans = Number(fromProto.partialSuccess.rejectedSpans) as never;
    }
    // protobuf leaves a zero count out; JSON writes it.
    const expectedProto = structuredClone(expected) as { partialSuccess?: { rejectedSpans?: number } };
    if (expectedProto.partialSuccess?.rejectedSpans === 0) delete expectedProto.partialSuccess.rejectedSpans;
    expect(fromProto).toEqual(expectedProto);
  });
});

describe('OTLP/HTTP protobuf: refusals are protobuf google.rpc.Status messages', () => {
  it('400 for a body that is not the request message', async () => {
    const { base, ingest } = await start();
    const res = await post(base, '/v1/logs', new Uint8Array([0x0a, 0x05, 0x01]), { ...auth, ...PROTO });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    expect(decodeStatus(await bytes(res))).toEqual({
      code: 3,
      message: expect.stringMatching(/^body is not a protobuf ExportLogsServiceRequest: /),
    });
    const gz = await post(base, '/v1/metrics', new Uint8Array([1, 2, 3]), {
      ...auth,
      ...PROTO,
      'content-encoding': 'gzip',
    });
    expect(gz.status).toBe(400);
    expect(decodeStatus(await bytes(gz)).message).toMatch(/^body is not valid gzip/);
    expect(ingest.events).toEqual([]);
  });

  it('401 with WWW-Authenticate, 413 over the cap, 503 with Retry-After', async () => {
    const { base, ingest } = await start({ maxBodyBytes: 200 });
    const none = await post(base, '/v1/traces', encodeRequest('traces', spans), PROTO);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(decodeStatus(await bytes(none))).toEqual({
      code: 16,
      message: expect.stringMatching(/bearer token/),
    });

    const big = logs(Array.from({ length: 20 }, (_, i) => record(`message ${i}`)));
    const over = await protoPost(base, 'logs', big);
    expect(over.status).toBe(413);
    expect(decodeStatus(await bytes(over))).toEqual({
      code: 8,
      message: expect.stringMatching(/limit of 200 bytes/),
    });

    ingest.fail = new Error('database is down');
    const down = await protoPost(base, 'logs', logs([record('x')]));
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect(decodeStatus(await bytes(down))).toEqual({ code: 14, message: expect.stringMatching(/retry/) });
  });

  it('405 is a Status too: in protobuf when the request says protobuf, else in JSON', async () => {
    const { base } = await start();
    const plain = await fetch(`${base}/v1/traces`, { headers: auth });
    expect(plain.status).toBe(405);
    expect(plain.headers.get('allow')).toBe('POST');
    expect(await plain.json()).toEqual({ code: 2, message: 'GET is not allowed on /v1/traces: use POST' });
    const proto = await fetch(`${base}/v1/logs`, { method: 'PUT', headers: { ...auth, ...PROTO }, body: '' });
    expect(proto.status).toBe(405);
    expect(decodeStatus(await bytes(proto)).message).toBe('PUT is not allowed on /v1/logs: use POST');
  });

  it('application/protobuf is taken as x-protobuf', async () => {
    const { base, ingest } = await start();
    const res = await post(base, '/v1/logs', encodeRequest('logs', logs([record('hi')])), {
      ...auth,
      'content-type': 'application/protobuf',
    });
    expect(res.status).toBe(200);
    expect(ingest.events).toHaveLength(1);
  });
});
