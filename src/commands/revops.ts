import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRevopsChart } from '../adapters/chart/revops-charts.ts';
import type { Ctx } from '../app/context.ts';
import { digestChartFiles } from '../app/revops/digest.ts';
import {
  CHART_OF,
  REVOPS_VIEWS,
  type RevopsQuery,
  type RevopsViewName,
  revopsChartFile,
} from '../app/revops/view.ts';
import { DEFAULT_PERIOD, type PeriodSpec, parseDays, parseRange } from '../app/revops/view-period.ts';
import { digestText, viewText } from '../app/revops/view-text.ts';
import type { PipelineWatchOutcome } from '../app/revops/watch.ts';
import type { UseCases } from '../composition/use-cases.ts';
import { localDay } from '../domain/commerce/days.ts';
import { stuckLeakSummary } from '../domain/revops/leak.ts';
import { SEGMENTS, type Segment } from '../domain/revops/types.ts';
import { type Io, parse, UsageError } from './common.ts';

/**
 * `leak revops pipeline|revenue|marketing|insights [period] [filters] [--json] [--chart <dir>]` and
 * `leak digest [--week 2026-W48|<monday>] [--json] [--chart <dir>]`: the `/revops` views and the weekly
 * digest in the terminal, as text tables, as JSON (the RevopsReport), and their charts as PNG files.
 * `leak revops watch [--json]` runs the daily pipeline watch now (stuck deals against the leak budget).
 */

const VIEW_OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  period: { type: 'string' },
  segment: { type: 'string' },
  owner: { type: 'string' },
  channel: { type: 'string' },
  json: { type: 'boolean', default: false },
  chart: { type: 'string' },
} as const;

/** `--period`: 30d, last-30d, week, month, quarter (so far), last-week, last-month, last-quarter. */
export function cliPeriod(text: string): PeriodSpec {
  const t = text.trim().toLowerCase().replace(/\s+/g, '-');
  const cal = /^(?:(last|this)-)?(week|month|quarter)$/.exec(t);
  if (cal) return { kind: 'calendar', unit: cal[2] as 'week', which: cal[1] === 'last' ? 'last' : 'this' };
  const days = parseDays(t.replace(/^last-/, ''));
  if (days?.ok) return { kind: 'days', days: days.days };
  if (days && !days.ok) throw new UsageError(`--period: ${days.error}`);
  const range = parseRange(t);
  if (range?.ok) return range.spec;
  if (range && !range.ok) throw new UsageError(`--period: ${range.error}`);
  throw new UsageError(
    `--period '${text}': use 7d, 30d, 90d, week, month, quarter, last-week, last-month, last-quarter or FROM..TO`,
  );
}

function periodOf(v: { from?: string; to?: string; period?: string }, today: string): PeriodSpec | undefined {
  if (v.period !== undefined && (v.from !== undefined || v.to !== undefined))
    throw new UsageError('give either --period or --from/--to, not both');
  if (v.period !== undefined) return cliPeriod(v.period);
  if (v.from === undefined && v.to === undefined) return undefined;
  if (v.from === undefined) throw new UsageError('--to needs --from (the first day of the period)');
  const to = v.to ?? today;
  const range = parseRange(`${v.from}..${to}`);
  if (!range?.ok) throw new UsageError(`--from/--to: ${range?.ok === false ? range.error : 'not dates'}`);
  return range.spec;
}

/** Writes `files` into `dir` (made when missing); answers the paths written. */
function writeCharts(dir: string, files: readonly { filename: string; bytes: Uint8Array }[]): string[] {
  mkdirSync(dir, { recursive: true });
  return files.map((f) => {
    const path = join(dir, f.filename);
    writeFileSync(path, f.bytes);
    return path;
  });
}

