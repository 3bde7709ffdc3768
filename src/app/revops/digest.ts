import type { RevopsReport } from '../../domain/revops/figures.ts';
import { AppError } from '../../shared/errors.ts';
import type { Clock, Ctx } from '../context.ts';
import { DeliveryError, type Job, type JobQueue, type NewJob, type UploadFile } from '../outbox/ports.ts';
import { type PostDeps, postOnce } from '../outbox/post-once.ts';
import {
  type RevopsAnswerDeps,
  type RevopsChartKind,
  type RevopsChartOutcome,
  type RevopsChartRenderer,
  type RevopsViewDeps,
  revopsChartFile,
  shareCharts,
} from './view.ts';
import {
  currentDigestWeek,
  type DigestWeek,
  lastCompleteDigestWeek,
  parseDigestWeek,
} from './view-period.ts';
import { hasRevopsData } from './view-tables.ts';

/**
 * The weekly RevOps digest (issue 14): the week just ended (ISO week, Monday to Sunday in the RevOps
 * zone) with its figures, changes against the week before, insights and charts. Posted on Monday by the
 * scheduler through the outbox, once per week and channel (the job's natural key), and printed by
 * `leak digest`, as the weekly SLA report is (app/sla/report.ts).
 */

export interface RevopsDigest {
  week: DigestWeek;
  timezone: string;
  /** The week is still running (a digest asked for by hand before Monday). */
  partial: boolean;
  report: RevopsReport;
}

/** Every chart of a digest, in the order they are shared. */
export const DIGEST_CHARTS: readonly RevopsChartKind[] = ['pipeline', 'mrr', 'channels'];

/** The week a caller asked for (`2026-W48` or its Monday), or the last complete one when none is given. */
export function resolveDigestWeek(text: string | null | undefined, nowMs: number, tz: string): DigestWeek {
  if (text === undefined || text === null || text.trim() === '') return lastCompleteDigestWeek(nowMs, tz);
  const parsed = parseDigestWeek(text, tz);
  if (!parsed.ok) throw new AppError('VALIDATION', parsed.error);
  if (parsed.week.fromMs > nowMs)
    throw new AppError(
      'VALIDATION',
      `${parsed.week.label} has not started yet (this week is ${currentDigestWeek(nowMs, tz).label})`,
    );
  return parsed.week;
}

/** The digest of `week`: a week still running is read up to now. */
export async function buildDigest(deps: RevopsViewDeps, week: DigestWeek): Promise<RevopsDigest> {
  const now = deps.clock.now();
  const partial = week.toMs > now;
  const report = await deps.report({ fromMs: week.fromMs, toMs: partial ? now : week.toMs });
  return { week, timezone: deps.timezone, partial, report };
}

/** The digest's charts, each drawn only when asked for (the upload of one already shared is skipped). */
export function digestChartFiles(
  d: RevopsDigest,
  render: RevopsChartRenderer,
): { kind: RevopsChartKind; file: () => UploadFile }[] {
  const period = { label: `week ${d.week.label} (${d.week.span})` };
  return DIGEST_CHARTS.map((kind) => ({
    kind,
    file: () => revopsChartFile(kind, d.report, period, d.timezone, render),
  }));
}

/**
 * `/revops digest [week]`: the digest for the asker, its charts shared in the channel the command came
 * from (as the Monday post shares them), a chart that cannot be shared not costing the digest.
 */
export async function answerDigest(
  deps: RevopsAnswerDeps,
  ctx: Ctx,
  q: { week: string | null; channelId: string | null },
): Promise<{ digest: RevopsDigest; chart: RevopsChartOutcome }> {
  const week = resolveDigestWeek(q.week, deps.clock.now(), deps.timezone);
  const digest = await buildDigest(deps, week);
  const chart = hasRevopsData(digest.report)
    ? await shareCharts(
        ctx,
        deps.upload,
        q.channelId,
        digestChartFiles(digest, deps.chart).map((c) => c.file),
      )
    : ({ kind: 'skipped', reason: 'no_data' } as const);
  return { digest, chart };
}

/** Natural key of the Monday post: one per week and channel, whichever replica or restart enqueues it. */
export const digestJobKey = (week: string, channel: string): string => `revops-digest:${week}:${channel}`;

