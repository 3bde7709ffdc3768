import { applyDeltas, isCumulative, type SeriesState } from '../../domain/telemetry/delta.ts';
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

export interface SeriesDeltaDeps<R> {
  /** Batches with no cumulative point (nothing to check) go here, as ingestMetricPoints writes them. */
  store: Pick<TelemetryStore, 'write'>;
  series: SeriesStateStore;
  rollup: RollupFns<R>;
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

  /** The writes of these next states, each checked against the version it was computed from. */
  writes(states: Map<string, SeriesState>): SeriesStateWrite[] {
    // Sorted: every writer creates new series' rows in one order, so two never wait on each other's.
    return [...states.keys()].sort().map((key) => {
      const p = this.points.get(key)!;
      const state = states.get(key)!;
      return { key, service: p.service, metric: p.metric, state, prev: this.known.get(key)?.version ?? 0 };
    });
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
  for (let attempt = 1; ; attempt++) {
    const { deltas, states } = applyDeltas(points, batch.before);
    const silver = foldMetricPoints(deltas, deps.rollup);
    if (states.size === 0) {
      // Every cumulative point was stale against a state the database had (or has since moved past).
      if (silver.length > 0) await deps.store.write({ bronze: [], silver });
      return;
    }
    const writes = batch.writes(states);
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
