import { AppError } from '../../shared/errors.ts';
import { type Attributes, type AttrValue, putAttr } from './event.ts';

/**
 * OTLP/JSON decoding shared by logs and metrics (TELEMETRY.md): lowerCamelCase keys, unknown fields
 * ignored, 64-bit integers as decimal strings or numbers, proto3 defaults omitted (an absent count is 0),
 * doubles possibly "NaN" / "Infinity" / "-Infinity".
 */

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A problem with one record or data point, thrown while converting it and caught and counted by the
 * loop; `records` overrides how many records it rejects (a bad metric rejects all its data points).
 */
export class Reject extends Error {
  readonly records: number | undefined;
  constructor(message: string, records?: number) {
    super(message);
    this.records = records;
  }
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
};

const UINT = /^\d{1,20}$/;
const INT = /^-?\d{1,20}$/;

/** A uint64 of nanoseconds since the epoch → epoch ms (truncated); null when absent or 0 (unset). */
export function nanosToMs(v: unknown, field: string): number | null {
  if (v === undefined || v === null) return null;
  let ms: number;
  if (typeof v === 'string' && UINT.test(v)) ms = v.length > 6 ? Number(v.slice(0, -6)) : 0;
  else if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 64) ms = Math.floor(v / 1e6);
  else throw new Reject(`${field}: expected unsigned nanoseconds, got ${show(v)}`);
  return ms === 0 && Number(v) === 0 ? null : ms;
}

/** A uint64 (a count), absent = 0 (proto3 default). */
export function toCount(v: unknown, field: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string' && UINT.test(v)) return Number(v);
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  throw new Reject(`${field}: expected an unsigned integer, got ${show(v)}`);
}

/** An int64 as a number (precision beyond 2^53 is lost), or null when it is not one. */
export function toInt(v: unknown): number | null {
  if (typeof v === 'string' && INT.test(v)) return Number(v);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  return null;
}

/** A double: a JSON number or one of proto3's "NaN", "Infinity", "-Infinity"; null when neither. */
export function toDouble(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  return null;
}

/** A finite double, or a Reject naming the field. */
export function finiteDouble(v: unknown, field: string): number {
  const d = toDouble(v);
  if (d === null || !Number.isFinite(d))
    throw new Reject(`${field}: expected a finite number, got ${show(v)}`);
  return d;
}

const MAX_DEPTH = 16;

/**
 * An AnyValue as plain JSON-able data: strings, booleans, numbers (an int64 beyond 2^53 stays a digit
 * string, a non-finite double becomes its name), arrays, objects; bytes stay base64. Unset is null.
 */
