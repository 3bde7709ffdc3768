#!/usr/bin/env node
import { hostname } from 'node:os';
/**
 * The composition root (ARCHITECTURE.md): config → logger → database (migrated) → repositories and use
 * cases → Slack app + health routes on one port → graceful shutdown. The only file, with cli.ts and the
 * shared services.ts, that wires every layer together.
 */
import type { RetryOptions } from '@slack/web-api';
import type { DestinationStream } from 'pino';
import { renderAttainmentPng } from './adapters/chart/attainment-png.ts';
import { DatabaseUnreachable } from './adapters/db/client.ts';
import { dbRunCoordinator } from './adapters/db/coordinator.ts';
import { goldRepository } from './adapters/db/gold-repository.ts';
import { reportOutbox, reportRepository } from './adapters/db/report-repository.ts';
import { retentionRepository } from './adapters/db/retention-repository.ts';
import { rollupRepository } from './adapters/db/rollup-repository.ts';
import { healthRoutes } from './adapters/http/health.ts';
import { ingestRoutes } from './adapters/http/ingest.ts';
import { boltLogger } from './adapters/log/bolt-logger.ts';
import { createLogger } from './adapters/log/logger.ts';
import { createScheduler } from './adapters/scheduler/scheduler.ts';
import { createSlackApp } from './adapters/slack/app.ts';
import { renderOutbound, renderTopic } from './adapters/slack/blocks/incident-messages.ts';
import type { RetryPolicy } from './adapters/slack/connection.ts';
import { slackDirectory } from './adapters/slack/directory.ts';
import { createChatGateway, deliveryClient } from './adapters/slack/gateway.ts';
import type { SlackUseCases } from './adapters/slack/use-cases.ts';
import {
  fromBytes,
  merge,
  mergeSketchBytes,
  newSketch,
  quantile,
  rankBelowBytes,
  sketchQuantiles,
} from './adapters/telemetry/sketch.ts';
import type { Ctx } from './app/context.ts';
import { approveFix } from './app/fixes/approve.ts';
import { previewFix } from './app/fixes/preview.ts';
import { rejectFix } from './app/fixes/reject.ts';
import { rollBackFix } from './app/fixes/rollback.ts';
import { verifyDueFixes } from './app/fixes/verify.ts';
import { acknowledge } from './app/incidents/acknowledge.ts';
import { addNote } from './app/incidents/note.ts';
import { repeatDuePages } from './app/incidents/pager.ts';
import { runIncidentScan } from './app/incidents/reconcile.ts';
import { resolveIncident } from './app/incidents/resolve.ts';
import { getStatus, getTimeline } from './app/incidents/status.ts';
import { createDeliveryWorker } from './app/incidents/worker.ts';
import type { Clock } from './app/ports.ts';
import { FUTURE_SKEW_MS } from './app/scan.ts';
import { evaluateSlaAlerts } from './app/sla/alerts.ts';
import { runSlaEngine } from './app/sla/engine.ts';
import { answerSlaReport, scheduleWeeklyReport, slaReportDelivery } from './app/sla/report.ts';
import { ingestEvents, ingestMetricPoints } from './app/telemetry/ingest.ts';
import { runJanitor } from './app/telemetry/janitor.ts';
import type { TagCardinality } from './app/telemetry-ports.ts';
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import type { TelemetryEvent } from './domain/telemetry/event.ts';
import {
  compactSilver,
  janitorLimits,
  openServices,
  type Services,
  slaAlertDeps,
  telemetryIngestDeps,
} from './services.ts';
import { newRef } from './shared/ids.ts';
import { DAY_MS } from './shared/time.ts';

const OUTBOX_RETENTION_MS = 7 * 24 * 3_600_000;

