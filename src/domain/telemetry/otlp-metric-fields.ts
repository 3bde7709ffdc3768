import { expLowerBound } from './exp-histogram.ts';
import type { ExpBuckets, MetricPoint, QuantileValue } from './metric-point.ts';
import { arrayField, finiteDouble, isObj, type Obj, Reject, toCount, toInt } from './otlp-common.ts';
import { scaled } from './units.ts';

/**
 * The kind-specific fields of one OTLP/JSON data point (otlp-metrics.ts reads the metric around it),
 * checked and with every value converted by the unit's `factor` (units.ts). Each throws Reject with the
 * reason when the point is malformed.
 */

export const optDouble = (p: Obj, key: string): number | undefined =>
  p[key] === undefined || p[key] === null ? undefined : finiteDouble(p[key], key);

/** sum, min and max when sent, converted. */
function statsFields(p: Obj, factor: number): Partial<MetricPoint> {
  const out: Partial<MetricPoint> = {};
  for (const key of ['sum', 'min', 'max'] as const) {
    const v = optDouble(p, key);
    if (v !== undefined) out[key] = scaled(v, factor);
  }
  return out;
}

/** HistogramDataPoint: count, sum/min/max, explicitBounds, bucketCounts (one more than the bounds). */
export function histogramFields(p: Obj, factor: number): Partial<MetricPoint> {
  const count = toCount(p.count, 'count');
  const bounds = arrayField(p, 'explicitBounds').map((b, i) =>
    scaled(finiteDouble(b, `explicitBounds[${i}]`), factor),
  );
  const buckets = arrayField(p, 'bucketCounts').map((c, i) => toCount(c, `bucketCounts[${i}]`));
  for (let i = 1; i < bounds.length; i++) {
    if (bounds[i]! <= bounds[i - 1]!) throw new Reject('explicitBounds: must be strictly increasing');
  }
  if (buckets.length > 0 && buckets.length !== bounds.length + 1) {
    throw new Reject(
      `bucketCounts: ${buckets.length} buckets for ${bounds.length} bounds (expected one more)`,
    );
  }
  const total = buckets.reduce((a, b) => a + b, 0);
  if (buckets.length > 0 && total !== count) {
    throw new Reject(`bucketCounts add up to ${total}, not count ${count}`);
  }
  return { count, ...statsFields(p, factor), bounds, bucketCounts: buckets };
}

/** The scales OTLP allows (the SDKs start at 20 and only scale down; −10 covers every double). */
export const MIN_SCALE = -10;
export const MAX_SCALE = 20;
/**
 * Buckets per side of one point. The SDKs' default is 160; each bucket becomes one sketch insert, so a
 * hostile point of millions of buckets is refused rather than folded.
 */
export const MAX_EXP_BUCKETS = 4096;

function expBuckets(v: unknown, field: string, scale: number, factor: number): ExpBuckets {
  if (v === undefined || v === null) return { offset: 0, bucketCounts: [] };
  if (!isObj(v)) throw new Reject(`${field}: expected a Buckets object`);
  const offset = v.offset === undefined || v.offset === null ? 0 : toInt(v.offset);
  if (offset === null || !Number.isSafeInteger(offset)) {
    throw new Reject(`${field}.offset: expected an integer, got ${JSON.stringify(v.offset)}`);
  }
  const bucketCounts = arrayField(v, 'bucketCounts').map((c, i) => toCount(c, `${field}.bucketCounts[${i}]`));
  if (bucketCounts.length > MAX_EXP_BUCKETS) {
    throw new Reject(`${field}: ${bucketCounts.length} buckets (at most ${MAX_EXP_BUCKETS})`);
  }
  if (bucketCounts.length > 0) {
    // Every bucket's bounds must be positive finite doubles once converted, or the sketch cannot hold them.
    const low = expLowerBound(offset, scale) * factor;
    const high = expLowerBound(offset + bucketCounts.length, scale) * factor;
    if (!(low > 0 && Number.isFinite(high))) {
      throw new Reject(`${field}: buckets ${offset}…${offset + bucketCounts.length - 1} are out of range`);
    }
  }
  return { offset, bucketCounts };
}

const total = (b: ExpBuckets): number => b.bucketCounts.reduce((a, c) => a + c, 0);

/**
 * ExponentialHistogramDataPoint: count, sum/min/max, scale, zeroCount, zeroThreshold, positive and
 * negative buckets. The zero bucket and both sides must add up to count. The buckets keep their indices
 * (a factor such as 1000 cannot re-index them): `bucketFactor` carries the unit conversion.
 */
export function expHistogramFields(p: Obj, factor: number): Partial<MetricPoint> {
  const count = toCount(p.count, 'count');
  const scale = p.scale === undefined || p.scale === null ? 0 : toInt(p.scale);
  if (scale === null || scale < MIN_SCALE || scale > MAX_SCALE) {
    throw new Reject(`scale: expected an integer ${MIN_SCALE}…${MAX_SCALE}, got ${JSON.stringify(p.scale)}`);
  }
  const zeroCount = toCount(p.zeroCount, 'zeroCount');
  const zeroThreshold = optDouble(p, 'zeroThreshold');
  if (zeroThreshold !== undefined && zeroThreshold < 0) {
    throw new Reject(`zeroThreshold: expected a number ≥ 0, got ${zeroThreshold}`);
  }
  const positive = expBuckets(p.positive, 'positive', scale, factor);
  const negative = expBuckets(p.negative, 'negative', scale, factor);
  const sum = zeroCount + total(positive) + total(negative);
  if (sum !== count) throw new Reject(`zeroCount and buckets add up to ${sum}, not count ${count}`);
  const out: Partial<MetricPoint> = { count, ...statsFields(p, factor), scale, zeroCount };
  if (zeroThreshold !== undefined) out.zeroThreshold = scaled(zeroThreshold, factor);
  return { ...out, positive, negative, bucketFactor: factor };
}

function quantileValue(q: unknown, field: string, factor: number): QuantileValue {
  if (!isObj(q)) throw new Reject(`${field}: expected a ValueAtQuantile object`);
  const quantile =
    q.quantile === undefined || q.quantile === null ? 0 : finiteDouble(q.quantile, `${field}.quantile`);
  if (quantile < 0 || quantile > 1) throw new Reject(`${field}.quantile: expected 0…1, got ${quantile}`);
  const value = q.value === undefined || q.value === null ? 0 : finiteDouble(q.value, `${field}.value`);
  return { quantile, value: scaled(value, factor) };
}

/**
 * SummaryDataPoint: count, sum (a plain double in the proto: absent is 0) and quantileValues, sorted by
 * quantile. A summary is cumulative (it has no aggregationTemporality); its quantiles describe whatever
 * window the sender computed them over and cannot be added up: fold.ts approximates with them.
 */
export function summaryFields(p: Obj, factor: number): Partial<MetricPoint> {
  const count = toCount(p.count, 'count');
  const sum = scaled(optDouble(p, 'sum') ?? 0, factor);
  const quantiles = arrayField(p, 'quantileValues')
    .map((q, i) => quantileValue(q, `quantileValues[${i}]`, factor))
    .sort((a, b) => a.quantile - b.quantile);
  return { count, sum, quantiles };
}
