import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip } from 'node:zlib';
import type { Logger } from 'pino';
import { DeltaTracker } from '../../domain/telemetry/delta.ts';
import { eventWindowCheck, parseEventBatch, type TelemetryEvent } from '../../domain/telemetry/event.ts';
import { logsRequestToEvents } from '../../domain/telemetry/otlp-logs.ts';
import { type MetricPoint, metricsRequestToPoints } from '../../domain/telemetry/otlp-metrics.ts';
import { isAppError } from '../../shared/errors.ts';
import type { RouteHandler } from './health.ts';

/**
 * Telemetry ingest over HTTP (issue 5, TELEMETRY.md), framework-free like health.ts:
 *   POST /v1/logs              OTLP/HTTP JSON ExportLogsServiceRequest    → 200 {} | {partialSuccess}
 *   POST /v1/metrics           OTLP/HTTP JSON ExportMetricsServiceRequest → 200 {} | {partialSuccess}
 *   POST /api/telemetry/events plain JSON batch (event.ts)                → 200 {accepted, rejected}
 *
 * Every answer is JSON (OTLP: "answer in the request's content type"; protobuf is refused with 415).
 * - 401 + `WWW-Authenticate: Bearer` without a valid `Authorization: Bearer <token>`;
 * - 405 + `Allow: POST` for another method on these paths; 415 for a content type other than
 *   application/json or a content coding other than gzip/identity;
 * - 413 when the body is over `maxBodyBytes` (64 MiB) as sent or once inflated. A Content-Length over
 *   the cap is refused before reading; otherwise reading stops at the cap (never buffering past it), the
 *   answer carries `Connection: close` and the rest of the upload is discarded, not stored;
 * - 400 for bad gzip, bad JSON, or a body that is not the expected request at all (AppError VALIDATION);
 * - 503 + `Retry-After: 5` when the token store or the ingest port fails: the answer is sent only once
 *   `deps.ingest` resolved, so a 200 means the data is durable and anything else may be retried.
 *
 * Cumulative metric points go through a DeltaTracker before ingest (deps.deltas, else one owned by these
 * routes); stale or duplicate cumulative points (null deltas) are dropped, not counted as rejected.
 * Events outside `eventWindow` (too old for retention, or from the future) are refused and counted.
 * The token and the body are never logged.
 */
export interface IngestPort {
  events(events: TelemetryEvent[]): Promise<void>;
  metrics(points: MetricPoint[]): Promise<void>;
}

export interface IngestRoutesDeps {
  tokens: { verify(token: string): Promise<{ id: string; name: string } | null> };
  ingest: IngestPort;
  log: Logger;
  /** The body cap, as sent and after inflating; default 64 MiB. */
  maxBodyBytes?: number;
  deltas?: DeltaTracker;
  /**
   * The instants events are taken for, asked per request (Bronze retention back, clock skew ahead). An
   * event outside it is refused with its reason, counted in the partial success like a malformed one, so
   * a sender learns its clock or its backlog is off instead of losing data silently. Default: no limit.
   */
  eventWindow?: () => { fromMs: number; toMs: number };
}

export const LOGS_PATH = '/v1/logs';
export const METRICS_PATH = '/v1/metrics';
export const EVENTS_PATH = '/api/telemetry/events';
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
export const RETRY_AFTER_SECONDS = 5;

export const PROTOBUF_MESSAGE =
  'application/x-protobuf is not supported: send OTLP/HTTP JSON: set the exporter protocol to http/json ' +
  "(OTEL_EXPORTER_OTLP_PROTOCOL=http/json), or encoding: json on the Collector's otlphttp exporter";

type Route = 'logs' | 'metrics' | 'events';
const ROUTES: ReadonlyMap<string, Route> = new Map([
  [LOGS_PATH, 'logs'],
  [METRICS_PATH, 'metrics'],
  [EVENTS_PATH, 'events'],
]);

/** A refusal with its status and extra headers. */
class HttpFail extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

/** The client went away mid-request: nothing to answer. */
class ClientGone extends Error {}

/**
 * Answers in JSON. A request whose body was not read to its end (refused early) gets `Connection: close`:
 * its remaining bytes are discarded rather than read as the next request.
 */
function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string | number> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'cache-control': 'no-store',
    ...(req.complete ? {} : { connection: 'close' }),
    ...headers,
  });
  res.end(json);
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function bearerToken(req: IncomingMessage): string | null {
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header(req, 'authorization') ?? '');
  return m ? m[1]! : null;
}