/** The outbox as the weekly post needs it: a job with an existing key is never added again (any state). */
export interface DigestOutbox {
  enqueueOnce(job: NewJob): Promise<boolean>;
}

/**
 * The Monday post: enqueues the digest of the week just ended in `timezone` for `channel`, once. The worker
 * builds and posts it (kind 'revops.digest'); a second fire (a restart, another replica, a cron that fires
 * again later that week) finds the key and adds nothing.
 */
export async function queueWeeklyDigest(
  deps: { outbox: DigestOutbox; clock: Clock; timezone: string },
  ctx: Ctx,
  channel: string,
): Promise<{ week: string; enqueued: boolean }> {
  const week = lastCompleteDigestWeek(deps.clock.now(), deps.timezone);
  const enqueued = await deps.outbox.enqueueOnce({
    kind: 'revops.digest',
    key: digestJobKey(week.label, channel),
    incidentId: null,
    payload: { week: week.label, channel, timezone: deps.timezone },
  });
  ctx.log.info(
    { week: week.label, channel, enqueued },
    enqueued ? 'weekly RevOps digest queued' : 'weekly RevOps digest already queued',
  );
  return { week: week.label, enqueued };
}

/** What the delivery worker needs to send a queued digest: its content, built when it is sent. */
export interface RevopsDigestDelivery {
  prepare(week: string, timezone: string): Promise<RevopsDigest>;
  chart: RevopsChartRenderer | null;
}

export function revopsDigestDelivery(
  deps: RevopsViewDeps,
  chart: RevopsChartRenderer | null,
): RevopsDigestDelivery {
  return {
    chart,
    async prepare(weekText, timezone) {
      const parsed = parseDigestWeek(weekText, timezone);
      if (!parsed.ok) throw new DeliveryError('bad_digest_week', { permanent: true, message: parsed.error });
      return buildDigest({ ...deps, timezone }, parsed.week);
    },
  };
}

export interface RevopsDeliveryDeps extends PostDeps {
  jobs: JobQueue;
  /** Builds a queued digest when it is sent; without it such jobs fail (nothing to send). */
  revopsDigests?: RevopsDigestDelivery;
}

/** The delivery handler of the digest job kind (delivery/handlers.ts puts it in the outbox's table). */
export const revopsHandlers = { 'revops.digest': deliverRevopsDigest };

/**
 * The weekly digest: the message posted once (its ts kept), then each chart uploaded once (its file id
 * kept under `file_<kind>`), so a retry after any step repeats none of the steps before it. A week with
 * no RevOps data at all posts nothing: an empty digest every Monday would only be noise.
 */
async function deliverRevopsDigest(deps: RevopsDeliveryDeps, job: Job<'revops.digest'>): Promise<void> {
  const p = job.payload;
  if (deps.revopsDigests === undefined) throw new DeliveryError('revops_unavailable', { permanent: true });
  const posted = typeof job.progress['posted_ts'] === 'string';
  // Called as a method: a gateway may keep its state on `this`.
  const upload = deps.chat.uploadFile
    ? (channel: string, file: UploadFile) => deps.chat.uploadFile!(channel, file)
    : undefined;
  const chart = deps.revopsDigests.chart;
  const pending = (kind: RevopsChartKind) => typeof job.progress[`file_${kind}`] !== 'string';
  if (posted && (upload === undefined || chart === null || !DIGEST_CHARTS.some(pending))) return;
  const digest = await deps.revopsDigests.prepare(p.week, p.timezone);
  if (!posted && !hasRevopsData(digest.report)) {
    deps.log.info({ week: p.week, channel: p.channel }, 'weekly RevOps digest skipped: no RevOps data');
    return;
  }
  if (!posted) {
    const ts = await postOnce(deps, job, p.channel, job.key, {
      kind: 'revops_digest',
      week: digest.week.label,
      span: digest.week.span,
      timezone: digest.timezone,
      report: digest.report,
    });
    await deps.jobs.saveProgress(job, { posted_ts: ts });
  }
  if (upload === undefined || chart === null) return;
  for (const { kind, file } of digestChartFiles(digest, chart)) {
    if (!pending(kind)) continue;
    const { fileId } = await upload(p.channel, file());
    await deps.jobs.saveProgress(job, { [`file_${kind}`]: fileId });
  }
}
