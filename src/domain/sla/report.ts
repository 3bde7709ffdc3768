import { DAY_MS } from '../../shared/time.ts';
import { REVENUE_SLOS, type SloStatus } from '../budget/slos.ts';
import type { WeeklyRevenue } from '../commerce/weekly.ts';
import type { CauseRollup } from '../scan/summarize.ts';
import { burnRate } from './burn.ts';
import { canonicalJson, type SlaDefinition } from './definition.ts';
import type { IsoWeek } from './iso-week.ts';
import type { GoldSnapshot } from './snapshot.ts';

export {
  type IsoWeek,
  isoWeekContaining,
  lastCompleteWeek,
  looksLikeWeek,
  parseIsoWeek,
  previousWeek,
  weeksInIsoYear,
} from './iso-week.ts';

/**
 * The weekly SLA report (issue 5, item 7). Weeks are ISO weeks in UTC (iso-week.ts), made of whole Gold
 * days; days Gold does not hold yet are given live, computed from Silver (issue 10, item 12).
 */

/** What the report is built from, as read by the caller (app/sla/report.ts) for one week. */
export interface SlaReportInputs {
  week: IsoWeek;
  /** Only this service's SLAs; null for all. */
  service: string | null;
  /** When the report is made: a week not yet over is reported as partial. */
  nowMs: number;
  /** Every definition version in force at some time during the week (several versions of one id allowed). */
  definitions: readonly SlaDefinition[];
  /** The Gold snapshots of the week's days (other days are ignored). */
  snapshots: readonly GoldSnapshot[];
  /**
   * Days of the week without a Gold snapshot yet (today so far, a night the engine has not run), computed
   * from Silver as the nightly engine will compute them. A Gold snapshot of the same day wins.
   */
  live: readonly GoldSnapshot[];
  /** SLA incidents (dedupe_key `sla:<id>`) opened during the week; open = not resolved (as read now). */
  incidents: readonly { slaId: string; openedAtMs: number; open: boolean }[];
  /**
   * p99 of each SLA's series (service, metric, narrowed by its indicator's `where` filter: seriesKey) over
   * this week and the week before, from the Silver hour sketches merged (never averaged percentiles), in
   * the metric's unit (ms); null without recorded values.
   */
  p99: ReadonlyMap<string, { thisWeek: number | null; previousWeek: number | null }>;
  /** The latest scan whose as-of time falls in the week, or null when none does. */
  scan: { asOfMs: number; totalAtRiskCents: number; slos: SloStatus[]; topCauses: CauseRollup[] } | null;
  /** Dollars recovered by fix packs applied during the week (and not rolled back). */
  recoveredCents: number;
}

/**
 * Key of an SLA's series in SlaReportInputs.p99: service, metric and the filter that narrows its rows (the
 * SLI's total source, `where`). Good and bad filters judge events, they do not change which ones are timed,
 * so two SLAs over the same rows share one p99.
 */
export const seriesKey = (d: Pick<SlaDefinition, 'service' | 'metric' | 'indicator'>): string =>
  `${d.service}\u0000${d.metric}\u0000${canonicalJson(d.indicator.where ?? null)}`;

export type SlaWeekStatus = 'met' | 'breached' | 'no_data';

export interface SlaWeekRow {
  id: string;
  name: string;
  service: string;
  metric: string;
  indicator: string;
  /** The version in force at the end of the week (or when it was closed, if that came first). */
  version: number;
  target: number;
  total: number;
  bad: number;
  /** good / total over the week's snapshots; null without events. */
  attainment: number | null;
  status: SlaWeekStatus;
  /** The week's burn rate: (bad / total) / (1 − target); 0 without events. */
  burn: number;
  /** 1 − burn, floored at 0 (as the revenue budget, DOMAIN.md §4): the share of the budget left unspent. */
  budgetRemaining: number;
  /** The day with the highest budget_burn, or null without snapshots. */
  worstBurn: { dayMs: number; burn: number } | null;
  breaches: number;
  incidents: number;
  /** Of those incidents, the ones still open: a week in progress whose SLA is burning right now. */
  openIncidents: number;
  downtimeMinutes: number;
  /** Days with a Gold snapshot (of 7). */
  days: number;
  /** Days counted live from Silver: not yet in Gold (today so far, or a night the engine has not run). */
  liveDays: number;
  p99: { thisWeek: number | null; previousWeek: number | null; changePct: number | null };
  /** Monday to Sunday: the day's good / total, null without events; live when not yet in Gold. */
  daily: { dayMs: number; attainment: number | null; live: boolean }[];
}

