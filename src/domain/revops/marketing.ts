/**
 * Marketing figures (DOMAIN.md §9) from the per-channel and per-segment sums SQL computed (aggregates.ts;
 * adapters/db/revops-marketing-sql.ts). `won` is the marketing funnel's won column (customers won, as the
 * spend file counts them); revenue is the amount of deals won in the period from that source channel.
 */
import type { ChannelAggregate, MarketingAggregates, SegmentSpendAggregate } from './aggregates.ts';
import { type PaybackBenchmarks, paybackVerdict } from './benchmarks.ts';
import type { ChannelFigure, MarketingFigures, SegmentPayback } from './figures.ts';
import { pct } from './pipeline.ts';
import { SEGMENTS } from './types.ts';

/** The name of the all-channels row. */
export const TOTAL_CHANNEL = 'Total';

/** spend / customers won, in whole cents; null when nobody was won (no cost per nothing). */
export const cac = (spendCents: number, won: number): number | null =>
  won === 0 ? null : Math.round(spendCents / won);

/** (revenue − spend) / spend × 100; null without spend. */
export const roi = (revenueCents: number, spendCents: number): number | null =>
  pct(revenueCents - spendCents, spendCents);

export function channelFigure(c: ChannelAggregate): ChannelFigure {
  return {
    channel: c.channel,
    spendCents: c.spendCents,
    leads: c.leads,
    mqls: c.mqls,
    sqls: c.sqls,
    opportunities: c.opportunities,
    won: c.won,
    conversionPct: pct(c.won, c.leads),
    steps: {
      mqlPct: pct(c.mqls, c.leads),
      sqlPct: pct(c.sqls, c.mqls),
      oppPct: pct(c.opportunities, c.sqls),
      wonPct: pct(c.won, c.opportunities),
    },
    cacCents: cac(c.spendCents, c.won),
    revenueCents: c.wonRevenueCents,
    roiPct: roi(c.wonRevenueCents, c.spendCents),
  };
}

function total(channels: readonly ChannelAggregate[]): ChannelAggregate {
  const t: ChannelAggregate = {
    channel: TOTAL_CHANNEL,
    spendCents: 0,
    impressions: 0,
    clicks: 0,
    leads: 0,
    mqls: 0,
    sqls: 0,
    opportunities: 0,
    won: 0,
    wonRevenueCents: 0,
  };
  for (const c of channels) {
    t.spendCents += c.spendCents;
    t.impressions += c.impressions;
    t.clicks += c.clicks;
    t.leads += c.leads;
    t.mqls += c.mqls;
    t.sqls += c.sqls;
    t.opportunities += c.opportunities;
    t.won += c.won;
    t.wonRevenueCents += c.wonRevenueCents;
  }
  return t;
}

/**
 * CAC payback of a segment: CAC / ARPA months, where ARPA is the mean MRR of the customers of the
 * segment who started in the period. Computed from the unrounded ratios (spend / won) / (new MRR / new
 * customers), so cacCents and arpaCents (rounded for display) may not divide to it exactly.
 */
export function segmentPayback(s: SegmentSpendAggregate, benchmarks: PaybackBenchmarks): SegmentPayback {
  const arpa = s.newCustomers === 0 ? null : s.newMrrCents / s.newCustomers;
  const cacExact = s.won === 0 ? null : s.spendCents / s.won;
  const paybackMonths = cacExact === null || arpa === null || arpa === 0 ? null : cacExact / arpa;
  const benchmarkMonths = benchmarks[s.segment];
  return {
    segment: s.segment,
    spendCents: s.spendCents,
    won: s.won,
    cacCents: cac(s.spendCents, s.won),
    arpaCents: arpa === null ? null : Math.round(arpa),
    paybackMonths,
    benchmarkMonths,
    verdict: paybackVerdict(paybackMonths, benchmarkMonths),
  };
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function marketingFigures(agg: MarketingAggregates, benchmarks: PaybackBenchmarks): MarketingFigures {
  const channels = [...agg.channels]
    .sort((a, b) => b.spendCents - a.spendCents || byName(a.channel, b.channel))
    .map(channelFigure);
  const order = (s: SegmentSpendAggregate) => SEGMENTS.indexOf(s.segment);
  return {
    channels,
    totals: channelFigure(total(agg.channels)),
    segments: [...agg.segments].sort((a, b) => order(a) - order(b)).map((s) => segmentPayback(s, benchmarks)),
  };
}
