/**
 * Marketing aggregates (DOMAIN.md §9, issue 14) in SQL.
 *
 * - Channels: spend rows with `day` in the period (see revops-filter-sql.ts for days), summed per channel;
 *   segment and channel filters apply to the rows (a segment filter leaves out rows of segment '', spend
 *   not attributed to one). wonRevenueCents = Σ amount of deals Closed_Won in the period (last stage change
 *   in [from, to)) whose source channel is the channel; segment and channel filters apply, owner does not.
 *   Deals come from the same source as the pipeline (revops-source-sql.ts: the funnel's opportunities when
 *   no deal was imported). A channel that won revenue but has no spend row is listed with zero spend
 *   (its ROI is undefined); deals with no source channel ('') are not a channel and are left out.
 * - Segments: spend and won of the rows of each segment (rows of segment '' belong to none); new
 *   customers and their MRR (revops_customers.mrr_cents) = customers whose start_date is in the period.
 *   The channel filter applies to spend only (customers carry no channel).
 */
import type {
  ChannelAggregate,
  MarketingAggregates,
  SegmentSpendAggregate,
} from '../../domain/revops/aggregates.ts';
import { type RevopsFilter, SEGMENTS, type Segment } from '../../domain/revops/types.ts';
import type { Db, Row } from './client.ts';
import { iso } from './instants.ts';
import { batchedByTick, slicesKey } from './revops-batch.ts';
import {
  dayAtOrAfter,
  n,
  periodBounds,
  queryWith,
  type SliceColumns,
  sliceWhere,
} from './revops-filter-sql.ts';
import { overDealsSource } from './revops-source-sql.ts';

/*
 * Each statement answers every period of a batch (revops-batch.ts): the periods are VALUES rows p(k, f, t)
 * joined to the rows in them, and $1..$2 bound the union of the periods so the scan keeps only those
 * (periodBounds; the slices' parameters come after).
 */
const CHANNELS = (where: string, periods: string) => `
SELECT p.k, channel, sum(spend_cents)::float8 AS spend, sum(impressions)::float8 AS impressions,
  sum(clicks)::float8 AS clicks, sum(leads)::float8 AS leads, sum(mqls)::float8 AS mqls, sum(sqls)::float8 AS sqls,
  sum(opportunities)::float8 AS opportunities, sum(won)::float8 AS won
FROM revops_marketing_spend JOIN (VALUES ${periods}) AS p(k, f, t) ON day >= p.f AND day < p.t
WHERE day >= $1::date AND day < $2::date${where}
GROUP BY p.k, channel`;

const WON_REVENUE = (src: string, where: string, periods: string) => `
SELECT p.k, source_channel AS channel, sum(amount_cents)::float8 AS revenue
FROM ${src} d JOIN (VALUES ${periods}) AS p(k, f, t) ON last_stage_change >= p.f AND last_stage_change < p.t
WHERE stage = 'Closed_Won' AND last_stage_change >= $1::timestamptz AND last_stage_change < $2::timestamptz
  AND source_channel <> ''${where}
GROUP BY p.k, source_channel`;

const SEGMENT_SPEND = (where: string, periods: string) => `
SELECT p.k, segment, sum(spend_cents)::float8 AS spend, sum(won)::float8 AS won
FROM revops_marketing_spend JOIN (VALUES ${periods}) AS p(k, f, t) ON day >= p.f AND day < p.t
WHERE day >= $1::date AND day < $2::date AND segment <> ''${where}
GROUP BY p.k, segment`;

const NEW_CUSTOMERS = (where: string, periods: string) => `
SELECT p.k, segment, count(*)::float8 AS customers, sum(mrr_cents)::float8 AS mrr
FROM revops_customers JOIN (VALUES ${periods}) AS p(k, f, t) ON start_date >= p.f AND start_date < p.t
WHERE start_date >= $1::date AND start_date < $2::date${where}
GROUP BY p.k, segment`;

/**
 * The deals won in the periods, read in one sequential pass rather than through the closed-deals index: deals
 * closing in a period are spread over the whole table (imports arrive in deal order, not close order), so
 * the index range visits nearly every page at random. Measured on 1M imported deals, a 30-day period
 * (22k won): bitmap index scan 420 ms CPU (1,400 ms wall on a busy host), sequential scan 80–100 ms. Without
 * statistics (a fresh import, autovacuum off) the planner cannot know that, hence the session settings,
 * scoped to this statement's transaction.
 */
