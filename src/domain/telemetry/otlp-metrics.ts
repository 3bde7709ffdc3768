import type { MetricKind, MetricPoint, Temporality } from './metric-point.ts';
import {
  finiteDouble,
  flattenAttributes,
  isObj,
  nanosToMs,
  type Obj,
  Reject,
  Rejections,
  toInt,
} from './otlp-common.ts';
import { expHistogramFields, histogramFields, summaryFields } from './otlp-metric-fields.ts';
import { type OtlpShape, walkOtlp } from './otlp-walk.ts';
import { normalizeUnit, scaled } from './units.ts';

export type { ExpBuckets, MetricKind, MetricPoint, QuantileValue, Temporality } from './metric-point.ts';

/**
 * ExportMetricsServiceRequest (OTLP/JSON, `POST /v1/metrics`) → metric points, one per data point
 * (the shape: metric-point.ts; the kind-specific fields: otlp-metric-fields.ts).
 *
 * - sum and gauge points carry `value` (asInt or asDouble, finite); sums also `monotonic`.
 * - histogram points carry `count`, `sum`/`min`/`max` when sent, `bounds` (explicitBounds, strictly
 *   increasing) and `bucketCounts` (one more than the bounds, adding up to `count`; may both be empty).
 * - exponentialHistogram points (kind 'exphistogram') carry `count`, `sum`/`min`/`max` when sent, `scale`
 *   (−10…20), `zeroCount`, `zeroThreshold` when sent, `positive` and `negative` ({offset, bucketCounts},
 *   empty when absent) and `bucketFactor`; the zero bucket and both sides add up to `count`. fold.ts maps
 *   them onto the quantile sketch.
 * - summary points carry `count`, `sum` and `quantiles` ({quantile, value}, sorted by quantile).
 * - units (units.ts): the metric's `unit` is normalized and every value converted at this point, so that
 *   durations are milliseconds from here on: a histogram's sum, min, max and bounds, an exponential
 *   histogram's sum, min, max and zeroThreshold (its buckets through `bucketFactor`), a summary's sum and
 *   quantile values, a sum's or gauge's value. `unit` records the result ('ms' for time; others as sent;
 *   absent when the metric has none).
 * - temporality: 1 → 'delta', 2 → 'cumulative' (unspecified is rejected); gauges have null; summaries,
 *   which OTLP gives no temporality, are 'cumulative' (their count and sum run since the start).
 *   Cumulative points are turned into deltas by DeltaTracker (delta.ts); this file leaves them as sent.
 * - startMs is null when `startTimeUnixNano` is unset (gauges usually); `timeUnixNano` is required.
 * - Data points flagged FLAG_NO_RECORDED_VALUE (flags bit 0) carry no value: skipped, not rejected.
 *
 * Partial acceptance as in otlp-logs.ts; `rejected` counts data points (OTLP's rejectedDataPoints).
 */
export interface MetricsConversion {
  points: MetricPoint[];
  rejected: number;
  errors: string[];
}

const FLAG_NO_RECORDED_VALUE = 1;
/** The OTLP field of each kind, in the order they are looked for. */
const FIELDS: readonly (readonly [field: string, kind: MetricKind])[] = [
  ['sum', 'sum'],
  ['gauge', 'gauge'],
  ['histogram', 'histogram'],
  ['exponentialHistogram', 'exphistogram'],
  ['summary', 'summary'],
];

function temporalityOf(data: Obj, kind: MetricKind, field: string): Temporality | null {
  if (kind === 'gauge') return null;
  if (kind === 'summary') return 'cumulative';
  const t = data.aggregationTemporality;
  if (t === 1) return 'delta';
  if (t === 2) return 'cumulative';
  throw new Reject(
    `${field}.aggregationTemporality: expected 1 (delta) or 2 (cumulative), got ${JSON.stringify(t)}`,
  );
}

function numberValue(p: Obj): number {
  if (p.asInt !== undefined && p.asInt !== null) {
    const n = toInt(p.asInt);
    if (n === null) throw new Reject(`asInt: expected an integer, got ${JSON.stringify(p.asInt)}`);
    return n;
  }
  if (p.asDouble !== undefined && p.asDouble !== null) return finiteDouble(p.asDouble, 'asDouble');
  throw new Reject('no asInt or asDouble');
}

/** What every point of a metric shares. `factor` converts its values to `unit` (units.ts). */
export type PointHead = Pick<MetricPoint, 'service' | 'metric' | 'kind' | 'temporality'> & {
  monotonic?: boolean;
  unit?: string;
  factor?: number;
};

