/**
 * The use cases every entry point calls, wired once over opened Services: the server (main.ts, its Slack
 * listeners and scheduled jobs), the `leak` commands, the demo and the bench. What differs between entry
 * points is passed as Wiring (the server's worker nudge and Slack directory, the demo's stand-in targets).
 */

import type { Logger } from 'pino';
import { renderAttainmentPng } from '../adapters/chart/attainment-png.ts';
import { crmWriteStore } from '../adapters/db/crm-writes.ts';
import { renderTopic } from '../adapters/slack/blocks/outbound.ts';
import { sketchOps, sketchRollup } from '../adapters/telemetry/sketch-ops.ts';
import { readWeeklyRevenue } from '../app/commerce/weekly.ts';
import type { Ctx, Log } from '../app/context.ts';
import type { DeliveryDeps } from '../app/delivery/handlers.ts';
import type { FixDeps } from '../app/fixes/deps.ts';
import { verifyDueFixes } from '../app/fixes/verify.ts';
import type { IncidentDeps } from '../app/incidents/deps.ts';
import { repeatDuePages } from '../app/incidents/pager.ts';
import { runIncidentScan } from '../app/incidents/revenue-scan.ts';
import { enqueue } from '../app/outbox/enqueue.ts';
import type { ChatGateway } from '../app/outbox/ports.ts';
import { evaluateSlaAlerts, type SlaAlertDeps } from '../app/sla/alerts.ts';
import { applySlaDocuments } from '../app/sla/apply.ts';
import { runSlaEngine, type SlaEngineDeps } from '../app/sla/engine.ts';
import {
  buildWeeklyReport,
  type SlaReportDeps,
  scheduleWeeklyReport,
  slaReportDelivery,
} from '../app/sla/report.ts';
import { type TelemetryIngest, telemetryIngest } from '../app/telemetry/ingest.ts';
import { type JanitorDeps, runJanitor, seriesHorizonMs } from '../app/telemetry/janitor.ts';
import type { TagCardinality } from '../app/telemetry/ports.ts';
import { compactSilver, rollUpSilverHours } from '../app/telemetry/silver.ts';
import type { Config } from '../config/config.ts';
import type { IsoWeek } from '../domain/sla/report.ts';
import { piiHasher } from '../shared/pii.ts';
import { commerceUseCases } from './commerce.ts';
import { crmUseCases, crmWriterFor } from './crm.ts';
import { revopsUseCases } from './revops.ts';
import { piiKeyOf, type Services } from './services.ts';

/** What an entry point adds to the shared wiring. */
export interface Wiring {
  /** Called after a use case committed outbox jobs: the server nudges its delivery worker. */
  onEnqueued?: () => void;
  /** Paging targets other than the configured ones (the demo's stand-ins). */
  targets?: IncidentDeps['targets'];
  /** Who is in a Slack user group: the server reads it from Slack; without Slack nobody is. */
  directory?: FixDeps['directory'];
  /** Fix settings other than the configured ones (the demo's owner pool). */
  fixSettings?: FixDeps['settings'];
  /**
   * The server parses a stored webhook delivery right after answering it, off the request, logging here
   * (the `webhook-parse` job catches up after a crash). Absent: deliveries wait for that job or a CLI run.
   */
  parseWebhooksInBackground?: Logger;
}

/** The janitor's retention and tag limit, from configuration (the nightly job and `leak janitor` alike). */
export const janitorLimits = (config: Config) => ({
  bronzeDays: config.telemetry.bronzeRetentionDays,
  minuteDays: config.telemetry.minuteRetentionDays,
  hourDays: config.telemetry.hourRetentionDays,
  tagLimit: config.telemetry.tagCardinalityLimit,
});

/** The dependencies of the SLA and telemetry use cases, from the repositories and configuration. */
function slaDeps(services: Services, config: Config, incident: IncidentDeps) {
  const { repos, clock } = services;
  const { minEvents, ...policy } = config.telemetry.slaAlerts;
  const alerts: SlaAlertDeps = {
    slas: repos.slas,
    signals: repos.slaSignals,
    store: repos.slaAlerts,
    incident,
    policy,
    minEvents,
  };
  // The weekly SLA report reads Gold, SLA incidents, Silver hour sketches and scans; days not in Gold yet
  // are computed from Silver as the nightly engine computes them.
  const report: SlaReportDeps = {
    reads: repos.reports,
    recovered: (from, to) => repos.fixes.recovered(from, to),
    clock,
    day: { gold: repos.gold, sketches: sketchOps },
    commerce: (from, to) => readWeeklyRevenue(repos.ledger, from, to),
  };
  const engine: SlaEngineDeps = { slas: repos.slas, gold: repos.gold, sketches: sketchOps };
  return { alerts, report, engine };
}

