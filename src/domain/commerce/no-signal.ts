import { DAY_MS } from '../../shared/time.ts';
import type { NoSignalFigures } from './figures.ts';
import { BUCKET_MS, type NetBucket } from './ledger.ts';

/**
 * NO_SIGNAL (DOMAIN.md §8, issue 12): a source that went quiet for longer than it usually does. §8's fixed
 * "no ledger event in 24 hours" pages a shop that sells twice a week every few days; the limit is learned
 * from the source's own rhythm instead, never below those 24 hours.
 *
 *   active   = the distinct 15-minute buckets with a ledger event of the source (any kind) that start in
 *              [now − 28 days, now]; event times are taken as the bucket they fall in
 *   gaps     = differences between consecutive active buckets (n active → n − 1 gaps)
 *   p95      = the nearest-rank 95th percentile: sorted ascending, gaps[⌈0.95 × count⌉ − 1]
 *   limit    = max(24 h, 2 × p95), or 24 h with fewer than 10 gaps (too little history to learn from)
 *
 *   silent   = now − last event
 *   state    = page  if silent > 2 × limit
 *              warn  if silent > limit
 *              ok    otherwise (silence exactly at the limit is ok: strictly greater fires)
 *
 * A source that never sent an event is ok: there is no rhythm to miss. Unless its deliveries fail to
 * parse: then it is sending and nothing counts, which is a warning that names the parse error.
 */

export const NO_SIGNAL_DEFAULTS = {
  floorMs: DAY_MS,
  windowMs: 28 * DAY_MS,
  minGaps: 10,
  percentile: 0.95,
} as const;

export interface LimitOptions {
  /** Only these buckets' source (buckets of other sources are skipped); every source when absent. */
  source?: string;
  floorMs?: number;
  windowMs?: number;
  minGaps?: number;
}

/** The nearest-rank percentile `p` (0 < p ≤ 1) of ascending `sorted`; undefined when empty. */
const nearestRank = (sorted: readonly number[], p: number): number | undefined =>
  sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];

/** The start of every active bucket in the window, ascending and distinct. */
function activeBuckets(
  history: readonly NetBucket[] | readonly number[],
  fromMs: number,
  nowMs: number,
  source: string | undefined,
): number[] {
  const starts = new Set<number>();
  for (const h of history) {
    if (typeof h === 'number') starts.add(Math.floor(h / BUCKET_MS) * BUCKET_MS);
    else if (h.events > 0 && (source === undefined || h.source === source)) starts.add(h.startMs);
  }
  return [...starts].filter((s) => s >= fromMs && s <= nowMs).sort((a, b) => a - b);
}

/**
 * The usual gap of a source, the silence past which it warns (formula above). `history` is its buckets
 * (those with events count) or the instants of its ledger events; only the last `windowMs` are read.
 */
export function learnLimit(
  history: readonly NetBucket[] | readonly number[],
  nowMs: number,
  opts: LimitOptions = {},
): number {
  const floor = opts.floorMs ?? NO_SIGNAL_DEFAULTS.floorMs;
  const window = opts.windowMs ?? NO_SIGNAL_DEFAULTS.windowMs;
  const minGaps = opts.minGaps ?? NO_SIGNAL_DEFAULTS.minGaps;
  const active = activeBuckets(history, nowMs - window, nowMs, opts.source);
  const gaps = active
    .slice(1)
    .map((s, i) => s - active[i]!)
    .sort((a, b) => a - b);
  if (gaps.length < minGaps) return floor;
  return Math.max(floor, 2 * (nearestRank(gaps, NO_SIGNAL_DEFAULTS.percentile) ?? 0));
}

export type NoSignalState = 'ok' | 'warn' | 'page';

export interface NoSignalInput {
  /** The source's last ledger event, or null if it never sent one. */
  lastEventAtMs: number | null;
  nowMs: number;
  /** learnLimit's answer. */
  limitMs: number;
  /** The newest parse failure of the source (since its last event), or null. */
  parseError: string | null;
}

/**
 * Whether the source has been silent too long (formula above). The figures keep the parse error only
 * while the source is not ok: it explains the silence. A source that never sent an event shows 0 silent.
 */
export function assessNoSignal(x: NoSignalInput): { state: NoSignalState; figures: NoSignalFigures } {
  const pageAfterMs = 2 * x.limitMs;
  const silentMs = x.lastEventAtMs === null ? 0 : Math.max(0, x.nowMs - x.lastEventAtMs);
  let state: NoSignalState;
  if (x.lastEventAtMs === null) state = x.parseError !== null ? 'warn' : 'ok';
  else if (silentMs > pageAfterMs) state = 'page';
  else if (silentMs > x.limitMs) state = 'warn';
  else state = 'ok';
  return {
    state,
    figures: {
      lastEventAtMs: x.lastEventAtMs,
      silentMs,
      limitMs: x.limitMs,
      pageAfterMs,
      parseError: state === 'ok' ? null : x.parseError,
    },
  };
}
