import type { Attributes } from './event.ts';

/**
 * One OTLP metric data point as the rest of the app sees it (made by otlp-metrics.ts, turned into a delta
 * by delta.ts, folded into Silver by fold.ts). One flat shape with a field group per kind, so code that
 * reads "the count" or "the sum" reads it the same way for every kind that has one.
 *
 * Values are in the point's `unit` as normalized at ingest (units.ts): every duration in milliseconds.
 *
 * | kind           | OTLP                  | fields                                                           |
 * | -------------- | --------------------- | ---------------------------------------------------------------- |
 * | 'sum'          | sum                   | value, monotonic                                                 |
 * | 'gauge'        | gauge                 | value                                                            |
 * | 'histogram'    | histogram             | count, sum?, min?, max?, bounds, bucketCounts                    |
 * | 'exphistogram' | exponentialHistogram  | count, sum?, min?, max?, scale, zeroCount, zeroThreshold?,       |
 * |                |                       | positive, negative, bucketFactor                                 |
 * | 'summary'      | summary               | count, sum, quantiles                                            |
 */
export type MetricKind = 'sum' | 'gauge' | 'histogram' | 'exphistogram' | 'summary';
export type Temporality = 'delta' | 'cumulative';

/**
 * One side (positive or negative values) of an exponential histogram: `bucketCounts[k]` counts the values
 * whose magnitude falls in bucket index `offset + k`, i.e. in (base^(offset+k), base^(offset+k+1)] with
 * base = 2^(2^−scale), times the point's `bucketFactor`.
 */
export interface ExpBuckets {
  offset: number;
  bucketCounts: number[];
}

/** A summary's quantile (0 ≤ quantile ≤ 1; 0 is the minimum, 1 the maximum) and its value. */
export interface QuantileValue {
  quantile: number;
  value: number;
}

export interface MetricPoint {
  service: string;
  metric: string;
  attributes: Attributes;
  startMs: number | null;
  timeMs: number;
  kind: MetricKind;
  /** null for gauges; summaries are always 'cumulative' (OTLP gives them no temporality). */
  temporality: Temporality | null;
  /** The unit of the values after conversion ('ms' for every time unit); absent when none was sent. */
  unit?: string;

  /** sum, gauge */
  value?: number;
  /** sum: a monotonic counter (a decrease of a cumulative one is a reset) or an up-down counter. */
  monotonic?: boolean;

  /** histogram, exphistogram, summary: how many values the point describes. */
  count?: number;
  /** histogram, exphistogram (when sent), summary. */
  sum?: number;
  /** histogram, exphistogram (when sent). */
  min?: number;
  max?: number;

  /** histogram: explicit bounds (strictly increasing) and one more bucket count than bounds. */
  bounds?: number[];
  bucketCounts?: number[];

  /** exphistogram: base = 2^(2^−scale); −10 ≤ scale ≤ 20. */
  scale?: number;
  /** exphistogram: values whose magnitude is at most zeroThreshold (absent: exactly zero). */
  zeroCount?: number;
  zeroThreshold?: number;
  positive?: ExpBuckets;
  negative?: ExpBuckets;
  /**
   * exphistogram: the unit conversion applied to the bucket bounds, which cannot be re-indexed by a
   * factor such as 1000: bucket i covers (base^i·bucketFactor, base^(i+1)·bucketFactor]. 1 unless the
   * unit was converted (1000 for seconds). sum, min, max and zeroThreshold are already converted.
   */
  bucketFactor?: number;

  /** summary: the quantiles the sender computed, by increasing quantile. */
  quantiles?: QuantileValue[];
}
