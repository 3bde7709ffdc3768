import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/adapters/metrics/registry.ts';
import { parseExposition } from '../metrics/exposition.ts';
import { type Served, serveIngest, TOKEN } from './ingest-fixtures.ts';

/**
 * The ingest routes report every request and item to the bot's own metrics (issue 13): what they take and
 * what they refuse, by a reason from a closed set, including what never reaches the ingest use case (a
 * bad content type, a malformed body, a body over the cap, the refused items of a partial success).
 */

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

const NOW = Date.parse('2025-03-01T12:00:00Z');
const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
const auth = { authorization: `Bearer ${TOKEN}` };
const json = { 'content-type': 'application/json', ...auth };
const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] };
const logs = (records: unknown[]) =>
  JSON.stringify({ resourceLogs: [{ resource, scopeLogs: [{ logRecords: records }] }] });
const record = (timeMs: number, extra: object = {}) => ({
  timeUnixNano: ns(timeMs),
  severityNumber: 9,
  body: { stringValue: 'ok' },
  ...extra,
});

async function start(opts: { cap?: number } = {}) {
  const metrics = createMetrics({ defaultMetrics: false });
  served = await serveIngest({
    observer: metrics,
    eventWindow: () => ({ fromMs: NOW - 7 * 86_400_000, toMs: NOW + 300_000 }),
    ...(opts.cap ? { maxBodyBytes: opts.cap } : {}),
  });
  const post = async (path: string, body: string | Uint8Array, headers: Record<string, string> = json) => {
    const res = await fetch(`${served!.base}${path}`, { method: 'POST', headers, body });
    await res.arrayBuffer();
    return res.status;
  };
  const scrape = async () => parseExposition((await metrics.expose()).body);
  return { served, post, scrape };
}

const items = (signal: string, outcome: string, reason?: string) => ({
  signal,
  outcome,
  ...(reason ? { reason } : {}),
});

describe('ingest routes: counted in the bot’s metrics', () => {
  it('a good request, a partial one (each refused record by reason) and the events route', async () => {
    const { post, scrape } = await start();
    expect(await post('/v1/logs', logs([record(NOW), record(NOW)]))).toBe(200);
    const partial = logs([
      record(NOW),
      record(NOW, { traceId: 'not-hex' }), // malformed
      record(NOW - 8 * 86_400_000), // before Bronze retention
      record(NOW + 3_600_000), // an hour ahead
      record(NOW + 3_600_000),
    ]);
    expect(await post('/v1/logs', partial)).toBe(200);
    const events = JSON.stringify([
      { service: 'api', name: 'pay', time: NOW },
      { service: 'api', name: 'pay', time: 'yesterday' },
    ]);
    expect(await post('/api/telemetry/events', events)).toBe(200);

    const e = await scrape();
    const value = (labels: Record<string, string>) => e.value('leak_ingest_items_total', labels);
    expect(value(items('logs', 'accepted'))).toBe(3);
    expect(value(items('logs', 'rejected', 'malformed'))).toBe(1);
    expect(value(items('logs', 'rejected', 'too_old'))).toBe(1);
    expect(value(items('logs', 'rejected', 'in_future'))).toBe(2);
    expect(value(items('events', 'accepted'))).toBe(1);
    expect(value(items('events', 'rejected', 'malformed'))).toBe(1);
    const requests = (labels: Record<string, string>) => e.value('leak_ingest_requests_total', labels);
    expect(requests(items('logs', 'accepted'))).toBe(1);
    expect(requests(items('logs', 'partial'))).toBe(1);
    expect(requests(items('events', 'partial'))).toBe(1);
    expect(requests(items('events', 'accepted'))).toBe(0);
  });

  it('metric data points refused in a partial success, and a request with nothing to store', async () => {
    const { post, scrape } = await start();
    const metrics = {
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
                    dataPoints: [{ asInt: '3', startTimeUnixNano: ns(NOW - 60_000), timeUnixNano: ns(NOW) }],
                  },
                },
                // No temporality: both points refused.
                {
                  name: 'latency',
                  sum: { dataPoints: [{ asInt: '1', timeUnixNano: ns(NOW) }, { asInt: '2' }] },
                },
              ],
            },
          ],
        },
      ],
    };
    expect(await post('/v1/metrics', JSON.stringify(metrics))).toBe(200);
    expect(await post('/v1/traces', JSON.stringify({}))).toBe(200);
    const e = await scrape();
    expect(e.value('leak_ingest_items_total', items('metrics', 'accepted'))).toBe(1);
    expect(e.value('leak_ingest_items_total', items('metrics', 'rejected', 'malformed'))).toBe(2);
    expect(e.value('leak_ingest_requests_total', items('metrics', 'partial'))).toBe(1);
    expect(e.value('leak_ingest_requests_total', items('traces', 'accepted'))).toBe(1);
  });

  it('requests refused whole, each by its reason; their items are not counted', async () => {
    const { served, post, scrape } = await start({ cap: 1024 });
    const body = logs([record(NOW)]);
    expect(await post('/v1/logs', body, { 'content-type': 'application/json' })).toBe(401);
    expect(await post('/v1/logs', body, { ...auth, 'content-type': 'text/plain' })).toBe(415);
    expect(await post('/v1/logs', body, { ...json, 'content-encoding': 'br' })).toBe(415);
    expect(await post('/v1/logs', '{"resourceLogs": [', json)).toBe(400); // broken JSON
    expect(await post('/v1/logs', '[1, 2]', json)).toBe(400); // not the request message
    expect(await post('/v1/logs', new Uint8Array([1, 2, 3]), { ...json, 'content-encoding': 'gzip' })).toBe(
      400,
    );
    expect(
      await post('/v1/metrics', new Uint8Array([0xff, 0xff]), {
        ...auth,
        'content-type': 'application/x-protobuf',
      }),
    ).toBe(400);
    expect(await post('/v1/logs', 'x'.repeat(2048), json)).toBe(413);
    expect(
      await post('/v1/logs', gzipSync(Buffer.alloc(4096)), { ...json, 'content-encoding': 'gzip' }),
    ).toBe(413);
    const get = await fetch(`${served.base}/v1/traces`);
    await get.arrayBuffer();
    expect(get.status).toBe(405);
    served.ingest.fail = new Error('database is down');
    expect(await post('/v1/logs', body)).toBe(503);

    const e = await scrape();
    const rejected = (signal: string, reason: string) =>
      e.value('leak_ingest_requests_total', items(signal, 'rejected', reason));
    expect(rejected('logs', 'unauthorized')).toBe(1);
    expect(rejected('logs', 'content_type')).toBe(2);
    expect(rejected('logs', 'malformed')).toBe(3);
    expect(rejected('metrics', 'malformed')).toBe(1);
    expect(rejected('logs', 'too_large')).toBe(2);
    expect(rejected('traces', 'method')).toBe(1);
    expect(rejected('logs', 'unavailable')).toBe(1);
    expect(e.value('leak_ingest_requests_total', items('logs', 'accepted'))).toBe(0);
    // Not one item of those requests counted, taken or refused.
    expect(e.find('leak_ingest_items_total', { outcome: 'rejected' })).toEqual([]);
    expect(e.value('leak_ingest_items_total', items('logs', 'accepted'))).toBe(0);
    // Every reason is one of the closed set.
    const reasons = new Set(e.find('leak_ingest_requests_total').map((s) => s.labels['reason']));
    expect([...reasons].filter((r) => r !== undefined).sort()).toEqual([
      'content_type',
      'malformed',
      'method',
      'too_large',
      'unauthorized',
      'unavailable',
    ]);
  });
});