function kindFields(p: Obj, kind: MetricKind, factor: number): Partial<MetricPoint> {
  if (kind === 'histogram') return histogramFields(p, factor);
  if (kind === 'exphistogram') return expHistogramFields(p, factor);
  if (kind === 'summary') return summaryFields(p, factor);
  const value = numberValue(p);
  return { value: scaled(value, factor) };
}

/** One data point; null when it carries no recorded value; throws Reject when malformed. */
export function dataPointToMetricPoint(p: unknown, head: PointHead): MetricPoint | null {
  if (!isObj(p)) throw new Reject('expected a data point object');
  const flags = p.flags ?? 0;
  if (typeof flags === 'number' && (flags & FLAG_NO_RECORDED_VALUE) !== 0) return null;
  const timeMs = nanosToMs(p.timeUnixNano, 'timeUnixNano');
  if (timeMs === null) throw new Reject('no timeUnixNano');
  const point: MetricPoint = {
    service: head.service,
    metric: head.metric,
    attributes: flattenAttributes(p.attributes),
    startMs: nanosToMs(p.startTimeUnixNano, 'startTimeUnixNano'),
    timeMs,
    kind: head.kind,
    temporality: head.temporality,
  };
  if (head.unit !== undefined) point.unit = head.unit;
  Object.assign(point, kindFields(p, head.kind, head.factor ?? 1));
  if (head.kind === 'sum') point.monotonic = head.monotonic ?? false;
  return point;
}

const pointsOf = (data: unknown): unknown[] =>
  isObj(data) && Array.isArray(data.dataPoints) ? data.dataPoints : [];

interface MetricHead {
  name: string;
  kind: MetricKind;
  data: Obj;
  temporality: Temporality | null;
  dataPoints: unknown[];
}

/** One Metric checked as a whole (name, kind, temporality); a Reject here rejects all its data points. */
function metricHead(m: unknown): MetricHead {
  if (!isObj(m)) throw new Reject('expected a Metric object', 0);
  const found = FIELDS.find(([field]) => isObj(m[field]));
  const dataPoints = pointsOf(found ? m[found[0]] : undefined);
  const name = typeof m.name === 'string' ? m.name.trim() : '';
  if (name === '') throw new Reject('a metric needs a non-empty "name"', dataPoints.length);
  if (found === undefined) {
    throw new Reject(`${name}: no sum, gauge, histogram, exponentialHistogram or summary data`, 0);
  }
  const [field, kind] = found;
  const data = m[field] as Obj;
  if (data.dataPoints !== undefined && data.dataPoints !== null && !Array.isArray(data.dataPoints)) {
    throw new Reject(`${name}: ${field}.dataPoints: expected an array`, 0);
  }
  try {
    return { name, kind, data, temporality: temporalityOf(data, kind, field), dataPoints };
  } catch (e) {
    throw e instanceof Reject ? new Reject(`${name}: ${e.message}`, dataPoints.length) : e;
  }
}

function metricPoints(m: unknown, service: string, where: string, out: MetricPoint[], rej: Rejections): void {
  let h: MetricHead;
  try {
    h = metricHead(m);
  } catch (e) {
    rej.caught(where, e);
    return;
  }
  const { unit, factor } = normalizeUnit((m as Obj).unit);
  const head: PointHead = {
    service,
    metric: h.name,
    kind: h.kind,
    temporality: h.temporality,
    monotonic: h.data.isMonotonic === true,
    factor,
  };
  if (unit !== undefined) head.unit = unit;
  for (const [l, p] of h.dataPoints.entries()) {
    try {
      const point = dataPointToMetricPoint(p, head);
      if (point !== null) out.push(point);
    } catch (e) {
      rej.caught(`${where}.dataPoints[${l}] (${h.name})`, e);
    }
  }
}

const METRICS_SHAPE: OtlpShape = {
  request: 'ExportMetricsServiceRequest',
  resources: ['resourceMetrics', 'ResourceMetrics'],
  scopes: ['scopeMetrics', 'ScopeMetrics'],
  items: 'metrics',
};

export function metricsRequestToPoints(body: unknown): MetricsConversion {
  const points: MetricPoint[] = [];
  const rej = new Rejections();
  walkOtlp(body, METRICS_SHAPE, rej, (m, where, { service }) => metricPoints(m, service, where, points, rej));
  return { points, rejected: rej.count, errors: rej.errors };
}
