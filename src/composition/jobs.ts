/**
 * Every scheduled job of the server, in one list: its name (the key of the slot claim across replicas and
 * of `Running.fire`), its cron and zone, and the use case it calls. Adding a scheduled job is one entry
 * here. Jobs run as the `system` actor through the same use cases as Slack and the CLI (ARCHITECTURE.md
 * habit 2); the uniform runner (adapters/scheduler) gives each the same claim, overlap and error handling.
 */

import type { Logger } from 'pino';
import type { ScheduledJob } from '../adapters/scheduler/scheduler.ts';
import type { Ctx } from '../app/context.ts';
import type { Config } from '../config/config.ts';
import { systemCtx } from './system-ctx.ts';
import type { UseCases } from './use-cases.ts';

const OUTBOX_RETENTION_MS = 7 * 24 * 3_600_000;

interface JobSpec {
  name: string;
  cron: string;
  timezone: string;
  run(ctx: Ctx): Promise<unknown>;
}

function jobSpecs(uc: UseCases, config: Config, nudge: () => void): JobSpec[] {
  const { schedule: s, slaReport: r } = config;
  const admins = config.telemetry.adminChannel;
  return [
    // With a CRM connected, its changes are synced first (issue 16): claimed with the scan, so once across replicas.
    { name: 'scheduled-scan', cron: s.scanCron, timezone: s.timezone, run: (ctx) => syncThenScan(uc, ctx) },
    // Delivered jobs are kept a week for inspection, then dropped so the outbox stays small.
    { name: 'outbox-janitor', cron: '17 3 * * *', timezone: s.timezone, run: (ctx) => purgeOutbox(uc, ctx) },
    // Verification windows that ended, and previews nobody decided on in time.
    { name: 'fix-verify', cron: s.pagerCron, timezone: s.timezone, run: (ctx) => uc.verifyFixes(ctx) },
    // Hours merged from their minutes (sketches merged, never averaged); late minutes re-roll an hour.
    { name: 'silver-rollup', cron: '2 * * * *', timezone: 'UTC', run: (ctx) => uc.rollUpHours(ctx) },
    { name: 'sla-burn', cron: '* * * * *', timezone: 'UTC', run: (ctx) => burn(uc, ctx) },
    // Retention: Bronze partitions past BRONZE_RETENTION_DAYS (evidence kept), old Silver; never Gold.
    {
      name: 'telemetry-janitor',
      cron: '30 2 * * *',
      timezone: 'UTC',
      run: (ctx) => uc.janitor(ctx, { dryRun: false, alertAdmins: uc.adminAlerts(admins) }),
    },
    // Gold: yesterday's SLA snapshots, and any missed night's (backfilled, each written once).
    { name: 'sla-engine', cron: '0 0 * * *', timezone: 'UTC', run: (ctx) => uc.snapshotSlas(ctx) },
    {
      name: 'sla-report',
      cron: r.cron,
      timezone: r.timezone,
      run: (ctx) => weeklyReport(uc, config, ctx, nudge),
    },
    { name: 'pager', cron: s.pagerCron, timezone: s.timezone, run: (ctx) => uc.repeatPages(ctx) },
    // Webhook deliveries a crash left unparsed (the intake parses right after storing; this catches up).
    {
      name: 'webhook-parse',
      cron: '* * * * *',
      timezone: 'UTC',
      run: (ctx) => uc.commerce.parsePending(ctx),
    },
    // The RevOps digest of the week just ended (issue 14), Monday 09:00 in DIGEST_TIMEZONE by default.
    {
      name: 'revops-digest',
      cron: config.revops.digest.cron,
      timezone: config.revops.digest.timezone,
      run: (ctx) => weeklyDigest(uc, config, ctx, nudge),
    },
    // Stuck deals as of now against REVOPS_LEAK_BUDGET_USD: the stuck-deals incident (issue 14). Daily is
    // enough: days in stage move by the day and deals by import. It runs without a budget too, to resolve
    // an incident left open from before the budget was unset (one lock and one read then).
    {
      name: 'revops-watch',
      cron: config.revops.watchCron,
      timezone: 'UTC',
      run: (ctx) => uc.revops.watch(ctx),
    },
    // REVENUE_DIP and NO_SIGNAL of every source (DOMAIN.md §8, issue 12).
    {
      name: 'revenue-watch',
      cron: config.commerce.watchCron,
      timezone: 'UTC',
      run: async (ctx) => {
        await uc.commerce.parsePending(ctx);
        return uc.commerce.watch(ctx);
      },
    },
  ];
}

/** The scheduled scan: the CRM's changes first (never failing the scan), then the scan. */
async function syncThenScan(uc: UseCases, ctx: Ctx) {
  await uc.crm?.syncBeforeScan(ctx);
  return uc.scan(ctx, {});
}

async function purgeOutbox(uc: UseCases, ctx: Ctx): Promise<void> {
  ctx.log.info({ purged: await uc.purgeOutbox(OUTBOX_RETENTION_MS) }, 'outbox purged');
}

/**
 * Every minute: merge the Silver minutes ingest appended to silver_minute_pending into silver_minute, then
 * judge every SLA in force by its burn rate (DOMAIN.md §7). One job, so the evaluation never runs beside a
 * compaction another replica holds rows of (it would miss them).
 */
async function burn(uc: UseCases, ctx: Ctx): Promise<void> {
  // A compaction that fails (a corrupt row) must not stop alerting: evaluate what is compacted.
  const compacted = await uc.compactSilver().catch((err: unknown) => {
    ctx.log.error({ err }, 'silver compaction failed; evaluating the compacted minutes');
    return 0;
  });
  if (compacted > 0) ctx.log.info({ compacted }, 'silver minutes compacted');
  await uc.evaluateSlas(ctx);
}

/** Monday's SLA report of the week just ended, queued once per week and channel (outbox key). */
async function weeklyReport(uc: UseCases, config: Config, ctx: Ctx, nudge: () => void): Promise<void> {
  const channel = config.slaReport.channel;
  if (channel === null) {
    ctx.log.warn({}, 'weekly SLA report not posted: set SLA_REPORT_CHANNEL or ALERTS_CHANNEL');
    return;
  }
  await uc.queueWeeklyReport(ctx, channel);
  nudge();
}

/** Monday's RevOps digest of the week just ended, queued once per week and channel (outbox key). */
async function weeklyDigest(uc: UseCases, config: Config, ctx: Ctx, nudge: () => void): Promise<void> {
  const channel = config.revops.digest.channel;
  if (channel === null) {
    ctx.log.debug({}, 'weekly RevOps digest not posted: DIGEST_CHANNEL is not set');
    return;
  }
  await uc.revops.queueWeeklyDigest(ctx, channel);
  nudge();
}

/** The jobs as the scheduler runs them: each run with a fresh `system` context of its own. */
export function scheduledJobs(uc: UseCases, config: Config, log: Logger, nudge: () => void): ScheduledJob[] {
  return jobSpecs(uc, config, nudge).map((j) => ({
    name: j.name,
    cron: j.cron,
    timezone: j.timezone,
    run: async () => {
      await j.run(systemCtx(log, j.name));
    },
  }));
}
