import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRevopsChart } from '../adapters/chart/revops-charts.ts';
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
import type { UseCases } from '../composition/use-cases.ts';
import { localDay } from '../domain/commerce/days.ts';
import { SEGMENTS, type Segment } from '../domain/revops/types.ts';
import { type Io, parse, UsageError } from './common.ts';

/**
 * `leak revops pipeline|revenue|marketing|insights [period] [filters] [--json] [--chart <dir>]` and
 * `leak digest [--week 2026-W48|<monday>] [--json] [--chart <dir>]`: the `/revops` views and the weekly
 * digest in the terminal, as text tables, as JSON (the RevopsReport), and their charts as PNG files.
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

export async function revopsCommand(uc: UseCases, rest: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(rest, VIEW_OPTIONS);
  const [view, extra] = positionals;
  if (view === undefined || !REVOPS_VIEWS.includes(view as RevopsViewName))
    throw new UsageError(`expected a view: ${REVOPS_VIEWS.join(', ')}${view ? ` (got '${view}')` : ''}`);
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
  const digest = await uc.revops.digest(values.week ?? null);
  const written =
    values.chart === undefined
      ? []
      : writeCharts(
          values.chart,
          digestChartFiles(digest, renderRevopsChart).map((c) => c.file()),
        );
  io.out.write(values.json ? `${JSON.stringify(digest.report, null, 2)}\n` : digestText(digest));
  for (const path of written) io.err.write(`Chart written to ${path}\n`);
  return 0;
}
