import { hostname } from 'node:os';
/**
 * The server (src/main.ts runs it): config → compose (composition/: database, repositories, use cases, jobs) →
 * Slack app + health and ingest routes on one port → outbox worker and scheduler → graceful shutdown.
 */
import type { RetryOptions } from '@slack/web-api';
import type { DestinationStream, Logger } from 'pino';
import { renderAttainmentPng } from '../adapters/chart/attainment-png.ts';
import { createHttpServer } from '../adapters/http/server.ts';
import { boltLogger } from '../adapters/log/bolt-logger.ts';
import { createLogger } from '../adapters/log/logger.ts';
import { createScheduler } from '../adapters/scheduler/scheduler.ts';
import { createSlackApp, type SlackApp } from '../adapters/slack/app.ts';
import { renderOutbound, renderTopic } from '../adapters/slack/blocks/outbound.ts';
import type { RetryPolicy } from '../adapters/slack/connection.ts';
import { slackDirectory } from '../adapters/slack/directory.ts';
import { createChatGateway, deliveryClient } from '../adapters/slack/gateway.ts';
import type { SlackUseCases } from '../adapters/slack/listeners/use-cases.ts';
import type { Clock } from '../app/context.ts';
import { createDeliveryWorker } from '../app/delivery/handlers.ts';
import { approveFix } from '../app/fixes/approve.ts';
import { previewFix } from '../app/fixes/preview.ts';
import { rejectFix } from '../app/fixes/reject.ts';
import { rollBackFix } from '../app/fixes/rollback.ts';
import { acknowledge } from '../app/incidents/acknowledge.ts';
import { addNote } from '../app/incidents/note.ts';
import { resolveIncident } from '../app/incidents/resolve.ts';
import { getStatus, getTimeline } from '../app/incidents/status.ts';
import type { RetryPolicy as OutboxRetryPolicy } from '../app/outbox/deliver.ts';
import type { ChatGateway } from '../app/outbox/ports.ts';
import { answerSlaReport } from '../app/sla/report.ts';
import { type Config, ConfigError } from '../config/config.ts';
import { crmConfigProblems } from './crm.ts';
import { httpRoutes } from './http-routes.ts';
import { scheduledJobs } from './jobs.ts';
import { type Observability, observability } from './observability.ts';
import { openServices, type Services } from './services.ts';
import { composeUseCases, type UseCases } from './use-cases.ts';

export interface StartOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  logDestination?: DestinationStream;
  /** Web API retry policy; tests pass `{ retries: 0 }`. */
  retryConfig?: RetryOptions;
  /** The pause between auth.test tries while Slack does not answer (1 s doubling to 60 s); tests shorten it. */
  slackRetry?: RetryPolicy;
  /** How the outbox spaces failed deliveries (outbox/deliver.ts); tests may shorten the waits. */
  deliveryRetry?: OutboxRetryPolicy;
  clock?: Clock;
  /**
   * Already-open services (database, repositories) to run on instead of opening them from config: for
   * embedding, and for tests that seed an in-memory database before the app starts. start() owns them
   * from then on and closes them at stop().
   */
  services?: Services;
}

