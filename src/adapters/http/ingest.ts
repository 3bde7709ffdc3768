import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { noObserver, type Observer } from '../../app/observe.ts';
import type { TelemetryIngest } from '../../app/telemetry/ingest.ts';
import { parseEventBatch } from '../../domain/telemetry/event.ts';
import { logsRequestToEvents } from '../../domain/telemetry/otlp-logs.ts';
import { metricsRequestToPoints } from '../../domain/telemetry/otlp-metrics.ts';
import { tracesRequestToEvents } from '../../domain/telemetry/otlp-traces.ts';
import { isAppError } from '../../shared/errors.ts';
import {
  type BodyType,
  bearerToken,
  bodyType,
  ClientGone,
  checkContentType,
  HttpFail,
  header,
  isGzip,
  parseJson,
  readBody,
  send,
  sendBytes,
  tooLarge,
} from './body.ts';
import type { RouteHandler } from './health.ts';
import { type Handled, rejectionOf, windowCheck } from './ingest-outcomes.ts';
import {
  decodeRequest,
  encodeResponse,
  encodeStatus,
  type OtlpSignal,
  otlpProto,
  PROTOBUF_CONTENT_TYPE,
  ProtoDecodeError,
  rpcCodeFor,
} from './otlp-proto.ts';

/**
 * Telemetry ingest over HTTP (issues 5 and 13, TELEMETRY.md), framework-free like health.ts:
 *   POST /v1/logs              OTLP/HTTP ExportLogsServiceRequest    → 200 ExportLogsServiceResponse
 *   POST /v1/metrics           OTLP/HTTP ExportMetricsServiceRequest → 200 ExportMetricsServiceResponse
 *   POST /v1/traces            OTLP/HTTP ExportTraceServiceRequest   → 200 ExportTraceServiceResponse
 *   POST /api/telemetry/events plain JSON batch (event.ts)           → 200 {accepted, rejected}
 *
 * The OTLP routes take `application/json` and `application/x-protobuf` (the default of most SDKs and of
 * the Collector's otlphttp exporter) on the same path, and answer in the request's encoding: protobuf
 * bodies are decoded with the official definitions into the same OTLP/JSON object (otlp-proto.ts), so one
 * converter per signal serves both. The answer is an empty Export*ServiceResponse, or `partialSuccess`
 * with the rejected count and the first reasons; a refusal is a google.rpc.Status (`{code, message}`,
 * otlp-proto.ts rpcCodeFor), protobuf-encoded when the request was protobuf. The plain events route
 * takes JSON only and answers `{error}` on refusal.
 * - 401 + `WWW-Authenticate: Bearer` without a valid `Authorization: Bearer <token>`;
 * - 405 + `Allow: POST` for another method on these paths; 415 for another content type or a content
 *   coding other than gzip/identity;
 * - 413 when the body is over `maxBodyBytes` (64 MiB) as sent or once inflated. A Content-Length over
 *   the cap is refused before reading; otherwise reading stops at the cap (never buffering past it), the
 *   answer carries `Connection: close` and the rest of the upload is discarded, not stored;
 * - 400 for bad gzip, bad JSON or protobuf, or a body that is not the expected request at all;
 * - 503 + `Retry-After: 5` when the token store or the ingest port fails: the answer is sent only once
 *   `deps.ingest` resolved, so a 200 means the data is durable and anything else may be retried.
 *
 * Metric points go to the use case as sent: it turns cumulative ones into deltas (app/telemetry/ingest.ts
 * holds that state); stale or duplicate cumulative points are dropped there, not counted as rejected.
 * Events outside `eventWindow` (too old for retention, or from the future) are refused and counted.
 * The token and the body are never logged.
 *
 * Every request is reported to `observer` (the bot's own metrics, adapters/metrics): how it ended
 * (accepted, partial, or rejected with a reason from a closed set, RequestRejection) and, when answered
 * 200, its items taken and refused by reason (ItemRejection). Items are counted once stored: a request
 * that fails with 503 counts as a rejected request only, and its retry counts its items.
 */
