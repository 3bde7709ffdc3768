import type { Attributes, TelemetryEvent } from './event.ts';
import { attrValue, isObj, type Obj, Reject } from './otlp-common.ts';
import { collectEvents, type OtlpShape } from './otlp-walk.ts';
import { isFailure } from './semconv.ts';

/**
 * ExportTraceServiceRequest (OTLP/JSON, `POST /v1/traces`) → request events, so that an availability or
 * latency SLA can be written over spans with no metrics at all. A span is not stored whole: it becomes
 * the event the tiers need (every one counts in Silver; failed and slow ones are kept in Bronze by the
 * ingest use case, which makes failed spans Bronze evidence).
 *
 * Which spans: SERVER (kind 2) and CONSUMER (5) spans: each is one request or message handled by the
 * reporting service. CLIENT (3), PRODUCER (4) and INTERNAL (1) spans are skipped (not rejected, not
 * counted): they are another service's requests or a part of one, and counting them would count a
 * request twice. UNSPECIFIED (0, also an absent kind) is skipped too, as the OTLP spec allows ("MAY
 * assume INTERNAL"), with or without a parent: a manual root span wrapping an instrumented server span
 * would otherwise count the request twice. A kind outside 0–5 rejects the span. Enum names
 * ("SPAN_KIND_SERVER", "STATUS_CODE_ERROR") are read as well as the integers OTLP/JSON sends.
 *
 * The event:
 * - service: the resource's `service.name`; name: the span name (e.g. "GET /pay", which the HTTP
 *   conventions keep low-cardinality: method and route). SLAs select by (service, metric), so an SLA over
 *   spans names the span name as its metric. A name must be 1–200 characters once trimmed.
 * - timeMs: the end (`endTimeUnixNano`), when the request's outcome is known, as a metric is recorded;
 *   durationMs: end − start in nanoseconds (exact BigInt arithmetic: the instants exceed 2^53) / 1e6.
 *   Both instants are required and the end may not precede the start.
 * - ok: an explicit status decides: ERROR (2) fails, OK (1) succeeds (the spec: OK is final, set by the
 *   application on purpose). Unset (0) is read from the attributes by the semantic conventions for the
 *   server side (semconv.ts): `error.type` present, an HTTP status ≥ 500, a failing gRPC server status.
 *   level: 'ERROR' when it failed, else null; message: `status.message` (at most 500 characters).
 * - traceId: 32 hex digits, lower-cased (the all-zero id is none).
 * - attributes: only KEPT_ATTRIBUTES below, scalar values, strings cut at 128 characters: low-cardinality
 *   keys the conventions define for request spans. Never the URL, the query, the peer address or any user
 *   data (`enduser.id`, headers): Silver keys rows by this set, Bronze stores it. userId and email are null.
 *
 * Partial acceptance as in otlp-logs.ts: a malformed span is counted in `rejected` with its reason.
 */
export interface TracesConversion {
  events: TelemetryEvent[];
  rejected: number;
  errors: string[];
}

/** The request attributes of the conventions kept as tags (plus the pre-1.21 HTTP method and status). */
export const KEPT_ATTRIBUTES: readonly string[] = [
  'http.request.method',
  'http.route',
  'http.response.status_code',
  'rpc.system',
  'rpc.service',
  'rpc.method',
  'rpc.grpc.status_code',
  'messaging.system',
  'messaging.destination.name',
  'error.type',
  'http.method',
  'http.status_code',
];
const KEPT = new Set(KEPT_ATTRIBUTES);

export const SPAN_KIND = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;
const STATUS = { UNSET: 0, OK: 1, ERROR: 2 } as const;
const MAX_NAME = 200;
const MAX_MESSAGE = 500;
const MAX_TAG = 128;

/** An enum as its integer, from the integer or its proto name (`prefix` + key of `names`). */
function enumOf(v: unknown, names: Readonly<Record<string, number>>, prefix: string, field: string): number {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && v.startsWith(prefix) ? names[v.slice(prefix.length)] : v;
  const max = Math.max(...Object.values(names));
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > max) {
    throw new Reject(`${field}: expected an integer 0–${max}, got ${JSON.stringify(v)}`);
  }
  return n;
}

const UINT = /^\d{1,20}$/;
const MAX_U64 = 2n ** 64n;