export function composeUseCases(services: Services, config: Config, wiring: Wiring = {}) {
  const { repos, clock } = services;
  const incident: IncidentDeps = {
    ...services.incidentDeps,
    ...(wiring.targets ? { targets: wiring.targets } : {}),
    ...(wiring.onEnqueued ? { onEnqueued: wiring.onEnqueued } : {}),
  };
  // One writer per composition: its HTTP pacing is shared by every fix written back.
  const crmWriter = crmWriterFor(config);
  const fix: FixDeps = {
    ...services.fixDeps,
    incident,
    crm: crmWriter,
    ...(wiring.directory ? { directory: wiring.directory } : {}),
    ...(wiring.fixSettings ? { settings: wiring.fixSettings } : {}),
  };
  const sla = slaDeps(services, config, incident);
  const revops = revopsUseCases(services, config, incident);
  return {
    incident,
    fix,
    sla,
    /**
     * Telemetry ingest: events and metric points into Bronze and Silver, each batch in one atomic write.
     * The cumulative→delta state of metric series lives in the database (any number of instances and
     * replicas agree on it); an instance only caches it.
     */
    ingest: lazyIngest(services, config),
    /** Webhooks, the ledger and the revenue watch (issue 12). */
    commerce: commerceUseCases(services, config, incident, wiring.parseWebhooksInBackground),
    /** RevOps analytics (issue 14): `/revops`, `leak revops`, `leak digest`, the Monday digest, the watch. */
    revops,
    /** CRM connectors (issue 16): the HubSpot and Salesforce syncs and their status; null without a CRM configured. */
    crm: crmUseCases(services, config, wiring.onEnqueued),
    scan: (ctx: Ctx, o: Parameters<typeof runIncidentScan>[3] = {}) =>
      runIncidentScan(services.scanDeps, incident, ctx, o),
    verifyFixes: (ctx: Ctx) => verifyDueFixes(fix, ctx),
    repeatPages: (ctx: Ctx) => repeatDuePages(incident, ctx),
    /** Delivered jobs are kept `retentionMs` for inspection, then dropped so the outbox stays small. */
    purgeOutbox: (retentionMs: number) => repos.jobs.purgeDone(retentionMs),
    applySlas: (ctx: Ctx, docs: unknown[]) => applySlaDocuments({ slas: repos.slas, clock }, ctx, docs),
    compactSilver: () => compactSilver(repos.telemetry),
    rollUpHours: (ctx: Ctx) => rollUpSilverHours({ rollups: repos.rollups, clock }, ctx),
    evaluateSlas: (ctx: Ctx) => evaluateSlaAlerts(sla.alerts, ctx),
    snapshotSlas: (ctx: Ctx, day?: number) =>
      runSlaEngine(sla.engine, ctx, { nowMs: clock.now(), ...(day === undefined ? {} : { day }) }),
    weeklyReport: (q: { week: IsoWeek; service: string | null }) => buildWeeklyReport(sla.report, q),
    queueWeeklyReport: (ctx: Ctx, channel: string) =>
      scheduleWeeklyReport({ outbox: repos.reportOutbox, clock }, ctx, channel),
    janitor: (ctx: Ctx, o: { dryRun: boolean; alertAdmins?: JanitorDeps['alertAdmins'] }) =>
      runJanitor(
        {
          retention: repos.retention,
          rollups: repos.rollups,
          series: repos.seriesState,
          ...(o.alertAdmins ? { alertAdmins: o.alertAdmins } : {}),
        },
        ctx,
        { dryRun: o.dryRun, nowMs: clock.now(), ...janitorLimits(config) },
      ),
    /** What the outbox worker (server) or the demo's delivery loop needs to send queued side effects. */
    delivery: (chat: ChatGateway, log: Log): DeliveryDeps => ({
      slaReports: slaReportDelivery(sla.report, renderAttainmentPng),
      revopsDigests: revops.delivery,
      store: repos.incidents,
      fixes: repos.fixes,
      jobs: repos.jobs,
      crmWriter,
      crmWrites: crmWriteStore(services.db),
      chat,
      targets: incident.targets,
      policy: config.incidents.policy,
      topicOf: renderTopic,
      clock,
      log,
    }),
    adminAlerts: (channel: string | null) => adminAlerts(services, channel, wiring.onEnqueued),
  };
}

export type UseCases = ReturnType<typeof composeUseCases>;

/**
 * The ingest use case, made at its first batch: the PII key it hashes with exists only in a migrated
 * database, and `leak migrate` composes no ingest.
 */
function lazyIngest(services: Services, config: Config): TelemetryIngest {
  let ingest: TelemetryIngest | undefined;
  const made = () =>
    (ingest ??= telemetryIngest(
      {
        store: services.repos.telemetry,
        hash: piiHasher(piiKeyOf(services)),
        latencyThresholdMs: () => config.telemetry.slowMs,
        rollup: sketchRollup,
      },
      services.repos.seriesState,
      {
        // States the janitor may have purged (series idle past Bronze retention): see seriesHorizonMs.
        horizonMs: () => seriesHorizonMs(services.clock.now(), config.telemetry.bronzeRetentionDays),
      },
    ));
  return { events: (events) => made().events(events), metrics: (points) => made().metrics(points) };
}

/**
 * The janitor's tag-cardinality alert, through the outbox: one post per UTC day to the admins' channel
 * (its natural key), so a rerun of the janitor or a second replica never posts it twice.
 */
function adminAlerts(services: Services, channel: string | null, nudge: (() => void) | undefined) {
  return async (over: readonly TagCardinality[], tagLimit: number, nowMs: number) => {
    if (channel === null) return;
    const day = new Date(nowMs).toISOString().slice(0, 10);
    await services.repos.incidents.transaction((tx) =>
      enqueue(tx, 'admin.alert', { channel, over, tag_limit: tagLimit }, `cardinality:${day}`),
    );
    nudge?.();
  };
}
