/**
 * Generated pipeline deals (generate-assumptions.ts has the numbers and why). A generator of rows, one at a
 * time, so a million deals never sit in memory: the CSV writer streams them out as they come.
 */
import { DAY_MS } from '../../shared/time.ts';
import {
  ADVANCE,
  CHANNELS,
  CYCLE_DAYS,
  DEAL_AMOUNT_USD,
  DEAL_SEGMENT_SHARE,
  type GenerateOptions,
  STALL_FACTOR,
  STALL_SHARE,
  STUCK_EVERY,
  YEAR_DAYS,
  yearStartMs,
} from './generate-assumptions.ts';
import { accountName, personName } from './generate-names.ts';
import { STAGE_PROBABILITY } from './parse-deal.ts';
import { Rng } from './prng.ts';
import { type Deal, OPEN_STAGES, SEGMENTS, type Segment, type Stage } from './types.ts';

const HOUR_MS = 3_600_000;
const SEGMENT_WEIGHTS = SEGMENTS.map((s) => DEAL_SEGMENT_SHARE[s]);
const CHANNEL_WEIGHTS = CHANNELS.map((c) => c.dealShare);
/** Reps by segment: SMB teams are the largest. */
const REP_SHARE: Readonly<Record<Segment, number>> = { SMB: 0.5, MM: 0.3, ENT: 0.2 };

/** The owners each segment's deals are spread over: about one rep per 400 deals a year, at least 3 each. */
type OwnerPools = Readonly<Record<Segment, { from: number; size: number }>>;

function ownerPools(deals: number): OwnerPools {
  const reps = Math.min(3000, Math.max(9, Math.ceil(deals / 400)));
  let from = 0;
  const pools = {} as Record<Segment, { from: number; size: number }>;
  for (const s of SEGMENTS) {
    const size = Math.max(3, Math.round(reps * REP_SHARE[s]));
    pools[s] = { from, size };
    from += size;
  }
  return pools;
}

const ownerOf = (rng: Rng, pools: OwnerPools, s: Segment): string =>
  personName(pools[s].from + rng.int(pools[s].size));

/** A time in the year, denser later (0.8 → 1.2 growth, inverse CDF), on business hours, mostly weekdays. */
function createdAt(rng: Rng, startMs: number): number {
  const a = 0.8;
  const b = 0.4;
  const u = rng.next();
  const t = (-a + Math.sqrt(a * a + 2 * b * u * (a + b / 2))) / b;
  let day = startMs + Math.floor(t * YEAR_DAYS) * DAY_MS;
  const dow = new Date(day).getUTCDay();
  // 70 % of weekend leads are really logged on the Friday before.
  if ((dow === 0 || dow === 6) && rng.chance(0.7)) day -= (dow === 6 ? 1 : 2) * DAY_MS;
  if (day < startMs) day += 7 * DAY_MS;
  return day + Math.floor(rng.between(13, 23) * HOUR_MS) + rng.int(3_600) * 1000;
}

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Where a deal is at `endMs`: its stage and when it entered it (or closed). */
function progress(rng: Rng, seg: Segment, created: number, endMs: number): { stage: Stage; atMs: number } {
  const meanDays = CYCLE_DAYS[seg] / 3;
  const stallAt = rng.chance(STALL_SHARE) ? rng.int(3) : -1;
  let at = created;
  for (let i = 0; i < OPEN_STAGES.length; i++) {
    const stage = OPEN_STAGES[i]!;
    const days = (0.5 + rng.exponential(meanDays - 0.5)) * (i === stallAt ? STALL_FACTOR : 1);
    const next = at + Math.round(days * DAY_MS);
    const advances = rng.chance(ADVANCE[stage]);
    if (next >= endMs) return { stage, atMs: at };
    if (!advances) return { stage: 'Closed_Lost', atMs: next };
    at = next;
  }
  return { stage: 'Closed_Won', atMs: at };
}

/** When an open deal is expected to close: the stages it has left at the segment's pace. */
function expectedClose(rng: Rng, seg: Segment, stage: Stage, atMs: number): string | null {
  if (stage === 'Closed_Won' || stage === 'Closed_Lost') return isoDate(atMs);
  // Early deals often have no close date yet.
  if (stage === 'Discovery' && rng.chance(0.15)) return null;
  const left = OPEN_STAGES.length - OPEN_STAGES.indexOf(stage);
  return isoDate(atMs + Math.round(((left * CYCLE_DAYS[seg]) / 3) * rng.between(0.6, 1.4)) * DAY_MS);
}

/**
 * A deal stuck by construction: MM or ENT, ≥ $50k, in Demo or Negotiation since 45–~150 days before the
 * end. Natural stalls make more, but at small sizes they may not happen; these always do.
 */
function stuck(rng: Rng, o: GenerateOptions, base: Deal, pools: OwnerPools): Deal {
  const segment: Segment = rng.chance(0.3) ? 'ENT' : 'MM';
  const [lo, hi] = DEAL_AMOUNT_USD[segment];
  const amountUsd = rng.logUniform(Math.max(lo, 50_000), hi);
  const stage: Stage = rng.chance(0.5) ? 'Demo' : 'Negotiation';
  const inStageDays = 45 + Math.min(100, rng.exponential(30));
  const lastStageChangeMs = o.endMs - Math.ceil(inStageDays * DAY_MS) - rng.int(12) * HOUR_MS;
  const createdAtMs = Math.max(yearStartMs(o), lastStageChangeMs - Math.round(rng.between(5, 40) * DAY_MS));
  return {
    ...base,
    segment,
    owner: ownerOf(rng, pools, segment),
    stage,
    amountCents: Math.round(amountUsd / 100) * 10_000,
    createdAtMs,
    lastStageChangeMs,
    expectedClose: isoDate(lastStageChangeMs + 20 * DAY_MS),
    probability: STAGE_PROBABILITY[stage],
  };
}

/** `o.deals` deals created over the year before `o.endMs`, ids D-0000001 … in order. */
export function* generateDeals(o: GenerateOptions): Generator<Deal> {
  const rng = new Rng(o.seed, 1);
  const startMs = yearStartMs(o);
  const pools = ownerPools(o.deals);
  const accounts = Math.max(50, Math.ceil(o.deals / 3));
  const width = Math.max(7, String(o.deals).length);
  for (let i = 0; i < o.deals; i++) {
    const segment = SEGMENTS[rng.weighted(SEGMENT_WEIGHTS)]!;
    const [lo, hi] = DEAL_AMOUNT_USD[segment];
    const created = createdAt(rng, startMs);
    const { stage, atMs } = progress(rng, segment, created, o.endMs);
    const deal: Deal = {
      dealId: `D-${String(i + 1).padStart(width, '0')}`,
      account: accountName(rng.int(accounts)),
      segment,
      owner: ownerOf(rng, pools, segment),
      stage,
      // Whole hundreds of dollars, as quotes are written.
      amountCents: Math.round(rng.logUniform(lo, hi) / 100) * 10_000,
      createdAtMs: created,
      expectedClose: expectedClose(rng, segment, stage, atMs),
      lastStageChangeMs: atMs,
      probability: STAGE_PROBABILITY[stage],
      sourceChannel: CHANNELS[rng.weighted(CHANNEL_WEIGHTS)]!.name,
    };
    yield i % STUCK_EVERY === STUCK_EVERY - 1 ? stuck(rng, o, deal, pools) : deal;
  }
}
