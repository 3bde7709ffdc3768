import { z } from 'zod';
import { AppError } from '../../shared/errors.ts';
import { parseIsoInstant } from '../../shared/time.ts';
import { formatPath } from '../zod-issues.ts';

/**
 * The internal telemetry event (issue 5, DOMAIN.md §6): what OTLP log records and the plain batch API
 * both become. Every event counts in Silver; error and slow ones are also kept raw in Bronze (route.ts).
 *
 * PII lives only in `userId` and `email` (never in `attributes`: the OTLP converter moves `enduser.id`,
 * `user.id`, `user.email` and `enduser.email` out of them), so redaction before Bronze hashes two fields.
 */
export const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type Level = (typeof LEVELS)[number];
export type AttrValue = string | number | boolean;
export type Attributes = Record<string, AttrValue>;

export interface TelemetryEvent {
  service: string;
  /** A metric or log name: the Silver rollup key with the service and the attribute set. */
  name: string;
  timeMs: number;
  durationMs: number | null;
  /** False for a failed operation; an ERROR or FATAL level also makes an event an error (route.ts). */
  ok: boolean;
  level: Level | null;
  message: string | null;
  traceId: string | null;
  userId: string | null;
  email: string | null;
  attributes: Attributes;
}

export interface EventBatch {
  events: TelemetryEvent[];
  /** One entry per refused record, by its index in the batch; the other records are kept. */
  rejected: { index: number; reason: string }[];
}

/** Sets `out[key]`, also for the key `__proto__` (a plain assignment would change the prototype). */
export function putAttr(out: Attributes, key: string, value: AttrValue): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true });
  else out[key] = value;
}

/**
 * Case-insensitive level names, with the common aliases TRACE (→ DEBUG), INFORMATION (.NET's name, as in
 * the OTLP spec's example log), WARNING and CRITICAL.
 */
export function parseLevel(text: string): Level | null {
  const t = text.trim().toUpperCase();
  if (t === 'TRACE') return 'DEBUG';
  if (t === 'INFORMATION') return 'INFO';
  if (t === 'WARNING') return 'WARN';
  if (t === 'CRITICAL') return 'FATAL';
  return (LEVELS as readonly string[]).includes(t) ? (t as Level) : null;
}

export const isErrorLevel = (level: Level | null): boolean => level === 'ERROR' || level === 'FATAL';

/** Epoch-ms numbers below this (1973-03-03) are almost surely epoch seconds sent by mistake. */
const MIN_EPOCH_MS = 100_000_000_000;
/** The largest instant a JS Date holds. */
const MAX_EPOCH_MS = 8_640_000_000_000_000;

const optText = (max: number) => z.string().max(max).nullish();

/**
 * One record of `POST /api/telemetry/events`. Strict: an unknown field (`duration` for `duration_ms`,
 * `timestamp` for `time`) rejects the record with its name rather than being silently dropped. `null` is
 * accepted wherever a field is optional.
 */
export const plainEventSchema = z.strictObject({
  service: z.string().trim().min(1).max(200),
  name: z.string().trim().min(1).max(200),
  /** ISO-8601 with a zone, or epoch milliseconds. */
  time: z.union([z.string(), z.number()]),
  duration_ms: z.number().nonnegative().nullish(),
  ok: z.boolean().nullish(),
  level: z.string().nullish(),
  message: z.string().nullish(),
  trace_id: optText(128),
  user_id: z.union([z.string().max(256), z.number()]).nullish(),
  email: optText(320),
  attributes: z.record(z.string().min(1).max(256), z.union([z.string(), z.number(), z.boolean()])).nullish(),
});
export type PlainEvent = z.infer<typeof plainEventSchema>;

function formatIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path, 'event');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
    return `${where}: unknown field${issue.keys.length === 1 ? '' : 's'} ${keys}`;
  }
  if (where === 'time' && issue.code === 'invalid_union') {
    return 'time: expected an ISO-8601 instant or epoch milliseconds';
  }
  return `${where}: ${issue.message}`;
}

/** Epoch ms from an ISO-8601 instant (with a zone) or an epoch-ms number, or the reason it is not one. */
export function parseEventTime(time: string | number): { ms: number } | { reason: string } {
  if (typeof time === 'string') {
    const ms = parseIsoInstant(time.trim());
    return ms === null
      ? { reason: `time: not an ISO-8601 instant with a zone: ${JSON.stringify(time)}` }
      : { ms };
  }
  if (!Number.isFinite(time) || time < 0 || time > MAX_EPOCH_MS) {
    return { reason: `time: ${time} is not epoch milliseconds` };
  }
  if (time < MIN_EPOCH_MS)
    return { reason: `time: ${time} looks like epoch seconds; send epoch milliseconds` };
  return { ms: Math.trunc(time) };
}

const blankToNull = (s: string | null | undefined): string | null => {
  const t = s?.trim();
  return t === undefined || t === '' ? null : t;
};