export interface StartOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  logDestination?: DestinationStream;
  /** Web API retry policy; tests pass `{ retries: 0 }`. */
  retryConfig?: RetryOptions;
  /** The pause between auth.test tries while Slack does not answer (1 s doubling to 60 s); tests shorten it. */
  slackRetry?: RetryPolicy;
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
  const problems = serverConfigProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);

  const log = createLogger(config.logLevel ?? 'info', opts.logDestination);
  const services =
    opts.services ?? (await openServices(config, log, opts.clock ? { clock: opts.clock } : {}));

  // Readiness turns false as soon as shutdown begins, so a load balancer stops routing here first. Else it
  // needs the database (reachable, migrated) and Slack (answering auth.test); the detail names what is not.
  let draining = false;
  const health = healthRoutes({
    ready: async () => {
      if (draining) return { ok: false, detail: 'shutting down' };
      const checks = [await services.db.ready(), slack.readiness()];
      const failing = checks.filter((c) => !c.ok);
      const shown = failing.length > 0 ? failing : checks;
      return { ok: failing.length === 0, detail: shown.map((c) => c.detail).join('; ') };
    },
  });
  const ingest = ingestRoutes({
    tokens: services.repos.tokens,
    ingest: telemetryIngest(config, services),
    log,
    // Older than Bronze keeps, or ahead of this clock by more than the skew tolerated: refused, with why.
    eventWindow: () => {
      const now = services.clock.now();
      return { fromMs: now - config.telemetry.bronzeRetentionDays * DAY_MS, toMs: now + FUTURE_SKEW_MS };
    },
  });
  const routes = (req: Parameters<typeof health>[0], res: Parameters<typeof health>[1]) =>
    health(req, res) || ingest(req, res);
  const slackLog = boltLogger(log);
  // Side effects leave through the outbox; this worker delivers them with its own non-retrying client.
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
  // The weekly SLA report reads Gold, SLA incidents, Silver hour sketches (merged here) and scans; days not
  // in Gold yet are computed from Silver as the nightly engine computes them.
  const slaReportDeps = {
    reads: reportRepository(services.db, (sketches) => {
      const s = newSketch();
      for (const b of sketches) merge(s, fromBytes(b));
      return quantile(s, 0.99);
    }),
    recovered: (from: number, to: number) => services.repos.fixes.recovered(from, to),
    clock: services.clock,
    day: { gold: goldRepository(services.db, mergeSketchBytes), rankBelow: rankBelowBytes },
  };
  const worker = createDeliveryWorker(
    {
      slaReports: slaReportDelivery(slaReportDeps, renderAttainmentPng),
      store: services.repos.incidents,
      fixes: services.repos.fixes,
      jobs: services.repos.jobs,
      chat,
      targets: config.incidents.targets,
      policy: config.incidents.policy,
      topicOf: renderTopic,
      log,
    },
    { pollMs: config.delivery.pollMs, log },
  );
  const incidentDeps = { ...services.incidentDeps, onEnqueued: () => worker.nudge() };
  const slaAlerts = slaAlertDeps(services, config, incidentDeps);
  const fixDeps = { ...services.fixDeps, incident: incidentDeps, directory: slackDirectory(webClient) };
  const useCases: SlackUseCases = {
    scan: (ctx, o) => runIncidentScan(services.scanDeps, incidentDeps, ctx, o),
    acknowledge: (ctx, id) => acknowledge(incidentDeps, ctx, id),
    resolve: (ctx, id) => resolveIncident(incidentDeps, ctx, id),
    note: (ctx, input) => addNote(incidentDeps, ctx, input),
    timeline: (_ctx, channelId) => getTimeline(services.repos.incidents, channelId),
    status: () => getStatus(services.statusDeps),
    previewFix: (ctx, target) => previewFix(fixDeps, ctx, target),
    approveFix: (ctx, id) => approveFix(fixDeps, ctx, id),
    rejectFix: (ctx, id) => rejectFix(fixDeps, ctx, id),
    rollBackFix: (ctx, id) => rollBackFix(fixDeps, ctx, id),
    slaReport: (ctx, q) =>
      answerSlaReport({ ...slaReportDeps, chart: renderAttainmentPng, upload: chat.uploadFile }, ctx, q),
  };
  // Scheduled work runs as the `system` actor through the same use cases as Slack (habit 2).
  const systemCtx = (job: string): Ctx => ({
    actor: { type: 'system', job },
    requestId: newRef(),
    log: log.child({ job }),
  });
  const scheduler = createScheduler(
    { log, coordinator: dbRunCoordinator(services.db, `${hostname()}:${process.pid}`) },
    [
      {
        name: 'scheduled-scan',
        cron: config.schedule.scanCron,
        timezone: config.schedule.timezone,
        run: async () => {
          await useCases.scan(systemCtx('scheduled-scan'), {});
        },
      },
      {
        // Delivered jobs are kept a week for inspection, then dropped so the outbox stays small.
        name: 'outbox-janitor',
        cron: '17 3 * * *',
        timezone: config.schedule.timezone,
        run: async () => {
          const purged = await services.repos.jobs.purgeDone(OUTBOX_RETENTION_MS);
          log.info({ purged }, 'outbox purged');
        },
      },
      {
        // Verification windows that ended, and previews nobody decided on in time.
        name: 'fix-verify',
        cron: config.schedule.pagerCron,
        timezone: config.schedule.timezone,
        run: async () => {
          await verifyDueFixes(fixDeps, systemCtx('fix-verify'));
        },
      },
      {
        // Hours merged from their minutes (sketches merged, never averaged); late minutes re-roll an hour.
        name: 'silver-rollup',
        cron: '2 * * * *',
        timezone: 'UTC',
        run: async () => {
          await rollupRepository(services.db, mergeSketchBytes, { quantiles: sketchQuantiles }).rollUpHours(
            services.clock.now(),
          );
        },
      },
      {
        // Every minute: merge the Silver minutes ingest appended to silver_minute_pending into
        // silver_minute, then judge every SLA in force by its burn rate (DOMAIN.md §7). One job, so the
        // evaluation never runs beside a compaction another replica holds rows of (it would miss them).
        name: 'sla-burn',
        cron: '* * * * *',
        timezone: 'UTC',
        run: async () => {
          const ctx = systemCtx('sla-burn');
          // A compaction that fails (a corrupt row) must not stop alerting: evaluate what is compacted.
          const compacted = await compactSilver(services.db).catch((err: unknown) => {
            ctx.log.error({ err }, 'silver compaction failed; evaluating the compacted minutes');
            return 0;
          });
          if (compacted > 0) ctx.log.info({ compacted }, 'silver minutes compacted');
          await evaluateSlaAlerts(slaAlerts, ctx);
        },
      },
      {
        // Retention: Bronze partitions past BRONZE_RETENTION_DAYS (evidence kept), old Silver; never Gold.
        name: 'telemetry-janitor',
        cron: '30 2 * * *',
        timezone: 'UTC',
        run: async () => {
          await runJanitor(
            {
              retention: retentionRepository(services.db),
              rollups: rollupRepository(services.db, mergeSketchBytes, { quantiles: sketchQuantiles }),
              alertAdmins: adminAlerts(services, config.telemetry.adminChannel, () => worker.nudge()),
            },
            systemCtx('telemetry-janitor'),
            {
              dryRun: false,
              nowMs: services.clock.now(),
              ...janitorLimits(config),
            },
          );
        },
      },
      {
        // Gold: yesterday's SLA snapshots, and any missed night's (backfilled, each written once).
        name: 'sla-engine',
        cron: '0 0 * * *',
        timezone: 'UTC',
        run: async () => {
          await runSlaEngine(
            {
              slas: services.repos.slas,
              gold: goldRepository(services.db, mergeSketchBytes),
              rankBelow: rankBelowBytes,
            },
            systemCtx('sla-engine'),
            { nowMs: services.clock.now() },
          );
        },
      },
      {
        // Monday's SLA report of the week just ended, queued once per week and channel (outbox key).
        name: 'sla-report',
        cron: config.slaReport.cron,
        timezone: config.slaReport.timezone,
        run: async () => {
          const channel = config.slaReport.channel;
          if (channel === null) {
            log.warn({}, 'weekly SLA report not posted: set SLA_REPORT_CHANNEL or ALERTS_CHANNEL');
            return;
          }
          const ctx = systemCtx('sla-report');
          await scheduleWeeklyReport(
            { outbox: reportOutbox(services.db), clock: services.clock },
            ctx,
            channel,
          );
          worker.nudge();
        },
      },
      {
        name: 'pager',
        cron: config.schedule.pagerCron,
        timezone: config.schedule.timezone,
        run: async () => {
          await repeatDuePages(incidentDeps, systemCtx('pager'));
        },
      },
    ],
  );
  const slack = createSlackApp({
    slack: config.slack,
    log,
    slackLog,
    useCases,
    thresholds: config.thresholds,
    approvers: {
      users: [...config.fixes.approval.approverUsers],
      group: config.fixes.approval.approverGroup,
    },
    routes,
    port: config.http.port,
    nowMs: () => services.clock.now(),
    ...(opts.retryConfig ? { retryConfig: opts.retryConfig } : {}),
    ...(opts.slackRetry ? { connectRetry: opts.slackRetry } : {}),
  });

  let port: number;
  try {
    ({ port } = await slack.start());
  } catch (err) {
    await slack.stop().catch(() => {});
    await services.close().catch(() => {});
    throw err;
  }
  worker.start();
  if (config.schedule.enabled) scheduler.start();
  log.info(
    {
      port,
      mode: config.slack.socketMode ? 'socket' : 'http',
      db: services.db.kind,
      schedule: config.schedule.enabled ? config.schedule.scanCron : 'off',
    },
    'revenue leak sre started',
  );

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      draining = true;
      log.info({}, 'shutting down');
      try {
        await scheduler.stop();
        await slack.stop();
        await worker.stop();
      } finally {
        await services.close();
        log.info({}, 'stopped');
        await new Promise<void>((resolve) => log.flush(() => resolve()));
      }
    })();
    return stopping;
  };
  return { port, stop, drain: () => worker.drain(), fire: (job, slotMs) => scheduler.fire(job, slotMs) };
}

