import { describe, expect, it } from 'vitest';
import { buildWeeklyReport, type SlaReportDeps } from '../../../src/app/sla/report.ts';
import type { SlaDayTotals, SlaReportReads } from '../../../src/app/telemetry/ports.ts';
import type { SlaDefinition } from '../../../src/domain/sla/definition.ts';
import { type IsoWeek, parseIsoWeek } from '../../../src/domain/sla/report.ts';
import { type GoldSnapshot, snapshotOf } from '../../../src/domain/sla/snapshot.ts';
import { DAY_MS } from '../../../src/shared/time.ts';
import { availabilityFrom, searchLatency } from '../../domain/sla/openslo-fixtures.ts';

/**
 * The report of a week not yet (all) in Gold (issue 10, item 12): days without a Gold snapshot are
 * computed from Silver through the engine's own computation, up to now, and marked live.
 */

const at = (iso: string) => Date.parse(iso);
const W47: IsoWeek = (() => {
  const r = parseIsoWeek('2026-W47');
  if (!r.ok) throw new Error(r.error);
  return r.week;
})();
const day = (i: number) => W47.startMs + i * DAY_MS;
/** Wednesday 18 November 15:00 UTC. */
const NOW = at('2026-11-18T15:00:00Z');

const AVAIL = availabilityFrom(at('2026-11-01T00:00:00Z'));
const SEARCH = searchLatency(AVAIL);

/** Silver as the fake holds it: per (service, metric, UTC day), the day's totals. */
type Silver = Map<string, { total: number; errors: number; errorMinutes: number }>;
const silverKey = (service: string, metric: string, dayMs: number) => `${service}|${metric}|${dayMs}`;

function harness(o: {
  definitions: SlaDefinition[];
  gold?: GoldSnapshot[];
  silver: Silver;
  /** An SLA incident of checkout opened at this instant, still open. */
  openIncidentAtMs?: number;
}) {
  const totalsAsked: string[] = [];
  const downtimeAsked: { dayMs: number; untilMs: number | undefined }[] = [];
  const reads: SlaReportReads = {
    definitionsDuring: async () => o.definitions,
    snapshots: async () => o.gold ?? [],
    slaIncidents: async () =>
      o.openIncidentAtMs === undefined
        ? []
        : [{ slaId: AVAIL.id, openedAtMs: o.openIncidentAtMs, open: true }],
    p99: async () => null,
    latestScanBetween: async () => null,
  };
  const deps: SlaReportDeps = {
    reads,
    recovered: async () => 0,
    clock: { now: () => NOW },
    day: {
      gold: {
        async dayTotals(q): Promise<SlaDayTotals> {
          totalsAsked.push(`${q.service} ${new Date(q.dayMs).toISOString().slice(0, 10)}`);
          const s = o.silver.get(silverKey(q.service, q.metric, q.dayMs));
          return {
            ...(s ?? { total: 0, errors: 0, errorMinutes: 0 }),
            sketchBytes: null,
            minuteSketches: [],
          };
        },
        // The open incident's minutes within the day, up to untilMs (the day's end when not given).
        async downtimeMinutes(slaId, dayMs, untilMs) {
          downtimeAsked.push({ dayMs, untilMs });
          if (slaId !== AVAIL.id || o.openIncidentAtMs === undefined) return 0;
          const to = Math.min(dayMs + DAY_MS, untilMs ?? Number.POSITIVE_INFINITY);
          return Math.max(0, Math.round((to - Math.max(dayMs, o.openIncidentAtMs)) / 60_000));
        },
      },
      sketches: { rankBelow: () => 0 },
    },
  };
  return { deps, totalsAsked, downtimeAsked };
}

const silver = (entries: [number, number, number, number?][]): Silver =>
  new Map(
    entries.map(([i, total, errors, errorMinutes]) => [
      silverKey(AVAIL.service, AVAIL.metric, day(i)),
      { total, errors, errorMinutes: errorMinutes ?? 0 },
    ]),
  );

