import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import {
  HEX_IDS,
  JsonReader,
  jsonBytesFields,
  type Obj,
  plainMessages,
  reachable,
} from './otlp-proto-json.ts';

/**
 * OTLP/HTTP protobuf (issue 13): requests decoded and answers encoded with the official OpenTelemetry
 * protobuf definitions (`otlp-proto/`, see its README for their origin, version and licence), loaded
 * with protobufjs. Nothing here knows a field by its wire number.
 *
 * A decoded request becomes exactly the object OTLP/JSON would have given (the OTLP/HTTP spec's JSON
 * mapping), so one set of converters (domain/telemetry/otlp-*.ts) serves both encodings:
 * lowerCamelCase keys, 64-bit integers as decimal strings, enums as numbers, oneofs as the member set
 * (`stringValue`, `asInt`, `sum`…), doubles NaN/±Infinity as their names, `bytes` as base64 except
 * `traceId`, `spanId` and `parentSpanId`, which OTLP/JSON writes as hex (lowercase here). Fields absent
 * on the wire are absent from the object, as an omitted JSON field would be.
 */
export type OtlpSignal = 'logs' | 'metrics' | 'traces';

export const PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';

/** google.rpc.Status, the body of every OTLP/HTTP 4xx/5xx answer. */
export interface RpcStatus {
  code: number;
  message: string;
}

const DIR = new URL('./otlp-proto/', import.meta.url);
const FILES = [
  'opentelemetry/logs_service.proto',
  'opentelemetry/metrics_service.proto',
  'opentelemetry/trace_service.proto',
  'google/rpc/status.proto',
];
const SERVICE: Record<OtlpSignal, string> = {
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogs',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetrics',
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTrace',
};
const TO_JSON: protobuf.IConversionOptions = { longs: String, bytes: String, json: true };

interface Codec {
  request: protobuf.Type;
  response: protobuf.Type;
  /** OTLP/JSON hex ids → bytes, in place, before fromObject. */
  toProto: (o: Obj) => void;
}

interface Loaded {
  codecs: Record<OtlpSignal, Codec>;
  status: protobuf.Type;
}

let loaded: Loaded | null = null;

/**
 * The definitions, parsed once. Called when the ingest routes are built, so a deployment whose build
 * left the .proto files behind fails at start with this message rather than on its first request.
 */
export function otlpProto(): Loaded {
  if (loaded !== null) return loaded;
  const paths = FILES.map((f) => fileURLToPath(new URL(f, DIR)));
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new Error(
      `OTLP protobuf definitions not found: ${missing.join(', ')} (copy otlp-proto/ with the build)`,
    );
  }
  const root = new protobuf.Root().loadSync(paths);
  root.resolveAll();
  const requests = (['logs', 'metrics', 'traces'] as const).map((s) =>
    root.lookupType(`${SERVICE[s]}ServiceRequest`),
  );
  // Decoded straight into OTLP/JSON objects (otlp-proto-json.ts).
  plainMessages(requests);
  jsonBytesFields(requests);
  const codec = (signal: OtlpSignal): Codec => {
    const request = root.lookupType(`${SERVICE[signal]}ServiceRequest`);
    return {
      request,
      response: root.lookupType(`${SERVICE[signal]}ServiceResponse`),
      toProto: idsToBytes(request),
    };
  };
  loaded = {
    codecs: { logs: codec('logs'), metrics: codec('metrics'), traces: codec('traces') },
    status: root.lookupType('google.rpc.Status'),
  };
  return loaded;
}

const REQUEST_NAME: Record<OtlpSignal, string> = {
  logs: 'ExportLogsServiceRequest',
  metrics: 'ExportMetricsServiceRequest',
  traces: 'ExportTraceServiceRequest',
};

/** Thrown for bytes that are not the request message (the route answers 400). */
export class ProtoDecodeError extends Error {}

/** An Export*ServiceRequest in protobuf → its OTLP/JSON object; ProtoDecodeError when it is not one. */
export function decodeRequest(signal: OtlpSignal, body: Uint8Array): Obj {
  const { request } = otlpProto().codecs[signal];
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  try {
    return request.decode(new JsonReader(bytes) as unknown as protobuf.Reader) as unknown as Obj;
  } catch (e) {
    // Not the message, cut short, or nested deeper than the stack (values in values: a RangeError
    // anywhere in the walk): the sender's data, a 400 it must not retry.
    throw new ProtoDecodeError(`body is not a protobuf ${REQUEST_NAME[signal]}: ${(e as Error).message}`);
  }
}