/** The ingest use case (app/telemetry/ingest.ts telemetryIngest), or a fake of it in tests. */
export type IngestPort = TelemetryIngest;

export interface IngestRoutesDeps {
  tokens: { verify(token: string): Promise<{ id: string; name: string } | null> };
  ingest: IngestPort;
  log: Logger;
  /** The body cap, as sent and after inflating; default 64 MiB. */
  maxBodyBytes?: number;
  /**
   * The instants events are taken for, asked per request (Bronze retention back, clock skew ahead). An
   * event outside it is refused with its reason, counted in the partial success like a malformed one, so
   * a sender learns its clock or its backlog is off instead of losing data silently. Default: no limit.
   */
  eventWindow?: () => { fromMs: number; toMs: number };
  /** Told of every request and of the items of every answered one; default: nobody. */
  observer?: Pick<Observer, 'ingested' | 'ingestRequest'>;
}

export const LOGS_PATH = '/v1/logs';
export const METRICS_PATH = '/v1/metrics';
export const TRACES_PATH = '/v1/traces';
export const EVENTS_PATH = '/api/telemetry/events';
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
export const RETRY_AFTER_SECONDS = 5;

type Route = OtlpSignal | 'events';
const ROUTES: ReadonlyMap<string, Route> = new Map([
  [LOGS_PATH, 'logs'],
  [METRICS_PATH, 'metrics'],
  [TRACES_PATH, 'traces'],
  [EVENTS_PATH, 'events'],
]);

/** Each signal's count field in ExportXPartialSuccess. */
const REJECTED_FIELD: Record<OtlpSignal, string> = {
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
  traces: 'rejectedSpans',
};

/**
 * An OTLP Export*ServiceResponse: empty when everything was taken, else partialSuccess with how many were
 * refused (under the signal's own field name) and the first reasons.
 */
function otlpAnswer(signal: OtlpSignal, c: { rejected: number; errors: string[] }): object {
  if (c.rejected === 0 && c.errors.length === 0) return {};
  const errorMessage = `${c.rejected} rejected: ${c.errors.join('; ')}`;
  return { partialSuccess: { [REJECTED_FIELD[signal]]: c.rejected, errorMessage } };
}

/** Runs the conversion and the ingest: the answer's body (status 200) and the items' outcomes. */
async function handle(deps: IngestRoutesDeps, route: Route, body: unknown): Promise<Handled> {
  const { accept, refused } = windowCheck(deps.eventWindow);
  const items = (accepted: number, rejected: number): Handled['items'] => ({
    accepted,
    rejected: { malformed: rejected - refused.too_old - refused.in_future, ...refused },
  });
  if (route === 'logs' || route === 'traces') {
    const c = route === 'logs' ? logsRequestToEvents(body, accept) : tracesRequestToEvents(body, accept);
    if (c.events.length > 0) await deps.ingest.events(c.events);
    return { body: otlpAnswer(route, c), items: items(c.events.length, c.rejected) };
  }
  if (route === 'metrics') {
    const c = metricsRequestToPoints(body);
    if (c.points.length > 0) await deps.ingest.metrics(c.points);
    return { body: otlpAnswer(route, c), items: items(c.points.length, c.rejected) };
  }
  const batch = parseEventBatch(body, accept);
  if (batch.events.length > 0) await deps.ingest.events(batch.events);
  return {
    body: { accepted: batch.events.length, rejected: batch.rejected },
    items: items(batch.events.length, batch.rejected.length),
  };
}

/** The caller's token id, or a 401. */
async function authenticate(deps: IngestRoutesDeps, req: IncomingMessage): Promise<string> {
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
  return who.id;
}

