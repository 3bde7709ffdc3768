import { addDays, dayStartMs, localDay } from '../../domain/commerce/days.ts';
import { convert, dailyNet, slopeCentsPerDay } from '../../domain/commerce/dnr.ts';
import type { DaySeriesPoint } from '../../domain/commerce/figures.ts';
import { type LedgerEntry, netEffect } from '../../domain/commerce/ledger.ts';
import type { Incident } from '../../domain/incidents/incident.ts';
import { AppError } from '../../shared/errors.ts';
import { DAY_MS } from '../../shared/time.ts';
import type { Clock } from '../context.ts';
import type { LedgerStore, WebhookStore } from './ports.ts';
import type { CurrencyRevenue, ReportingTotals, RevenueView, SourceState } from './view-model.ts';

/**
 * What `/leak revenue`, `leak revenue`, the App Home and the weekly post show of the ledger: one revenue day
 * (today by default), per currency and per source, the 7 days before it, open revenue incidents and the
 * state of every source. Read-only.
 */
export interface RevenueViewDeps {
  ledger: LedgerStore;
  deliveries: WebhookStore;
  openIncidents(): Promise<Incident[]>;
  clock: Clock;
  settings: { timezone: string; reportingCurrency: string | null; fxRates: Record<string, number> };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The day asked for (YYYY-MM-DD in the revenue time zone), today when none; never one in the future. */
export function resolveDay(text: string | null | undefined, nowMs: number, tz: string): string {
  const today = localDay(nowMs, tz);
  if (text === null || text === undefined || text.trim() === '') return today;
  const day = text.trim();
  if (
    !DAY.test(day) ||
    Number.isNaN(Date.parse(`${day}T00:00:00Z`)) ||
    localDay(Date.parse(`${day}T12:00:00Z`), 'UTC') !== day
  )
    throw new AppError('VALIDATION', `"${day}" is not a date: use YYYY-MM-DD, e.g. ${today}`);
  if (day > today)
    throw new AppError('VALIDATION', `${day} has not started yet (today is ${today} in ${tz})`);
  return day;
}

export async function buildRevenueView(
  deps: RevenueViewDeps,
  q: { day: string | null },
): Promise<RevenueView> {
  const nowMs = deps.clock.now();
  const { timezone: tz } = deps.settings;
  const day = resolveDay(q.day, nowMs, tz);
  const fromDay = addDays(day, -7);
  const [fromMs, dayFromMs, toMs] = [
    dayStartMs(fromDay, tz),
    dayStartMs(day, tz),
    dayStartMs(addDays(day, 1), tz),
  ];
  const [buckets, entries, incidents, sources, lastEvents] = await Promise.all([
    deps.ledger.buckets(fromMs, toMs),
    deps.ledger.entries(dayFromMs, toMs),
    deps.openIncidents(),
    deps.deliveries.sources(),
    deps.ledger.lastEventAt(),
  ]);
  const currencyCodes = [...new Set(buckets.map((b) => b.currency))].sort();
  const currencies = currencyCodes.map((currency): CurrencyRevenue => {
    const eight = dailyNet(buckets, { currency, tz, fromDay, toDay: day });
    const series = eight.slice(1);
    return {
      currency,
      netCents: series[series.length - 1]?.netCents ?? 0,
      previousDayCents: series[series.length - 2]?.netCents ?? 0,
      slopeCentsPerDay: slopeCentsPerDay(eight),
      series,
      bySource: bySource(entries, currency, dayFromMs, toMs),
    };
  });
  return {
    asOfMs: nowMs,
    day,
    dayComplete: toMs <= nowMs,
    timezone: tz,
    currencies,
    reporting: reportingTotals(currencies, deps.settings),
    openIncidents: incidents.filter((i) => i.figures.kind === 'commerce'),
    sources: await sourceStates(deps, sources, lastEvents, nowMs),
  };
}

/** The day's net revenue and counts per source in one currency, from its entries (largest net first). */
function bySource(entries: readonly LedgerEntry[], currency: string, fromMs: number, toMs: number) {
  const rows = new Map<string, CurrencyRevenue['bySource'][number]>();
  for (const e of entries) {
    if (e.currency !== currency) continue;
    const row = rows.get(e.source) ?? { source: e.source, netCents: 0, sales: 0, refunds: 0, disputes: 0 };
    rows.set(e.source, row);
    const effect = netEffect(e);
    if (effect && effect.atMs >= fromMs && effect.atMs < toMs) row.netCents += effect.cents;
    if (e.occurredAtMs < fromMs || e.occurredAtMs >= toMs) continue;
    if (e.kind === 'sale') row.sales += 1;
    else if (e.kind === 'refund') row.refunds += 1;
    else if (e.kind === 'dispute') row.disputes += 1;
  }
  return [...rows.values()].sort((a, b) => b.netCents - a.netCents || a.source.localeCompare(b.source));
}

/** Every currency in REPORTING_CURRENCY at the configured fixed rates; currencies without a rate left out. */
function reportingTotals(
  currencies: CurrencyRevenue[],
  s: RevenueViewDeps['settings'],
): ReportingTotals | null {
  const to = s.reportingCurrency;
  if (to === null) return null;
  const missing = new Set<string>();
  const days = currencies[0]?.series.map((p) => p.day) ?? [];
  const series: DaySeriesPoint[] = days.map((d) => ({ day: d, netCents: 0 }));
  for (const c of currencies)
    c.series.forEach((p, i) => {
      const v = convert(p.netCents, c.currency, to, s.fxRates);
      if (v === null) missing.add(c.currency);
      else series[i]!.netCents += v;
    });
  return {
    currency: to,
    netCents: series[series.length - 1]?.netCents ?? 0,
    series,
    missingRates: [...missing].sort(),
  };
}

async function sourceStates(
  deps: RevenueViewDeps,
  sources: Array<{ source: string; lastDeliveryAtMs: number | null }>,
  lastEvents: Map<string, number>,
  nowMs: number,
): Promise<SourceState[]> {
  const names = [...new Set([...sources.map((s) => s.source), ...lastEvents.keys()])].sort();
  const lastDelivery = new Map(sources.map((s) => [s.source, s.lastDeliveryAtMs]));
  const failed = await deps.deliveries.failedSince(nowMs - DAY_MS);
  return Promise.all(
    names.map(async (source): Promise<SourceState> => {
      const [recent] = await deps.deliveries.recent(source, 1);
      return {
        source,
        lastDeliveryAtMs: lastDelivery.get(source) ?? null,
        lastEventAtMs: lastEvents.get(source) ?? null,
        lastDelivery: recent ?? null,
        failedLast24h: failed.get(source) ?? 0,
      };
    }),
  );
}
