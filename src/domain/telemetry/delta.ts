import type { MetricPoint } from './otlp-metrics.ts';

/**
 * Cumulative OTLP sums and histograms → deltas per series (TELEMETRY.md: SDKs default to cumulative).
 * Silver adds deltas up per minute; a cumulative value added up would count every past event again.
 *
 * Rules, per series (seriesKey: service + metric + attributes sorted by key):
 * - the first point of a series → its whole value is the delta, over [startMs, timeMs]: the SDK's
 *   start time marks the start of counting, so everything counted so far is new to us;
 * - a reset → the new value is the delta, over [startMs, timeMs]. A reset is a new startMs (both known
 *   and different), a decrease of a monotonic sum or of a histogram's count or any bucket, changed
 *   bucket bounds, or a change of kind. An up-down counter (monotonic false) may go down: not a reset;
 * - otherwise the delta is the difference from the previous point, over [previous timeMs, timeMs].
 *   Histogram min/max: a cumulative min/max only says something about the interval when it moved
 *   (a new lower min or higher max happened in it); otherwise they are left out;
 * - a point not newer than the series' last one (a retried batch, a late duplicate) → null, no delta.
 * Delta points and gauges pass through unchanged.
 *
 * The state is a Map, with no clock: the caller evicts idle series with `forgetBefore(cutoffMs)`. State
 * lost on restart makes each series' next point a "first point" and counts its run total again; a caller
 * that must avoid that saves `entries()` and passes them back to the constructor.
 */
/** What a series remembers of its last cumulative point: its fields minus the identity and the labels. */
export type SeriesState = Pick<
  MetricPoint,
  'kind' | 'startMs' | 'timeMs' | 'value' | 'count' | 'sum' | 'min' | 'max' | 'bounds' | 'bucketCounts'
>;

/** The series identity: service, metric and the attributes sorted by key (types kept: 1 ≠ "1"). */
export function seriesKey(p: Pick<MetricPoint, 'service' | 'metric' | 'attributes'>): string {
  const keys = Object.keys(p.attributes).sort();
  return JSON.stringify([p.service, p.metric, keys.map((k) => [k, p.attributes[k]])]);
}

const sameList = (a: readonly number[] = [], b: readonly number[] = []): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

function isReset(prev: SeriesState, p: MetricPoint): boolean {
  if (prev.kind !== p.kind) return true;
  if (p.startMs !== null && prev.startMs !== null && p.startMs !== prev.startMs) return true;
  if (p.kind === 'sum') return p.monotonic !== false && (p.value ?? 0) < (prev.value ?? 0);
  if ((p.count ?? 0) < (prev.count ?? 0) || !sameList(p.bounds, prev.bounds)) return true;
  const now = p.bucketCounts ?? [];
  const before = prev.bucketCounts ?? [];
  return now.length !== before.length || now.some((c, i) => c < before[i]!);
}

function stateOf(p: MetricPoint): SeriesState {
  const { kind, startMs, timeMs, value, count, sum, min, max, bounds, bucketCounts } = p;
  return { kind, startMs, timeMs, value, count, sum, min, max, bounds, bucketCounts };
}

function difference(prev: SeriesState, p: MetricPoint): MetricPoint {
  const out: MetricPoint = { ...p, temporality: 'delta', startMs: prev.timeMs };
  if (p.kind === 'sum') {
    out.value = (p.value ?? 0) - (prev.value ?? 0);
    return out;
  }
  out.count = (p.count ?? 0) - (prev.count ?? 0);
  out.bucketCounts = (p.bucketCounts ?? []).map((c, i) => c - (prev.bucketCounts?.[i] ?? 0));
  if (p.sum !== undefined && prev.sum !== undefined) out.sum = p.sum - prev.sum;
  else delete out.sum;
  if (!(p.min !== undefined && prev.min !== undefined && p.min < prev.min)) delete out.min;
  if (!(p.max !== undefined && prev.max !== undefined && p.max > prev.max)) delete out.max;
  return out;
}

export class DeltaTracker {
  readonly #series: Map<string, SeriesState>;

  constructor(saved?: Iterable<readonly [string, SeriesState]>) {
    this.#series = new Map(saved ?? []);
  }

  /** The delta form of `point` (see the rules above), or null for a stale or duplicate point. */
  toDelta(point: MetricPoint): MetricPoint | null {
    if (point.temporality !== 'cumulative' || point.kind === 'gauge') return point;
    const key = seriesKey(point);
    const prev = this.#series.get(key);
    if (prev !== undefined && point.timeMs <= prev.timeMs) return null;
    this.#series.set(key, stateOf(point));
    if (prev === undefined || isReset(prev, point)) return { ...point, temporality: 'delta' };
    return difference(prev, point);
  }

  /**
   * Remembers the state of the series these points touch, and returns a function that puts it back. A
   * request whose points could not be stored undoes its deltas, so the client's retry (same timestamps)
   * is not taken for a duplicate and the interval's increase is not lost.
   */
  checkpoint(points: readonly MetricPoint[]): () => void {
    const saved = new Map<string, SeriesState | undefined>();
    for (const p of points) {
      const key = seriesKey(p);
      if (!saved.has(key)) saved.set(key, this.#series.get(key));
    }
    return () => {
      for (const [key, state] of saved) {
        if (state === undefined) this.#series.delete(key);
        else this.#series.set(key, state);
      }
    };
  }

  /** Drops the series last seen before `cutoffMs`; returns how many were dropped. */
  forgetBefore(cutoffMs: number): number {
    let n = 0;
    for (const [key, s] of this.#series) {
      if (s.timeMs < cutoffMs) {
        this.#series.delete(key);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.#series.size;
  }

  /** The state, to save and pass back to the constructor. */
  entries(): [string, SeriesState][] {
    return [...this.#series.entries()].map(([k, s]) => [k, { ...s }]);
  }
}