/** The request's body as the route's request object, its type, coding and size checked first. */
async function requestBody(req: IncomingMessage, route: Route, cap: number): Promise<unknown> {
  const type = checkContentType(req, route === 'events' ? ['json'] : ['json', 'protobuf']);
  const gzip = isGzip(req);
  const length = Number(header(req, 'content-length'));
  if (Number.isFinite(length) && length > cap) throw tooLarge(cap, 'size');
  const bytes = await readBody(req, cap, gzip);
  if (type === 'json' || route === 'events') return parseJson(bytes);
  try {
    return decodeRequest(route, bytes);
  } catch (e) {
    if (e instanceof ProtoDecodeError) throw new HttpFail(400, e.message);
    throw e;
  }
}

/** How an OTLP route answers this request: in protobuf when it was sent in protobuf, else in JSON. */
const answerType = (req: IncomingMessage, route: Route): BodyType =>
  route !== 'events' && bodyType(req) === 'protobuf' ? 'protobuf' : 'json';

/** A 200 with the route's answer, in the request's encoding. */
function answer(req: IncomingMessage, res: ServerResponse, route: Route, body: object): void {
  if (route !== 'events' && answerType(req, route) === 'protobuf') {
    sendBytes(req, res, 200, PROTOBUF_CONTENT_TYPE, encodeResponse(route, body));
  } else send(req, res, 200, body);
}

/** A refusal: a google.rpc.Status on the OTLP routes (in the request's encoding), `{error}` on events. */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const s = { code: rpcCodeFor(status), message };
  if (route === 'events') send(req, res, status, { error: message }, headers);
  else if (answerType(req, route) === 'protobuf') {
    sendBytes(req, res, status, PROTOBUF_CONTENT_TYPE, encodeStatus(s), headers);
  } else send(req, res, status, s, headers);
}

async function serve(
  deps: IngestRoutesDeps,
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
  path: string,
): Promise<void> {
  const { log } = deps;
  const observer = deps.observer ?? noObserver;
  const refused = (status: number, message: string, headers: Record<string, string> = {}) => {
    refuse(req, res, route, status, message, headers);
    observer.ingestRequest(route, { rejected: rejectionOf(status) });
  };
  let stage: 'auth' | 'ingest' = 'auth';
  let tokenId: string | undefined;
  try {
    tokenId = await authenticate(deps, req);
    const body = await requestBody(req, route, deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    stage = 'ingest';
    const handled = await handle(deps, route, body);
    answer(req, res, route, handled.body);
    const { malformed, too_old, in_future } = handled.items.rejected;
    observer.ingested(route, handled.items);
    observer.ingestRequest(route, malformed + too_old + in_future > 0 ? 'partial' : 'accepted');
  } catch (e) {
    if (e instanceof ClientGone) {
      observer.ingestRequest(route, { rejected: 'aborted' });
      return;
    }
    if (e instanceof HttpFail) {
      if (e.status === 413) log.warn({ path, tokenId, status: 413 }, 'telemetry ingest: body over the cap');
      refused(e.status, e.message, e.headers);
      return;
    }
    if (isAppError(e) && e.code === 'VALIDATION') {
      refused(400, e.message);
      return;
    }
    log.error(
      { err: e, path, tokenId },
      stage === 'auth' ? 'telemetry ingest: token check failed' : 'telemetry ingest: storing failed',
    );
    refused(503, 'telemetry storage is unavailable; retry later', {
      'retry-after': String(RETRY_AFTER_SECONDS),
    });
  }
}

export function ingestRoutes(deps: IngestRoutesDeps): RouteHandler {
  otlpProto(); // the definitions are parsed now: a build that lost them fails at start, not on a request
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = ROUTES.get(path);
    if (route === undefined) return false;
    if ((req.method ?? 'GET').toUpperCase() !== 'POST') {
      refuse(req, res, route, 405, `${req.method} is not allowed on ${path}: use POST`, { allow: 'POST' });
      deps.observer?.ingestRequest(route, { rejected: 'method' });
      return true;
    }
    void serve(deps, req, res, route, path);
    return true;
  };
}
