import type { RevopsWrites } from '../../src/app/revops/ports.ts';
import { changes } from '../../src/app/revops/report.ts';
import type { MrrMovement, StuckDeal } from '../../src/domain/revops/aggregates.ts';
import type {
  ChannelFigure,
  Insight,
  MarketingFigures,
  OwnerFigure,
  PipelineFigures,
  RevenueFigures,
  RevopsReport,
} from '../../src/domain/revops/figures.ts';
import type { Customer, Deal, MrrMonth, RevopsFilter, SpendRow } from '../../src/domain/revops/types.ts';
import { emptyPipeline, emptyRevenue } from './revops-fixtures.ts';

/**
 * Hand-built RevopsReports for the surfaces' tests (Slack blocks, charts, CLI text, digest), shaped as
 * src/domain/revops/figures.ts says, with figures that agree with each other (weighted ≤ open, each
 * month's start is the previous month's end, funnels narrow). `buildRevopsReport(overrides)` for the usual
 * case, `bigRevopsReport()` for the limits (many owners, channels, stuck deals, long and hostile names).
 */

const DAY = 86_400_000;
export const REVOPS_TO = Date.parse('2026-11-30T00:00:00Z');
export const REVOPS_FROM = REVOPS_TO - 30 * DAY;

export function buildPipeline(o: Partial<PipelineFigures> = {}): PipelineFigures {
  return {
    source: 'deals',
    openDeals: 42,
    openCents: 318_450_000,
    weightedCents: 121_700_000,
    winRatePct: 27.5,
    avgDealSizeCents: 4_860_000,
    velocityCentsPerDay: 5_412_000,
    won: 11,
    lost: 29,
    wonCents: 53_460_000,
    createdDeals: 37,
    stages: [
      {
        stage: 'Discovery',
        deals: 19,
        amountCents: 121_000_000,
        weightedCents: 24_200_000,
        avgDaysInStage: 12.4,
        conversionPct: 58.1,
      },
      {
        stage: 'Demo',
        deals: 14,
        amountCents: 104_450_000,
        weightedCents: 41_780_000,
        avgDaysInStage: 21.7,
        conversionPct: 44.4,
      },
      {
        stage: 'Negotiation',
        deals: 9,
        amountCents: 93_000_000,
        weightedCents: 55_720_000,
        avgDaysInStage: 33.9,
        conversionPct: null,
      },
    ],
    owners: [
      owner('Dana Whitfield', 12, 98_000_000, 40_100_000, 4, 7),
      owner('Luis Ortega', 11, 84_250_000, 31_900_000, 3, 9),
      owner('Priya Raman', 10, 76_200_000, 29_400_000, 3, 6),
      owner('Tom Becker', 9, 60_000_000, 20_300_000, 1, 7),
    ],
    stuck: [
      stuck('D-1042', 'Globex Corporation', 'Luis Ortega', 'ENT', 'Negotiation', 18_000_000, 96),
      stuck('D-0977', 'Initech', 'Dana Whitfield', 'MM', 'Demo', 7_500_000, 71),
      stuck('D-1188', 'Umbrella Health', 'Tom Becker', 'ENT', 'Discovery', 12_500_000, 52),
    ],
    stuckTotal: { deals: 3, amountCents: 38_000_000 },
    ...o,
  };
}

export function owner(
  name: string,
  openDeals: number,
  openCents: number,
  weightedCents: number,
  won: number,
  lost: number,
): OwnerFigure {
  return {
    owner: name,
    openDeals,
    openCents,
    weightedCents,
    won,
    lost,
    winRatePct: won + lost === 0 ? null : (won / (won + lost)) * 100,
  };
}

export function stuck(
  dealId: string,
  account: string,
  ownerName: string,
  segment: StuckDeal['segment'],
  stage: string,
  amountCents: number,
  daysInStage: number,
): StuckDeal {
  return { dealId, account, owner: ownerName, segment, stage, amountCents, daysInStage };
}

