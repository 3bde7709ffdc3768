import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import {
  type DeliveryOutcome,
  type IngestSignal,
  ITEM_REJECTIONS,
  type Observer,
  type RunOutcome,
  type ScanResult,
  type TelemetrySignal,
} from '../../app/observe.ts';
import type { JobKind } from '../../app/outbox/ports.ts';
import type { Log } from '../../shared/log.ts';
import { boundedLabel, methodLabel, statusLabel } from './labels.ts';
import { type OutboxFigures, outboxGauges } from './outbox-gauges.ts';

export type { OutboxFigures } from './outbox-gauges.ts';

/**
 * The bot's own metrics (issue 13 item 8), for Prometheus to scrape at GET /metrics: one prom-client
 * registry per process (per app: tests start several), never prom-client's global one. It holds Node's
 * default process metrics (`process_*`, `nodejs_*`) and the `leak_*` families below; the events reach it
 * through the Observer port (app/observe.ts) and the two adapter hooks (HTTP requests, Slack acks) that
 * composition/observability.ts wires. Labels take closed sets only (labels.ts): no URL, id or token.
 */

/** One request the HTTP server answered; `route` is its family (`/slack/events`, `other`), never the URL. */
export interface RequestObservation {
  route: string;
  method: string | undefined;
  status: number | 'aborted';
  seconds: number;
}

/** What Slack sent: a slash command, an interaction (button, modal), an Events API delivery. */
export type SlackAckKind = 'command' | 'interaction' | 'event';

export interface BotMetrics extends Observer {
  readonly registry: Registry;
  request(r: RequestObservation): void;
  /** Seconds from the request's arrival to its ack (the answer Slack waits 3 s for). */
  slackAck(kind: SlackAckKind, seconds: number): void;
  /** Reads the outbox's figures at every scrape (leak_outbox_jobs, leak_outbox_oldest_pending_age_seconds). */
  watchOutbox(read: () => Promise<OutboxFigures>, log: Log): void;
  /** The scheduled jobs by name: their run counters start at 0, so rate() and increase() see the first run. */
  expectJobs(names: readonly string[]): void;
  /** Every metric in the text exposition format, with its content type. */
  expose(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsOptions {
  /** Node's process metrics (CPU, memory, event loop lag, GC); on by default. */
  defaultMetrics?: boolean;
}

/** Slack's limit is 3 s: the buckets are dense around it. */
const ACK_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5];
/** A scan loads every record: from a fraction of a second to minutes on a large CRM. */
const SCAN_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const TELEMETRY_SIGNALS: readonly TelemetrySignal[] = ['logs', 'metrics', 'traces', 'events'];
const INGEST_SIGNALS: readonly IngestSignal[] = [...TELEMETRY_SIGNALS, 'webhooks'];
const SCAN_RESULTS: readonly ScanResult[] = ['ok', 'backfill', 'failed'];

function httpFamilies(registers: Registry[]) {
  return {
    requests: new Counter({
      name: 'leak_http_requests_total',
      help: 'HTTP requests answered, by route family, method and status code',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'leak_http_request_duration_seconds',
      help: 'Time from a request arriving to its answer being sent, by route family',
      labelNames: ['route', 'method'] as const,
      registers,
    }),
    ack: new Histogram({
      name: 'leak_slack_ack_seconds',
      help: 'Time from a Slack request arriving to its ack (Slack gives 3 s), by kind',
      labelNames: ['kind'] as const,
      buckets: ACK_BUCKETS,
      registers,
    }),
  };
}

function workFamilies(registers: Registry[]) {
  return {
    deliveries: new Counter({
      name: 'leak_outbox_deliveries_total',
      help: 'Outbox jobs settled by the delivery worker, by job kind and outcome (delivered, retried, failed)',
      labelNames: ['kind', 'outcome'] as const,
      registers,
    }),
    // `reason` only on refusals: accepted series keep their two labels, so sum by (signal, outcome) and
    // {outcome="accepted"} read as before.
    ingest: new Counter({
      name: 'leak_ingest_items_total',
      help: 'Telemetry items and webhook deliveries of answered requests, by signal and outcome (accepted, rejected, duplicate); rejected ones by reason',
      labelNames: ['signal', 'outcome', 'reason'] as const,
      registers,
    }),
    ingestRequests: new Counter({
      name: 'leak_ingest_requests_total',
      help: 'Requests to the telemetry ingest routes, by signal and outcome (accepted, partial, rejected); rejected ones by reason',
      labelNames: ['signal', 'outcome', 'reason'] as const,
      registers,
    }),
    scanSeconds: new Histogram({
      name: 'leak_scan_duration_seconds',
      help: 'Wall time of a revenue scan, incident transitions included',
      labelNames: ['outcome'] as const,
      buckets: SCAN_BUCKETS,
      registers,
    }),
    scans: new Counter({
      name: 'leak_scans_total',
      help: 'Revenue scans run by this process, by outcome (ok, backfill, failed)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    jobRuns: new Counter({
      name: 'leak_job_runs_total',
      help: 'Scheduled job runs this process claimed and ran, by job and outcome (ok, failed)',
      labelNames: ['job', 'outcome'] as const,
      registers,
    }),
    jobSuccess: new Gauge({
      name: 'leak_job_last_success_timestamp_seconds',
      help: 'Unix time the scheduled job last ended well in this process',
      labelNames: ['job'] as const,
      registers,
    }),
  };
}

export function createMetrics(opts: MetricsOptions = {}): BotMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const http = httpFamilies(registers);
  const work = workFamilies(registers);
  const outbox = outboxGauges(registers);
  const route = boundedLabel();
  const job = boundedLabel();
  const kind = boundedLabel();
  // Series that exist from the start read 0 rather than absent, so rate() sees their first increase.
  for (const signal of INGEST_SIGNALS) work.ingest.inc({ signal, outcome: 'accepted' }, 0);
  for (const signal of TELEMETRY_SIGNALS) work.ingestRequests.inc({ signal, outcome: 'accepted' }, 0);
  for (const outcome of SCAN_RESULTS) work.scans.inc({ outcome }, 0);
  const count = (labels: { signal: IngestSignal; outcome: string; reason?: string }, n: number) => {
    if (n > 0) work.ingest.inc(labels, n);
  };

