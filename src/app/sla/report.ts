import type { WeeklyRevenue } from '../../domain/commerce/weekly.ts';
import {
  buildSlaReport,
  type IsoWeek,
  isoWeekContaining,
  lastCompleteWeek,
  parseIsoWeek,
  previousWeek,
  type SlaReport,
  seriesKey,
  weekRange,
} from '../../domain/sla/report.ts';
import { AppError } from '../../shared/errors.ts';
import type { Clock, Ctx } from '../context.ts';
import { type ChatGateway, DeliveryError, type UploadFile } from '../outbox/ports.ts';
import type { SlaReportOutbox, SlaReportReads } from '../telemetry/ports.ts';
import { type DaySnapshotDeps, liveSnapshots } from './day-snapshot.ts';

/** The weekly SLA report (issue 5, item 7): `/sla report`, the Monday post and `leak sla report`. */

export interface SlaReportDeps {
  reads: SlaReportReads;
  /** Dollars recovered by applied fix packs in [from, to) (FixStore.recovered). */
  recovered(fromMs: number, toMs: number): Promise<number>;
  clock: Clock;
  /** Silver as the nightly engine reads it: days not yet in Gold are computed live through it. */
  day: DaySnapshotDeps;
  /** The store's week from the commerce ledger (app/commerce/weekly.ts); absent: not in the report. */
  commerce?: (fromMs: number, toMs: number) => Promise<WeeklyRevenue>;
}

/** Renders the daily attainment chart as PNG bytes (the chart adapter, injected). */
export type ChartRenderer = (report: SlaReport) => Uint8Array;

/** The week a caller asked for: its text (`2026-W47`), or the last complete week when none is given. */
export function resolveWeek(text: string | undefined | null, nowMs: number): IsoWeek {
  if (text === undefined || text === null || text.trim() === '') return lastCompleteWeek(nowMs);
  const parsed = parseIsoWeek(text);
  if (!parsed.ok) throw new AppError('VALIDATION', parsed.error);
  if (parsed.week.startMs > nowMs)
    throw new AppError(
      'VALIDATION',
      `${parsed.week.label} has not started yet (this week is ${isoWeekContaining(nowMs).label})`,
    );
  return parsed.week;
}

/** Reads everything the week needs and builds the report. */
export async function buildWeeklyReport(
  deps: SlaReportDeps,
  q: { week: IsoWeek; service: string | null },
): Promise<SlaReport> {
  const { week, service } = q;
  const { reads } = deps;
  const nowMs = deps.clock.now();
  const before = previousWeek(week);
  const [definitions, snapshots, incidents, scan, recoveredCents] = await Promise.all([
    reads.definitionsDuring(week.startMs, week.endMs),
    reads.snapshots(week.startMs, week.endMs),
    reads.slaIncidents(week.startMs, week.endMs),
    reads.latestScanBetween(week.startMs, week.endMs),
    deps.recovered(week.startMs, week.endMs),
  ]);
  // Gold has yesterday at the earliest (written after midnight): today and any night not yet run are
  // counted live, so a week in progress never reads "no events" while its SLA burns.
  const live = await liveSnapshots(deps.day, { week, nowMs, service, definitions, snapshots });
  const p99 = new Map<string, { thisWeek: number | null; previousWeek: number | null }>();
  for (const d of definitions) {
    if (service !== null && d.service !== service) continue;
    // By the SLI's filters too: an SLA over one route's rows reports that route's p99, not the metric's.
    const key = seriesKey(d);
    if (p99.has(key)) continue;
    p99.set(key, {
      thisWeek: await reads.p99(d, week.startMs, week.endMs),
      previousWeek: await reads.p99(d, before.startMs, before.endMs),
    });
  }
  const report = buildSlaReport({
    week,
    service,
    nowMs,
    definitions,
    snapshots,
    live,
    incidents,
    p99,
    scan,
    recoveredCents,
  });
  // The store's figures are the whole workspace's: a per-service report leaves them out.
  if (deps.commerce === undefined || service !== null) return report;
  return { ...report, commerce: await deps.commerce(week.startMs, week.endMs) };
}

