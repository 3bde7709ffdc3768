import { SeverityNumber } from '@opentelemetry/api';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { type Served, serveIngest, TOKEN } from './ingest-fixtures.ts';

/**
 * The real OpenTelemetry JS SDKs and OTLP/HTTP JSON exporters against the ingest routes: what a user gets
 * with OTEL_EXPORTER_OTLP_ENDPOINT pointed at the bot and the token in OTEL_EXPORTER_OTLP_HEADERS.
 */
let served: Served | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Providers first: their shutdown exports once more, to the still-running server.
  for (const c of cleanups.splice(0).reverse()) await c();
  await served?.close();
  served = undefined;
});

const resource = resourceFromAttributes({ 'service.name': 'checkout-otel', 'service.version': '1.2.3' });

function loggerProvider(base: string, token: string): LoggerProvider {
  const exporter = new OTLPLogExporter({
    url: `${base}/v1/logs`,
    headers: { Authorization: `Bearer ${token}` },
  });
  const provider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter })] });
  cleanups.push(() => provider.shutdown());
  return provider;
}

describe('OpenTelemetry JS exporters → ingest routes', () => {
  it('logs: levels, attributes, message and the service name from the resource', async () => {
    served = await serveIngest();
    const provider = loggerProvider(served.base, TOKEN);
    const logger = provider.getLogger('payments', '0.1.0');
    logger.emit({
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      body: 'card declined',
      attributes: { 'http.route': '/pay', 'user.id': 'u-42', duration_ms: 35 },
    });
    logger.emit({
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: 'order placed',
      attributes: { 'http.route': '/orders', retries: 2, cached: true },
    });
    await provider.forceFlush();

    const events = served.ingest.events;
    expect(events).toHaveLength(2);
    const [error, info] = events;
    expect(error).toMatchObject({
      service: 'checkout-otel',
      name: 'payments',
      level: 'ERROR',
      ok: false,
      message: 'card declined',
      userId: 'u-42',
      durationMs: 35,
      attributes: { 'http.route': '/pay' },
    });
    expect(error!.attributes).not.toHaveProperty('user.id');
    expect(info).toMatchObject({
      service: 'checkout-otel',
      level: 'INFO',
      ok: true,
      message: 'order placed',
      attributes: { 'http.route': '/orders', retries: 2, cached: true },
    });
    expect(Math.abs(info!.timeMs - Date.now())).toBeLessThan(60_000);
  });

  it('logs with a wrong token reach nothing (401)', async () => {
    served = await serveIngest();
    const provider = loggerProvider(served.base, 'wrong-token');
    provider.getLogger('payments').emit({ severityNumber: SeverityNumber.ERROR, body: 'lost' });
    await provider.forceFlush();
    expect(served.ingest.events).toEqual([]);
    expect(served.lines.join('')).not.toContain('wrong-token');
  });

  it('metrics: a cumulative counter and histogram arrive as deltas over two collections', async () => {
    served = await serveIngest();
    const exporter = new OTLPMetricExporter({
      url: `${served.base}/v1/metrics`,
      headers: { Authorization: `Bearer ${TOKEN}` },
      temporalityPreference: AggregationTemporality.CUMULATIVE,
    });
    // A long interval: collections happen only on forceFlush.
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ resource, readers: [reader] });
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

    await new Promise((r) => setTimeout(r, 5)); // the next collection gets a later timestamp
    orders.add(4, { region: 'eu' });
    latency.record(700, { region: 'eu' });
    await provider.forceFlush();

    const batches = served.ingest.metricBatches;
    expect(batches).toHaveLength(2);
    const pick = (i: number, metric: string) => batches[i]!.find((p) => p.metric === metric)!;

    for (const i of [0, 1]) {
      expect(pick(i, 'orders')).toMatchObject({
        service: 'checkout-otel',
        kind: 'sum',
        temporality: 'delta',
        monotonic: true,
        attributes: { region: 'eu' },
      });
    }
    expect(pick(0, 'orders').value).toBe(3);
    expect(pick(1, 'orders').value).toBe(4);
    expect(pick(1, 'orders').startMs).toBe(pick(0, 'orders').timeMs);

    expect(pick(0, 'checkout.latency')).toMatchObject({
      kind: 'histogram',
      temporality: 'delta',
      count: 2,
      sum: 160,
      bounds: [100, 250, 500],
      bucketCounts: [1, 1, 0, 0],
    });
    expect(pick(1, 'checkout.latency')).toMatchObject({
      kind: 'histogram',
      temporality: 'delta',
      count: 1,
      sum: 700,
      max: 700,
      bucketCounts: [0, 0, 0, 1],
    });
  });
});
