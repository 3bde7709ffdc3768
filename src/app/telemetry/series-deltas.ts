import { applyDeltas, isCumulative, type SeriesState, sameState } from '../../domain/telemetry/delta.ts';
import { foldMetricPoints } from '../../domain/telemetry/fold.ts';
import type { MetricPoint } from '../../domain/telemetry/metric-point.ts';
import type { RollupFns } from '../../domain/telemetry/minute-batch.ts';
import type { SavedSeries, SeriesStateStore, SeriesStateWrite, TelemetryStore } from './ports.ts';

/**
 * Metric points → Silver, cumulative ones as deltas against the durable state of their series (issue 13
 * item 5): a restart of the bot, or a second replica getting every other batch of a series, neither counts
 * a run total again nor loses an interval.
 *
 * Read top to bottom: the series' last known states (this process's cache; none known = no row expected)
 * → the deltas and the series' next states (domain/telemetry/delta.ts applyDeltas) → the Silver minutes
 * (fold.ts) → ONE store write, of the minutes and the states together, which takes only if every series'
 * row still holds the version the deltas were computed from. When some row moved on (another replica, a
 * previous life of this process, a restart's empty cache), nothing was written and the store answers the
 * rows as they are: compute again from those and write again. The database is the truth; the cache only
 * saves reading it back, so it may be wrong or empty at any time without a miscount.
 *
 * Round trips: 1 per batch while this process is the series' only writer (the cache is right); 2 when
 * the cache is wrong (after a restart, an eviction, or batches alternating between replicas).
 *
 * Only the series whose state moved are written: a point that changed nothing but its time (an idle
 * counter, a histogram that saw no value) has a zero delta, and its row is left as it is. That is safe
 * without checking the row's version: the deltas written still chain from saved state to saved state,
 * each taking only if its row held what it was computed from, and the skipped point adds 0 and moves
 * nothing, so the sum of every delta is still the last saved value minus the first. (Had another writer
 * moved the row meanwhile, the next write of this series is computed against what it wrote.) Unchanged
 * rows are still written once per REWRITE_UNCHANGED_MS, so that a row's updated_at says the series is
 * alive and the janitor purges only series that stopped sending (app/telemetry/janitor.ts).
 *
 * A series whose row was purged (idle beyond the raw tier's retention) and comes back is a new series:
 * with `horizonMs` given, its first point is a baseline unless its start proves it began after the horizon
 * (domain/telemetry/delta.ts), so what an earlier life of it already counted is never counted again.
 */

/**
 * Series states a process remembers (least recently used forgotten first): about 0.5 KiB for a counter or
 * an 11-bucket histogram (an exponential one of 160 buckets a side, several KiB), so ~25 MiB when full.
 */
export const DEFAULT_SERIES_CACHE = 50_000;
/**
 * Writes of one batch before giving up (the client retries the request). A write fails only when some
 * other writer's succeeded (or, rarely, is committing) since this one learnt the rows, so with k writers of
 * one series at once a batch needs at most k + 1 (one more for a stale cache).
 */
export const MAX_ATTEMPTS = 5;

/**
 * The series states this process last wrote or was told, with their versions: a bounded LRU (a Map's
 * order is its use order). Never trusted: every write checks the versions.
 */
export class SeriesCache {
  readonly #map = new Map<string, SavedSeries>();
  readonly #max: number;
  constructor(maxSeries = DEFAULT_SERIES_CACHE) {
    this.#max = Math.max(1, maxSeries);
  }
  get(key: string): SavedSeries | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }
  set(key: string, v: SavedSeries): void {
    this.#map.delete(key);
    this.#map.set(key, v);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
  }
  delete(key: string): void {
    this.#map.delete(key);
  }
  get size(): number {
    return this.#map.size;
  }
}

/**
 * An unchanged series' row is written again once it is this old (see above): far below any retention the
 * janitor keeps idle rows for (days), so a live series is never purged; long enough that an idle series
 * costs one row write an hour instead of one per export (every 10–60 s with the SDKs' defaults).
 */
export const REWRITE_UNCHANGED_MS = 60 * 60 * 1000;

