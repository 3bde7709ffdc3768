import { type CumulativeKind, RULES, type SeriesState } from './delta-rules.ts';
import type { MetricPoint } from './metric-point.ts';

/**
 * Cumulative OTLP sums, histograms, exponential histograms and summaries → deltas per series (TELEMETRY.md:
 * SDKs default to cumulative; summaries are always cumulative).
 * Silver adds deltas up per minute; a cumulative value added up would count every past event again.
 *
 * Rules, per series (seriesKey: service + metric + attributes sorted by key), given its saved state:
 * - the first point of a series → its whole value is the delta, over [startMs, timeMs]: the SDK's
 *   start time marks the start of counting, so everything counted so far is new to us. Unless the
 *   caller says states seen last before `horizonMs` may have been forgotten (the janitor purges series
 *   idle longer than the raw tier's retention) and the point cannot prove it is new: its start is unknown
 *   (null) or before the horizon, so an earlier life of the series may have been counted and its state
 *   purged since. (OTLP also marks an unknown start by a start equal to the time, in nanoseconds; points
 *   here carry milliseconds, where an SDK's first collection often falls in the millisecond of its first
 *   measurement, so that mark cannot be told apart and is not used.) Such a point is a **baseline**:
 *   no delta, its state saved, the next point differenced against it (the OTLP data model's rule for an
 *   unknown start, "Cumulative streams: handling unknown start time": the first point's rate
 *   contribution is zero; the Collector's cumulativetodelta `initial_value: auto` draws the same line at
 *   its own start). A series idle beyond retention that comes back is thus counted from its return on,
 *   never twice;
 * - a reset → the new value is the delta, over [startMs, timeMs]. A reset is a new startMs (both known
 *   and different), a change of kind, or what the kind's rule calls one (delta-rules.ts: a decrease of a
 *   monotonic sum; of a histogram's count or any bucket, or changed bucket bounds; an exponential
 *   histogram's higher scale or any decrease, a lower scale folding the previous point down first). An
 *   up-down counter (monotonic false) may go down: not a reset;
 * - otherwise the delta is the difference from the previous point, over [previous timeMs, timeMs], by
 *   the kind's rule (histogram min/max kept only when they moved; a summary's quantiles as sent);
 * - a point not newer than the series' last one (a retried batch, a late duplicate) → no delta, and the
 *   state does not change. Because the saved timeMs only moves forward, a point stale against any
 *   earlier copy of the state is stale against every later one too.
 * Delta points and gauges pass through unchanged and have no state.
 *
 * `deltaStep` and `applyDeltas` are the pure rules; where the state lives is the caller's business (the
 * ingest use case keeps it in the database, app/telemetry/series-deltas.ts; DeltaTracker below is the
 * in-memory form, for one process that may forget).
 */

export type { CumulativeKind, SeriesState } from './delta-rules.ts';

/** The series identity: service, metric and the attributes sorted by key (types kept: 1 ≠ "1"). */
export function seriesKey(p: Pick<MetricPoint, 'service' | 'metric' | 'attributes'>): string {
  const keys = Object.keys(p.attributes).sort();
  return JSON.stringify([p.service, p.metric, keys.map((k) => [k, p.attributes[k]])]);
}

/** Whether the point is turned into a delta against a saved state (cumulative, of any kind but gauge). */
export const isCumulative = (p: MetricPoint): boolean => p.temporality === 'cumulative' && p.kind !== 'gauge';

function isReset(prev: SeriesState, p: MetricPoint): boolean {
  if (prev.kind !== p.kind) return true;
  if (p.startMs !== null && prev.startMs !== null && p.startMs !== prev.startMs) return true;
  return RULES[p.kind as CumulativeKind].isReset(prev, p);
}

/** The point minus its identity, temporality and unit: what its series remembers (lists shared). */
export function stateOf(p: MetricPoint): SeriesState {
  const { service: _s, metric: _m, attributes: _a, temporality: _t, unit: _u, ...state } = p;
  return state;
}

/** A cumulative point's delta (null: stale, duplicate or a baseline) and its series' state after it. */
export interface DeltaStep {
  delta: MetricPoint | null;
  /** The state after the point; the very `prev` object when the point was stale. */
  next: SeriesState;
}

/**
 * Whether a series' first point is a baseline rather than a delta (see the rules above): only when states
 * may have been forgotten (`horizonMs` given) and the point's start is unknown or before the horizon.
 */
export function isBaseline(point: MetricPoint, horizonMs: number | undefined): boolean {
  if (horizonMs === undefined) return false;
  return point.startMs === null || point.startMs < horizonMs;
}