/** A uint64 of nanoseconds as a BigInt; null when absent or 0 (unset). */
function nanos(v: unknown, field: string): bigint | null {
  if (v === undefined || v === null) return null;
  let n: bigint | null = null;
  if (typeof v === 'string' && UINT.test(v)) n = BigInt(v);
  else if (typeof v === 'number' && Number.isInteger(v) && v >= 0) n = BigInt(v);
  if (n === null || n >= MAX_U64) {
    throw new Reject(`${field}: expected unsigned nanoseconds, got ${JSON.stringify(v)}`);
  }
  return n === 0n ? null : n;
}

const TRACE_ID = /^[0-9a-fA-F]{32}$/;
const ZERO_TRACE = '0'.repeat(32);

function traceIdOf(v: unknown): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' || !TRACE_ID.test(v)) {
    throw new Reject(`traceId: expected 32 hex digits, got ${JSON.stringify(v)}`);
  }
  const id = v.toLowerCase();
  return id === ZERO_TRACE ? null : id;
}

const cut = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** The kept attributes of a span (see above); a kept key with a malformed value rejects the span. */
export function keptAttributes(list: unknown): Attributes {
  const out: Attributes = {};
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new Reject('attributes: expected an array of key/value pairs');
  for (const kv of list) {
    if (!isObj(kv) || typeof kv.key !== 'string' || !KEPT.has(kv.key) || !isObj(kv.value)) continue;
    const raw = kv.value;
    if ('arrayValue' in raw || 'kvlistValue' in raw || 'bytesValue' in raw) continue;
    const v = attrValue(raw, `attributes.${kv.key}`);
    if (v !== null) out[kv.key] = typeof v === 'string' ? cut(v, MAX_TAG) : v;
  }
  return out;
}

function nameOf(span: Obj): string {
  const name = typeof span.name === 'string' ? span.name.trim() : '';
  if (name === '' || name.length > MAX_NAME) {
    throw new Reject(`a span needs a name of 1–${MAX_NAME} characters, got ${JSON.stringify(span.name)}`);
  }
  return name;
}

function statusOf(span: Obj): { code: number; message: string | null } {
  const s = span.status;
  if (s === undefined || s === null) return { code: STATUS.UNSET, message: null };
  if (!isObj(s)) throw new Reject('status: expected a Status object');
  const code = enumOf(s.code, STATUS, 'STATUS_CODE_', 'status.code');
  const text = typeof s.message === 'string' ? s.message.trim() : '';
  return { code, message: text === '' ? null : cut(text, MAX_MESSAGE) };
}

/** One span as a request event; null when it is not a request span (skipped); throws Reject when malformed. */
export function spanToEvent(span: unknown, service: string): TelemetryEvent | null {
  if (!isObj(span)) throw new Reject('expected a Span object');
  const kind = enumOf(span.kind, SPAN_KIND, 'SPAN_KIND_', 'kind');
  if (kind !== SPAN_KIND.SERVER && kind !== SPAN_KIND.CONSUMER) return null;
  const name = nameOf(span);
  const start = nanos(span.startTimeUnixNano, 'startTimeUnixNano');
  const end = nanos(span.endTimeUnixNano, 'endTimeUnixNano');
  if (start === null || end === null) throw new Reject('a span needs startTimeUnixNano and endTimeUnixNano');
  if (end < start) throw new Reject('endTimeUnixNano is before startTimeUnixNano');
  const status = statusOf(span);
  const attributes = keptAttributes(span.attributes);
  const ok =
    status.code === STATUS.ERROR ? false : status.code === STATUS.OK || !isFailure(attributes, 'server');
  return {
    service,
    name,
    timeMs: Number(end / 1_000_000n),
    durationMs: Number(end - start) / 1e6,
    ok,
    level: ok ? null : 'ERROR',
    message: status.message,
    traceId: traceIdOf(span.traceId),
    userId: null,
    email: null,
    attributes,
  };
}

const TRACES_SHAPE: OtlpShape = {
  request: 'ExportTraceServiceRequest',
  resources: ['resourceSpans', 'ResourceSpans'],
  scopes: ['scopeSpans', 'ScopeSpans'],
  items: 'spans',
};

/** `accept` may refuse a well-formed request event (its time outside the window, say), with its reason. */
export function tracesRequestToEvents(
  body: unknown,
  accept: (e: TelemetryEvent) => string | null = () => null,
): TracesConversion {
  return collectEvents(body, TRACES_SHAPE, (span, { service }) => spanToEvent(span, service), accept);
}
