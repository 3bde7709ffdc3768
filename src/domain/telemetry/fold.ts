import type { TelemetryEvent } from './event.ts';
import { expBucketValues, type WeightedValue } from './exp-histogram.ts';
import type { MetricPoint } from './metric-point.ts';
import { type MinuteAcc, MinuteBatch, type RollupFns } from './minute-batch.ts';
import type { MinuteRollup } from './rollup.ts';
import { isErrorEvent } from './route.ts';
import { isFailure, sideOfMetric } from './semconv.ts';

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

/** count, sum, min and max of a histogram-like point into its row; its count into errors on failure. */
function addStats(row: MinuteAcc<unknown>['row'], p: MetricPoint, count: number, estimate: number): void {
  row.count += count;
  if (isFailure(p.attributes, sideOfMetric(p.metric))) row.errors += count;
  row.sum += p.sum ?? estimate;
  if (p.min !== undefined) row.min = row.min === null ? p.min : Math.min(row.min, p.min);
  if (p.max !== undefined) row.max = row.max === null ? p.max : Math.max(row.max, p.max);
}

/**
 * Weighted values into the sketch, scaled so that the sketch holds exactly `count` values (the SLA's
 * "slow = count − values below the threshold" needs both to agree). The scale is 1 for a well-formed
 * delta point; it is not for an exponential histogram whose buckets are still cumulative while its count
 * is a delta (a cumulative series before delta.ts diffs its buckets): its shape is kept, never its total.
 * Returns the weighted sum of the values (the estimate of `sum` when the point has none).
 */
function sketchWeighted<R>(
  silver: MinuteBatch<R>,
  acc: MinuteAcc<R>,
  values: WeightedValue[],
  count: number,
) {
  const total = values.reduce((a, v) => a + v.weight, 0);
  if (!(total > 0)) return 0;
  const k = count / total;
  let estimate = 0;
  for (const { value, weight } of values) {
    if (weight > 0) {
      silver.sketchValue(acc, value, weight * k);
      estimate += value * weight * k;
    }
  }
  return estimate;
}

/** A histogram point: count, sum, min, max from the point; each bucket's value weighted into the sketch. */
function foldHistogram<R>(silver: MinuteBatch<R>, p: MetricPoint): void {
  const count = p.count ?? 0;
  if (!(count > 0)) return;
  const acc = silver.at(p.service, p.metric, p.attributes, p.timeMs);
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
  addStats(acc.row, p, count, estimate);
}

/** An exponential histogram point: as a histogram, its buckets' log-midpoints (exp-histogram.ts). */
function foldExpHistogram<R>(silver: MinuteBatch<R>, p: MetricPoint): void {
  const count = p.count ?? 0;
  if (!(count > 0)) return;
  const acc = silver.at(p.service, p.metric, p.attributes, p.timeMs);
  addStats(acc.row, p, count, sketchWeighted(silver, acc, expBucketValues(p), count));
}

/**
 * A summary's quantiles as a distribution of `count` values: each reported quantile's value stands for
 * the values between the previous quantile and it (weight count·(q_k − q_k−1), from q = 0), and the
 * values above the last quantile take its value. Reading the sketch at a reported quantile thus gives the
 * reported value back (within the sketch's 1%, for counts large enough that ranks fall inside the steps);
 * between them it reads the next higher reported value: pessimistic for a latency SLA, never optimistic.
 * Quantile 0 and 1, when sent, are the minimum and maximum.
 */
export function summaryValues(p: Pick<MetricPoint, 'count' | 'quantiles'>): WeightedValue[] {
  const count = p.count ?? 0;
  const qs = p.quantiles ?? [];
  const out: WeightedValue[] = [];
  let below = 0;
  for (const { quantile, value } of qs) {
    const weight = count * (quantile - below);
    if (weight > 0) out.push({ value, weight });
    below = Math.max(below, quantile);
  }
  const last = qs[qs.length - 1];
  if (last !== undefined && below < 1 && count > 0)
    out.push({ value: last.value, weight: count * (1 - below) });
  return out;
}

/** A summary point: count and sum as sent, min/max from quantiles 0 and 1, its quantiles (above). */
function foldSummary<R>(silver: MinuteBatch<R>, p: MetricPoint): void {
  const count = p.count ?? 0;
  if (!(count > 0)) return;
  const acc = silver.at(p.service, p.metric, p.attributes, p.timeMs);
  const qs = p.quantiles ?? [];
  const min = qs[0]?.quantile === 0 ? qs[0].value : undefined;
  const max = qs[qs.length - 1]?.quantile === 1 ? qs[qs.length - 1]!.value : undefined;
  const estimate = sketchWeighted(silver, acc, summaryValues(p), count);
  addStats(
    acc.row,
    { ...p, ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) },
    count,
    estimate,
  );
}

/** A sum: count and sum both add the delta; errors too when its attributes say failure (semconv.ts). */
function foldSum<R>(silver: MinuteBatch<R>, p: MetricPoint): void {
  const v = p.value;
  if (v === undefined || !Number.isFinite(v) || v === 0) return;
  const acc = silver.at(p.service, p.metric, p.attributes, p.timeMs);
  acc.row.count += Math.round(v);
  acc.row.sum += v;
  if (v > 0 && isFailure(p.attributes, sideOfMetric(p.metric))) acc.row.errors += Math.round(v);
}

/**
 * Delta metric points (never cumulative: the use case converts those first):
 * - sum (a counter such as `http.server.requests`): count and sum both add the delta; count is rounded
 *   to a whole number (the column is an integer), sum keeps it exact. No min/max/sketch.
 * - gauge: one observation of its value: count + 1, value into sum/min/max and the sketch.
 * - histogram: count, sum, min and max from the point (sum estimated from the bucket values above when
 *   the point has none); the sketch gets each bucket's value (bucketValues) weighted by its count.
 * - exphistogram: the same, with each bucket's log-midpoint (exp-histogram.ts, within the histogram's
 *   own accuracy); summary: count and sum as sent, its quantiles as a stepped distribution (summaryValues).
 * A point with count 0 adds nothing.
 * errors: a sum, histogram, exphistogram or summary point whose attributes say the operations failed
 * (semconv.ts: `error.type`, an HTTP status ≥ 500, a failing gRPC status) adds its whole count to errors
 * as well, so an availability SLA over metrics burns. A gauge is a reading, not events: never an error.
 */
export function foldMetricPoints<R>(points: readonly MetricPoint[], fns: RollupFns<R>): MinuteRollup[] {
  const silver = new MinuteBatch(fns);
  for (const p of points) {
    if (p.kind === 'sum') foldSum(silver, p);
    else if (p.kind === 'gauge') {
      if (p.value === undefined || !Number.isFinite(p.value)) continue;
      const acc = silver.at(p.service, p.metric, p.attributes, p.timeMs);
      acc.row.count += 1;
      silver.value(acc, p.value);
    } else if (p.kind === 'histogram') foldHistogram(silver, p);
    else if (p.kind === 'exphistogram') foldExpHistogram(silver, p);
    else if (p.kind === 'summary') foldSummary(silver, p);
  }
  return silver.rows();
}