export async function revopsCommand(uc: UseCases, ctx: Ctx, rest: string[], io: Io): Promise<number> {
  if (rest[0] === 'watch') return watchCommand(uc, ctx, rest.slice(1), io);
  const { values, positionals } = parse(rest, VIEW_OPTIONS);
  const [view, extra] = positionals;
  if (view === undefined || !REVOPS_VIEWS.includes(view as RevopsViewName))
    throw new UsageError(
      `expected a view: ${REVOPS_VIEWS.join(', ')} (or watch)${view ? ` (got '${view}')` : ''}`,
    );
  if (extra !== undefined) throw new UsageError(`unexpected '${extra}'`);
  const segment = values.segment?.toUpperCase();
  if (segment !== undefined && !(SEGMENTS as readonly string[]).includes(segment))
    throw new UsageError(`--segment must be one of ${SEGMENTS.join(', ')}`);
  const { clock, timezone } = uc.revops.deps;
  const period = periodOf(values, localDay(clock.now(), timezone)) ?? DEFAULT_PERIOD;
  const q: RevopsQuery = {
    view: view as RevopsViewName,
    period,
    segment: segment as Segment | undefined,
    owner: values.owner,
    channel: values.channel,
  };
  const v = await uc.revops.view(q);
  const kind = CHART_OF[q.view];
  const written =
    values.chart === undefined || kind === null
      ? []
      : writeCharts(values.chart, [revopsChartFile(kind, v.report, v.period, timezone, renderRevopsChart)]);
  io.out.write(values.json ? `${JSON.stringify(v.report, null, 2)}\n` : viewText(v, timezone));
  if (values.chart !== undefined && kind === null) io.err.write('leak revops: insights have no chart\n');
  for (const path of written) io.err.write(`Chart written to ${path}\n`);
  return 0;
}

export async function digestCommand(uc: UseCases, rest: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(rest, {
    week: { type: 'string' },
    json: { type: 'boolean', default: false },
    chart: { type: 'string' },
  });
  if (positionals[0] !== undefined) throw new UsageError(`unexpected '${positionals[0]}' (use --week)`);
  const written = await printDigest(
    uc,
    { week: values.week ?? null, json: values.json, chartDir: values.chart },
    io,
  );
  for (const path of written) io.err.write(`Chart written to ${path}\n`);
  return 0;
}

/**
 * What `leak digest` prints (`leak demo` too): the digest of `week` (the last complete one when null) on
 * stdout, as text or JSON, its charts written into `chartDir` when given; answers the charts' paths.
 */
export async function printDigest(
  uc: UseCases,
  o: { week: string | null; json: boolean; chartDir?: string | undefined },
  io: Io,
): Promise<string[]> {
  const digest = await uc.revops.digest(o.week);
  const written =
    o.chartDir === undefined
      ? []
      : writeCharts(
          o.chartDir,
          digestChartFiles(digest, renderRevopsChart).map((c) => c.file()),
        );
  io.out.write(o.json ? `${JSON.stringify(digest.report, null, 2)}\n` : digestText(digest));
  return written;
}

/** What one run of the pipeline watch found and did, in words. */
function watchText(o: PipelineWatchOutcome): string {
  const f = o.figures;
  if (f === null) {
    const resolved = o.change.action === 'resolved' ? ` Resolved incident #${o.change.incident.id}.` : '';
    return `REVOPS_LEAK_BUDGET_USD is not set: stuck deals open no incident.${resolved}\n`;
  }
  const verdict = o.firing ? 'over the leak budget' : 'within the leak budget';
  const head = `Stuck now: ${stuckLeakSummary(f)}, ${verdict}.`;
  const i = o.change.incident;
  if (i === null) return `${head} No pipeline incident is open.\n`;
  const what = o.change.action === 'none' ? 'unchanged' : o.change.action;
  const channel = i.channelName ? `, #${i.channelName}` : '';
  return `${head} Incident #${i.id} ${what} (SEV-${i.severity}, ${i.state.toUpperCase()}${channel}).\n`;
}

/**
 * `leak revops watch [--json]`: the scheduled `revops-watch` job now, as the CLI user. Its Slack side
 * (channel, War Room, pages) is queued in the outbox for the server to deliver.
 */
async function watchCommand(uc: UseCases, ctx: Ctx, rest: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(rest, { json: { type: 'boolean', default: false } });
  if (positionals[0] !== undefined) throw new UsageError(`unexpected '${positionals[0]}'`);
  const o = await uc.revops.watch(ctx);
  io.out.write(values.json ? `${JSON.stringify(o, null, 2)}\n` : watchText(o));
  return 0;
}