export interface SeriesDeltaDeps<R> {
  /** Batches with no cumulative point (nothing to check) go here, as ingestMetricPoints writes them. */
  store: Pick<TelemetryStore, 'write'>;
  series: SeriesStateStore;
  rollup: RollupFns<R>;
  /**
   * The instant before which a series' state may have been purged (now minus the retention the janitor
   * keeps idle series for), asked once per batch; absent: states are never purged, every first point
   * counts (delta.ts).
   */
  horizonMs?: () => number;
}

/** The series of one batch: what is known of each (null: no row expected) and its identity. */
class BatchSeries {
  readonly known = new Map<string, SavedSeries | null>();
  readonly points = new Map<string, MetricPoint>();
  readonly cache: SeriesCache;
  constructor(cache: SeriesCache) {
    this.cache = cache;
  }

  /** The state the batch's deltas start from (applyDeltas' `before`). */
  before = (key: string, p: MetricPoint): SeriesState | undefined => {
    if (!this.known.has(key)) {
      this.known.set(key, this.cache.get(key) ?? null);
      this.points.set(key, p);
    }
    return this.known.get(key)?.state;
  };

  /**
   * The writes of these next states, each checked against the version it was computed from; a series
   * whose state did not move but for its time is left out (see above) unless its row is due a rewrite.
   */
  writes(states: Map<string, SeriesState>): SeriesStateWrite[] {
    const out: SeriesStateWrite[] = [];
    // Sorted: every writer creates new series' rows in one order, so two never wait on each other's.
    for (const key of [...states.keys()].sort()) {
      const state = states.get(key)!;
      const known = this.known.get(key);
      if (known && state.timeMs - known.state.timeMs < REWRITE_UNCHANGED_MS && sameState(known.state, state))
        continue;
      const p = this.points.get(key)!;
      out.push({ key, service: p.service, metric: p.metric, state, prev: known?.version ?? 0 });
    }
    return out;
  }

  /** The rows as the store says they are now (null: none). */
  learn(moved: Map<string, SavedSeries | null>): void {
    for (const [key, saved] of moved) {
      this.known.set(key, saved);
      if (saved === null) this.cache.delete(key);
      else this.cache.set(key, saved);
    }
  }
}

/**
 * Stores a batch of metric points in either temporality (see above); stale or duplicate cumulative points
 * are dropped (not rejected). Throws when the store fails (nothing written: the client's retry counts the
 * batch) or after MAX_ATTEMPTS writes that all found a series moved on.
 */
export async function storeMetricPoints<R>(
  deps: SeriesDeltaDeps<R>,
  cache: SeriesCache,
  points: readonly MetricPoint[],
): Promise<void> {
  if (!points.some(isCumulative)) {
    const silver = foldMetricPoints(points, deps.rollup);
    if (silver.length > 0) await deps.store.write({ bronze: [], silver });
    return;
  }
  const batch = new BatchSeries(cache);
  const horizonMs = deps.horizonMs?.();
  for (let attempt = 1; ; attempt++) {
    const { deltas, states } = applyDeltas(points, batch.before, horizonMs);
    const silver = foldMetricPoints(deltas, deps.rollup);
    const writes = batch.writes(states);
    if (writes.length === 0) {
      // Every cumulative point was stale against a state the database had (or has since moved past), or
      // moved nothing but its time: no row to write.
      if (silver.length > 0) await deps.store.write({ bronze: [], silver });
      return;
    }
    let outcome: Awaited<ReturnType<SeriesStateStore['write']>>;
    try {
      outcome = await deps.series.write({ states: writes, silver });
    } catch (e) {
      // Written or not, this process cannot tell: forget, and read the rows back next time.
      for (const key of batch.known.keys()) cache.delete(key);
      throw e;
    }
    if (outcome.written) {
      for (const w of writes) cache.set(w.key, { state: w.state, version: w.prev + 1 });
      return;
    }
    if (attempt >= MAX_ATTEMPTS)
      throw new Error(`metric series kept changing under ${MAX_ATTEMPTS} writes of one batch; retry it`);
    batch.learn(outcome.moved);
  }
}