/** A validated plain record as an event, or the reason it cannot be one. */
export function plainToEvent(p: PlainEvent): { event: TelemetryEvent } | { reason: string } {
  const time = parseEventTime(p.time);
  if ('reason' in time) return time;
  let level: Level | null = null;
  if (p.level !== null && p.level !== undefined && p.level.trim() !== '') {
    level = parseLevel(p.level);
    if (level === null) {
      return { reason: `level: unknown level ${JSON.stringify(p.level)} (expected ${LEVELS.join(', ')})` };
    }
  }
  const attributes: Attributes = {};
  const sent = p.attributes;
  if (sent) for (const k of Object.keys(sent)) putAttr(attributes, k, sent[k]!);
  const userId = p.user_id === null || p.user_id === undefined ? null : blankToNull(String(p.user_id));
  return {
    event: {
      service: p.service,
      name: p.name,
      timeMs: time.ms,
      durationMs: p.duration_ms ?? null,
      ok: p.ok ?? !isErrorLevel(level),
      level,
      message: p.message ?? null,
      traceId: blankToNull(p.trace_id),
      userId,
      email: blankToNull(p.email),
      attributes,
    },
  };
}

const optString = (v: unknown, max: number): boolean =>
  v === undefined || v === null || (typeof v === 'string' && v.length <= max);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** service and name: a string of 1–200 characters once trimmed (the schema's trim, min, max). */
function trimmedName(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t.length >= 1 && t.length <= 200 ? t : null;
}

/** A plain object, as JSON.parse makes them (anything else is left to the schema). */
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

function validAttributes(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (!isPlainObject(v)) return false;
  for (const k in v) {
    // `__proto__` takes the schema's path, whatever it makes of it.
    if (k.length < 1 || k.length > 256 || k === '__proto__') return false;
    const a = v[k];
    if (!(typeof a === 'string' || typeof a === 'boolean' || finite(a))) return false;
  }
  return true;
}

/**
 * The record as plainEventSchema would parse it, checked by hand, or null when it is not plainly valid.
 * Validating every record of a 1,000-event batch with the schema was a large part of ingest's CPU; this
 * accepts only records the schema accepts, with the same output (service and name trimmed, every other
 * field as sent), and leaves anything else (a refusal, with the schema's reasons) to the schema.
 */
export function validPlainEvent(item: unknown): PlainEvent | null {
  if (!isPlainObject(item)) return null;
  const r = item;
  let service: string | null = null;
  let name: string | null = null;
  for (const k in r) {
    const v = r[k];
    switch (k) {
      case 'service':
        service = trimmedName(v);
        if (service === null) return null;
        break;
      case 'name':
        name = trimmedName(v);
        if (name === null) return null;
        break;
      case 'time':
        if (!(typeof v === 'string' || finite(v))) return null;
        break;
      case 'duration_ms':
        if (!(v === undefined || v === null || (finite(v) && v >= 0))) return null;
        break;
      case 'ok':
        if (!(v === undefined || v === null || typeof v === 'boolean')) return null;
        break;
      case 'level':
      case 'message':
        if (!optString(v, Number.POSITIVE_INFINITY)) return null;
        break;
      case 'trace_id':
        if (!optString(v, 128)) return null;
        break;
      case 'user_id':
        if (!(optString(v, 256) || finite(v))) return null;
        break;
      case 'email':
        if (!optString(v, 320)) return null;
        break;
      case 'attributes':
        if (!validAttributes(v)) return null;
        break;
      default:
        return null;
    }
  }
  if (service === null || name === null || !('time' in r)) return null;
  // The record itself when trimming changed nothing (the common case): no copy per event.
  return service === r['service'] && name === r['name']
    ? (r as PlainEvent)
    : { ...(r as PlainEvent), service, name };
}

/**
 * The body of `POST /api/telemetry/events`: a JSON array of records, or `{ "events": [...] }`. Partial
 * acceptance: a bad record is listed in `rejected` (all its problems, `; `-joined) and the others are
 * kept. A body that is neither shape is refused as a whole (AppError VALIDATION → 400).
 *
 * `ok` defaults to "level is not ERROR or FATAL"; an explicit `ok` is kept as sent even if the level
 * disagrees (either marks the event as an error).
 */
/**
 * The instants events are taken for: not older than `fromMs` (Bronze's retention: an older event would
 * only make a partition the janitor drops) nor later than `toMs` (the clock plus its tolerated skew).
 * Answers why an event is refused, or null.
 */
export function eventWindowCheck(fromMs: number, toMs: number): (e: TelemetryEvent) => string | null {
  const iso = (ms: number) => new Date(ms).toISOString();
  return (e) =>
    e.timeMs < fromMs
      ? `time ${iso(e.timeMs)} is older than the retention window (events from ${iso(fromMs)} on are kept)`
      : e.timeMs > toMs
        ? `time ${iso(e.timeMs)} is in the future (the server's clock says ${iso(toMs)} at most)`
        : null;
}

export function parseEventBatch(
  body: unknown,
  accept: (e: TelemetryEvent) => string | null = () => null,
): EventBatch {
  const items = Array.isArray(body)
    ? body
    : typeof body === 'object' && body !== null && Array.isArray((body as { events?: unknown }).events)
      ? ((body as { events: unknown[] }).events as unknown[])
      : null;
  if (items === null) {
    throw new AppError('VALIDATION', 'expected a JSON array of events or an object with an "events" array');
  }
  const out: EventBatch = { events: [], rejected: [] };
  items.forEach((item, index) => {
    const fast = validPlainEvent(item);
    const r = fast !== null ? ({ success: true, data: fast } as const) : plainEventSchema.safeParse(item);
    if (!r.success) {
      out.rejected.push({ index, reason: [...new Set(r.error.issues.map(formatIssue))].join('; ') });
      return;
    }
    const e = plainToEvent(r.data);
    const refused = 'reason' in e ? e.reason : accept(e.event);
    if (refused !== null) out.rejected.push({ index, reason: refused });
    else if ('event' in e) out.events.push(e.event);
  });
  return out;
}
