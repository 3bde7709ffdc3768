import { writeFileSync } from 'node:fs';
import { CHART_HEIGHT, CHART_WIDTH, renderAttainmentPng } from '../adapters/chart/attainment-png.ts';
import { resolveWeek } from '../app/sla/report.ts';
import type { Services } from '../composition/services.ts';
import type { UseCases } from '../composition/use-cases.ts';
import { formatMinor } from '../domain/commerce/money-format.ts';
import type { WeeklyRevenue } from '../domain/commerce/weekly.ts';
import { dayLabel, looksLikeWeek, parseIsoWeek, type SlaReport, weekRange } from '../domain/sla/report.ts';
import { formatBurn, formatCount, formatPercentLeft, formatShare, formatTarget } from '../shared/format.ts';
import { formatUsd } from '../shared/money.ts';
import { type Io, UsageError, writeTable } from './common.ts';

/** `leak sla report [--week 2026-W47] [--service s] [--json] [--chart file.png]`: the weekly SLA report. */

export interface ReportOptions {
  week: string | undefined;
  service: string | undefined;
  json: boolean;
  chart: string | undefined;
}

export async function slaReportCommand(
  services: Services,
  uc: UseCases,
  o: ReportOptions,
  io: Io,
): Promise<number> {
  if (o.week !== undefined) {
    const parsed = parseIsoWeek(o.week);
    if (!parsed.ok) throw new UsageError(`--week: ${parsed.error}`);
  }
  if (o.service !== undefined && (o.service.trim() === '' || looksLikeWeek(o.service)))
    throw new UsageError(`--service must name a service, got '${o.service}'`);
  const week = resolveWeek(o.week, services.clock.now());
  // Days not in Gold yet are read from the Silver minutes: merge the ones ingest left pending first (the
  // server's per-minute job does this too), so the report counts every event acknowledged so far.
  await uc.compactSilver();
  const report = await uc.weeklyReport({ week, service: o.service ?? null });
  if (o.chart !== undefined) {
    try {
      writeFileSync(o.chart, renderAttainmentPng(report));
    } catch (e) {
      io.err.write(`leak sla: cannot write the chart to ${o.chart}: ${(e as Error).message}\n`);
      return 1;
    }
  }
  if (o.json) {
    const doc = {
      ...report,
      start: new Date(report.startMs).toISOString(),
      end: new Date(report.endMs).toISOString(),
    };
    io.out.write(`${JSON.stringify(doc, null, 2)}\n`);
    return 0;
  }
  writeReportText(report, io);
  if (o.chart !== undefined)
    io.out.write(`\nChart (PNG ${CHART_WIDTH}×${CHART_HEIGHT}) written to ${o.chart}\n`);
  return 0;
}

const ms = (v: number | null) =>
  v === null ? '-' : v >= 1000 ? `${Number((v / 1000).toFixed(2))}s` : `${Math.round(v)}ms`;

function p99Cell(p: SlaReport['slas'][number]['p99']): string {
  const change = p.changePct === null ? '' : ` (${p.changePct >= 0 ? '+' : ''}${p.changePct.toFixed(1)}%)`;
  return `${ms(p.thisWeek)} vs ${ms(p.previousWeek)}${change}`;
}

/**
 * One row per SLA, a column per UTC day: "-" only for a day without events (100% is "100%"). A day not in
 * Gold yet (today so far, a night the engine has not run) is counted from Silver and starred.
 */
function writeDaily(r: SlaReport, io: Io): void {
  const anyLive = r.slas.some((s) => s.daily.some((d) => d.live && d.attainment !== null));
  io.out.write(
    `\nDaily attainment (UTC days${anyLive ? '; * live, not yet in Gold: counted from Silver' : ''}):\n`,
  );
  writeTable(io, [
    ['SLA', ...r.slas[0]!.daily.map((d) => dayLabel(d.dayMs).split(' ').slice(0, 2).join(' '))],
    ...r.slas.map((s) => [
      s.id,
      ...s.daily.map((d) =>
        d.attainment === null ? '-' : `${formatShare(d.attainment)}${d.live ? '*' : ''}`,
      ),
    ]),
  ]);
}