  return {
    registry,
    request(r) {
      const labels = { route: route(r.route), method: methodLabel(r.method) };
      http.requests.inc({ ...labels, status: statusLabel(r.status) });
      http.duration.observe(labels, r.seconds);
    },
    slackAck: (k, seconds) => http.ack.observe({ kind: k }, seconds),
    delivery: (k: JobKind, outcome: DeliveryOutcome) => work.deliveries.inc({ kind: kind(k), outcome }),
    ingested(signal, items) {
      count({ signal, outcome: 'accepted' }, items.accepted);
      for (const reason of ITEM_REJECTIONS)
        count({ signal, outcome: 'rejected', reason }, items.rejected?.[reason] ?? 0);
      count({ signal, outcome: 'duplicate' }, items.duplicate ?? 0);
    },
    ingestRequest(signal, outcome) {
      work.ingestRequests.inc(
        typeof outcome === 'string'
          ? { signal, outcome }
          : { signal, outcome: 'rejected', reason: outcome.rejected },
      );
    },
    scan(durationMs: number, outcome: ScanResult) {
      work.scanSeconds.observe({ outcome }, durationMs / 1000);
      work.scans.inc({ outcome });
    },
    jobRun(name: string, outcome: RunOutcome, atMs: number) {
      const j = job(name);
      work.jobRuns.inc({ job: j, outcome });
      if (outcome === 'ok') work.jobSuccess.set({ job: j }, atMs / 1000);
    },
    watchOutbox: (read, log) => outbox.watch(read, log),
    expectJobs(names) {
      for (const name of names)
        for (const outcome of ['ok', 'failed'] as const) work.jobRuns.inc({ job: job(name), outcome }, 0);
    },
    async expose() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