describe('the report of the current week', () => {
  it('counts the days without Gold live from Silver, up to today, and marks them', async () => {
    const gold = [snapshotOf(AVAIL, { dayMs: day(0), total: 1_000, errors: 0, badMinutes: 0 }, 0)];
    // Tuesday's night run has not happened; today (Wednesday) is burning; Thursday has no data yet.
    const h = harness({
      definitions: [AVAIL],
      gold,
      silver: silver([
        [1, 2_000, 1, 0],
        [2, 600, 60, 4],
      ]),
      openIncidentAtMs: at('2026-11-18T14:00:00Z'),
    });
    const r = await buildWeeklyReport(h.deps, { week: W47, service: null });
    const row = r.slas[0]!;
    expect(h.totalsAsked).toEqual(['checkout 2026-11-17', 'checkout 2026-11-18']);
    expect(row).toMatchObject({
      total: 3_600,
      bad: 61,
      days: 1,
      liveDays: 2,
      breaches: 4,
      incidents: 1,
      openIncidents: 1,
    });
    expect(row.status).toBe('breached');
    expect(row.daily.map((d) => d.live)).toEqual([false, true, true, false, false, false, false]);
    expect(row.daily.map((d) => d.attainment)).toEqual([1, 0.9995, 0.9, null, null, null, null]);
    // The open incident: 60 minutes so far today, not the 10 hours left until midnight.
    expect(row.downtimeMinutes).toBe(60);
    expect(h.downtimeAsked).toEqual([
      { dayMs: day(1), untilMs: day(2) },
      { dayMs: day(2), untilMs: NOW },
    ]);
    // The live day is the snapshot the engine will write: the same function, the same figures.
    expect(row.worstBurn).toEqual({
      dayMs: day(2),
      burn: snapshotOf(AVAIL, { dayMs: day(2), total: 600, errors: 60, badMinutes: 4 }, 60).budgetBurn,
    });
  });

  it('judges each live day by the version in force at its end (today: now), and only from its first day', async () => {
    const v1 = { ...AVAIL, activeToMs: at('2026-11-17T12:00:00Z') };
    const v2 = { ...AVAIL, version: 2, target: 0.99, activeFromMs: at('2026-11-17T12:00:00Z') };
    const lateSearch = { ...SEARCH, activeFromMs: at('2026-11-17T10:00:00Z') };
    const h = harness({
      definitions: [v1, v2, lateSearch],
      silver: silver([
        [0, 1_000, 1],
        [1, 1_000, 5],
        [2, 1_000, 5],
      ]),
    });
    const r = await buildWeeklyReport(h.deps, { week: W47, service: null });
    // Search starts on Tuesday: Monday is not one of its days.
    expect(h.totalsAsked.filter((t) => t.startsWith('search'))).toEqual([
      'search 2026-11-17',
      'search 2026-11-18',
    ]);
    const checkout = r.slas.find((s) => s.id === AVAIL.id)!;
    expect(checkout).toMatchObject({ version: 2, target: 0.99, total: 3_000, bad: 11, liveDays: 3 });
    // Monday was judged by v1 (99.9%: 1 bad in 1 000 is exactly on budget, burn 1); Tuesday by v2.
    expect(checkout.worstBurn?.dayMs).toBe(day(0));
  });

  it('asks Silver nothing for a service left out, nor for a week all in Gold', async () => {
    const onlySearch = harness({ definitions: [AVAIL, SEARCH], silver: silver([]) });
    await buildWeeklyReport(onlySearch.deps, { week: W47, service: 'search' });
    expect(onlySearch.totalsAsked.every((t) => t.startsWith('search'))).toBe(true);

    const W46 = { ...W47, label: '2026-W46', startMs: W47.startMs - 7 * DAY_MS, endMs: W47.startMs };
    const gold = [0, 1, 2, 3, 4, 5, 6].map((i) =>
      snapshotOf(AVAIL, { dayMs: W46.startMs + i * DAY_MS, total: 10, errors: 0, badMinutes: 0 }, 0),
    );
    const done = harness({ definitions: [AVAIL], gold, silver: silver([]) });
    const r = await buildWeeklyReport(done.deps, { week: W46, service: null });
    expect(done.totalsAsked).toEqual([]);
    expect(r.slas[0]).toMatchObject({ days: 7, liveDays: 0, total: 70 });
  });
});
