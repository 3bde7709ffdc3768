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
import type { Db } from './client.ts';
import { iso } from './instants.ts';
import { dayAtOrAfter, n, sliceWhere } from './revops-filter-sql.ts';
import { dealsSource } from './revops-source-sql.ts';

const CHANNELS = (where: string) => `
SELECT channel, sum(spend_cents)::float8 AS spend, sum(impressions)::float8 AS impressions,
  sum(clicks)::float8 AS clicks, sum(leads)::float8 AS leads, sum(mqls)::float8 AS mqls, sum(sqls)::float8 AS sqls,
  sum(opportunities)::float8 AS opportunities, sum(won)::float8 AS won
FROM revops_marketing_spend WHERE day >= $1::date AND day < $2::date${where}
GROUP BY channel`;

const WON_REVENUE = (src: string, where: string) => `
SELECT source_channel AS channel, sum(amount_cents)::float8 AS revenue
FROM ${src} d
WHERE stage = 'Closed_Won' AND last_stage_change >= $1::timestamptz AND last_stage_change < $2::timestamptz
  AND source_channel <> ''${where}
GROUP BY source_channel`;

const SEGMENT_SPEND = (where: string) => `
SELECT segment, sum(spend_cents)::float8 AS spend, sum(won)::float8 AS won
FROM revops_marketing_spend WHERE day >= $1::date AND day < $2::date AND segment <> ''${where}
GROUP BY segment`;

const NEW_CUSTOMERS = (where: string) => `
SELECT segment, count(*)::float8 AS customers, sum(mrr_cents)::float8 AS mrr
FROM revops_customers WHERE start_date >= $1::date AND start_date < $2::date${where}
GROUP BY segment`;

/**
 * The deals won in a period, read in one sequential pass rather than through the closed-deals index: deals
 * closing in a period are spread over the whole table (imports arrive in deal order, not close order), so
 * the index range visits nearly every page at random. Measured on 1M imported deals, a 30-day period
 * (22k won): bitmap index scan 420 ms CPU (1,400 ms wall on a busy host), sequential scan 80–100 ms. Without
 * statistics (a fresh import, autovacuum off) the planner cannot know that, hence the session settings,
 * scoped to this statement's transaction.
 */
async function wonRevenue(db: Db, text: string, params: unknown[]) {
  return db.transaction(async (tx) => {
    await tx.query('SET LOCAL enable_bitmapscan = off');
    await tx.query('SET LOCAL enable_indexscan = off');
    return tx.query(text, params);
  });
}

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

export async function readMarketing(db: Db, f: RevopsFilter): Promise<MarketingAggregates> {
  const days = [dayAtOrAfter(f.fromMs), dayAtOrAfter(f.toMs)];
  const spendParams: unknown[] = [...days];
  const spendWhere = sliceWhere(f, { segment: 'segment', channel: 'channel' }, spendParams);
  const wonParams: unknown[] = [iso(f.fromMs), iso(f.toMs)];
  const wonWhere = sliceWhere(f, { segment: 'segment', channel: 'source_channel' }, wonParams);
  const newParams: unknown[] = [...days];
  const newWhere = sliceWhere(f, { segment: 'segment' }, newParams);
  const src = await dealsSource(db);
  const [spend, won, segSpend, fresh] = await Promise.all([
    db.query(CHANNELS(spendWhere), spendParams),
    wonRevenue(db, WON_REVENUE(src.sql, wonWhere), wonParams),
    db.query(SEGMENT_SPEND(spendWhere), spendParams),
    db.query(NEW_CUSTOMERS(newWhere), newParams),
  ]);
  const channels = new Map<string, ChannelAggregate>();
  for (const r of spend) {
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
  for (const r of won) {
    const name = String(r['channel']);
    const c = channels.get(name) ?? emptyChannel(name);
    c.wonRevenueCents = n(r['revenue']);
    channels.set(name, c);
  }
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
