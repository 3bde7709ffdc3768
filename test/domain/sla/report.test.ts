import { describe, expect, it } from 'vitest';
import type { SloStatus } from '../../../src/domain/budget/slos.ts';
import type { SlaDefinition } from '../../../src/domain/sla/definition.ts';
import {
  buildSlaReport,
  isoWeekContaining,
  lastCompleteWeek,
  parseIsoWeek,
  type SlaReportInputs,
  seriesKey,
  weekRange,
  weeksInIsoYear,
} from '../../../src/domain/sla/report.ts';
import type { GoldSnapshot } from '../../../src/domain/sla/snapshot.ts';
import { DAY_MS } from '../../../src/shared/time.ts';
import { availabilityFrom, searchLatency } from './openslo-fixtures.ts';

const at = (iso: string) => Date.parse(iso);

describe('ISO weeks', () => {
  it('2026-W47 is Monday 16 November 00:00 UTC to Monday 23 November', () => {
    const r = parseIsoWeek('2026-W47');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.week).toEqual({
      label: '2026-W47',
      year: 2026,
      week: 47,
      startMs: at('2026-11-16T00:00:00Z'),
      endMs: at('2026-11-23T00:00:00Z'),
    });
    expect(weekRange({ ...r.week, week: r.week.label })).toBe('2026-W47 (Mon 16 Nov – Sun 22 Nov 2026)');
  });

  it.each([
    // a week that starts in the previous calendar year, and years with 53 weeks
    ['2026-W01', '2025-12-29T00:00:00Z'],
    ['2020-W53', '2020-12-28T00:00:00Z'],
    ['2026-W53', '2026-12-28T00:00:00Z'],
    ['2015-W53', '2015-12-28T00:00:00Z'],
    ['2024w01', '2024-01-01T00:00:00Z'],
  ])('%s starts %s', (text, start) => {
    const r = parseIsoWeek(text);
    expect(r.ok && r.week.startMs).toBe(at(start));
  });

  it('formats back: the week of a day, with its ISO year (1 January 2027 is in 2026-W53)', () => {
    expect(isoWeekContaining(at('2027-01-01T12:00:00Z')).label).toBe('2026-W53');
    expect(isoWeekContaining(at('2025-12-31T23:59:59Z')).label).toBe('2026-W01');
    expect(isoWeekContaining(at('2026-11-22T23:59:59.999Z')).label).toBe('2026-W47');
    expect(isoWeekContaining(at('2026-11-23T00:00:00Z')).label).toBe('2026-W48');
    // Round trip over three years of Mondays.
    for (let ms = at('2025-01-06T00:00:00Z'); ms < at('2028-01-01T00:00:00Z'); ms += 7 * DAY_MS) {
      const w = isoWeekContaining(ms);
      const back = parseIsoWeek(w.label);
      expect(back.ok && back.week.startMs).toBe(ms);
    }
  });

  it('52 or 53 weeks', () => {
    expect([2020, 2021, 2025, 2026, 2027].map(weeksInIsoYear)).toEqual([53, 52, 52, 53, 52]);
  });

  it.each([
    ['2026-W54', '2026 has weeks W01 to W53, not W54'],
    ['2025-W53', '2025 has weeks W01 to W52, not W53'],
    ['2026-W00', 'not W00'],
    ['2026-47', 'is not an ISO week: expected YYYY-Www, e.g. 2026-W47'],
    ['last week', 'is not an ISO week'],
    ['1969-W10', 'before 1970'],
  ])('rejects %s clearly', (text, message) => {
    const r = parseIsoWeek(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
  });

  it('the last complete week: on Monday 09:00 it is the week that ended at midnight', () => {
    expect(lastCompleteWeek(at('2026-11-30T09:00:00Z')).label).toBe('2026-W48');
    expect(lastCompleteWeek(at('2026-11-30T00:00:00Z')).label).toBe('2026-W48');
    expect(lastCompleteWeek(at('2026-11-29T23:59:59Z')).label).toBe('2026-W47');
  });
});

const W47 = (() => {
  const r = parseIsoWeek('2026-W47');
  if (!r.ok) throw new Error(r.error);
  return r.week;
})();
const day = (i: number) => W47.startMs + i * DAY_MS;

const AVAIL = availabilityFrom(at('2026-11-01T00:00:00Z'));
const LATENCY = searchLatency(AVAIL);

