import { type HrTime, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  MeterProvider,
  type MetricData,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { Clock } from '../../src/app/context.ts';
import type { Harness } from './harness.ts';
import { incidentChannels } from './incident-helpers.ts';

/**
 * The pieces of sla-outage.test.ts: a simulated clock the app runs on, services instrumented with the
 * stock OpenTelemetry JS SDK exporting http/protobuf to the running app on that clock, traffic profiles,
 * and readers of the burn evaluations and of what Slack shows.
 */
export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;

/** The app's clock, moved by the test. */
export class SimClock implements Clock {
  t: number;
  constructor(t: number) {
    this.t = t;
  }
  now(): number {
    return this.t;
  }
}

/** The semantic conventions' advised buckets for `http.server.request.duration` (seconds). */
const SEMCONV_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** One request a service answered: when it ended, how long it took, its HTTP status. */
export interface Request {
  endMs: number;
  seconds: number;
  status: number;
}

/** What a service's nth request is: its duration and status. */
export type Profile = (n: number) => { seconds: number; status: number };

/** Whether the nth request is among `bad` of every `per`, spread evenly (1 of 2000, 3 of 5). */
const failsAt = (n: number, bad: number, per: number) =>
  Math.floor(((n + 1) * bad) / per) > Math.floor((n * bad) / per);

/** Checkout: 120 ms answers, `bad` of every `per` failing fast with a 500. */
export const failing =
  (bad: number, per: number): Profile =>
  (n) =>
    failsAt(n, bad, per) ? { seconds: 0.03, status: 500 } : { seconds: 0.12, status: 200 };

/** Catalog as usual: 90% at 80 ms, 8% at 250 ms, 2% at 600 ms; p95 = 0.25 s. */
export const usualLatency: Profile = (n) => {
  const k = n % 50;
  return { seconds: k < 45 ? 0.08 : k < 49 ? 0.25 : 0.6, status: 200 };
};
/** Catalog degraded: every request between 1.6 s and 1.9 s (≈ 1.75 s). */
export const slowLatency: Profile = (n) => ({ seconds: 1.6 + (n % 4) * 0.1, status: 200 });

/** A MetricReader that collects when asked, as PeriodicExportingMetricReader does on its timer. */
class OnDemandReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const hr = (ms: number): HrTime => [Math.floor(ms / SEC), (ms % SEC) * 1e6];

/**
 * A collection as the SDK would have made it with its clock at `atMs` (the SDK reads Date.now()): every
 * cumulative point counts since `sinceMs`, the instruments' start.
 */
function stamped(rm: ResourceMetrics, sinceMs: number, atMs: number): ResourceMetrics {
  return {
    resource: rm.resource,
    scopeMetrics: rm.scopeMetrics.map((s) => ({
      scope: s.scope,
      metrics: s.metrics.map(
        (m) =>
          ({
            ...m,
            dataPoints: m.dataPoints.map((p) => ({ ...p, startTime: hr(sinceMs), endTime: hr(atMs) })),
          }) as MetricData,
      ),
    })),
  };
}

/** Wraps an exporter to count what the app refused (the SDK only logs a failed export). */
function checked(exporter: SpanExporter, failures: string[]): SpanExporter {
  return {
    export: (spans: ReadableSpan[], done) =>
      exporter.export(spans, (r) => {
        if (r.code !== 0) failures.push(String(r.error ?? `span export failed (${spans.length} spans)`));
        done(r);
      }),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}

export interface ServiceOptions {
  name: string;
  baseUrl: string;
  token: string;
  /** When its instruments started (the cumulative points' start). */
  sinceMs: number;
  /** The span name of its requests (a SERVER span each), or none for metrics only. */
  spanName?: string;
  profile: Profile;
  /** Requests answered a minute, evenly spaced. */
  perMinute: number;
}

/**
 * A service instrumented with the stock SDK: its requests recorded in the `http.server.request.duration`
 * histogram (seconds, status as an attribute; cumulative, the SDK default) and, with `spanName`, as
 * SERVER spans with their own start and end times. `serveUntil` answers `perMinute` requests a minute,
 * evenly spaced, up to a time; `exportAt` collects and sends both with the http/protobuf exporters.
 */
export function instrumentedService(o: ServiceOptions) {
  const resource = resourceFromAttributes({ 'service.name': o.name });
  const headers = { Authorization: `Bearer ${o.token}` };
  const reader = new OnDemandReader();
  const meters = new MeterProvider({ resource, readers: [reader] });
  const histogram = meters.getMeter('http').createHistogram('http.server.request.duration', {
    unit: 's',
    advice: { explicitBucketBoundaries: SEMCONV_BUCKETS },
  });
  const metrics = new OTLPMetricExporter({ url: `${o.baseUrl}/v1/metrics`, headers });
  const failures: string[] = [];
  const exporter = checked(new OTLPTraceExporter({ url: `${o.baseUrl}/v1/traces`, headers }), failures);
  const processor = new BatchSpanProcessor({
    exporter,
    maxQueueSize: 100_000,
    maxExportBatchSize: 20_000,
    scheduledDelayMillis: HOUR, // exports only on forceFlush
  });
  const tracer = new TracerProvider({ resource, spanProcessors: [processor] }).getTracer('http');
  const gapMs = MIN / o.perMinute;
  let n = 0;
  let profile = o.profile;

  const serve = ({ endMs, seconds, status }: Request) => {
    const attributes = {
      'http.request.method': 'POST',
      'http.route': '/',
      'http.response.status_code': status,
    };
    histogram.record(seconds, attributes);
    if (o.spanName === undefined) return;
    const span = tracer.startSpan(o.spanName, {
      kind: SpanKind.SERVER,
      startTime: endMs - seconds * SEC,
      attributes,
    });
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: 'card processor down' });
    span.end(endMs);
  };

  /** One collection, as if taken at `atMs`, sent with the stock exporter. */
  const exportMetrics = async (atMs: number) => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw new Error(`collection failed: ${String(errors[0])}`);
    const result = await new Promise<{ code: number; error?: Error }>((done) =>
      metrics.export(stamped(resourceMetrics, o.sinceMs, atMs), done),
    );
    if (result.code !== 0) failures.push(String(result.error ?? 'metric export failed'));
  };

  return {
    name: o.name,
    failures,
    /** Requests answered so far. */
    get served() {
      return n;
    },
    setProfile(p: Profile) {
      profile = p;
    },
    /** Every request ending in (last, untilMs]. */
    serveUntil(untilMs: number) {
      for (; o.sinceMs + (n + 1) * gapMs <= untilMs; n++)
        serve({ endMs: o.sinceMs + (n + 1) * gapMs, ...profile(n) });
    },
    async exportAt(atMs: number) {
      await Promise.all([exportMetrics(atMs), processor.forceFlush()]);
    },
    async shutdown() {
      await Promise.all([meters.shutdown(), processor.shutdown(), metrics.shutdown()]);
    },
  };
}
export type Service = ReturnType<typeof instrumentedService>;