export interface RevenueSloRow {
  id: string;
  name: string;
  target: number;
  current: number;
  breached: boolean;
  /**
   * Dollars at risk from the issue types the SLO counts, read from the scan's stored top causes (the five
   * largest types): a type outside them is not known here and counts 0 (it was at most the fifth's amount).
   */
  atRiskCents: number;
  budgetCents: number;
}

export interface SlaReport {
  week: string;
  startMs: number;
  endMs: number;
  service: string | null;
  /** False while the week is still running: the figures cover the days so far. */
  complete: boolean;
  slas: SlaWeekRow[];
  summary: { met: number; breached: number; noData: number };
  revenue: {
    scanAsOfMs: number;
    totalAtRiskCents: number;
    slos: RevenueSloRow[];
  } | null;
  recoveredCents: number;
  /** The store's week (issue 12): revenue, refunds and dips; absent when no ledger is read. */
  commerce?: WeeklyRevenue | null;
}

/** A float compare for "good / total ≥ target" (0.999 is 0.99899999… in binary after some arithmetic). */
const EPS = 1e-9;

const indicatorText = (d: SlaDefinition): string =>
  d.indicator.kind === 'latency' ? `latency<${d.indicator.thresholdMs}ms` : 'availability';

/** The version that speaks for the week: the newest one whose validity started before the week ended. */
function reportingVersion(versions: readonly SlaDefinition[]): SlaDefinition {
  return [...versions].sort((a, b) => b.version - a.version)[0]!;
}

function changePct(now: number | null, before: number | null): number | null {
  if (now === null || before === null || before === 0) return null;
  return ((now - before) / before) * 100;
}

type InWeek = (ms: number) => boolean;

/** One SLA's week: Gold days, live days Gold has not snapshotted yet, incidents and the p99 change. */
function weekRow(
  id: string,
  versions: readonly SlaDefinition[],
  inputs: SlaReportInputs,
  inWeek: InWeek,
): SlaWeekRow {
  const { week } = inputs;
  const def = reportingVersion(versions);
  const gold = inputs.snapshots.filter((s) => s.slaId === id && inWeek(s.dayMs));
  const live = inputs.live.filter(
    (s) => s.slaId === id && inWeek(s.dayMs) && !gold.some((g) => g.dayMs === s.dayMs),
  );
  const snaps = [...gold, ...live];
  let total = 0;
  let bad = 0;
  let breaches = 0;
  let downtime = 0;
  let worst: SlaWeekRow['worstBurn'] = null;
  for (const s of snaps) {
    total += s.total;
    bad += s.errors;
    breaches += s.breaches;
    downtime += s.downtimeMinutes;
    if (worst === null || s.budgetBurn > worst.burn) worst = { dayMs: s.dayMs, burn: s.budgetBurn };
  }
  const attainment = total === 0 ? null : (total - bad) / total;
  const status: SlaWeekStatus =
    attainment === null ? 'no_data' : attainment + EPS >= def.target ? 'met' : 'breached';
  const burn = burnRate(bad, total, def.target);
  const daily = Array.from({ length: 7 }, (_, i) => {
    const dayMs = week.startMs + i * DAY_MS;
    const s = snaps.find((x) => x.dayMs === dayMs);
    const attainment = s && s.total > 0 ? (s.total - s.errors) / s.total : null;
    return { dayMs, attainment, live: s !== undefined && live.includes(s) };
  });
  const incidents = inputs.incidents.filter((i) => i.slaId === id && inWeek(i.openedAtMs));
  const p99 = inputs.p99.get(seriesKey(def)) ?? { thisWeek: null, previousWeek: null };
  return {
    id,
    name: def.name,
    service: def.service,
    metric: def.metric,
    indicator: indicatorText(def),
    version: def.version,
    target: def.target,
    total,
    bad,
    attainment,
    status,
    burn,
    budgetRemaining: Math.max(0, 1 - burn),
    worstBurn: worst,
    breaches,
    incidents: incidents.length,
    openIncidents: incidents.filter((i) => i.open).length,
    downtimeMinutes: downtime,
    days: gold.length,
    liveDays: live.length,
    p99: { ...p99, changePct: changePct(p99.thisWeek, p99.previousWeek) },
    daily,
  };
}

