import type { TelemetryEvent } from '../../domain/telemetry/event.ts';
import type { MetricPoint } from '../../domain/telemetry/otlp-metrics.ts';
import { isBronze, isErrorEvent } from '../../domain/telemetry/route.ts';
import { MINUTE_MS } from '../../shared/time.ts';
import type { BronzeRow, SilverMinute, TelemetryStore } from '../telemetry-ports.ts';

/**
 * Telemetry ingest (issue 5, DOMAIN.md §6): events and metric points → Bronze rows and Silver minute
 * rollups, written in one store transaction per call.
 *
 * - Every event counts in the Silver minute of its (service, name, tags); error and slow events are also
 *   kept raw in Bronze, with the user id and email replaced by their keyed hash (never stored raw).
 * - Metric points arrive as deltas (the HTTP layer runs DeltaTracker) and only feed Silver.
 */

/**
 * The quantile sketch, injected by the composition root (app/ cannot import the sketch library):
 * `{ newRollup: newSketch, addValue: add, toBytes }` from adapters/telemetry/sketch.ts. It holds only the
 * value distribution; count, errors, sum, min and max are kept beside it by this use case, because their
 * meaning depends on the source (a counter's count is its value, a histogram's count is the point's).
 */
export interface RollupFns<R> {
  newRollup(): R;
  /** Adds `value` once, or `weight` times (positive, fractions allowed). */
  addValue(rollup: R, value: number, weight?: number): void;
  toBytes(rollup: R): Uint8Array;
}

export interface IngestDeps<R = unknown> {
  store: TelemetryStore;
  /** The keyed PII hash (shared/pii.ts piiHasher), applied to user ids and emails before Bronze. */
  hash: (value: string) => string;
  /** The service's latency threshold: an event slower than it is kept in Bronze; null = never slow. */
  latencyThresholdMs: (service: string) => number | null;
  rollup: RollupFns<R>;
}

/** Rows handed to the store: Bronze events, and Silver minute rollups (distinct keys) of this batch. */
export interface IngestResult {
  bronze: number;
  silver: number;
}

/** The start of the UTC minute holding `timeMs`. */
export const minuteOf = (timeMs: number): number => Math.floor(timeMs / MINUTE_MS) * MINUTE_MS;

/**
 * The Silver tag set of an attribute set: string, number and boolean values only (anything else is
 * dropped), stringified (`200`, `true`), keys sorted by code unit. `tagsHash` is the JSON of the sorted
 * entries: stable, equal exactly when the tag sets are equal, and readable in the database. It is not a
 * digest (app/ has no crypto); a reader looking a series up builds it with this same function.
 */