const snap = (
  def: SlaDefinition,
  i: number,
  total: number,
  errors: number,
  extra: Partial<GoldSnapshot> = {},
): GoldSnapshot => ({
  slaId: def.id,
  slaVersion: def.version,
  service: def.service,
  dayMs: day(i),
  total,
  errors,
  uptimePct: total === 0 ? 100 : (100 * (total - errors)) / total,
  breaches: 0,
  budgetBurn: total === 0 ? 0 : errors / total / (1 - def.target),
  downtimeMinutes: 0,
  ...extra,
});

const SLO: SloStatus = {
  id: 'SLO_LEAD_RESPONSE',
  name: 'Lead Response Time',
  target: 0.95,
  current: 0.9,
  breached: true,
  budgetShare: 0.3,
  budgetCents: 1_500_000,
  badCount: 10,
  population: 100,
};

const inputs = (over: Partial<SlaReportInputs> = {}): SlaReportInputs => ({
  week: W47,
  service: null,
  nowMs: at('2026-11-30T09:00:00Z'),
  definitions: [AVAIL, LATENCY],
  snapshots: [
    // checkout: 7 000 000 events, 3 500 bad → 99.95%, burn 0.5, half the budget left.
    ...[0, 1, 2, 3, 4, 5, 6].map((i) =>
      snap(AVAIL, i, 1_000_000, i === 2 ? 3_000 : 0, {
        breaches: i === 2 ? 14 : 0,
        downtimeMinutes: i === 2 ? 42 : 0,
      }),
    ),
    // search: 3 days of data only, 2% slow overall → breached at 99%.
    snap(LATENCY, 0, 10_000, 100),
    snap(LATENCY, 1, 10_000, 300, { breaches: 60, downtimeMinutes: 5 }),
    snap(LATENCY, 3, 0, 0),
    // Outside the week: ignored.
    { ...snap(AVAIL, 0, 1_000, 1_000), dayMs: day(-1) },
  ],
  incidents: [
    { slaId: 'checkout-availability', openedAtMs: day(2) + 3_600_000, open: false },
    { slaId: 'checkout-availability', openedAtMs: day(7), open: true }, // next week
    { slaId: 'search-latency', openedAtMs: day(1), open: false },
    { slaId: 'search-latency', openedAtMs: day(1) + 60_000, open: true },
  ],
  p99: new Map([
    [seriesKey(AVAIL), { thisWeek: 220, previousWeek: 200 }],
    [seriesKey(LATENCY), { thisWeek: 480, previousWeek: null }],
  ]),
  scan: {
    asOfMs: at('2026-11-22T18:00:00Z'),
    totalAtRiskCents: 4_200_000,
    slos: [
      SLO,
      { ...SLO, id: 'SLO_DATA_QUALITY', name: 'Data Hygiene', target: 0.99, current: 0.995, breached: false },
    ],
    topCauses: [
      { issueType: 'SLA_BREACH_UNTOUCHED', count: 10, lossCents: 1_000_000 },
      { issueType: 'UNASSIGNED_OWNER', count: 2, lossCents: 300_000 },
      { issueType: 'NO_NEXT_STEP', count: 4, lossCents: 50_000 },
      { issueType: 'STALE_OPP', count: 3, lossCents: 2_850_000 },
    ],
  },
  recoveredCents: 125_000,
  live: [],
  ...over,
});

