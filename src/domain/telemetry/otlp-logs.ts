import { type Attributes, isErrorLevel, type Level, parseLevel, type TelemetryEvent } from './event.ts';
import { flattenAttributes, isObj, nanosToMs, type Obj, plainValue, Reject } from './otlp-common.ts';
import { collectEvents, type OtlpShape } from './otlp-walk.ts';

/**
 * ExportLogsServiceRequest (OTLP/JSON, `POST /v1/logs`) → telemetry events.
 *
 * - service: resource attribute `service.name`, else 'unknown_service'.
 * - name: the record's `eventName`, else its attribute `event.name` (the OTel event conventions), else the
 *   instrumentation scope name (usually the logger's name), else 'log'. An event name is the most
 *   specific label a sender gives; the scope is a stable, low-cardinality fallback for plain logs.
 * - time: `timeUnixNano`, else `observedTimeUnixNano` (both unset → rejected).
 * - level: `severityNumber` 1–8 DEBUG, 9–12 INFO, 13–16 WARN, 17–20 ERROR, 21–24 FATAL; when it is 0
 *   (unspecified), a recognisable `severityText` (e.g. "error"); else null. ok = not ERROR/FATAL.
 * - message: `body.stringValue`, or JSON of any other body kind; null without a body.
 * - attributes: flattened AnyValues (arrays and kvlists as JSON text). These keys are moved out of them:
 *   `enduser.id` / `user.id` → userId, `user.email` / `enduser.email` → email (so PII sits only in the
 *   two fields that Bronze hashes), `duration_ms` → durationMs (a number ≥ 0; as a tag it would make
 *   every Silver tag set unique), and `event.name` when it named the event.
 *
 * A malformed record is counted in `rejected` with its reason in `errors` (the first 10); the others are
 * kept. A malformed container (a ResourceLogs or ScopeLogs that is not an object, a `logRecords` that is
 * not an array) adds an error but counts 0: its records cannot be counted. A body that is not a request at all throws AppError VALIDATION (→ 400).
 */
export interface LogsConversion {
  events: TelemetryEvent[];
  rejected: number;
  errors: string[];
}

/** severityNumber (1–24) → level; 0 is unspecified. */
export function levelOfSeverity(n: number): Level | null {
  if (n <= 0) return null;
  if (n <= 8) return 'DEBUG';
  if (n <= 12) return 'INFO';
  if (n <= 16) return 'WARN';
  if (n <= 20) return 'ERROR';
  return 'FATAL';
}

const USER_ID_KEYS = ['enduser.id', 'user.id'];
const EMAIL_KEYS = ['user.email', 'enduser.email'];

/** Removes `keys` from `attrs`; returns the first present (in `keys` order) as text, or null. */
function takeText(attrs: Attributes, keys: readonly string[]): string | null {
  let found: string | null = null;
  for (const k of keys) {
    if (!Object.hasOwn(attrs, k)) continue;
    const v = String(attrs[k]).trim();
    if (found === null && v !== '') found = v;
    delete attrs[k];
  }
  return found;
}

function takeDuration(attrs: Attributes): number | null {
  if (!Object.hasOwn(attrs, 'duration_ms')) return null;
  const raw = attrs['duration_ms'];
  delete attrs['duration_ms'];
  const n =
    typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(n) || n < 0) {
    throw new Reject(`attribute duration_ms: expected a number ≥ 0, got ${JSON.stringify(raw)}`);
  }
  return n;
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

function severityOf(rec: Obj): Level | null {
  const n = rec.severityNumber ?? 0;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 24) {
    throw new Reject(`severityNumber: expected an integer 0–24, got ${JSON.stringify(n)}`);
  }
  if (n > 0) return levelOfSeverity(n);
  return typeof rec.severityText === 'string' ? parseLevel(rec.severityText) : null;
}

function messageOf(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  if (isObj(body) && typeof body.stringValue === 'string') return body.stringValue;
  const plain = plainValue(body, 'body');
  return plain === null ? null : typeof plain === 'string' ? plain : JSON.stringify(plain);
}

function nameOf(rec: Obj, attrs: Attributes, scopeName: string | null): string {
  if (typeof rec.eventName === 'string' && rec.eventName.trim() !== '') return rec.eventName.trim();
  const fromAttr = attrs['event.name'];
  if (typeof fromAttr === 'string' && fromAttr.trim() !== '') {
    delete attrs['event.name'];
    return fromAttr.trim();
  }
  return scopeName ?? 'log';
}

/** One LogRecord as an event; throws Reject when it is malformed. */
export function logRecordToEvent(rec: unknown, service: string, scopeName: string | null): TelemetryEvent {
  if (!isObj(rec)) throw new Reject('expected a LogRecord object');
  const timeMs =
    nanosToMs(rec.timeUnixNano, 'timeUnixNano') ??
    nanosToMs(rec.observedTimeUnixNano, 'observedTimeUnixNano');
  if (timeMs === null) throw new Reject('no timeUnixNano or observedTimeUnixNano');
  const level = severityOf(rec);
  const traceId = traceIdOf(rec.traceId);
  const attributes = flattenAttributes(rec.attributes);
  const message = messageOf(rec.body);
  return {
    service,
    name: nameOf(rec, attributes, scopeName),
    timeMs,
    durationMs: takeDuration(attributes),
    ok: !isErrorLevel(level),
    level,
    message,
    traceId,
    userId: takeText(attributes, USER_ID_KEYS),
    email: takeText(attributes, EMAIL_KEYS),
    attributes,
  };
}

const scopeNameOf = (scope: unknown): string | null =>
  isObj(scope) && typeof scope.name === 'string' && scope.name.trim() !== '' ? scope.name.trim() : null;

const LOGS_SHAPE: OtlpShape = {
  request: 'ExportLogsServiceRequest',
  resources: ['resourceLogs', 'ResourceLogs'],
  scopes: ['scopeLogs', 'ScopeLogs'],
  items: 'logRecords',
};

/** `accept` may refuse a well-formed record (its time outside the window, say), with its reason. */
export function logsRequestToEvents(
  body: unknown,
  accept: (e: TelemetryEvent) => string | null = () => null,
): LogsConversion {
  return collectEvents(
    body,
    LOGS_SHAPE,
    (rec, { service, scope }) => logRecordToEvent(rec, service, scopeNameOf(scope)),
    accept,
  );
}