export function canonicalTags(attributes: Readonly<Record<string, unknown>>): {
  tags: Record<string, string>;
  tagsHash: string;
} {
  const entries: [string, string][] = [];
  for (const [k, v] of Object.entries(attributes)) {
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))
      entries.push([k, String(v)]);
  }
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const tags: Record<string, string> = {};
  for (const [k, v] of entries) {
    // defineProperty: a `__proto__` key must become a property, not change the prototype.
    Object.defineProperty(tags, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return { tags, tagsHash: JSON.stringify(entries) };
}

interface Acc<R> {
  row: Omit<SilverMinute, 'sketchBytes'>;
  sketch: R | null;
}

type Canonical = ReturnType<typeof canonicalTags>;

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** The Silver rollups of one batch, by key. */
class SilverBatch<R> {
  /** By canonical tag set (the cached object itself), minute, service and metric: no key strings built. */
  private readonly byKey = new Map<Canonical, Map<number, Map<string, Map<string, Acc<R>>>>>();
  private readonly accs: Acc<R>[] = [];
  /**
   * canonicalTags by the attributes' JSON as sent: a batch repeats a few attribute sets thousands of
   * times, and sorting and stringifying each one was a large part of ingest's CPU. Equal JSON means equal
   * attributes (for the string, number and boolean values canonicalTags keeps), so the cache is exact.
   * Equal tag sets from different JSON (another key order) get one object too, through tagsHash.
   */
  private readonly tagsByJson = new Map<string, Canonical>();
  private readonly tagsByHash = new Map<string, Canonical>();
  private readonly fns: RollupFns<R>;
  constructor(fns: RollupFns<R>) {
    this.fns = fns;
  }

  private canonical(attributes: Record<string, unknown>): Canonical {
    let json: string | undefined;
    try {
      json = JSON.stringify(attributes);
    } catch {
      // Not JSON-able (a bigint): no caching by JSON.
    }
    let c = json === undefined ? undefined : this.tagsByJson.get(json);
    if (c === undefined) {
      const fresh = canonicalTags(attributes);
      c = this.tagsByHash.get(fresh.tagsHash);
      if (c === undefined) {
        c = fresh;
        this.tagsByHash.set(c.tagsHash, c);
      }
      if (json !== undefined) this.tagsByJson.set(json, c);
    }
    return c;
  }

  at(service: string, metric: string, attributes: Record<string, unknown>, timeMs: number): Acc<R> {
    const canonical = this.canonical(attributes);
    const minuteMs = minuteOf(timeMs);
    const byMinute = getOrAdd(this.byKey, canonical, () => new Map());
    const byService = getOrAdd(byMinute, minuteMs, () => new Map());
    const byMetric = getOrAdd(byService, service, () => new Map());
    let acc = byMetric.get(metric);
    if (!acc) {
      const { tags, tagsHash } = canonical;
      acc = {
        row: { service, metric, tags, tagsHash, minuteMs, count: 0, errors: 0, sum: 0, min: null, max: null },
        sketch: null,
      };
      byMetric.set(metric, acc);
      this.accs.push(acc);
    }
    return acc;
  }

  /** Sum, min and max of `value` (taken `weight` times), and the sketch. */
  value(acc: Acc<R>, value: number, weight = 1): void {
    const r = acc.row;
    r.sum += value * weight;
    r.min = r.min === null ? value : Math.min(r.min, value);
    r.max = r.max === null ? value : Math.max(r.max, value);
    this.sketchValue(acc, value, weight);
  }

  sketchValue(acc: Acc<R>, value: number, weight: number): void {
    acc.sketch ??= this.fns.newRollup();
    this.fns.addValue(acc.sketch, value, weight);
  }

  rows(): SilverMinute[] {
    return this.accs.map(({ row, sketch }) => ({
      ...row,
      sketchBytes: sketch === null ? null : this.fns.toBytes(sketch),
    }));
  }
}

const hashOrNull = (hash: (v: string) => string, v: string | null): string | null =>
  v === null ? null : hash(v);

/** The Bronze row of an event: user id and email hashed. */
export const toBronzeRow = (e: TelemetryEvent, hash: (v: string) => string): BronzeRow => ({
  timeMs: e.timeMs,
  service: e.service,
  name: e.name,
  level: e.level,
  ok: e.ok,
  durationMs: e.durationMs,
  message: e.message,
  traceId: e.traceId,
  userHash: hashOrNull(hash, e.userId),
  emailHash: hashOrNull(hash, e.email),
  attributes: { ...e.attributes },
});

async function write<R>(
  deps: IngestDeps<R>,
  bronze: BronzeRow[],
  silver: SilverBatch<R>,
): Promise<IngestResult> {
  const rows = silver.rows();
  if (bronze.length > 0 || rows.length > 0) await deps.store.write({ bronze, silver: rows });
  return { bronze: bronze.length, silver: rows.length };
}

/**
 * Events → Bronze (errors and slow ones) and Silver (all). In Silver each event adds 1 to `count`, 1 to
 * `errors` when it is an error (ok false, or level ERROR/FATAL: the same rule as Bronze routing), and its
 * duration, when it has one, to sum/min/max and the sketch.
 */
export async function ingestEvents<R>(
  deps: IngestDeps<R>,
  events: readonly TelemetryEvent[],
): Promise<IngestResult> {
  const thresholds = new Map<string, number | null>();
  const threshold = (service: string) => {
    if (!thresholds.has(service)) thresholds.set(service, deps.latencyThresholdMs(service));
    return thresholds.get(service) ?? null;
  };
  const bronze: BronzeRow[] = [];
  const silver = new SilverBatch(deps.rollup);
  for (const e of events) {
    if (isBronze(e, threshold(e.service))) bronze.push(toBronzeRow(e, deps.hash));
    const acc = silver.at(e.service, e.name, e.attributes, e.timeMs);
    acc.row.count += 1;
    if (isErrorEvent(e)) acc.row.errors += 1;
    if (e.durationMs !== null && Number.isFinite(e.durationMs)) silver.value(acc, e.durationMs);
  }
  return write(deps, bronze, silver);
}

/**
 * The value each histogram bucket stands for in the sketch. This is an approximation: OTLP sends counts
 * per bucket, not the values, so every value of a bucket is taken to be
 * - the midpoint of its bounds, for a bucket (bounds[i-1], bounds[i]];
 * - for the first bucket (−∞, bounds[0]]: the midpoint of [min, bounds[0]] when the point has a min, else
 *   of [0, bounds[0]] (measurements such as durations are non-negative), or bounds[0] itself when ≤ 0;
 * - for the last bucket (bounds[n-1], +∞): its lower bound bounds[n-1] (there is no upper one);
 * and clamped into [min, max] when the point has them. Quantiles read from such a sketch are therefore
 * only as precise as the buckets are narrow, not within the sketch's 1%.
 */
export function bucketValues(p: Pick<MetricPoint, 'bounds' | 'min' | 'max'>): number[] {
  const bounds = p.bounds ?? [];
  const n = bounds.length;
  if (n === 0) return [];
  const out: number[] = [];
  for (let i = 0; i <= n; i++) {
    let v: number;
    if (i === n) v = bounds[n - 1]!;
    else if (i > 0) v = (bounds[i - 1]! + bounds[i]!) / 2;
    else {
      const upper = bounds[0]!;
      const lower = p.min !== undefined && p.min <= upper ? p.min : Math.min(upper, 0);
      v = (lower + upper) / 2;
    }
    if (p.min !== undefined) v = Math.max(v, p.min);
    if (p.max !== undefined) v = Math.min(v, p.max);
    out.push(v);
  }
  return out;
}

/**
 * Delta metric points → Silver (never Bronze).
 * - sum (a counter such as `http.server.requests`): count and sum both add the delta; count is rounded
 *   to a whole number (the column is an integer), sum keeps it exact. No min/max/sketch.
 * - gauge: one observation of its value: count + 1, value into sum/min/max and the sketch.
 * - histogram: count, sum, min and max from the point (sum estimated from the bucket values below when
 *   the point has none); the sketch gets each bucket's value (bucketValues) weighted by its count.
 *   A point with count 0 adds nothing.
 * errors stay 0: a metric point says nothing about failure unless a later rule reads its tags.
 */
export async function ingestMetricPoints<R>(
  deps: IngestDeps<R>,
  points: readonly MetricPoint[],
): Promise<IngestResult> {
  const silver = new SilverBatch(deps.rollup);
  for (const p of points) {
    if (p.kind === 'sum') {
      const v = p.value;
      if (v === undefined || !Number.isFinite(v) || v === 0) continue;
      const acc = silver.at(p.service, p.metric, p.attributes, p.timeMs);
      acc.row.count += Math.round(v);
      acc.row.sum += v;
    } else if (p.kind === 'gauge') {
      if (p.value === undefined || !Number.isFinite(p.value)) continue;
      const acc = silver.at(p.service, p.metric, p.attributes, p.timeMs);
      acc.row.count += 1;
      silver.value(acc, p.value);
    } else {
      const count = p.count ?? 0;
      if (!(count > 0)) continue;
      const acc = silver.at(p.service, p.metric, p.attributes, p.timeMs);
      const r = acc.row;
      const values = bucketValues(p);
      const buckets = p.bucketCounts ?? [];
      let estimate = 0;
      if (values.length === buckets.length) {
        values.forEach((v, i) => {
          const c = buckets[i]!;
          if (c > 0) {
            silver.sketchValue(acc, v, c);
            estimate += v * c;
          }
        });
      }
      r.count += count;
      r.sum += p.sum ?? estimate;
      if (p.min !== undefined) r.min = r.min === null ? p.min : Math.min(r.min, p.min);
      if (p.max !== undefined) r.max = r.max === null ? p.max : Math.max(r.max, p.max);
    }
  }
  return write(deps, [], silver);
}