describe('buildSlaReport', () => {
  const r = buildSlaReport(inputs());
  const checkout = r.slas.find((s) => s.id === 'checkout-availability')!;
  const search = r.slas.find((s) => s.id === 'search-latency')!;

  it('attainment over the week is good / total of its snapshots, met against the target', () => {
    expect(r.week).toBe('2026-W47');
    expect(r.complete).toBe(true);
    expect(r.slas.map((s) => s.id)).toEqual(['checkout-availability', 'search-latency']);
    expect(checkout.total).toBe(7_000_000);
    expect(checkout.bad).toBe(3_000);
    expect(checkout.attainment).toBeCloseTo(6_997_000 / 7_000_000, 12);
    expect(checkout.status).toBe('met');
    expect(search.total).toBe(20_000);
    expect(search.bad).toBe(400);
    expect(search.attainment).toBe(0.98);
    expect(search.status).toBe('breached');
    expect(r.summary).toEqual({ met: 1, breached: 1, noData: 0 });
  });

  it('budget left for the week = 1 − burn, floored at 0; worst daily burn with its day', () => {
    // 3 000 / 7 000 000 = 0.0429% bad against a 0.1% budget → burn 0.42857…, 57.14% left.
    expect(checkout.burn).toBeCloseTo(3 / 7, 9);
    expect(checkout.budgetRemaining).toBeCloseTo(4 / 7, 9);
    expect(checkout.worstBurn).toEqual({ dayMs: day(2), burn: expect.closeTo(3, 9) });
    // 2% bad against a 1% budget: burn 2, nothing left (not −100%).
    expect(search.burn).toBeCloseTo(2, 12);
    expect(search.budgetRemaining).toBe(0);
    expect(search.worstBurn).toEqual({ dayMs: day(1), burn: expect.closeTo(3, 9) });
  });

  it('breaches and downtime summed, incidents opened in the week counted', () => {
    expect([checkout.breaches, checkout.downtimeMinutes, checkout.incidents]).toEqual([14, 42, 1]);
    expect([search.breaches, search.downtimeMinutes, search.incidents]).toEqual([60, 5, 2]);
    // Of the week's incidents, those not resolved (the next week's open one is not this week's).
    expect([checkout.openIncidents, search.openIncidents]).toEqual([0, 1]);
    expect([checkout.days, search.days]).toEqual([7, 3]);
  });

  it('p99 this week against the week before, with the change', () => {
    expect(checkout.p99).toEqual({ thisWeek: 220, previousWeek: 200, changePct: expect.closeTo(10, 9) });
    expect(search.p99).toEqual({ thisWeek: 480, previousWeek: null, changePct: null });
  });

  it("an SLA filtered to some of its series' rows reads its own p99, not the whole metric's", () => {
    const route = { 'http.route': [{ op: 'eq' as const, value: '/pay' }] };
    const FILTERED: SlaDefinition = {
      ...AVAIL,
      id: 'checkout-pay',
      indicator: { kind: 'availability', where: route },
    };
    // Keyed by the rows' filter: the same rows share a p99 whatever judges them good or bad.
    expect(seriesKey(FILTERED)).not.toBe(seriesKey(AVAIL));
    expect(seriesKey({ ...FILTERED, indicator: { ...FILTERED.indicator, good: route } })).toBe(
      seriesKey(FILTERED),
    );
    const both = buildSlaReport(
      inputs({
        definitions: [AVAIL, FILTERED],
        p99: new Map([
          [seriesKey(AVAIL), { thisWeek: 220, previousWeek: 200 }],
          [seriesKey(FILTERED), { thisWeek: 900, previousWeek: 450 }],
        ]),
      }),
    );
    expect(both.slas.find((s) => s.id === 'checkout-pay')!.p99).toEqual({
      thisWeek: 900,
      previousWeek: 450,
      changePct: expect.closeTo(100, 9),
    });
    expect(both.slas.find((s) => s.id === AVAIL.id)!.p99.thisWeek).toBe(220);
  });

  it('seven daily points, null for a day without a snapshot or without events', () => {
    expect(checkout.daily).toHaveLength(7);
    expect(checkout.daily[2]).toEqual({ dayMs: day(2), attainment: 0.997, live: false });
    expect(checkout.daily[0]!.attainment).toBe(1);
    expect(search.daily.map((d) => d.attainment)).toEqual([0.99, 0.97, null, null, null, null, null]);
  });

  it('the revenue SLOs of the scan with dollars at risk from the types they count, and dollars recovered', () => {
    expect(r.revenue).toEqual({
      scanAsOfMs: at('2026-11-22T18:00:00Z'),
      totalAtRiskCents: 4_200_000,
      slos: [
        {
          id: 'SLO_LEAD_RESPONSE',
          name: 'Lead Response Time',
          target: 0.95,
          current: 0.9,
          breached: true,
          atRiskCents: 1_000_000,
          budgetCents: 1_500_000,
        },
        {
          id: 'SLO_DATA_QUALITY',
          name: 'Data Hygiene',
          target: 0.99,
          current: 0.995,
          breached: false,
          // UNASSIGNED_OWNER + NO_NEXT_STEP (+ ROUTING_MISMATCH, not among the causes)
          atRiskCents: 350_000,
          budgetCents: 1_500_000,
        },
      ],
    });
    expect(r.recoveredCents).toBe(125_000);
  });

  it('filters by service; definitions not in force during the week are left out', () => {
    const onlySearch = buildSlaReport(inputs({ service: 'search' }));
    expect(onlySearch.slas.map((s) => s.id)).toEqual(['search-latency']);
    const later = buildSlaReport(inputs({ definitions: [AVAIL, { ...LATENCY, activeFromMs: W47.endMs }] }));
    expect(later.slas.map((s) => s.id)).toEqual(['checkout-availability']);
  });

  it('a revised definition reports its newest version in the week, and its target', () => {
    const v1 = { ...AVAIL, activeToMs: day(3) };
    const v2 = { ...AVAIL, version: 2, target: 0.9995, activeFromMs: day(3) };
    const row = buildSlaReport(inputs({ definitions: [v1, v2] })).slas[0]!;
    expect([row.version, row.target]).toEqual([2, 0.9995]);
    // 99.957% ≥ 99.95%: still met, with 14% of the tighter budget left.
    expect(row.status).toBe('met');
    expect(row.burn).toBeCloseTo(3_000 / 7_000_000 / 0.0005, 6);
  });

  it('exactly on target is met (no floating point miss); no events is no data', () => {
    const exact = buildSlaReport(
      inputs({ definitions: [AVAIL], snapshots: [snap(AVAIL, 0, 1000, 1)], p99: new Map(), scan: null }),
    ).slas[0]!;
    expect(exact.attainment).toBe(0.999);
    expect(exact.status).toBe('met');
    expect(exact.budgetRemaining).toBeCloseTo(0, 9);
    const empty = buildSlaReport(inputs({ definitions: [AVAIL], snapshots: [], scan: null })).slas[0]!;
    expect(empty).toMatchObject({ attainment: null, status: 'no_data', burn: 0, worstBurn: null, days: 0 });
    expect(empty.daily.every((d) => d.attainment === null)).toBe(true);
  });

  it('a scan outside the week is not the week’s; a week still running is partial', () => {
    const r2 = buildSlaReport(
      inputs({ scan: { ...inputs().scan!, asOfMs: W47.endMs }, nowMs: at('2026-11-20T12:00:00Z') }),
    );
    expect(r2.revenue).toBeNull();
    expect(r2.complete).toBe(false);
  });
});