/** The revenue SLOs of the week's newest scan, with what each one's issue types put at risk. */
function revenueOfWeek(scan: NonNullable<SlaReportInputs['scan']>): NonNullable<SlaReport['revenue']> {
  return {
    scanAsOfMs: scan.asOfMs,
    totalAtRiskCents: scan.totalAtRiskCents,
    slos: scan.slos.map((s): RevenueSloRow => {
      const counts = REVENUE_SLOS.find((d) => d.id === s.id)?.counts ?? [];
      const atRiskCents = scan.topCauses
        .filter((c) => (counts as readonly string[]).includes(c.issueType))
        .reduce((n, c) => n + c.lossCents, 0);
      return {
        id: s.id,
        name: s.name,
        target: s.target,
        current: s.current,
        breached: s.breached,
        atRiskCents,
        budgetCents: s.budgetCents,
      };
    }),
  };
}

/** Builds the report. Pure: every figure comes from `inputs`. */
export function buildSlaReport(inputs: SlaReportInputs): SlaReport {
  const { week } = inputs;
  const inWeek = (ms: number) => ms >= week.startMs && ms < week.endMs;
  const byId = new Map<string, SlaDefinition[]>();
  for (const d of inputs.definitions) {
    const overlaps = d.activeFromMs < week.endMs && (d.activeToMs === null || d.activeToMs > week.startMs);
    if (!overlaps) continue;
    if (inputs.service !== null && d.service !== inputs.service) continue;
    byId.set(d.id, [...(byId.get(d.id) ?? []), d]);
  }
  const slas = [...byId.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, versions]) => weekRow(id, versions, inputs, inWeek));
  const scan = inputs.scan !== null && inWeek(inputs.scan.asOfMs) ? inputs.scan : null;
  return {
    week: week.label,
    startMs: week.startMs,
    endMs: week.endMs,
    service: inputs.service,
    complete: inputs.nowMs >= week.endMs,
    slas,
    summary: {
      met: slas.filter((s) => s.status === 'met').length,
      breached: slas.filter((s) => s.status === 'breached').length,
      noData: slas.filter((s) => s.status === 'no_data').length,
    },
    revenue: scan === null ? null : revenueOfWeek(scan),
    recoveredCents: inputs.recoveredCents,
  };
}

/** `Mon 16 Nov` for a UTC day. */
export function dayLabel(dayMs: number): string {
  const d = new Date(dayMs);
  const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()]!;
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][
    d.getUTCMonth()
  ]!;
  return `${wd} ${d.getUTCDate()} ${mon}`;
}

/** `2026-W47 (Mon 16 Nov – Sun 22 Nov 2026)`. */
export const weekRange = (r: { week: string; startMs: number; endMs: number }): string =>
  `${r.week} (${dayLabel(r.startMs)} – ${dayLabel(r.endMs - DAY_MS)} ${new Date(r.endMs - DAY_MS).getUTCFullYear()})`;
