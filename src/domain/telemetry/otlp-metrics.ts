import type { Attributes } from './event.ts';
import {
  arrayField,
  finiteDouble,
  flattenAttributes,
  isObj,
  nanosToMs,
  type Obj,
  Reject,
  Rejections,
  toCount,
  toInt,
} from './otlp-common.ts';
import { type OtlpShape, walkOtlp } from './otlp-walk.ts';

/**
 * ExportMetricsServiceRequest (OTLP/JSON, `POST /v1/metrics`) → metric points, one per data point.
 *
 * - sum and gauge points carry `value` (asInt or asDouble, finite); sums also `monotonic`.
 * - histogram points carry `count`, `sum`/`min`/`max` when sent, `bounds` (explicitBounds, strictly
 *   increasing) and `bucketCounts` (one more than the bounds, adding up to `count`; may both be empty).
 * - temporality: 1 → 'delta', 2 → 'cumulative' (unspecified is rejected); gauges have null.
 *   Cumulative points are turned into deltas by DeltaTracker (delta.ts).
 * - startMs is null when `startTimeUnixNano` is unset (gauges usually); `timeUnixNano` is required.
 * - Data points flagged FLAG_NO_RECORDED_VALUE (flags bit 0) carry no value: skipped, not rejected.
 * - exponentialHistogram and summary are not supported: their points are rejected with a reason.
 *
 * Partial acceptance as in otlp-logs.ts; `rejected` counts data points (OTLP's rejectedDataPoints).
 */
export type MetricKind = 'sum' | 'gauge' | 'histogram';
export type Temporality = 'delta' | 'cumulative';

export interface MetricPoint {
  service: string;
  metric: string;
  attributes: Attributes;
  startMs: number | null;
  timeMs: number;
  kind: MetricKind;
  temporality: Temporality | null;
  /** sum, gauge */
  value?: number;
  /** sum: a monotonic counter (a decrease of a cumulative one is a reset) or an up-down counter. */
  monotonic?: boolean;
  /** histogram */
  count?: number;
  sum?: number;
  min?: number;
  max?: number;
  bounds?: number[];
  bucketCounts?: number[];
}

export interface MetricsConversion {
  points: MetricPoint[];
  rejected: number;
  errors: string[];
}

const FLAG_NO_RECORDED_VALUE = 1;
const KINDS = ['sum', 'gauge', 'histogram'] as const;
const UNSUPPORTED = ['exponentialHistogram', 'summary'] as const;

function temporalityOf(data: Obj, kind: MetricKind): Temporality | null {
  if (kind === 'gauge') return null;
  const t = data.aggregationTemporality;
  if (t === 1) return 'delta';
  if (t === 2) return 'cumulative';
  throw new Reject(
    `${kind}.aggregationTemporality: expected 1 (delta) or 2 (cumulative), got ${JSON.stringify(t)}`,
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

const optDouble = (p: Obj, key: string): number | undefined =>
  p[key] === undefined || p[key] === null ? undefined : finiteDouble(p[key], key);

function histogramFields(p: Obj): Partial<MetricPoint> {
  const count = toCount(p.count, 'count');
  const bounds = arrayField(p, 'explicitBounds').map((b, i) => finiteDouble(b, `explicitBounds[${i}]`));
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
  const out: Partial<MetricPoint> = { count };
  for (const key of ['sum', 'min', 'max'] as const) {
    const v = optDouble(p, key);
    if (v !== undefined) out[key] = v;
  }
  out.bounds = bounds;
  out.bucketCounts = buckets;
  return out;
}

/** One data point; null when it carries no recorded value; throws Reject when malformed. */
export function dataPointToMetricPoint(
  p: unknown,
  head: Pick<MetricPoint, 'service' | 'metric' | 'kind' | 'temporality'> & { monotonic?: boolean },
): MetricPoint | null {
  if (!isObj(p)) throw new Reject('expected a data point object');
  const flags = p.flags ?? 0;
  if (typeof flags === 'number' && (flags & FLAG_NO_RECORDED_VALUE) !== 0) return null;
  const timeMs = nanosToMs(p.timeUnixNano, 'timeUnixNano');
  if (timeMs === null) throw new Reject('no timeUnixNano');
  const base: MetricPoint = {
    service: head.service,
    metric: head.metric,
    attributes: flattenAttributes(p.attributes),
    startMs: nanosToMs(p.startTimeUnixNano, 'startTimeUnixNano'),
    timeMs,
    kind: head.kind,
    temporality: head.temporality,
  };
  if (head.kind === 'histogram') return { ...base, ...histogramFields(p) };
  const point: MetricPoint = { ...base, value: numberValue(p) };
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
  const kind = KINDS.find((k) => isObj(m[k]));
  const unsupported = UNSUPPORTED.find((k) => isObj(m[k]));
  const dataPoints = pointsOf(kind ? m[kind] : unsupported ? m[unsupported] : undefined);
  const name = typeof m.name === 'string' ? m.name.trim() : '';
  if (name === '') throw new Reject('a metric needs a non-empty "name"', dataPoints.length);
  if (kind === undefined) {
    if (unsupported === undefined) throw new Reject(`${name}: no sum, gauge or histogram data`, 0);
    throw new Reject(
      `${name}: ${unsupported} is not supported (use sum, gauge or histogram)`,
      dataPoints.length,
    );
  }
  const data = m[kind] as Obj;
  if (data.dataPoints !== undefined && data.dataPoints !== null && !Array.isArray(data.dataPoints)) {
    throw new Reject(`${name}: ${kind}.dataPoints: expected an array`, 0);
  }
  try {
    return { name, kind, data, temporality: temporalityOf(data, kind), dataPoints };
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
  const head = {
    service,
    metric: h.name,
    kind: h.kind,
    temporality: h.temporality,
    monotonic: h.data.isMonotonic === true,
  };
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
