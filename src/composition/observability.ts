/**
 * The bot's own metrics, wired (issue 13 item 8): one registry per process (adapters/metrics), served at
 * GET /metrics (adapters/http/metrics-route.ts), fed at the boundaries so no use case carries a hook:
 *   - HTTP requests and Slack acks: the HTTP server's and the Slack receiver's observer hooks;
 *   - outbox deliveries: the job queue the delivery worker settles jobs through (complete, retry, fail);
 *   - scans, telemetry ingest, webhook intake: the composed use cases, wrapped;
 *   - scheduled job runs: each job's run, wrapped;
 *   - outbox depth and age: read from the jobs table at every scrape.
 */

import type { Logger } from 'pino';
import { readOutboxFigures } from '../adapters/db/jobs-repository.ts';
import { metricsRoute, routeFamily } from '../adapters/http/metrics-route.ts';
import type { ServedRequest } from '../adapters/http/server.ts';
import { type BotMetrics, createMetrics } from '../adapters/metrics/registry.ts';
import type { ScheduledJob } from '../adapters/scheduler/scheduler.ts';
import type { SlackRequestKind } from '../adapters/slack/receiver.ts';
import type { DeliveryDeps } from '../app/delivery/handlers.ts';
import type { Observer } from '../app/observe.ts';
import type { JobQueue } from '../app/outbox/ports.ts';
import type { Config } from '../config/config.ts';
import type { Services } from './services.ts';
import type { UseCases } from './use-cases.ts';

export interface Observability {
  metrics: BotMetrics;
  /** GET /metrics, for the HTTP server's routes (first: it answers one path only). */
  route: ReturnType<typeof metricsRoute>;
  /** The HTTP server's observer: the request count and duration by route family. */
  request(r: ServedRequest): void;
  /** The Slack receiver's observer: seconds from arrival to ack. */
  ack(kind: SlackRequestKind, seconds: number): void;
  /** The use cases with scans, telemetry ingest and webhook intake counted. */
  useCases(uc: UseCases): UseCases;
  /** The delivery worker's dependencies with every settled job counted. */
  delivery(deps: DeliveryDeps): DeliveryDeps;
  /** The scheduled jobs with every run counted, and the time of each one's last success. */
  jobs(jobs: ScheduledJob[]): ScheduledJob[];
}

export function observability(config: Config, services: Services, log: Logger): Observability {
  const metrics = createMetrics();
  metrics.watchOutbox(() => readOutboxFigures(services.db), log);
  return {
    metrics,
    route: metricsRoute({ expose: () => metrics.expose(), token: config.http.metricsToken, log }),
    request: (r) => metrics.request({ ...r, route: routeFamily(r.path) }),
    ack: (kind, seconds) => metrics.slackAck(kind, seconds),
    useCases: (uc) => observedUseCases(uc, metrics),
    delivery: (deps) => ({ ...deps, jobs: observedQueue(deps.jobs, metrics) }),
    jobs(jobs) {
      metrics.expectJobs(jobs.map((j) => j.name));
      return jobs.map((j) => ({ ...j, run: () => observedRun(j, metrics) }));
    },
  };
}

async function observedRun(job: ScheduledJob, observer: Observer): Promise<void> {
  try {
    await job.run();
    observer.jobRun(job.name, 'ok', Date.now());
  } catch (err) {
    observer.jobRun(job.name, 'failed', Date.now());
    throw err;
  }
}

/** Settling a job is where a delivery's outcome is known: sent, deferred for a retry, or given up. */
function observedQueue(jobs: JobQueue, observer: Observer): JobQueue {
  return {
    ...jobs,
    async complete(job) {
      await jobs.complete(job);
      observer.delivery(job.kind, 'delivered');
    },
    async retry(job, delayMs, error) {
      await jobs.retry(job, delayMs, error);
      observer.delivery(job.kind, 'retried');
    },
    async fail(job, error) {
      await jobs.fail(job, error);
      observer.delivery(job.kind, 'failed');
    },
  };
}

/**
 * Scans (from Slack and the schedule alike, both call `uc.scan`), telemetry batches and webhook deliveries.
 * Ingest is counted at the use case's port, so per method: `events` counts every event written (OTLP logs
 * and the plain event batch alike), `metrics` every metric point. What the ingest and webhook routes refuse
 * (malformed items, a bad signature) never reaches the port: a refused request shows in
 * leak_http_requests_total by status, and the refused items of an accepted batch are not counted yet.
 */
function observedUseCases(uc: UseCases, observer: Observer): UseCases {
  const { ingest, commerce } = uc;
  return {
    ...uc,
    scan: async (ctx, o) => {
      const started = performance.now();
      try {
        const outcome = await uc.scan(ctx, o);
        observer.scan(performance.now() - started, outcome.delta.reconciled ? 'ok' : 'backfill');
        return outcome;
      } catch (err) {
        observer.scan(performance.now() - started, 'failed');
        throw err;
      }
    },
    ingest: {
      ...ingest,
      events: async (events) => {
        const written = await ingest.events(events);
        observer.ingested('events', events.length, 0);
        return written;
      },
      metrics: async (points) => {
        const written = await ingest.metrics(points);
        observer.ingested('metrics', points.length, 0);
        return written;
      },
    },
    commerce: {
      ...commerce,
      receive: async (ctx, d) => {
        const outcome = await commerce.receive(ctx, d);
        observer.ingested('webhooks', outcome.duplicate ? 0 : 1, 0, outcome.duplicate ? 1 : 0);
        return outcome;
      },
    },
  };
}