/** A month of the roll-forward that adds up: end = start + new + expansion + reactivation − contraction − churn. */
export function month(month: string, startCents: number, flows: Partial<MrrMovement> = {}): MrrMovement {
  const m = {
    newCents: 2_400_000,
    expansionCents: 860_000,
    reactivationCents: 120_000,
    contractionCents: 310_000,
    churnCents: 940_000,
    customersStart: 410,
    customersNew: 18,
    customersReactivated: 1,
    customersChurned: 9,
    ...flows,
  };
  const endCents =
    startCents + m.newCents + m.expansionCents + m.reactivationCents - m.contractionCents - m.churnCents;
  return {
    month,
    startCents,
    endCents,
    customersEnd: m.customersStart + m.customersNew + m.customersReactivated - m.customersChurned,
    ...m,
  };
}

function chainMonths(first: string, startCents: number, n: number): MrrMovement[] {
  const out: MrrMovement[] = [];
  let start = startCents;
  let [y, m] = first.split('-').map(Number) as [number, number];
  for (let i = 0; i < n; i++) {
    const mv = month(`${y}-${String(m).padStart(2, '0')}-01`, start, { newCents: 2_000_000 + i * 300_000 });
    out.push(mv);
    start = mv.endCents;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

export function buildRevenue(o: Partial<RevenueFigures> = {}): RevenueFigures {
  const months = o.months ?? chainMonths('2026-10', 40_210_000, 2);
  const mrr = months.at(-1)?.endCents ?? 0;
  return {
    mrrCents: mrr,
    arrCents: mrr * 12,
    activeCustomers: 428,
    churnRatePct: 4.1,
    nrrPct: 101.8,
    grrPct: 94.6,
    months,
    churnReasons: [
      { reason: 'Price', customers: 5, mrrCents: 520_000 },
      { reason: 'Moved to competitor', customers: 3, mrrCents: 310_000 },
      { reason: 'No budget', customers: 1, mrrCents: 110_000 },
    ],
    cohorts: [
      {
        cohort: '2026-06-01',
        customers: 31,
        logoRetentionPct: [100, 97, 94, 90, 87, 87],
        mrrRetentionPct: [100, 99, 101, 98, 96, 97],
      },
      {
        cohort: '2026-07-01',
        customers: 27,
        logoRetentionPct: [100, 96, 93, 89, 85],
        mrrRetentionPct: [100, 98, 97, 95, 94],
      },
      {
        cohort: '2026-08-01',
        customers: 35,
        logoRetentionPct: [100, 94, 91, 89],
        mrrRetentionPct: [100, 97, 96, 95],
      },
      {
        cohort: '2026-09-01',
        customers: 22,
        logoRetentionPct: [100, 95, 91],
        mrrRetentionPct: [100, 102, 100],
      },
      { cohort: '2026-10-01', customers: 29, logoRetentionPct: [100, 97], mrrRetentionPct: [100, 99] },
      { cohort: '2026-11-01', customers: 18, logoRetentionPct: [100], mrrRetentionPct: [100] },
    ],
    ...o,
  };
}

export function channel(
  name: string,
  spendCents: number,
  leads: number,
  won: number,
  revenueCents: number,
): ChannelFigure {
  const mqls = Math.round(leads * 0.42);
  const sqls = Math.round(mqls * 0.38);
  const opportunities = Math.max(won, Math.round(sqls * 0.55));
  const r = (a: number, b: number) => (b === 0 ? null : (a / b) * 100);
  return {
    channel: name,
    spendCents,
    leads,
    mqls,
    sqls,
    opportunities,
    won,
    conversionPct: r(won, leads),
    steps: {
      mqlPct: r(mqls, leads),
      sqlPct: r(sqls, mqls),
      oppPct: r(opportunities, sqls),
      wonPct: r(won, opportunities),
    },
    cacCents: won === 0 ? null : Math.round(spendCents / won),
    revenueCents,
    roiPct: spendCents === 0 ? null : ((revenueCents - spendCents) / spendCents) * 100,
  };
}

function totalsOf(channels: readonly ChannelFigure[]): ChannelFigure {
  const sum = (k: 'spendCents' | 'leads' | 'won' | 'revenueCents') => channels.reduce((a, c) => a + c[k], 0);
  const t = channel('TOTAL', sum('spendCents'), sum('leads'), sum('won'), sum('revenueCents'));
  return {
    ...t,
    mqls: channels.reduce((a, c) => a + c.mqls, 0),
    sqls: channels.reduce((a, c) => a + c.sqls, 0),
    opportunities: channels.reduce((a, c) => a + c.opportunities, 0),
  };
}

export function buildMarketing(o: Partial<MarketingFigures> = {}): MarketingFigures {
  const channels = o.channels ?? [
    channel('Paid Search', 4_850_000, 1_240, 6, 28_400_000),
    channel('Paid Social', 3_120_000, 980, 2, 7_900_000),
    channel('Events', 6_400_000, 310, 2, 11_200_000),
    channel('Content/SEO', 1_150_000, 860, 1, 5_960_000),
    channel('Partners', 900_000, 95, 0, 0),
  ];
  return {
    channels,
    totals: totalsOf(channels),
    segments: [
      {
        segment: 'SMB',
        spendCents: 5_200_000,
        won: 6,
        cacCents: 866_667,
        arpaCents: 95_000,
        paybackMonths: 9.1,
        benchmarkMonths: 12,
        verdict: 'within',
      },
      {
        segment: 'MM',
        spendCents: 6_100_000,
        won: 3,
        cacCents: 2_033_333,
        arpaCents: 98_000,
        paybackMonths: 20.7,
        benchmarkMonths: 18,
        verdict: 'over',
      },
      {
        segment: 'ENT',
        spendCents: 5_120_000,
        won: 0,
        cacCents: null,
        arpaCents: null,
        paybackMonths: null,
        benchmarkMonths: 24,
        verdict: 'no data',
      },
    ],
    ...o,
  };
}

export function insight(o: Partial<Insight> & Pick<Insight, 'id'>): Insight {
  return {
    rule: o.id.split(':')[0]!,
    severity: 'warning',
    confidence: 0.8,
    title: o.id,
    detail: 'Last 30 days against the 30 days before.',
    view: 'pipeline',
    evidence: {},
    leak: null,
    ...o,
  };
}

export const INSIGHTS: Insight[] = [
  insight({
    id: 'stuck_deals',
    severity: 'critical',
    confidence: 0.9,
    title: '3 deals worth $380,000 stuck over 45 days',
    detail:
      'Open deals ≥ 45 days in stage and ≥ $50,000 on 30 Nov 2026; the longest, D-1042 (Globex Corporation), 96 days in Negotiation.',
    view: 'pipeline',
    evidence: { deals: 3, amountCents: 38_000_000, minDays: 45 },
    leak: { reason: 'stuck deals', atRiskCents: 38_000_000 },
  }),
  insight({
    id: 'low_nrr',
    severity: 'warning',
    confidence: 0.7,
    title: 'NRR 101.8% is under 105%',
    detail:
      'Customers paying on 31 Oct 2026 (410, $402,100 MRR): expansion $8,600, contraction $3,100, churn $9,400.',
    view: 'revenue',
    evidence: { nrrPct: 101.8, thresholdPct: 105 },
  }),
  insight({
    id: 'low_roi:Partners',
    severity: 'info',
    confidence: 0.45,
    title: 'Partners: ROI -100% with $9,000 spent',
    detail: '95 leads, no deal won in the 30 days to 30 Nov 2026.',
    view: 'marketing',
    evidence: { channel: 'Partners', roiPct: -100, spendCents: 900_000 },
  }),
];

export interface ReportOverrides {
  filter?: Partial<RevopsFilter>;
  pipeline?: Partial<PipelineFigures>;
  revenue?: Partial<RevenueFigures>;
  marketing?: Partial<MarketingFigures>;
  previous?: Partial<RevopsReport['previous']>;
  insights?: Insight[];
}

export function buildRevopsReport(o: ReportOverrides = {}): RevopsReport {
  const report: RevopsReport = {
    filter: { fromMs: REVOPS_FROM, toMs: REVOPS_TO, ...o.filter },
    pipeline: buildPipeline(o.pipeline),
    revenue: buildRevenue(o.revenue),
    marketing: buildMarketing(o.marketing),
    previous: {
      pipeline: buildPipeline({
        openCents: 296_100_000,
        weightedCents: 118_000_000,
        winRatePct: 31.2,
        avgDealSizeCents: 5_100_000,
        velocityCentsPerDay: 5_890_000,
        wonCents: 61_200_000,
      }),
      revenue: buildRevenue({
        months: chainMonths('2026-09', 39_000_000, 2),
        churnRatePct: 3.2,
        nrrPct: 103.4,
        grrPct: 95.9,
        activeCustomers: 419,
      }),
      marketing: buildMarketing({
        channels: [
          channel('Paid Search', 4_100_000, 1_100, 5, 24_000_000),
          channel('Events', 5_900_000, 290, 3, 15_500_000),
        ],
      }),
      ...o.previous,
    },
    changes: {},
    insights: o.insights ?? INSIGHTS,
  };
  // The changes as the report use case compares them (weighted pipeline and velocity are not).
  report.changes = changes(report, report.previous);
  return report;
}

/** Nothing imported: every figure empty, as the report use case answers over empty tables. */
export function emptyRevopsReport(filter: Partial<RevopsFilter> = {}): RevopsReport {
  const pipeline = emptyPipeline();
  const revenue = emptyRevenue();
  const marketing = buildMarketing({ channels: [], segments: [] });
  return buildRevopsReport({
    filter,
    pipeline,
    revenue,
    marketing,
    previous: { pipeline, revenue, marketing },
    insights: [],
  });
}

const HOSTILE = 'Acme & <!channel> `Co` <https://evil.example|click>';

/** Everything at its largest: 60 owners, 40 channels, 80 stuck deals, 24 months, 30 insights, hostile names. */
export function bigRevopsReport(): RevopsReport {
  const names = (n: number, p: string) =>
    Array.from({ length: n }, (_, i) => `${p} ${i + 1} ${i % 7 === 0 ? HOSTILE : 'Lastname-Hyphenated'}`);
  return buildRevopsReport({
    filter: { owner: HOSTILE, channel: HOSTILE, segment: 'ENT' },
    pipeline: {
      stages: Array.from({ length: 12 }, (_, i) => ({
        stage: i === 3 ? HOSTILE : `Stage ${i + 1} with a long descriptive name`,
        deals: 100 + i,
        amountCents: 999_999_999_00,
        weightedCents: 123_456_789_00,
        avgDaysInStage: 123.4,
        conversionPct: 12.3,
      })),
      owners: names(60, 'Owner').map((n, i) => owner(n, i + 1, 1_000_000_000 - i, 500_000_000, i, 60 - i)),
      stuck: names(80, 'Account').map((n, i) =>
        stuck(`DEAL-${i}-\`x\``, n, n, 'ENT', 'Negotiation', 99_000_000_00, 400 - i),
      ),
      stuckTotal: { deals: 80, amountCents: 80 * 99_000_000_00 },
    },
    revenue: {
      months: chainMonths('2025-01', 9_000_000_000, 24),
      churnReasons: names(30, 'Reason').map((reason, i) => ({
        reason,
        customers: i,
        mrrCents: 1_000_000 * i,
      })),
      cohorts: Array.from({ length: 24 }, (_, i) => ({
        cohort: `${2025 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-01`,
        customers: 1000 + i,
        logoRetentionPct: Array.from({ length: 24 - i }, (_, k) => 100 - k),
        mrrRetentionPct: Array.from({ length: 24 - i }, (_, k) => 100 + k),
      })),
    },
    marketing: {
      channels: names(40, 'Channel').map((n, i) =>
        channel(n, 1_000_000_00 * (i + 1), 100_000, i, 2_000_000_00 * i),
      ),
    },
    insights: Array.from({ length: 30 }, (_, i) =>
      insight({
        id: `rule_${i}:${HOSTILE}`,
        severity: (['critical', 'warning', 'info'] as const)[i % 3],
        confidence: 0.05 + (i % 10) * 0.1,
        title: `${HOSTILE} ${'very long title '.repeat(12)}`,
        detail: `${HOSTILE} ${'a detail with numbers 12,345 and $67,890 '.repeat(30)}`,
        view: (['pipeline', 'revenue', 'marketing'] as const)[i % 3],
        leak: i % 4 === 0 ? { reason: HOSTILE, atRiskCents: 123_456_00 } : null,
      }),
    ),
  });
}

// ------------------------------------------------------------------------------------ rows for a database

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const monthOf = (ms: number, back = 0) => {
  const d = new Date(ms);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1)).toISOString().slice(0, 10);
};

