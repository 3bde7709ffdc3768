import { createServer } from 'node:net';
import { SeverityNumber, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPLogExporter as JsonLogs } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogs } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as JsonMetrics } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetrics } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraces } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraces } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryStore } from '../../src/adapters/db/telemetry-repository.ts';
import { sketchOps } from '../../src/adapters/telemetry/sketch-ops.ts';
import type { Services } from '../../src/composition/services.ts';
import { type Harness, type SharedDatabase, sharedDatabase, startHarness } from './harness.ts';

/**
 * The stock OpenTelemetry JS SDK (issue 13) against the running app, once with the http/protobuf
 * exporters (`*-otlp-proto`: the default protocol of most SDKs) and once with the http/json ones, as a
 * user configures them: metrics cumulative (the SDK default), logs and spans batched. Every number must
 * arrive exactly once: Silver's counts and sums, and Bronze's rows, are compared with what was recorded.
 */
type Protocol = 'http/protobuf' | 'http/json';

const EXPORTERS = {
  'http/protobuf': { logs: ProtoLogs, metrics: ProtoMetrics, traces: ProtoTraces },
  'http/json': { logs: JsonLogs, metrics: JsonMetrics, traces: JsonTraces },
} as const;

/** The three providers of one instrumented service, exporting to `base` with `token`. */
function instrument(protocol: Protocol, service: string, base: string, token: string) {
  const resource = resourceFromAttributes({ 'service.name': service });
  const headers = { Authorization: `Bearer ${token}` };
  const x = EXPORTERS[protocol];
  const url = (signal: string) => `${base}/v1/${signal}`;
  const meters = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new x.metrics({ url: url('metrics'), headers }),
        exportIntervalMillis: 3_600_000, // collections only on forceFlush
      }),
    ],
  });
  const logs = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter: new x.logs({ url: url('logs'), headers }) })],
  });
  const tracer = new TracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor({ exporter: new x.traces({ url: url('traces'), headers }) })],
  });
  return { meters, logs, tracer };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface SilverTotals {
  count: number;
  errors: number;
  sum: number;
  min: number | null;
  max: number | null;
}

/** Compacts the pending Silver minutes, then each metric's totals for `service`. */
async function silver(services: Services, service: string): Promise<Record<string, SilverTotals>> {
  const store = telemetryStore(services.db, sketchOps);
  while ((await store.compact()) > 0);
  const rows = await services.db.query<{
    metric: string;
    count: string;
    errors: string;
    sum: number;
    min: number;
    max: number;
  }>(
    `SELECT metric, sum(count)::text AS count, sum(errors)::text AS errors, sum(sum) AS sum,
            min(min) AS min, max(max) AS max
       FROM silver_minute WHERE service = $1 GROUP BY metric`,
    [service],
  );
  return Object.fromEntries(
    rows.map((r) => [
      r.metric,
      { count: Number(r.count), errors: Number(r.errors), sum: r.sum, min: r.min, max: r.max },
    ]),
  );
}

const bronzeNames = async (services: Services, service: string) =>
  (
    await services.db.query<{ name: string }>(
      'SELECT name FROM bronze_events WHERE service = $1 ORDER BY name',
      [service],
    )
  ).map((r) => r.name);

