/**
 * The bot's own metrics, wired (issue 13 item 8): one registry per process (adapters/metrics), served at
 * GET /metrics (adapters/http/metrics-route.ts), fed at the boundaries so no use case carries a hook:
 *   - HTTP requests and Slack acks: the HTTP server's and the Slack receiver's observer hooks;
 *   - outbox deliveries: the job queue the delivery worker settles jobs through (complete, retry, fail);
 *   - telemetry ingest: the ingest routes themselves (adapters/http/ingest.ts, given `metrics` as their
 *     observer by composition/http-routes.ts), which alone see what they refuse as well as what they take;
 *   - scans, webhook intake: the composed use cases, wrapped;
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
  /** The use cases with scans and webhook intake counted (telemetry ingest is counted by its routes). */
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
 * Scans (from Slack and the schedule alike, both call `uc.scan`) and webhook deliveries. Telemetry ingest
 * is not wrapped here: its routes report every request and item themselves, refusals included.
 */
function observedUseCases(uc: UseCases, observer: Observer): UseCases {
  const { commerce } = uc;
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
    commerce: {
      ...commerce,
      receive: async (ctx, d) => {
        const outcome = await commerce.receive(ctx, d);
        observer.ingested('webhooks', outcome.duplicate ? { accepted: 0, duplicate: 1 } : { accepted: 1 });
        return outcome;
      },
    },
  };
}
