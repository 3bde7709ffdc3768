/**
 * Generated daily marketing spend and its funnel (generate-assumptions.ts has the ratios). Sized from the
 * deals: each channel's opportunities follow its share of the deals created that day, the funnel above
 * them is back-derived from the channel's ratios, and spend is set so that the channel's won revenue over
 * spend lands near its target ROI. ~16k rows a year whatever the deal count (amounts scale instead).
 */
import { DAY_MS } from '../../shared/time.ts';
import {
  CHANNELS,
  type Channel,
  DEAL_AMOUNT_USD,
  DEAL_SEGMENT_SHARE,
  dayWeight,
  EVENTS_PER_MONTH,
  GEO_SHARE,
  type GenerateOptions,
  logUniformMean,
  REALISED_WON_SHARE,
  WIN_RATE,
  YEAR_DAYS,
  yearStartMs,
} from './generate-assumptions.ts';
import { Rng } from './prng.ts';
import { SEGMENTS, type SpendRow } from './types.ts';

/** Mean deal amount over the segment mix, in dollars. */
const MEAN_DEAL_USD = SEGMENTS.reduce(
  (s, seg) => s + DEAL_SEGMENT_SHARE[seg] * logUniformMean(DEAL_AMOUNT_USD[seg]),
  0,
);

interface Year {
  days: number[];
  /** Each day's share of the year's activity (sums to 1). */
  share: number[];
  /** Event days, and each one's share of the year's events (sums to 1 over them). */
  eventShare: Map<number, number>;
}

function yearOf(o: GenerateOptions): Year {
  const start = yearStartMs(o);
  const days = Array.from({ length: YEAR_DAYS }, (_, i) => start + i * DAY_MS);
  const weights = days.map((d) => dayWeight(d, o));
  const total = weights.reduce((a, b) => a + b, 0);
  const rng = new Rng(o.seed, 4);
  const events = days.filter((d) => {
    const dow = new Date(d).getUTCDay();
    return dow >= 2 && dow <= 4 && rng.chance((EVENTS_PER_MONTH * 12) / (YEAR_DAYS * (3 / 7)));
  });
  return {
    days,
    share: weights.map((w) => w / total),
    eventShare: new Map(events.map((d) => [d, 1 / Math.max(1, events.length)])),
  };
}

/** One campaign per channel and quarter: `PS-2026Q3`. */
const campaignOf = (c: Channel, dayMs: number): string => {
  const d = new Date(dayMs);
  return `${c.code}-${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
};

/** A row's counts, top-down from impressions, each stage drawn from the one above it. */
function funnel(rng: Rng, c: Channel, opps: number) {
  const impressionsMean = opps / c.sqlToOpp / c.mqlToSql / c.leadToMql / c.clickToLead / c.ctr;
  const impressions = rng.round(impressionsMean * rng.between(0.85, 1.15));
  const clicks = rng.round(impressions * c.ctr);
  const leads = rng.round(clicks * c.clickToLead);
  const mqls = rng.round(leads * c.leadToMql);
  const sqls = rng.round(mqls * c.mqlToSql);
  const opportunities = rng.round(sqls * c.sqlToOpp);
  return { impressions, clicks, leads, mqls, sqls, opportunities, won: rng.round(opportunities * WIN_RATE) };
}

/** Daily spend rows for the year before `o.endMs`, in day, channel, segment, geo order. */
export function* generateSpend(o: GenerateOptions): Generator<SpendRow> {
  const rng = new Rng(o.seed, 3);
  const year = yearOf(o);
  for (let i = 0; i < year.days.length; i++) {
    const dayMs = year.days[i]!;
    const day = new Date(dayMs).toISOString().slice(0, 10);
    for (const c of CHANNELS) {
      const share = c.code === 'EVT' ? (year.eventShare.get(dayMs) ?? 0) : year.share[i]!;
      if (share === 0) continue;
      const opps = o.deals * c.dealShare * share;
      const spendUsd = (opps * WIN_RATE * MEAN_DEAL_USD * REALISED_WON_SHARE) / (1 + c.targetRoiPct / 100);
      for (const segment of SEGMENTS) {
        for (const [geo, geoShare] of GEO_SHARE) {
          const part = DEAL_SEGMENT_SHARE[segment] * geoShare;
          yield {
            day,
            channel: c.name,
            campaign: campaignOf(c, dayMs),
            segment,
            geo,
            spendCents: Math.round(spendUsd * part * rng.between(0.9, 1.1) * 100),
            ...funnel(rng, c, opps * part),
          };
        }
      }
    }
  }
}