export interface Running {
  port: number;
  /** Delivers every due Slack side effect now (tests and the demo; the worker also polls). */
  drain(): Promise<void>;
  /**
   * Fires a scheduled job by name, as its cron would ('scheduled-scan', 'pager'): for the fire time slotMs
   * (default now; one run per job and second, across replicas).
   */
  fire(job: string, slotMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * What the server needs beyond what loadConfig checks (the `leak` CLI runs without Slack, so the schema
 * cannot require a token). Checked before the database or any socket is opened.
 */
export function serverConfigProblems(config: Config): string[] {
  const problems: string[] = [];
  if (!config.slack.botToken) problems.push('SLACK_BOT_TOKEN is required to run the Slack bot (xoxb-…)');
  if (!config.slack.socketMode && !config.slack.signingSecret)
    problems.push('SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
  return problems;
}

export async function start(config: Config, opts: StartOptions = {}): Promise<Running> {
  const problems = [...serverConfigProblems(config), ...crmConfigProblems(config)];
  if (problems.length > 0) throw new ConfigError(problems);

  const log = createLogger(config.logLevel ?? 'info', opts.logDestination);
  const services =
    opts.services ?? (await openServices(config, log, opts.clock ? { clock: opts.clock } : {}));
  const obs = observability(config, services, log);
  const { slackLog, webClient, chat } = deliveryGateway(config, log);
  const nudge = () => worker.nudge();
  const uc = obs.useCases(
    composeUseCases(services, config, {
      onEnqueued: nudge,
      parseWebhooksInBackground: log,
      directory: slackDirectory(webClient),
    }),
  );
  const retry = opts.deliveryRetry ? { retry: opts.deliveryRetry } : {};
  const delivery = obs.delivery({ ...uc.delivery(chat, log), ...retry });
  const worker = createDeliveryWorker(delivery, { pollMs: config.delivery.pollMs, log });
  const scheduler = createScheduler(
    { log, coordinator: services.repos.coordinator(`${hostname()}:${process.pid}`) },
    obs.jobs(scheduledJobs(uc, config, log, nudge)),
  );
  let draining = false;
  const slack = slackApp(
    config,
    { log, slackLog, useCases: slackUseCases(uc, services, chat), onAck: obs.ack },
    services,
    opts,
  );
  const server = httpServer(config, { services, uc, log, obs, slack, draining: () => draining });

  let port: number;
  try {
    ({ port } = await server.start());
    await slack.start();
  } catch (err) {
    await server.stop(() => slack.stop()).catch(() => {});
    await services.close().catch(() => {});
    throw err;
  }
  worker.start();
  if (config.schedule.enabled) scheduler.start();
  const mode = config.slack.socketMode ? 'socket' : 'http';
  const schedule = config.schedule.enabled ? config.schedule.scanCron : 'off';
  log.info({ port, mode, db: services.db.kind, schedule }, 'revenue leak sre started');

  const stop = once(async () => {
    draining = true;
    log.info({}, 'shutting down');
    try {
      await scheduler.stop();
      await server.stop(() => slack.stop());
      await worker.stop();
      await uc.commerce.parsing.idle();
    } finally {
      await services.close();
      log.info({}, 'stopped');
      await new Promise<void>((resolve) => log.flush(() => resolve()));
    }
  });
  return {
    port,
    stop,
    drain: () => drainAll(uc, worker),
    fire: (job, slotMs) => scheduler.fire(job, slotMs),
  };
}

/** One server for every route: metrics, health, readiness and ingest first, then Slack's receiver (HTTP mode). */
function httpServer(
  config: Config,
  p: {
    services: Services;
    uc: UseCases;
    log: Logger;
    obs: Observability;
    slack: SlackApp;
    draining(): boolean;
  },
) {
  const ready = { draining: p.draining, slack: () => p.slack.readiness() };
  return createHttpServer({
    port: config.http.port,
    log: p.log,
    observe: p.obs.request,
    routes: [p.obs.route, httpRoutes(config, p.services, p.uc, p.log, ready, p.obs.metrics), p.slack.handler],
  });
}

/** The Slack app (Bolt: HTTP receiver or Socket Mode) over the composed use cases. */
function slackApp(
  config: Config,
  parts: Pick<Parameters<typeof createSlackApp>[0], 'log' | 'slackLog' | 'useCases' | 'onAck'>,
  services: Services,
  opts: StartOptions,
) {
  return createSlackApp({
    slack: config.slack,
    ...parts,
    thresholds: config.thresholds,
    approvers: {
      users: [...config.fixes.approval.approverUsers],
      group: config.fixes.approval.approverGroup,
    },
    nowMs: () => services.clock.now(),
    ...(opts.retryConfig ? { retryConfig: opts.retryConfig } : {}),
    ...(opts.slackRetry ? { connectRetry: opts.slackRetry } : {}),
  });
}

/** Parses the webhooks already stored, then delivers every due Slack side effect. */
const drainAll = async (uc: UseCases, worker: { drain(): Promise<void> }) => {
  await uc.commerce.parsing.idle();
  await worker.drain();
};

/** A shutdown runs once: a second signal or call waits for the first. */
function once(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= run();
    return running;
  };
}

/**
 * Side effects leave through the outbox; its worker delivers them with this gateway over its own
 * non-retrying client (the Slack app's listeners have theirs).
 */
function deliveryGateway(config: Config, log: Logger) {
  const slackLog = boltLogger(log);
  const webClient = deliveryClient({
    token: config.slack.botToken!,
    apiUrl: config.slack.apiUrl,
    logger: slackLog,
  });
  const chat = createChatGateway({
    client: webClient,
    render: (m) => renderOutbound(m),
    topic: renderTopic,
    log,
    privateChannels: config.incidents.privateChannels,
  });
  return { slackLog, webClient, chat };
}

/** What the Slack listeners call: the composed use cases, as the Slack adapter names them. */
function slackUseCases(uc: UseCases, services: Services, chat: ChatGateway): SlackUseCases {
  const { fix, incident, crm } = uc;
  return {
    scan: (ctx, o) => uc.scan(ctx, o),
    acknowledge: (ctx, id) => acknowledge(incident, ctx, id),
    resolve: (ctx, id) => resolveIncident(incident, ctx, id),
    note: (ctx, input) => addNote(incident, ctx, input),
    timeline: (_ctx, channelId) => getTimeline(services.repos.incidents, channelId),
    status: () => getStatus(services.statusDeps),
    previewFix: (ctx, target) => previewFix(fix, ctx, target),
    approveFix: (ctx, id) => approveFix(fix, ctx, id),
    rejectFix: (ctx, id) => rejectFix(fix, ctx, id),
    rollBackFix: (ctx, id) => rollBackFix(fix, ctx, id),
    slaReport: (ctx, q) =>
      answerSlaReport({ ...uc.sla.report, chart: renderAttainmentPng, upload: chat.uploadFile }, ctx, q),
    revenue: (ctx, q) => uc.commerce.answer(ctx, q, chat.uploadFile),
    revops: {
      view: (ctx, q) => uc.revops.answer(ctx, q, chat.uploadFile),
      digest: (ctx, q) => uc.revops.answerDigest(ctx, q, chat.uploadFile),
      thisWeek: () => uc.revops.thisWeek(),
    },
    ...(crm ? { crmStatus: () => Promise.all(crm.connectors.map((c) => crm.status(c.name))) } : {}),
  };
}

/** Runs until SIGTERM or SIGINT, then shuts down gracefully. A second signal kills at once (default). */
export async function runServer(config: Config, opts: StartOptions = {}): Promise<void> {
  const running = await start(config, opts);
  await new Promise<void>((resolve, reject) => {
    const onSignal = () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      running.stop().then(resolve, reject);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}
