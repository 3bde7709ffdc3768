import type { TelemetryEvent } from './event.ts';
import { MinuteBatch, type RollupFns } from './minute-batch.ts';
import type { MetricPoint } from './otlp-metrics.ts';
import type { MinuteRollup } from './rollup.ts';
import { isErrorEvent } from './route.ts';

/**
 * Events and metric points folded into Silver minute rollups: pure, the sketch functions injected.
 * The use case (app/telemetry/ingest.ts) decides what is kept in Bronze and writes both.
 */

/**
 * Each event adds 1 to `count`, 1 to `errors` when it is an error (ok false, or level ERROR/FATAL: the
 * same rule as Bronze routing), and its duration, when it has one, to sum/min/max and the sketch.
 */
export function foldEvents<R>(events: readonly TelemetryEvent[], fns: RollupFns<R>): MinuteRollup[] {
  const silver = new MinuteBatch(fns);
  for (const e of events) {
    const acc = silver.at(e.service, e.name, e.attributes, e.timeMs);
    acc.row.count += 1;
    if (isErrorEvent(e)) acc.row.errors += 1;
    if (e.durationMs !== null && Number.isFinite(e.durationMs)) silver.value(acc, e.durationMs);
  }
  return silver.rows();
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

/** A histogram point: count, sum, min, max from the point; each bucket's value weighted into the sketch. */
function foldHistogram<R>(silver: MinuteBatch<R>, p: MetricPoint): void {
  const count = p.count ?? 0;
  if (!(count > 0)) return;
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

/**
 * Delta metric points (never cumulative: the use case converts those first):
 * - sum (a counter such as `http.server.requests`): count and sum both add the delta; count is rounded
 *   to a whole number (the column is an integer), sum keeps it exact. No min/max/sketch.
 * - gauge: one observation of its value: count + 1, value into sum/min/max and the sketch.
 * - histogram: count, sum, min and max from the point (sum estimated from the bucket values above when
 *   the point has none); the sketch gets each bucket's value (bucketValues) weighted by its count.
 *   A point with count 0 adds nothing.
 * errors stay 0: a metric point says nothing about failure unless a later rule reads its tags.
 */
export function foldMetricPoints<R>(points: readonly MetricPoint[], fns: RollupFns<R>): MinuteRollup[] {
  const silver = new MinuteBatch(fns);
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
    } else foldHistogram(silver, p);
  }
  return silver.rows();
}