function checkContentType(req: IncomingMessage): void {
  const raw = header(req, 'content-type');
  const type = (raw ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return;
  if (type === 'application/x-protobuf' || type === 'application/protobuf') {
    throw new HttpFail(415, PROTOBUF_MESSAGE);
  }
  throw new HttpFail(415, `unsupported Content-Type ${JSON.stringify(raw ?? '')}: send application/json`);
}

/** True for a gzip body; identity or no coding → false; anything else → 415. */
function isGzip(req: IncomingMessage): boolean {
  const coding = (header(req, 'content-encoding') ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'identity') return false;
  if (coding === 'gzip' || coding === 'x-gzip') return true;
  throw new HttpFail(
    415,
    `unsupported Content-Encoding ${JSON.stringify(coding)}: send gzip or no encoding`,
    { 'accept-encoding': 'gzip, identity' },
  );
}

const tooLarge = (cap: number, what: string): HttpFail =>
  new HttpFail(413, `request body ${what} exceeds the limit of ${cap} bytes`);

/**
 * The body, inflated when gzip, with both sizes capped. On a refusal the request stops being read into
 * memory (its remaining bytes are discarded as they arrive) and the inflater is destroyed at once, so a
 * gzip bomb inflates at most `cap` bytes.
 */
function readBody(req: IncomingMessage, cap: number, gzip: boolean): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let sent = 0;
    let settled = false;
    let reqEnded = false;
    const gunzip = gzip ? createGunzip() : null;

    const stop = (): void => {
      req.off('data', onRequestData);
      gunzip?.off('data', onOutput);
      gunzip?.destroy();
      chunks = [];
      req.resume(); // discard whatever else arrives; Connection: close ends it
    };
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      stop();
      reject(e);
    };
    const finish = (): void => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size));
    };
    function onOutput(c: Buffer): void {
      size += c.length;
      if (size > cap) fail(tooLarge(cap, gzip ? 'once inflated' : 'size'));
      else chunks.push(c);
    }
    function onRequestData(c: Buffer): void {
      if (gunzip === null) {
        onOutput(c);
        return;
      }
      sent += c.length;
      if (sent > cap) fail(tooLarge(cap, 'size'));
      else if (!gunzip.write(c)) {
        req.pause();
        gunzip.once('drain', () => {
          if (!settled) req.resume();
        });
      }
    }

    if (gunzip !== null) {
      gunzip.on('data', onOutput);
      gunzip.on('end', finish);
      gunzip.on('error', (e) => fail(new HttpFail(400, `body is not valid gzip: ${e.message}`)));
    }
    req.on('data', onRequestData);
    req.on('end', () => {
      reqEnded = true;
      if (gunzip === null) finish();
      else gunzip.end();
    });
    req.on('error', () => fail(new ClientGone()));
    req.on('close', () => {
      if (!reqEnded) fail(new ClientGone());
    });
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new HttpFail(400, `body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * An OTLP Export*ServiceResponse: empty when everything was taken, else partialSuccess with how many were
 * refused (under the signal's own field name) and the first reasons.
 */
function otlpAnswer(
  field: 'rejectedLogRecords' | 'rejectedDataPoints',
  c: { rejected: number; errors: string[] },
): object {
  if (c.rejected === 0 && c.errors.length === 0) return {};
  return {
    partialSuccess: { [field]: c.rejected, errorMessage: `${c.rejected} rejected: ${c.errors.join('; ')}` },
  };
}

export function ingestRoutes(deps: IngestRoutesDeps): RouteHandler {
  const cap = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const deltas = deps.deltas ?? new DeltaTracker();
  const log = deps.log;

  /** Runs the conversion and the ingest; the answer's status and body. */
  async function handle(route: Route, body: unknown): Promise<{ status: number; body: object }> {
    const w = deps.eventWindow?.();
    const accept = w ? eventWindowCheck(w.fromMs, w.toMs) : () => null;
    if (route === 'logs') {
      const c = logsRequestToEvents(body, accept);
      if (c.events.length > 0) await deps.ingest.events(c.events);
      return { status: 200, body: otlpAnswer('rejectedLogRecords', c) };
    }
    if (route === 'metrics') {
      const c = metricsRequestToPoints(body);
      const points: MetricPoint[] = [];
      const undo = deltas.checkpoint(c.points);
      for (const p of c.points) {
        const d = deltas.toDelta(p);
        if (d !== null) points.push(d);
      }
      try {
        if (points.length > 0) await deps.ingest.metrics(points);
      } catch (err) {
        // Not stored: forget these deltas, or the client's retry would be dropped as a duplicate.
        undo();
        throw err;
      }
      return { status: 200, body: otlpAnswer('rejectedDataPoints', c) };
    }
    const batch = parseEventBatch(body, accept);
    if (batch.events.length > 0) await deps.ingest.events(batch.events);
    return { status: 200, body: { accepted: batch.events.length, rejected: batch.rejected } };
  }

  async function serve(req: IncomingMessage, res: ServerResponse, route: Route, path: string): Promise<void> {
    let stage: 'auth' | 'ingest' = 'auth';
    let tokenId: string | undefined;
    try {
      const token = bearerToken(req);
      if (token === null) {
        throw new HttpFail(401, 'missing bearer token: send Authorization: Bearer <token>', {
          'www-authenticate': 'Bearer',
        });
      }
      const who = await deps.tokens.verify(token);
      if (who === null) {
        throw new HttpFail(401, 'invalid or revoked ingest token', { 'www-authenticate': 'Bearer' });
      }
      tokenId = who.id;
      checkContentType(req);
      const gzip = isGzip(req);
      const length = Number(header(req, 'content-length'));
      if (Number.isFinite(length) && length > cap) throw tooLarge(cap, 'size');
      const raw = await readBody(req, cap, gzip);
      const json = parseJson(raw);
      stage = 'ingest';
      const out = await handle(route, json);
      send(req, res, out.status, out.body);
    } catch (e) {
      if (e instanceof ClientGone) return;
      if (e instanceof HttpFail) {
        if (e.status === 413) log.warn({ path, tokenId, status: 413 }, 'telemetry ingest: body over the cap');
        send(req, res, e.status, { error: e.message }, e.headers);
        return;
      }
      if (isAppError(e) && e.code === 'VALIDATION') {
        send(req, res, 400, { error: e.message });
        return;
      }
      log.error(
        { err: e, path, tokenId },
        stage === 'auth' ? 'telemetry ingest: token check failed' : 'telemetry ingest: storing failed',
      );
      send(
        req,
        res,
        503,
        { error: 'telemetry storage is unavailable; retry later' },
        { 'retry-after': String(RETRY_AFTER_SECONDS) },
      );
    }
  }

  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = ROUTES.get(path);
    if (route === undefined) return false;
    if ((req.method ?? 'GET').toUpperCase() !== 'POST') {
      send(req, res, 405, { error: `${req.method} is not allowed on ${path}: use POST` }, { allow: 'POST' });
      return true;
    }
    void serve(req, res, route, path);
    return true;
  };
}
