import type { TelemetryEvent } from '../../domain/telemetry/event.ts';
import { foldEvents, foldMetricPoints } from '../../domain/telemetry/fold.ts';
import type { RollupFns } from '../../domain/telemetry/minute-batch.ts';
import type { MetricPoint } from '../../domain/telemetry/otlp-metrics.ts';
import { isBronze } from '../../domain/telemetry/route.ts';
import type { BronzeRow, DeltaState, SeriesStateStore, SilverMinute, TelemetryStore } from './ports.ts';
import { DEFAULT_SERIES_CACHE, SeriesCache, storeMetricPoints } from './series-deltas.ts';

/**
 * Telemetry ingest (issue 5, DOMAIN.md §6): events and metric points → Bronze rows and Silver minute
 * rollups, written in one store transaction per call. Read top to bottom: the adapter converts a request
 * (domain/telemetry/otlp-*.ts, event.ts) → cumulative points become deltas against their series' saved
 * state (series-deltas.ts) → the domain folds them into minutes (domain/telemetry/fold.ts) → the store
 * writes them (with the series' new states, in the same statement).
 *
 * - Every event counts in the Silver minute of its (service, name, tags); error and slow events are also
 *   kept raw in Bronze, with the user id and email replaced by their keyed hash (never stored raw).
 * - Metric points only feed Silver, as deltas.
 */

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

async function write(
  store: TelemetryStore,
  bronze: BronzeRow[],
  silver: SilverMinute[],
): Promise<IngestResult> {
  if (bronze.length > 0 || silver.length > 0) await store.write({ bronze, silver });
  return { bronze: bronze.length, silver: silver.length };
}

/** The events kept in Bronze (errors and slow ones), as rows; each service's threshold asked once. */
function bronzeRows(deps: IngestDeps<unknown>, events: readonly TelemetryEvent[]): BronzeRow[] {
  const thresholds = new Map<string, number | null>();
  const threshold = (service: string) => {
    if (!thresholds.has(service)) thresholds.set(service, deps.latencyThresholdMs(service));
    return thresholds.get(service) ?? null;
  };
  const rows: BronzeRow[] = [];
  for (const e of events) if (isBronze(e, threshold(e.service))) rows.push(toBronzeRow(e, deps.hash));
  return rows;
}

/** Events → Bronze (errors and slow ones) and Silver (all, folded as domain/telemetry/fold.ts says). */
export async function ingestEvents<R>(
  deps: IngestDeps<R>,
  events: readonly TelemetryEvent[],
): Promise<IngestResult> {
  return write(deps.store, bronzeRows(deps, events), foldEvents(events, deps.rollup));
}

/** Delta metric points → Silver (never Bronze); see foldMetricPoints. */
export async function ingestMetricPoints<R>(
  deps: IngestDeps<R>,
  points: readonly MetricPoint[],
): Promise<IngestResult> {
  return write(deps.store, [], foldMetricPoints(points, deps.rollup));
}

/**
 * Points as a sender exported them → their deltas through an in-memory DeltaState (cumulative ones; stale
 * or duplicate ones dropped, not counted as rejected) → `store`. When `store` fails, the deltas are undone,
 * so the client's retry (same timestamps) is not taken for a duplicate and the interval's increase is not
 * lost. One process only, and forgotten on restart: the ingest use case (below) keeps its state in the
 * database instead; this form serves a single-process caller (the HTTP routes' tests).
 */
export async function storeAsDeltas(
  deltas: DeltaState,
  points: readonly MetricPoint[],
  store: (deltas: MetricPoint[]) => Promise<unknown>,
): Promise<void> {
  const out: MetricPoint[] = [];
  const undo = deltas.checkpoint(points);
  for (const p of points) {
    const d = deltas.toDelta(p);
    if (d !== null) out.push(d);
  }
  try {
    if (out.length > 0) await store(out);
  } catch (err) {
    undo();
    throw err;
  }
}

/** What the ingest routes call: events, and metric points in either temporality. */
export interface TelemetryIngest {
  events(events: TelemetryEvent[]): Promise<void>;
  metrics(points: MetricPoint[]): Promise<void>;
}

/** How the ingest use case keeps series states (telemetryIngest). */
export interface SeriesOptions {
  /** Series states cached per instance (least recently used forgotten first). */
  cacheSize?: number;
  /**
   * The instant before which a series' saved state may have been purged (the janitor drops series idle
   * longer than the raw tier's retention): series-deltas.ts takes the first point of a series that may have
   * lived before it as a baseline, not a delta. Absent: no state is ever purged.
   */
  horizonMs?: () => number;
}

/**
 * The ingest use case as one object. Cumulative metric points are turned into deltas against the state
 * their series have in `series` (durable, shared with every other instance: series-deltas.ts), so any
 * number of instances (replicas, or this process after a restart) count each increase once. Each instance
 * caches up to `cacheSize` series states (least recently used forgotten first); the cache saves a read, it
 * is never trusted.
 */
export function telemetryIngest<R>(
  deps: IngestDeps<R>,
  series: SeriesStateStore,
  opts: SeriesOptions = {},
): TelemetryIngest {
  const cache = new SeriesCache(opts.cacheSize ?? DEFAULT_SERIES_CACHE);
  const metricDeps = {
    store: deps.store,
    series,
    rollup: deps.rollup,
    ...(opts.horizonMs ? { horizonMs: opts.horizonMs } : {}),
  };
  return {
    events: async (events) => {
      await ingestEvents(deps, events);
    },
    metrics: (points) => storeMetricPoints(metricDeps, cache, points),
  };
}