/** The chart file of a report: named after its week (and service). */
export function chartFile(report: SlaReport, render: ChartRenderer): UploadFile {
  const suffix = report.service === null ? '' : `-${report.service.replace(/[^A-Za-z0-9_.-]+/g, '_')}`;
  return {
    filename: `sla-attainment-${report.week}${suffix}.png`,
    title: `SLA attainment ${report.week}${report.service === null ? '' : ` (${report.service})`}`,
    bytes: render(report),
    initialComment: `Daily SLA attainment, ${weekRange(report)}`,
  };
}

/** Natural key of the weekly post: one per week and channel, whichever replica or restart enqueues it. */
export const reportJobKey = (week: string, channel: string): string => `sla-report:${week}:${channel}`;

/**
 * Gold writes a day's snapshots at 00:00 UTC the night after: a week's report waits this long after the
 * week ends, so a post fired right at Monday 00:00 UTC (09:00 in Tokyo) still finds Sunday's snapshots.
 */
export const GOLD_GRACE_MS = 30 * 60_000;

/**
 * The Monday post: enqueues the report of the last complete (UTC) week for `channel`, once, due no sooner
 * than GOLD_GRACE_MS after that week ended. The worker builds and posts it (kind 'sla.report') when due;
 * a second fire (a restart, another replica) finds the key and adds nothing.
 */
export async function scheduleWeeklyReport(
  deps: { outbox: SlaReportOutbox; clock: Clock },
  ctx: Ctx,
  channel: string,
): Promise<{ week: string; enqueued: boolean }> {
  const now = deps.clock.now();
  const complete = lastCompleteWeek(now);
  const week = complete.label;
  const enqueued = await deps.outbox.enqueueOnce({
    kind: 'sla.report',
    key: reportJobKey(week, channel),
    incidentId: null,
    payload: { week, channel },
    runAfterMs: Math.max(now, complete.endMs + GOLD_GRACE_MS),
  });
  ctx.log.info(
    { week, channel, enqueued },
    enqueued ? 'weekly SLA report queued' : 'weekly SLA report already queued',
  );
  return { week, enqueued };
}

/** What the delivery worker needs to send a queued report: its content, built when it is sent. */
export interface SlaReportDelivery {
  prepare(week: string, service: string | null): Promise<{ report: SlaReport; chart: UploadFile | null }>;
}

export function slaReportDelivery(deps: SlaReportDeps, render: ChartRenderer | null): SlaReportDelivery {
  return {
    async prepare(weekText, service) {
      const parsed = parseIsoWeek(weekText);
      if (!parsed.ok) throw new DeliveryError('bad_report_week', { permanent: true, message: parsed.error });
      const report = await buildWeeklyReport(deps, { week: parsed.week, service });
      return { report, chart: render && report.slas.length > 0 ? chartFile(report, render) : null };
    },
  };
}

export type ChartOutcome =
  | { kind: 'uploaded'; fileId: string }
  | { kind: 'skipped'; reason: 'no_slas' | 'no_channel' | 'unsupported' }
  | { kind: 'failed'; code: string };

/**
 * `/sla report [service] [week]`: the report for the asker, and its chart shared in the channel the command
 * came from. A chart that cannot be uploaded (the bot is not in that channel) does not cost the report.
 */
export async function answerSlaReport(
  deps: SlaReportDeps & { chart: ChartRenderer; upload: ChatGateway['uploadFile'] },
  ctx: Ctx,
  q: { week: string | null; service: string | null; channelId: string | null },
): Promise<{ report: SlaReport; chart: ChartOutcome }> {
  const week = resolveWeek(q.week, deps.clock.now());
  const report = await buildWeeklyReport(deps, { week, service: q.service });
  let chart: ChartOutcome;
  if (report.slas.length === 0) chart = { kind: 'skipped', reason: 'no_slas' };
  else if (q.channelId === null || q.channelId === '') chart = { kind: 'skipped', reason: 'no_channel' };
  else if (deps.upload === undefined) chart = { kind: 'skipped', reason: 'unsupported' };
  else {
    try {
      const { fileId } = await deps.upload(q.channelId, chartFile(report, deps.chart));
      chart = { kind: 'uploaded', fileId };
    } catch (err) {
      if (!(err instanceof DeliveryError)) throw err;
      ctx.log.warn({ code: err.code, channel: q.channelId }, 'SLA chart upload failed');
      chart = { kind: 'failed', code: err.code };
    }
  }
  return { report, chart };
}
