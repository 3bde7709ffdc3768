/**
 * One row of spend.csv → a SpendRow (issue 14): one day × channel × campaign × segment × geo of marketing
 * spend and the funnel it bought. Canonical columns: date, channel, campaign, segment, geo, spend,
 * impressions, clicks, leads, mqls, sqls, opportunities, won.
 *
 * Counts are whole numbers ≥ 0 (empty = 0). The funnel is NOT required to narrow (leads ≥ mqls ≥ sqls ≥
 * opportunities ≥ won) — **ours**: real exports break it, because each stage is attributed to the day
 * it happened in its own window (an MQL today from a lead of last week), so a day can show more MQLs than
 * leads. Such rows are kept as they are; the ratios are computed over periods, where it evens out.
 */
import { Bad, count, date, dollars, required, segment } from './cells.ts';
import type { Segment, SpendRow } from './types.ts';

export const SPEND_COLUMNS = [
  'date',
  'channel',
  'campaign',
  'segment',
  'geo',
  'spend',
  'impressions',
  'clicks',
  'leads',
  'mqls',
  'sqls',
  'opportunities',
  'won',
] as const;

const COUNT_COLUMNS = SPEND_COLUMNS.slice(6);

export function parseSpend(cells: readonly string[]): SpendRow | Bad {
  const [d = '', ch = '', campaign = '', seg = '', geo = '', spend = ''] = cells;
  const day = date('date', d);
  if (day instanceof Bad) return day;
  const channel = required('channel', ch);
  if (channel instanceof Bad) return channel;
  let sgm: Segment | '' = '';
  if (seg.trim() !== '') {
    const s = segment('segment', seg);
    if (s instanceof Bad) return s;
    sgm = s;
  }
  const spendCents = dollars('spend', spend);
  if (spendCents instanceof Bad) return spendCents;
  const counts: number[] = [];
  for (let i = 0; i < COUNT_COLUMNS.length; i++) {
    const n = count(COUNT_COLUMNS[i]!, cells[6 + i] ?? '');
    if (n instanceof Bad) return n;
    counts.push(n);
  }
  const [impressions = 0, clicks = 0, leads = 0, mqls = 0, sqls = 0, opportunities = 0, won = 0] = counts;
  return {
    day,
    channel,
    campaign: campaign.trim(),
    segment: sgm,
    geo: geo.trim(),
    spendCents,
    impressions,
    clicks,
    leads,
    mqls,
    sqls,
    opportunities,
    won,
  };
}