describe('days not yet in Gold, computed live from Silver', () => {
  // Wednesday 18 November, 15:00: Monday and Tuesday are in Gold, today is live.
  const now = at('2026-11-18T15:00:00Z');
  const live = buildSlaReport(
    inputs({
      nowMs: now,
      definitions: [AVAIL],
      snapshots: [snap(AVAIL, 0, 1_000, 0), snap(AVAIL, 1, 1_000, 2)],
      live: [
        snap(AVAIL, 2, 600, 0),
        // Gold already has Tuesday: the snapshot wins over a live figure of the same day.
        snap(AVAIL, 1, 50, 50),
      ],
      scan: null,
    }),
  );
  const row = live.slas[0]!;

  it('adds the live days to the week, marked live', () => {
    expect(live.complete).toBe(false);
    expect([row.total, row.bad, row.days, row.liveDays]).toEqual([2_600, 2, 2, 1]);
    expect(row.attainment).toBeCloseTo(2_598 / 2_600, 12);
    expect(row.status).toBe('met');
    expect(row.daily.slice(0, 4)).toEqual([
      { dayMs: day(0), attainment: 1, live: false },
      { dayMs: day(1), attainment: 0.998, live: false },
      { dayMs: day(2), attainment: 1, live: true },
      { dayMs: day(3), attainment: null, live: false },
    ]);
  });

  it('a week with only live days is not "no data"', () => {
    const onlyLive = buildSlaReport(
      inputs({
        nowMs: now,
        definitions: [AVAIL],
        snapshots: [],
        live: [snap(AVAIL, 2, 1_000, 40, { breaches: 3, downtimeMinutes: 7 })],
        incidents: [{ slaId: AVAIL.id, openedAtMs: day(2) + 3_600_000, open: true }],
        scan: null,
      }),
    ).slas[0]!;
    expect(onlyLive).toMatchObject({
      total: 1_000,
      bad: 40,
      status: 'breached',
      breaches: 3,
      downtimeMinutes: 7,
      incidents: 1,
      openIncidents: 1,
      days: 0,
      liveDays: 1,
      worstBurn: { dayMs: day(2), burn: expect.closeTo(40, 9) },
    });
  });
});