/** Telemetry ingest: events and metric points into Bronze and Silver, each batch in one atomic write. */
function telemetryIngest(config: Config, services: Services) {
  const deps = telemetryIngestDeps(config, services);
  return {
    events: async (events: TelemetryEvent[]) => {
      await ingestEvents(deps, events);
    },
    metrics: async (points: Parameters<typeof ingestMetricPoints>[1]) => {
      await ingestMetricPoints(deps, points);
    },
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

if (import.meta.main) {
  try {
    await runServer(loadConfig(process.env));
  } catch (err) {
    // No logger yet (its level is configuration too): a plain list on stderr, then exit before any socket.
    // A database that cannot be reached is one line too (host, port, what to check), not a stack.
    if (!(err instanceof ConfigError || err instanceof DatabaseUnreachable)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  }
}

/**
 * The janitor's tag-cardinality alert, through the outbox: one post per UTC day to the admins' channel
 * (its natural key), so a rerun of the janitor or a second replica never posts it twice.
 */
function adminAlerts(services: Services, channel: string | null, nudge: () => void) {
  return async (over: readonly TagCardinality[], tagLimit: number, nowMs: number) => {
    if (channel === null) return;
    const day = new Date(nowMs).toISOString().slice(0, 10);
    await services.repos.incidents.transaction((tx) =>
      tx.enqueue({
        kind: 'admin.alert',
        key: `cardinality:${day}`,
        incidentId: null,
        payload: { channel, over, tag_limit: tagLimit },
      }),
    );
    nudge();
  };
}
