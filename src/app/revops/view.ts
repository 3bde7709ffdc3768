import { localDay } from '../../domain/commerce/days.ts';
import type { InsightView, RevopsReport } from '../../domain/revops/figures.ts';
import { type RevopsFilter, SEGMENTS, type Segment } from '../../domain/revops/types.ts';
import { AppError } from '../../shared/errors.ts';
import type { Clock, Ctx } from '../context.ts';
import { type ChatGateway, DeliveryError, type UploadFile } from '../outbox/ports.ts';
import { type PeriodSpec, type ResolvedPeriod, resolvePeriod } from './view-period.ts';
import { hasRevopsData } from './view-tables.ts';

/**
 * The RevOps views (issue 14): `/revops pipeline|revenue|marketing|insights`, an insight's "Show …" button,
 * `leak revops …` and the App Home's "This week". Each resolves the period in the RevOps time zone, builds
 * one RevopsReport (the report use case over the SQL reads, injected as `report`) and, for Slack, shares
 * the view's chart in the channel the command came from.
 */

export type RevopsViewName = InsightView | 'insights';
export const REVOPS_VIEWS: readonly RevopsViewName[] = ['pipeline', 'revenue', 'marketing', 'insights'];

/** A view as asked for: which, over which period, sliced how. */
export interface RevopsQuery {
  view: RevopsViewName;
  period: PeriodSpec;
  segment?: Segment | undefined;
  owner?: string | undefined;
  channel?: string | undefined;
}

export interface RevopsViewDeps {
  /** The period's figures, the previous period's and the insights (app/revops/report.ts over the reads). */
  report(filter: RevopsFilter): Promise<RevopsReport>;
  clock: Clock;
  /** IANA zone the calendar periods are cut in (DIGEST_TIMEZONE). */
  timezone: string;
}

export interface RevopsView {
  view: RevopsViewName;
  period: ResolvedPeriod;
  report: RevopsReport;
}

/** The chart of each view (insights has none: its buttons open the views that have one). */
export type RevopsChartKind = 'pipeline' | 'mrr' | 'channels';
export const CHART_OF: Record<RevopsViewName, RevopsChartKind | null> = {
  pipeline: 'pipeline',
  revenue: 'mrr',
  marketing: 'channels',
  insights: null,
};
const CHART_TITLE: Record<RevopsChartKind, string> = {
  pipeline: 'Pipeline by stage',
  mrr: 'MRR movement',
  channels: 'Spend vs won revenue by channel',
};

/** Draws a chart of a report as PNG bytes (the chart adapter, injected). */
export type RevopsChartRenderer = (kind: RevopsChartKind, report: RevopsReport, title: string) => Uint8Array;

export type RevopsChartOutcome =
  | { kind: 'uploaded'; count: number }
  | { kind: 'skipped'; reason: 'no_chart' | 'no_data' | 'no_channel' | 'unsupported' }
  | { kind: 'failed'; code: string };

/** Owner and channel names are data; one this long is a paste accident, not a name. */
const NAME_MAX = 200;

/** The filter of a query: its period resolved at `nowMs` in `tz`, its slices checked. */
export function filterOf(
  q: RevopsQuery,
  nowMs: number,
  tz: string,
): { filter: RevopsFilter; period: ResolvedPeriod } {
  if (q.segment !== undefined && !SEGMENTS.includes(q.segment))
    throw new AppError('VALIDATION', `segment must be one of ${SEGMENTS.join(', ')}`);
  for (const [name, v] of [
    ['owner', q.owner],
    ['channel', q.channel],
  ] as const)
    if (v !== undefined && (v.trim() === '' || v.length > NAME_MAX))
      throw new AppError('VALIDATION', `${name} must be a name of 1 to ${NAME_MAX} characters`);
  const period = resolvePeriod(q.period, nowMs, tz);
  if (period.fromMs > nowMs) throw new AppError('VALIDATION', `${period.label} has not started yet`);
  const filter: RevopsFilter = {
    fromMs: period.fromMs,
    toMs: period.toMs,
    ...(q.segment ? { segment: q.segment } : {}),
    ...(q.owner ? { owner: q.owner.trim() } : {}),
    ...(q.channel ? { channel: q.channel.trim() } : {}),
  };
  return { filter, period };
}