describe('the stock OpenTelemetry JS SDK against the running app', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await startHarness();
    ({ token } = await h.services.repos.tokens.create('otel-sdk'));
  });
  afterAll(async () => h?.stop());

  for (const protocol of ['http/protobuf', 'http/json'] as const) {
    it(`${protocol}: every counter increment, histogram value, log record and server span arrives once`, async () => {
      const service = `otel-e2e-${protocol.slice(5)}`;
      const sdk = instrument(protocol, service, h.baseUrl, token);
      const meter = sdk.meters.getMeter('shop');
      const orders = meter.createCounter('shop.orders');
      const amount = meter.createHistogram('shop.amount', {
        advice: { explicitBucketBoundaries: [50, 500] },
      });
      const logger = sdk.logs.getLogger('orders');
      const tracer = sdk.tracer.getTracer('http');

      // Three collections of a cumulative counter (10 increments each) and a histogram.
      const values = [[12, 40], [250, 900], [1500]];
      for (const batch of values) {
        for (let i = 0; i < 10; i++) orders.add(1, { region: 'eu' });
        for (const v of batch) amount.record(v, { region: 'eu' });
        await sdk.meters.forceFlush();
        await sleep(5); // the next collection has a later timestamp
      }
      // 12 log records, 3 of them errors.
      for (let i = 0; i < 12; i++) {
        const error = i % 4 === 3;
        logger.emit({
          severityNumber: error ? SeverityNumber.ERROR : SeverityNumber.INFO,
          body: error ? `order ${i} failed` : `order ${i} placed`,
        });
      }
      // 8 server spans, 2 failed, each with a client child (not a request of this service: not counted).
      for (let i = 0; i < 8; i++) {
        tracer.startActiveSpan('POST /pay', { kind: SpanKind.SERVER }, (span) => {
          span.setAttribute('http.route', '/pay');
          tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT }).end();
          if (i % 4 === 1) span.setStatus({ code: SpanStatusCode.ERROR, message: 'card service down' });
          span.end();
        });
      }
      await sdk.logs.forceFlush();
      await sdk.tracer.forceFlush();
      // Shutting down exports the counter and histogram once more, unchanged: nothing may count twice.
      await Promise.all([sdk.meters.shutdown(), sdk.logs.shutdown(), sdk.tracer.shutdown()]);

      const totals = await silver(h.services, service);
      expect(totals['shop.orders']).toMatchObject({ count: 30, sum: 30 });
      expect(totals['shop.amount']).toMatchObject({ count: 5, sum: 2702, min: 12, max: 1500 });
      expect(totals['orders']).toMatchObject({ count: 12, errors: 3 });
      expect(totals['POST /pay']).toMatchObject({ count: 8, errors: 2 });
      expect(Object.keys(totals).sort()).toEqual(['POST /pay', 'orders', 'shop.amount', 'shop.orders']);
      expect(await bronzeNames(h.services, service)).toEqual([
        'POST /pay',
        'POST /pay',
        'orders',
        'orders',
        'orders',
      ]);
    }, 60_000);
  }
});

/** A port free now (bound and released), so two apps in turn can listen on the same one. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number }; // the exporters keep their URL: reuse the port
  await new Promise((r) => s.close(r));
  return port;
}

describe('a cumulative counter across a restart of the app', () => {
  let db: SharedDatabase;
  const apps: Harness[] = [];
  beforeAll(async () => {
    db = await sharedDatabase();
  });
  afterAll(async () => {
    for (const a of apps) await a.stop().catch(() => {});
    await db?.dispose();
  });

  // The cumulative → delta state outlives the process (metric series state in the database): without
  // it a restarted app takes the first point it sees of a series for the whole increase since the
  // series' start, and the 10 counted before the restart are counted again (Silver shows 25, not 15).
  it('counts each increment once when the app restarts between two exports (protobuf)', async () => {
    const port = await freePort();
    const env = { PORT: String(port) };
    const first = await startHarness({ database: db, env });
    apps.push(first);
    const { token } = await first.services.repos.tokens.create('otel-restart');
    const sdk = instrument('http/protobuf', 'otel-restart', `http://127.0.0.1:${port}`, token);
    const orders = sdk.meters.getMeter('shop').createCounter('shop.orders');
    for (let i = 0; i < 10; i++) orders.add(1);
    await sdk.meters.forceFlush();
    await first.stop();

    const second = await startHarness({ database: db, env });
    apps.push(second);
    await sleep(5);
    for (let i = 0; i < 5; i++) orders.add(1);
    await sdk.meters.forceFlush();
    await sdk.meters.shutdown();
    expect((await silver(second.services, 'otel-restart'))['shop.orders']).toMatchObject({
      count: 15,
      sum: 15,
    });
  }, 90_000);
});