export function plainValue(v: unknown, field: string, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new Reject(`${field}: values nested more than ${MAX_DEPTH} deep`);
  if (!isObj(v)) throw new Reject(`${field}: expected an AnyValue object, got ${show(v)}`);
  if ('stringValue' in v) {
    if (typeof v.stringValue !== 'string') throw new Reject(`${field}: stringValue must be a string`);
    return v.stringValue;
  }
  if ('boolValue' in v) {
    if (typeof v.boolValue !== 'boolean') throw new Reject(`${field}: boolValue must be true or false`);
    return v.boolValue;
  }
  if ('intValue' in v) {
    const n = toInt(v.intValue);
    if (n === null) throw new Reject(`${field}: intValue must be an integer, got ${show(v.intValue)}`);
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if ('doubleValue' in v) {
    const d = toDouble(v.doubleValue);
    if (d === null) throw new Reject(`${field}: doubleValue must be a number, got ${show(v.doubleValue)}`);
    return Number.isFinite(d) ? d : String(d);
  }
  if ('bytesValue' in v) {
    if (typeof v.bytesValue !== 'string') throw new Reject(`${field}: bytesValue must be base64 text`);
    return v.bytesValue;
  }
  if ('arrayValue' in v) {
    const values = isObj(v.arrayValue) ? (v.arrayValue.values ?? []) : null;
    if (!Array.isArray(values)) throw new Reject(`${field}: arrayValue.values must be an array`);
    return values.map((x, i) => plainValue(x, `${field}[${i}]`, depth + 1));
  }
  if ('kvlistValue' in v) {
    const values = isObj(v.kvlistValue) ? (v.kvlistValue.values ?? []) : null;
    if (!Array.isArray(values)) throw new Reject(`${field}: kvlistValue.values must be an array`);
    const out: Record<string, unknown> = {};
    for (const kv of values) {
      const key = keyOf(kv, field);
      const inner = plainValue((kv as Obj).value ?? {}, `${field}.${key}`, depth + 1);
      Object.defineProperty(out, key, { value: inner, enumerable: true, writable: true });
    }
    return out;
  }
  return null;
}

function keyOf(kv: unknown, field: string): string {
  if (!isObj(kv) || typeof kv.key !== 'string' || kv.key === '') {
    throw new Reject(`${field}: each attribute needs a non-empty "key"`);
  }
  return kv.key;
}

/** An AnyValue as an attribute value: scalars as they are, arrays and kvlists as JSON text; unset → null. */
export function attrValue(v: unknown, field: string): AttrValue | null {
  const p = plainValue(v, field);
  if (p === null) return null;
  return typeof p === 'object' ? JSON.stringify(p) : (p as AttrValue);
}

/** A KeyValue list flattened to attributes (a later duplicate key wins; unset values are left out). */
export function flattenAttributes(list: unknown, field = 'attributes'): Attributes {
  const out: Attributes = {};
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new Reject(`${field}: expected an array of key/value pairs`);
  for (const kv of list) {
    const key = keyOf(kv, field);
    const value = attrValue((kv as Obj).value ?? {}, `${field}.${key}`);
    if (value !== null) putAttr(out, key, value);
  }
  return out;
}

export const UNKNOWN_SERVICE = 'unknown_service';

/**
 * The resource attribute `service.name` (only it: other resource attributes such as host or pid are
 * not carried into events, they would multiply Silver tag sets), or 'unknown_service' as the SDKs do.
 */
export function serviceOf(resource: unknown): string {
  const attrs = isObj(resource) ? resource.attributes : undefined;
  if (!Array.isArray(attrs)) return UNKNOWN_SERVICE;
  for (const kv of attrs) {
    if (!isObj(kv) || kv.key !== 'service.name' || !isObj(kv.value)) continue;
    const name = kv.value.stringValue;
    if (typeof name === 'string' && name.trim() !== '') return name.trim();
  }
  return UNKNOWN_SERVICE;
}

/** An optional array field: absent/null → [], not an array → Reject. */
export function arrayField(o: Obj, key: string): unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Reject(`${key}: expected an array`);
  return v;
}

/** The top-level list of an Export*ServiceRequest; a body of the wrong shape is a 400 (AppError). */
export function requestList(body: unknown, key: string, request: string): unknown[] {
  if (!isObj(body)) throw new AppError('VALIDATION', `${request}: expected a JSON object`);
  const v = body[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new AppError('VALIDATION', `${request}.${key}: expected an array`);
  return v;
}

const MAX_ERRORS = 10;

/** Counts rejected records and keeps the first few reasons (they end up in partialSuccess.errorMessage). */
export class Rejections {
  count = 0;
  #errors: string[] = [];
  #more = 0;
  add(where: string, reason: string, records = 1): void {
    this.count += records;
    if (this.#errors.length < MAX_ERRORS) this.#errors.push(`${where}: ${reason}`);
    else this.#more++;
  }
  /** `add` for a caught Reject; anything else is a bug and is rethrown. */
  caught(where: string, e: unknown, records = 1): void {
    if (!(e instanceof Reject)) throw e;
    this.add(where, e.message, e.records ?? records);
  }
  get errors(): string[] {
    return this.#more === 0 ? [...this.#errors] : [...this.#errors, `… and ${this.#more} more`];
  }
}