/**
 * An OTLP/JSON Export*ServiceRequest (hex ids, int64 as strings or numbers) → protobuf, as an SDK's
 * http/protobuf exporter would send it. For clients of the bot: tests, the benchmark.
 */
export function encodeRequest(signal: OtlpSignal, json: object): Uint8Array {
  const { request, toProto } = otlpProto().codecs[signal];
  const copy = structuredClone(json) as Obj;
  toProto(copy);
  return request.encode(request.fromObject(copy)).finish();
}

/** An Export*ServiceResponse (`{}` or `{ partialSuccess: {…} }`, OTLP/JSON names) → protobuf. */
export function encodeResponse(signal: OtlpSignal, json: object): Uint8Array {
  const { response } = otlpProto().codecs[signal];
  return response.encode(response.fromObject(json)).finish();
}

/** A protobuf Export*ServiceResponse → OTLP/JSON (what a client reads back). */
export function decodeResponse(signal: OtlpSignal, body: Uint8Array): Obj {
  const { response } = otlpProto().codecs[signal];
  return response.toObject(response.decode(body), TO_JSON);
}

export function encodeStatus(status: RpcStatus): Uint8Array {
  const { status: type } = otlpProto();
  return type.encode(type.fromObject(status)).finish();
}

export function decodeStatus(body: Uint8Array): RpcStatus {
  const { status: type } = otlpProto();
  const o = type.toObject(type.decode(body), { defaults: true }) as { code: number; message: string };
  return { code: o.code, message: o.message };
}

/**
 * The google.rpc.Code of a Status answered with an HTTP status, as the Collector's OTLP/HTTP receiver
 * maps them (gRPC's HTTP mapping, with 400 → INVALID_ARGUMENT and 429 → RESOURCE_EXHAUSTED); 413 is
 * RESOURCE_EXHAUSTED too, as gRPC answers a message over its size limit. OTLP clients do not act on it.
 */
export function rpcCodeFor(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return 3; // INVALID_ARGUMENT
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 12; // UNIMPLEMENTED
    case 413:
    case 429:
      return 8; // RESOURCE_EXHAUSTED
    case 502:
    case 503:
    case 504:
      return 14; // UNAVAILABLE
    default:
      return 2; // UNKNOWN
  }
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** An OTLP/JSON id (hex) → bytes, for encoding. */
function idBytes(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  if (!HEX.test(v)) throw new Error(`expected an id in hex, got ${JSON.stringify(v)}`);
  return Buffer.from(v, 'hex');
}

/** The message types under `root` that hold an id, themselves or deeper (not AnyValue and its kin). */
function typesWithIds(root: protobuf.Type): Set<protobuf.Type> {
  const all = reachable([root]);
  const holds = new Set<protobuf.Type>();
  const leadsToId = (f: protobuf.Field): boolean =>
    (f.type === 'bytes' && HEX_IDS.has(f.name)) ||
    (f.resolvedType instanceof protobuf.Type && holds.has(f.resolvedType));
  // A fixed point: the definitions' types may be recursive (AnyValue ↔ ArrayValue / KeyValueList).
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of all) {
      if (holds.has(t) || !t.fieldsArray.some(leadsToId)) continue;
      holds.add(t);
      grew = true;
    }
  }
  return holds;
}

/**
 * The function turning, in place, the hex ids of an OTLP/JSON request of type `root` into bytes (what
 * protobufjs's fromObject wants: it reads strings as base64), for encoding one (tests, the benchmark);
 * 64-bit integers as text and the other bytes as base64 are read by fromObject as they are.
 */
function idsToBytes(root: protobuf.Type): (o: Obj) => void {
  const withIds = typesWithIds(root);
  const fix = (o: Obj, t: protobuf.Type): void => {
    for (const f of t.fieldsArray) {
      const v = o[f.name];
      if (v === undefined || v === null) continue;
      if (f.type === 'bytes' && HEX_IDS.has(f.name)) o[f.name] = idBytes(v);
      else if (f.resolvedType instanceof protobuf.Type && withIds.has(f.resolvedType)) {
        const inner = f.resolvedType;
        for (const x of f.repeated && Array.isArray(v) ? v : [v]) {
          if (typeof x === 'object' && x !== null) fix(x as Obj, inner);
        }
      }
    }
  };
  return (o) => fix(o, root);
}