/**
 * A small, hand-checkable RevOps data set around the UTC week starting at `weekFromMs` (a Monday), for
 * the tests that go through the real reads (CLI, end to end). At the week's end three deals are open,
 * $185,000 (Discovery $120,000 stuck 67 days, Demo $40,000, Negotiation $25,000); one deal won in the
 * week ($60,000) and one lost; three customers; a week of Paid Search and Events spend.
 */
export function revopsRows(weekFromMs: number) {
  const W = weekFromMs;
  const deal = (
    dealId: string,
    stage: Deal['stage'],
    segment: Deal['segment'],
    owner: string,
    amountCents: number,
    createdDaysBefore: number,
    changeMs: number,
    probability: number,
    sourceChannel: string,
  ): Deal => ({
    dealId,
    account: `${dealId} Inc`,
    segment,
    owner,
    stage,
    amountCents,
    createdAtMs: W - createdDaysBefore * DAY_MS,
    expectedClose: null,
    lastStageChangeMs: changeMs,
    probability,
    sourceChannel,
  });
  const deals: Deal[] = [
    deal('D1', 'Discovery', 'ENT', 'Dana Whitfield', 12_000_000, 80, W - 60 * DAY_MS, 0.2, 'Paid Search'),
    deal('D2', 'Demo', 'MM', 'Luis Ortega', 4_000_000, 20, W - 10 * DAY_MS, 0.4, 'Events'),
    deal('D3', 'Negotiation', 'SMB', 'Dana Whitfield', 2_500_000, 30, W - 3 * DAY_MS, 0.7, 'Paid Search'),
    deal('D4', 'Closed_Won', 'MM', 'Luis Ortega', 6_000_000, 40, W + 2 * DAY_MS, 1, 'Paid Search'),
    deal('D5', 'Closed_Lost', 'SMB', 'Dana Whitfield', 1_500_000, 25, W + 3 * DAY_MS, 0, 'Events'),
  ];
  const customers: Customer[] = [
    {
      customerId: 'C1',
      account: 'C1 Inc',
      segment: 'SMB',
      plan: 'pro',
      startDate: monthOf(W, 6),
      mrrCents: 100_000,
      churnDate: null,
      churnReason: null,
    },
    {
      customerId: 'C2',
      account: 'C2 Inc',
      segment: 'MM',
      plan: 'team',
      startDate: monthOf(W, 6),
      mrrCents: 300_000,
      churnDate: null,
      churnReason: null,
    },
    {
      customerId: 'C3',
      account: 'C3 Inc',
      segment: 'ENT',
      plan: 'ent',
      startDate: monthOf(W, 2),
      mrrCents: 500_000,
      churnDate: null,
      churnReason: null,
    },
  ];
  const mrr: MrrMonth[] = [];
  for (let back = 6; back >= 0; back--) {
    const month = monthOf(W, back);
    mrr.push({ customerId: 'C1', month, mrrCents: 100_000 });
    mrr.push({ customerId: 'C2', month, mrrCents: back > 1 ? 250_000 : 300_000 });
    if (back <= 2) mrr.push({ customerId: 'C3', month, mrrCents: 500_000 });
  }
  const spend: SpendRow[] = [];
  for (let d = 0; d < 7; d++)
    spend.push({
      day: dayOf(W + d * DAY_MS),
      channel: 'Paid Search',
      campaign: 'brand',
      segment: '',
      geo: 'US',
      spendCents: 50_000,
      impressions: 1_000,
      clicks: 100,
      leads: 20,
      mqls: 8,
      sqls: 3,
      opportunities: 1,
      won: d === 2 ? 1 : 0,
    });
  spend.push({
    day: dayOf(W + 3 * DAY_MS),
    channel: 'Events',
    campaign: 'summit',
    segment: 'MM',
    geo: 'US',
    spendCents: 100_000,
    impressions: 0,
    clicks: 0,
    leads: 12,
    mqls: 6,
    sqls: 2,
    opportunities: 1,
    won: 0,
  });
  return { deals, customers, mrr, spend };
}

/** Writes revopsRows(weekFromMs) through any RevopsWrites (the Postgres adapter in tests). */
export async function seedRevops(writes: RevopsWrites, weekFromMs: number): Promise<void> {
  const rows = revopsRows(weekFromMs);
  await writes.upsertDeals(rows.deals);
  await writes.upsertCustomers(rows.customers);
  await writes.upsertMrrHistory(rows.mrr);
  await writes.upsertSpend(rows.spend);
}
