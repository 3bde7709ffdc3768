import { SeverityNumber, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPLogExporter as JsonLogs } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogs } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as JsonMetrics } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetrics } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraces } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraces } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeRequest, encodeRequest } from '../../../src/adapters/http/otlp-proto.ts';
import * as traces from '../../../src/domain/telemetry/otlp-traces.ts';
import { type Served, serveIngest, TOKEN } from './ingest-fixtures.ts';

/**
 * The stock OpenTelemetry JS SDK with its http/protobuf exporters (`*-otlp-proto`, the protocol most SDKs
 * default to) next to its http/json ones (`*-otlp-http`), both fed the very same records, each to a
 * server of its own: what reaches the store must be the same.
 */
vi.mock('../../../src/domain/telemetry/otlp-traces.ts', async (importOriginal) => {
  const real = await importOriginal<typeof traces>();
  return { ...real, tracesRequestToEvents: vi.fn(real.tracesRequestToEvents) };
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Providers first: their shutdown exports once more, to the still-running servers.
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function pair(): Promise<{ json: Served; proto: Served }> {
  const json = await serveIngest();
  const proto = await serveIngest();
  cleanups.push(
    () => json.close(),
    () => proto.close(),
  );
  return { json, proto };
}

const resource = resourceFromAttributes({ 'service.name': 'checkout-otel', 'service.version': '1.2.3' });
const headers = { Authorization: `Bearer ${TOKEN}` };

describe('stock OpenTelemetry JS SDK: http/protobuf and http/json exporters', () => {
  it('logs: the same events, event names and trace ids included (protobuf gzipped, as the Collector sends)', async () => {
    const { json, proto } = await pair();
    const provider = new LoggerProvider({
      resource,
      processors: [
        new BatchLogRecordProcessor({ exporter: new JsonLogs({ url: `${json.base}/v1/logs`, headers }) }),
        new BatchLogRecordProcessor({
          exporter: new ProtoLogs({ url: `${proto.base}/v1/logs`, headers, compression: 'gzip' as never }),
        }),
      ],
    });
    cleanups.push(() => provider.shutdown());
    const logger = provider.getLogger('payments', '0.1.0');
    logger.emit({
      severityNumber: SeverityNumber.ERROR,
      body: 'card declined',
      eventName: 'payment.declined',
      attributes: { 'http.route': '/pay', 'user.id': 'u-42', duration_ms: 35, big: 2 ** 40, ratio: 0.5 },
    });
    logger.emit({ severityNumber: SeverityNumber.INFO, body: { order: 7, items: ['a', 'b'] } });
    await provider.forceFlush();

    expect(proto.ingest.events).toHaveLength(2);
    expect(proto.ingest.events).toEqual(json.ingest.events);
    expect(proto.ingest.events[0]).toMatchObject({
      name: 'payment.declined',
      level: 'ERROR',
      userId: 'u-42',
      durationMs: 35,
      attributes: { 'http.route': '/pay', big: 2 ** 40, ratio: 0.5 },
    });
  });

  it('metrics: the same deltas from a cumulative counter and histogram over two collections', async () => {
    const { json, proto } = await pair();
    const reader = (exporter: JsonMetrics | ProtoMetrics) =>
      new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const opts = { headers, temporalityPreference: AggregationTemporality.CUMULATIVE };
    const provider = new MeterProvider({
      resource,
      readers: [
        reader(new JsonMetrics({ url: `${json.base}/v1/metrics`, ...opts })),
        reader(new ProtoMetrics({ url: `${proto.base}/v1/metrics`, ...opts })),
      ],
    });
    cleanups.push(() => provider.shutdown());
    const meter = provider.getMeter('shop');
    const orders = meter.createCounter('orders');
    const latency = meter.createHistogram('checkout.latency', {
      unit: 'ms',
      advice: { explicitBucketBoundaries: [100, 250, 500] },
    });
    orders.add(3, { region: 'eu' });
    latency.record(120, { region: 'eu' });
    latency.record(40, { region: 'eu' });
    await provider.forceFlush();
    await new Promise((r) => setTimeout(r, 5));
    orders.add(4, { region: 'eu' });
    latency.record(700, { region: 'eu' });
    await provider.forceFlush();

    // Each reader collects at its own instant: everything else must match.
    const strip = (s: Served) => s.ingest.points.map(({ timeMs, startMs, ...p }) => p);
    expect(proto.ingest.metricBatches).toHaveLength(2);
    expect(strip(proto)).toEqual(strip(json));
    expect(proto.ingest.points.filter((p) => p.metric === 'orders').map((p) => p.value)).toEqual([3, 4]);
    expect(proto.ingest.points.filter((p) => p.metric === 'checkout.latency').map((p) => p.count)).toEqual([
      2, 1,
    ]);
  });

  it('traces: both exports reach the span converter with the same ExportTraceServiceRequest', async () => {
    const { json, proto } = await pair();
    const memory = new InMemorySpanExporter();
    const provider = new TracerProvider({
      resource,
      spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
    });
    cleanups.push(() => provider.shutdown());
    const tracer = provider.getTracer('http-server');
    for (const failed of [false, true]) {
      tracer.startActiveSpan('POST /pay', { kind: SpanKind.SERVER }, (span) => {
        span.setAttribute('http.route', '/pay');
        span.setAttribute('http.response.status_code', failed ? 503 : 200);
        if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream down' });
        tracer.startSpan('db.query', { kind: SpanKind.CLIENT }).end();
        span.end();
      });
    }
    const spans = memory.getFinishedSpans();
    expect(spans).toHaveLength(4);
    // The same finished spans through each stock exporter, one after the other.
    const exported = (exporter: JsonTraces | ProtoTraces) =>
      new Promise<number>((resolve) => exporter.export(spans, (r) => resolve(r.code)));
    expect(await exported(new JsonTraces({ url: `${json.base}/v1/traces`, headers }))).toBe(0);
    expect(await exported(new ProtoTraces({ url: `${proto.base}/v1/traces`, headers }))).toBe(0);

    const [fromJson, fromProto] = vi.mocked(traces.tracesRequestToEvents).mock.calls.map((c) => c[0]);
    // The JSON exporter's wording (ints as numbers, zero counts written) canonicalized through the
    // official definitions; the protobuf one decoded: the same object.
    expect(fromProto).toEqual(decodeRequest('traces', encodeRequest('traces', fromJson as object)));
    const ids = JSON.stringify(fromProto).match(/"spanId":"[0-9a-f]{16}"/g);
    expect(ids).toEqual(spans.map((x) => `"spanId":"${x.spanContext().spanId}"`));
    expect(proto.ingest.events).toEqual(json.ingest.events);
  });
});