/** What one `sla-burn` run made of one SLA. */
export interface Evaluated {
  atMs: number;
  slaId: string;
  action: 'page' | 'ticket' | 'none';
  /** The long-window burn of the rule behind the action (of 1h/5m when none fired). */
  burn: number;
  /** The rule behind the action, null when none fired. */
  rule: string | null;
  /** What happened to the SLA's incident: declared, updated, resolved, … or none. */
  incident: string;
  ticket: boolean;
}

/**
 * Runs `sla-burn` with the app's clock at `atMs` and delivers what it queued. What it made of every SLA
 * is read back from the evaluator's state (every SLA, every run) and its log line (only when something
 * fired or the incident changed).
 */
export async function evaluateAt(h: Harness, clock: SimClock, atMs: number): Promise<Evaluated[]> {
  clock.t = atMs;
  const from = h.logs.length;
  const fired = await h.running.fire('sla-burn', atMs);
  if (fired !== 'ran') throw new Error(`sla-burn at ${new Date(atMs).toISOString()}: ${fired}`);
  await h.settle();
  const lines = h.logs.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>);
  const failed = lines.find((l) => l['msg'] === 'sla burn evaluation failed');
  if (failed) throw new Error(`evaluation failed: ${JSON.stringify(failed)}`);
  const states = await h.services.db.query<{
    sla_id: string;
    at: number;
    action: Evaluated['action'];
    burn: number;
  }>(
    `SELECT sla_id, (extract(epoch FROM evaluated_at) * 1000)::float8 AS at, action, burn FROM sla_alert_state`,
  );
  return states.map((s) => {
    if (s.at !== atMs) throw new Error(`${s.sla_id} was not evaluated at ${new Date(atMs).toISOString()}`);
    const line = lines.find((l) => l['msg'] === 'sla burn evaluated' && l['sla_id'] === s.sla_id);
    return {
      atMs,
      slaId: s.sla_id,
      action: s.action,
      burn: s.burn,
      rule: (line?.['rule'] as string | null) ?? null,
      incident: (line?.['incident'] as string | undefined) ?? 'none',
      ticket: line?.['ticket'] === true,
    };
  });
}

/** What Slack shows of an SLA's incident: its channel, the on-call pages in it, whether it says resolved. */
export function slackOf(h: Harness, slaId: string) {
  const channel = incidentChannels(h.fake).find((c) => c.name.endsWith(`-sla-burn-${slaId}`));
  const messages = channel ? h.fake.messages(channel.id) : [];
  return {
    channel,
    pages: messages.filter((m) => m.text.includes('<!subteam^SONCALL>')),
    resolved: messages.some((m) => /RESOLVED/.test(m.text)),
    alerts: h.fake.messages('CALERTS').filter((m) => m.text.includes(slaId) || m.text.includes('Resolved')),
  };
}
