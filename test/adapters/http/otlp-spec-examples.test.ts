import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest, type OtlpSignal } from '../../../src/adapters/http/otlp-proto.ts';
import { tracesRequestToEvents } from '../../../src/domain/telemetry/otlp-traces.ts';
import { type Served, serveIngest, TOKEN } from './ingest-fixtures.ts';

/**
 * The OTLP specification's example requests (otlp-examples/, one per signal), posted as OTLP/JSON and as
 * protobuf built from the same JSON with the official definitions: both accepted whole, both becoming
 * the same events or points. The route has no event window here (the examples are from 2018).
 */
const servers: Served[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const example = (file: string): string =>
  readFileSync(new URL(`./otlp-examples/${file}`, import.meta.url), 'utf8');

async function postBoth(signal: OtlpSignal, file: string) {
  const text = example(file);
  const json = await serveIngest();
  const proto = await serveIngest();
  servers.push(json, proto);
  const headers = { authorization: `Bearer ${TOKEN}` };
  const j = await fetch(`${json.base}/v1/${signal}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: text,
  });
  const p = await fetch(`${proto.base}/v1/${signal}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-protobuf' },
    body: encodeRequest(signal, JSON.parse(text)),
  });
  expect([j.status, p.status]).toEqual([200, 200]);
  const answers = {
    json: await j.json(),
    proto: decodeResponse(signal, new Uint8Array(await p.arrayBuffer())),
  };
  return { json: json.ingest, proto: proto.ingest, answers };
}

describe('the OTLP spec example requests, in both encodings', () => {
  it('logs.json: accepted whole, one event', async () => {
    const { json, proto, answers } = await postBoth('logs', 'logs.json');
    expect(answers).toEqual({ json: {}, proto: {} });
    expect(proto.events).toEqual(json.events);
    expect(proto.events).toEqual([
      {
        service: 'example.service',
        name: 'example.library',
        timeMs: 1544712660300,
        durationMs: null,
        ok: true,
        level: 'INFO', // severityText "Information" (.NET's name) is INFO
        message: 'An example log record',
        traceId: '0af7651916cd43dd8448eb211c80319c',
        userId: null,
        email: null,
        attributes: expect.objectContaining({
          'example.string': 'text',
          'example.bool': true,
          'example.int': 12,
          'example.double': 42.125,
          'example.array': '["one","two"]',
          'example.map': '{"nested.key":"nested value"}',
        }),
      },
    ]);
  });

  it('metrics.json: accepted whole, a sum, a gauge and a histogram point', async () => {
    const { json, proto, answers } = await postBoth('metrics', 'metrics.json');
    expect(answers).toEqual({ json: {}, proto: {} });
    expect(proto.points).toEqual(json.points);
    expect(proto.points.map((p) => [p.metric, p.kind, p.value ?? p.count])).toEqual([
      ['example.counter', 'sum', 7],
      ['example.gauge', 'gauge', 12],
      ['example.histogram', 'histogram', 4],
    ]);
    expect(proto.points[2]).toMatchObject({
      sum: 9,
      min: 1,
      max: 6,
      bounds: [1, 5],
      bucketCounts: [1, 2, 1],
    });
  });

  it('trace.json: both reach the span converter and are answered as it says', async () => {
    const verdict = tracesRequestToEvents(JSON.parse(example('trace.json')));
    const { json, proto, answers } = await postBoth('traces', 'trace.json');
    expect(proto.events).toEqual(json.events);
    expect(json.events).toEqual(verdict.events);
    expect(verdict.rejected).toBe(0);
    if (verdict.errors.length === 0) expect(answers).toEqual({ json: {}, proto: {} });
    else
      expect(answers.proto).toEqual({
        partialSuccess: { errorMessage: `0 rejected: ${verdict.errors.join('; ')}` },
      });
  });

  it.skipIf(tracesRequestToEvents({}).errors.includes('traces conversion not available'))(
    'trace.json: its server span becomes one request event',
    async () => {
      const { proto } = await postBoth('traces', 'trace.json');
      expect(proto.events).toHaveLength(1);
      expect(proto.events[0]).toMatchObject({
        service: 'example.service',
        durationMs: 1000,
        traceId: '0af7651916cd43dd8448eb211c80319c',
      });
    },
  );
});
