/**
 * The ingest benchmark's OTLP bodies (bench/ingest-load.ts): the same events as the plain batches, as
 * OTLP/HTTP logs requests (ExportLogsServiceRequest), in JSON and in protobuf encoded with the official
 * definitions (src/adapters/http/otlp-proto.ts). Each event is one LogRecord: its name as `eventName`,
 * errors at severity ERROR with the message as body, slow ones at WARN, the duration as the attribute
 * `duration_ms`, the user id and email as `user.id` / `user.email`; a request groups its records by service
 * (one ResourceLogs each, as a Collector batching many services sends them).
 *
 * Bodies are built once with a placeholder per record time and stamped with the clock per request (string
 * joins for JSON, 8-byte writes into a copy for protobuf), so the load generator stays cheap and the
 * server's CPU goes to the server.
 */
import { encodeRequest } from '../src/adapters/http/otlp-proto.ts';

export interface BenchEvent {
  service: string;
  name: string;
  duration_ms: number;
  ok: boolean;
  attributes: Record<string, string | number | boolean>;
  level?: string;
  message?: string;
  trace_id?: string;
  user_id?: string;
  email?: string;
}

/** A JSON body cut at its record times: parts[0] + t0 + parts[1] + t1 + … */
export type JsonTemplate = string[];
/** A protobuf body and the offsets of its records' fixed64 times. */
export interface ProtoTemplate {
  bytes: Buffer;
  offsets: number[];
}

const anyValue = (v: string | number | boolean) =>
  typeof v === 'string'
    ? { stringValue: v }
    : typeof v === 'boolean'
      ? { boolValue: v }
      : Number.isInteger(v)
        ? { intValue: String(v) }
        : { doubleValue: v };

function logRecord(e: BenchEvent, time: string | number): object {
  const attributes = Object.entries(e.attributes).map(([key, v]) => ({ key, value: anyValue(v) }));
  attributes.push({ key: 'duration_ms', value: { doubleValue: e.duration_ms } });
  if (e.user_id) attributes.push({ key: 'user.id', value: { stringValue: e.user_id } });
  if (e.email) attributes.push({ key: 'user.email', value: { stringValue: e.email } });
  return {
    timeUnixNano: time,
    severityNumber: e.level === 'ERROR' ? 17 : e.level === 'WARN' ? 13 : 9,
    eventName: e.name,
    ...(e.message ? { body: { stringValue: e.message } } : {}),
    ...(e.trace_id ? { traceId: e.trace_id } : {}),
    attributes,
  };
}

/** One ExportLogsServiceRequest of `events`, each record's time given by `time(i)`. */
function request(events: readonly BenchEvent[], time: (i: number) => string | number): object {
  const byService = new Map<string, object[]>();
  events.forEach((e, i) => {
    const records = byService.get(e.service) ?? [];
    records.push(logRecord(e, time(i)));
    byService.set(e.service, records);
  });
  return {
    resourceLogs: [...byService].map(([service, logRecords]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeLogs: [{ scope: { name: 'bench' }, logRecords }],
    })),
  };
}

const MARK = '@@time@@';
/** Placeholder times for protobuf, unique per record and far from any real instant (year 2191+). */
const SENTINEL = 7_000_000_000_000_000_000n;

/** `events` cut into requests of `batch` records, as JSON and protobuf templates. */
export function otlpTemplates(
  events: readonly BenchEvent[],
  batch: number,
): { json: JsonTemplate[]; proto: ProtoTemplate[] } {
  const json: JsonTemplate[] = [];
  const proto: ProtoTemplate[] = [];
  for (let at = 0; at + batch <= events.length; at += batch) {
    const slice = events.slice(at, at + batch);
    json.push(JSON.stringify(request(slice, () => MARK)).split(`"${MARK}"`));
    const bytes = Buffer.from(
      encodeRequest(
        'logs',
        request(slice, (i) => String(SENTINEL + BigInt(i))),
      ),
    );
    const offsets = slice.map((_, i) => {
      const le = Buffer.alloc(8);
      le.writeBigUInt64LE(SENTINEL + BigInt(i));
      const o = bytes.indexOf(le);
      if (o < 0) throw new Error('bench: a record time was not found in its protobuf body');
      return o;
    });
    proto.push({ bytes, offsets });
  }
  return { json, proto };
}

/** A JSON template stamped with `timesMs` (one per record, in body order). */
export function stampJson(t: JsonTemplate, timesMs: (i: number) => number): string {
  let s = t[0]!;
  for (let i = 1; i < t.length; i++) s += `"${timesMs(i - 1)}000000"${t[i]}`;
  return s;
}

/** A protobuf template stamped with `timesMs`, in a copy. */
export function stampProto(t: ProtoTemplate, timesMs: (i: number) => number): Buffer {
  const out = Buffer.from(t.bytes);
  t.offsets.forEach((o, i) => {
    out.writeBigUInt64LE(BigInt(timesMs(i)) * 1_000_000n, o);
  });
  return out;
}