export async function buildRevopsView(deps: RevopsViewDeps, q: RevopsQuery): Promise<RevopsView> {
  const { filter, period } = filterOf(q, deps.clock.now(), deps.timezone);
  return { view: q.view, period, report: await deps.report(filter) };
}

/** "pipeline-2026-11-02-2026-12-01-SMB": what a chart file is named after. */
function fileStem(kind: RevopsChartKind, r: RevopsReport, tz: string): string {
  const day = (ms: number) => localDay(ms, tz);
  const slices = [r.filter.segment, r.filter.owner, r.filter.channel]
    .filter((s): s is string => s !== undefined && s !== '')
    .map((s) => s.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 40));
  return [
    'revops',
    kind,
    day(r.filter.fromMs),
    day(Math.max(r.filter.fromMs, r.filter.toMs - 1)),
    ...slices,
  ].join('-');
}

/** The chart file of one view of a report, titled with its period (and slices). */
export function revopsChartFile(
  kind: RevopsChartKind,
  report: RevopsReport,
  period: { label: string },
  tz: string,
  render: RevopsChartRenderer,
): UploadFile {
  const f = report.filter;
  const slices = [f.segment, f.owner, f.channel].filter((s) => s !== undefined && s !== '').join(', ');
  const title = `${CHART_TITLE[kind]}, ${period.label}${slices ? ` (${slices})` : ''}`;
  return {
    filename: `${fileStem(kind, report, tz)}.png`,
    title,
    bytes: render(kind, report, title),
    initialComment: title,
  };
}

/** Uploads `files` to `channelId`, stopping at the first that fails (a channel the bot is not in fails all). */
export async function shareCharts(
  ctx: Ctx,
  upload: ChatGateway['uploadFile'] | undefined,
  channelId: string | null,
  files: readonly (() => UploadFile)[],
): Promise<RevopsChartOutcome> {
  if (files.length === 0) return { kind: 'skipped', reason: 'no_chart' };
  if (channelId === null || channelId === '') return { kind: 'skipped', reason: 'no_channel' };
  if (upload === undefined) return { kind: 'skipped', reason: 'unsupported' };
  let count = 0;
  try {
    for (const file of files) {
      await upload(channelId, file());
      count++;
    }
  } catch (err) {
    if (!(err instanceof DeliveryError)) throw err;
    ctx.log.warn({ code: err.code, channel: channelId, uploaded: count }, 'RevOps chart upload failed');
    return { kind: 'failed', code: err.code };
  }
  return { kind: 'uploaded', count };
}

export interface RevopsAnswerDeps extends RevopsViewDeps {
  chart: RevopsChartRenderer;
  upload: ChatGateway['uploadFile'] | undefined;
}

/**
 * `/revops <view> …` and an insight's button: the view for the asker, and its chart shared in `channelId`
 * (null: no chart, as for a button click, which must not post to a channel). A chart that cannot be
 * shared does not cost the view.
 */
export async function answerRevops(
  deps: RevopsAnswerDeps,
  ctx: Ctx,
  q: RevopsQuery & { channelId: string | null },
): Promise<RevopsView & { chart: RevopsChartOutcome }> {
  const v = await buildRevopsView(deps, q);
  const kind = CHART_OF[q.view];
  const files =
    kind === null ? [] : [() => revopsChartFile(kind, v.report, v.period, deps.timezone, deps.chart)];
  const chart = hasRevopsData(v.report)
    ? await shareCharts(ctx, deps.upload, q.channelId, files)
    : ({ kind: 'skipped', reason: 'no_data' } as const);
  return { ...v, chart };
}

/** The App Home's "This week": this ISO week so far in the RevOps zone; null when nothing was imported. */
export async function revopsThisWeek(deps: RevopsViewDeps): Promise<RevopsView | null> {
  const v = await buildRevopsView(deps, { view: 'insights', period: THIS_WEEK });
  return hasRevopsData(v.report) ? v : null;
}

const THIS_WEEK: PeriodSpec = { kind: 'calendar', unit: 'week', which: 'this' };