const wonRevenue = (db: Db, text: string, params: unknown[]): Promise<Row[]> =>
  queryWith(db, ['enable_bitmapscan = off', 'enable_indexscan = off'], text, params);

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function emptyChannel(channel: string): ChannelAggregate {
  return {
    channel,
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
}

/** One statement's text and parameters for `filters` (the slices of the first): see periodBounds. */
function batchQuery(
  filters: readonly RevopsFilter[],
  bound: (ms: number) => string,
  cast: string,
  cols: SliceColumns,
  text: (where: string, periods: string) => string,
): [string, unknown[]] {
  const { params, periods } = periodBounds(filters, bound, cast);
  return [text(sliceWhere(filters[0]!, cols, params), periods), params];
}

/** Period f's figures out of the batch's rows tagged k. */
function periodMarketing(
  f: RevopsFilter,
  k: number,
  rows: Record<Kind, readonly Row[]>,
): MarketingAggregates {
  const mine = (kind: Kind) => rows[kind].filter((r) => n(r['k']) === k);
  const channels = new Map<string, ChannelAggregate>();
  for (const r of mine('spend')) {
    const c = emptyChannel(String(r['channel']));
    c.spendCents = n(r['spend']);
    c.impressions = n(r['impressions']);
    c.clicks = n(r['clicks']);
    c.leads = n(r['leads']);
    c.mqls = n(r['mqls']);
    c.sqls = n(r['sqls']);
    c.opportunities = n(r['opportunities']);
    c.won = n(r['won']);
    channels.set(c.channel, c);
  }
  for (const r of mine('won')) {
    const name = String(r['channel']);
    const c = channels.get(name) ?? emptyChannel(name);
    c.wonRevenueCents = n(r['revenue']);
    channels.set(name, c);
  }
  const segSpend = mine('segSpend');
  const fresh = mine('fresh');
  const segments = (f.segment ? [f.segment] : [...SEGMENTS]).map((segment): SegmentSpendAggregate => {
    const s = segSpend.find((r) => r['segment'] === segment);
    const c = fresh.find((r) => r['segment'] === segment);
    return {
      segment: segment as Segment,
      spendCents: n(s?.['spend']),
      won: n(s?.['won']),
      newCustomers: n(c?.['customers']),
      newMrrCents: n(c?.['mrr']),
    };
  });
  return { channels: [...channels.values()].sort((a, b) => byName(a.channel, b.channel)), segments };
}

type Kind = 'spend' | 'won' | 'segSpend' | 'fresh';

/** The marketing figures of several periods with the same slices (those of the first): four statements. */
export async function readMarketingMany(
  db: Db,
  filters: readonly RevopsFilter[],
): Promise<MarketingAggregates[]> {
  const spendCols = { segment: 'segment', channel: 'channel' };
  const run = ([text, params]: [string, unknown[]]) => db.query(text, params);
  const spend = run(batchQuery(filters, dayAtOrAfter, 'date', spendCols, CHANNELS));
  const segSpend = run(batchQuery(filters, dayAtOrAfter, 'date', spendCols, SEGMENT_SPEND));
  const fresh = run(batchQuery(filters, dayAtOrAfter, 'date', { segment: 'segment' }, NEW_CUSTOMERS));
  const won = overDealsSource(db, (_name, src) =>
    wonRevenue(
      db,
      ...batchQuery(filters, iso, 'timestamptz', { segment: 'segment', channel: 'source_channel' }, (w, p) =>
        WON_REVENUE(src, w, p),
      ),
    ),
  );
  const [spendRows, wonRows, segRows, freshRows] = await Promise.all([spend, won, segSpend, fresh]);
  const rows = { spend: spendRows, won: wonRows, segSpend: segRows, fresh: freshRows };
  return filters.map((f, k) => periodMarketing(f, k, rows));
}

/** marketing(f), batching the calls of one tick with the same slices (revops-batch.ts). */
export function batchedMarketing(db: Db): (f: RevopsFilter) => Promise<MarketingAggregates> {
  return batchedByTick<RevopsFilter, MarketingAggregates>(slicesKey, (filters) =>
    readMarketingMany(db, filters),
  );
}