/**
 * One cumulative point against its series' previous state (undefined: none known), by the rules above;
 * `horizonMs`: states last seen before it may have been forgotten (undefined: none ever is). Pure: `prev`
 * is not changed.
 */
export function deltaStep(prev: SeriesState | undefined, point: MetricPoint, horizonMs?: number): DeltaStep {
  if (prev !== undefined && point.timeMs <= prev.timeMs) return { delta: null, next: prev };
  const next = stateOf(point);
  if (prev === undefined && isBaseline(point, horizonMs)) return { delta: null, next };
  if (prev === undefined || isReset(prev, point)) return { delta: { ...point, temporality: 'delta' }, next };
  const out: MetricPoint = { ...point, temporality: 'delta', startMs: prev.timeMs };
  RULES[point.kind as CumulativeKind].difference(prev, point, out);
  return { delta: out, next };
}

/**
 * Whether two states of a series are the same but for their time: same start, kind and every value. A
 * point that moved nothing else has a zero delta, and its series' saved state need not be written again
 * (app/telemetry/series-deltas.ts). Plain data compared by value, keys in any order (a state read back
 * from jsonb has its keys reordered), an undefined field the same as an absent one (JSON drops both).
 */
export function sameState(a: SeriesState, b: SeriesState): boolean {
  return sameValue({ ...a, timeMs: 0 }, { ...b, timeMs: 0 });
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((x, i) => sameValue(x, bs[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);
  const ak = keys(ao);
  return ak.length === keys(bo).length && ak.every((k) => sameValue(ao[k], bo[k]));
}

/** A batch's deltas, and the state of each series the batch moved on. */
export interface AppliedDeltas {
  /**
   * Every point in delta form, in order: delta points and gauges as they were; stale points and baselines
   * left out.
   */
  deltas: MetricPoint[];
  /** The new state of every series that took a point, baselines included (by seriesKey); stale-only series are absent. */
  states: Map<string, SeriesState>;
}

/**
 * A batch of points → their deltas, each cumulative point against the state its series had before it:
 * the previous point of the batch, else `before(key, point)` (the saved state; undefined: none), asked
 * at a series' points until one of them moves it on. `horizonMs` as deltaStep. Pure, but for what
 * `before` does.
 */
export function applyDeltas(
  points: readonly MetricPoint[],
  before: (key: string, point: MetricPoint) => SeriesState | undefined,
  horizonMs?: number,
): AppliedDeltas {
  const deltas: MetricPoint[] = [];
  const states = new Map<string, SeriesState>();
  for (const p of points) {
    if (!isCumulative(p)) {
      deltas.push(p);
      continue;
    }
    const key = seriesKey(p);
    const prev = states.get(key) ?? before(key, p);
    const { delta, next } = deltaStep(prev, p, horizonMs);
    if (delta !== null) deltas.push(delta);
    if (next !== prev) states.set(key, next);
  }
  return { deltas, states };
}

/** DeltaTracker's default bound: series remembered before the least recently used one is forgotten. */
export const DEFAULT_MAX_SERIES = 100_000;

/**
 * The rules over an in-memory state, for a single process that may forget: state lost on restart (or
 * evicted) makes a series' next point a "first point" and counts its run total again. The ingest use case
 * does not use it (its state is durable); a caller may save `entries()` and pass them back.
 *
 * Bounded: at most `maxSeries` series (least recently used evicted first; Map order is use order).
 */
export class DeltaTracker {
  readonly #series: Map<string, SeriesState>;
  readonly #max: number;

  constructor(saved?: Iterable<readonly [string, SeriesState]>, maxSeries = DEFAULT_MAX_SERIES) {
    this.#max = Math.max(1, maxSeries);
    this.#series = new Map();
    for (const [key, state] of saved ?? []) this.#remember(key, state);
  }

  #remember(key: string, state: SeriesState): void {
    this.#series.delete(key);
    this.#series.set(key, state);
    if (this.#series.size > this.#max) this.#series.delete(this.#series.keys().next().value!);
  }

  /** The delta form of `point` (see the rules above), or null for a stale or duplicate point. */
  toDelta(point: MetricPoint): MetricPoint | null {
    if (!isCumulative(point)) return point;
    const key = seriesKey(point);
    const step = deltaStep(this.#series.get(key), point);
    if (step.delta !== null) this.#remember(key, step.next);
    return step.delta;
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
        else this.#remember(key, state);
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
    return [...this.#series.entries()].map(([k, s]) => [k, structuredClone(s)]);
  }
}