function writeReportText(r: SlaReport, io: Io): void {
  const scope = r.service === null ? '' : ` for service ${r.service}`;
  io.out.write(
    `SLA report ${weekRange(r)}${scope}${r.complete ? '' : ' (partial: the week is not over)'}\n` +
      `${formatCount(r.summary.met)} met, ${formatCount(r.summary.breached)} breached, ${formatCount(r.summary.noData)} without data\n\n`,
  );
  if (r.slas.length === 0)
    io.out.write(
      r.service === null
        ? 'No SLA definition was in force this week. Define some with: leak sla apply -f <slos.yaml>\n'
        : `No SLA definition of service ${r.service} was in force this week.\n`,
    );
  else {
    writeTable(io, [
      [
        'SLA',
        'SERVICE',
        'TARGET',
        'ATTAINMENT',
        'STATUS',
        'BUDGET LEFT',
        'WORST BURN',
        'BREACHES',
        'INCIDENTS',
        'DOWNTIME',
        'P99 (VS PREV WEEK)',
      ],
      ...r.slas.map((s) => [
        s.id,
        s.service,
        formatTarget(s.target),
        s.attainment === null ? '-' : formatShare(s.attainment),
        s.status === 'no_data' ? 'no data' : s.status,
        s.attainment === null ? '-' : formatPercentLeft(s.budgetRemaining),
        s.worstBurn === null
          ? '-'
          : `${formatBurn(s.worstBurn.burn)} ${dayLabel(s.worstBurn.dayMs).slice(0, 3)}`,
        `${formatCount(s.breaches)} min`,
        formatCount(s.incidents) + (s.openIncidents > 0 ? ` (${formatCount(s.openIncidents)} open)` : ''),
        `${formatCount(s.downtimeMinutes)} min`,
        p99Cell(s.p99),
      ]),
    ]);
    writeDaily(r, io);
  }
  io.out.write('\n');
  if (r.revenue === null) io.out.write('Revenue SLOs: no scan ran this week.\n');
  else {
    io.out.write(
      `Revenue SLOs (scan of ${new Date(r.revenue.scanAsOfMs).toISOString().slice(0, 16).replace('T', ' ')} UTC):\n`,
    );
    writeTable(io, [
      ['SLO', 'CURRENT', 'TARGET', 'STATUS', 'AT RISK'],
      ...r.revenue.slos.map((s) => [
        s.id,
        formatShare(s.current),
        formatTarget(s.target),
        s.breached ? 'breached' : 'met',
        formatUsd(s.atRiskCents),
      ]),
    ]);
    io.out.write(`Total at risk: ${formatUsd(r.revenue.totalAtRiskCents)}\n`);
  }
  io.out.write(`Recovered by fix packs this week: ${formatUsd(r.recoveredCents)}\n`);
  if (r.commerce) writeStoreWeek(io, r.commerce);
}

/** The store's week: net revenue per currency and the dips that paged. */
function writeStoreWeek(io: Io, c: WeeklyRevenue): void {
  io.out.write('\nStore revenue\n');
  if (c.currencies.length === 0) io.out.write('No store revenue was recorded this week.\n');
  else
    writeTable(io, [
      ['CURRENCY', 'SALES', 'REFUNDS', 'LOST DISPUTES', 'NET'],
      ...c.currencies.map((x) => [
        x.currency,
        formatMinor(x.salesCents, x.currency),
        formatMinor(x.refundsCents, x.currency),
        formatMinor(x.lostDisputesCents, x.currency),
        formatMinor(x.netCents, x.currency),
      ]),
    ]);
  io.out.write(`Revenue dips paged: ${c.dips.length}${c.dips.map((d) => `\n  ${d.title}`).join('')}\n`);
}
