import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { TelemetryIngest } from '../../app/telemetry/ingest.ts';
import { eventWindowCheck, parseEventBatch } from '../../domain/telemetry/event.ts';
import { logsRequestToEvents } from '../../domain/telemetry/otlp-logs.ts';
import { metricsRequestToPoints } from '../../domain/telemetry/otlp-metrics.ts';
import { isAppError } from '../../shared/errors.ts';
import {
  bearerToken,
  ClientGone,
  checkContentType,
  HttpFail,
  header,
  isGzip,
  parseJson,
  readBody,
  send,
  tooLarge,
} from './body.ts';
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
 * Metric points go to the use case as sent: it turns cumulative ones into deltas (app/telemetry/ingest.ts
 * holds that state); stale or duplicate cumulative points are dropped there, not counted as rejected.
 * Events outside `eventWindow` (too old for retention, or from the future) are refused and counted.
 * The token and the body are never logged.
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
}

export const LOGS_PATH = '/v1/logs';
export const METRICS_PATH = '/v1/metrics';
export const EVENTS_PATH = '/api/telemetry/events';
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
export const RETRY_AFTER_SECONDS = 5;
export { PROTOBUF_MESSAGE } from './body.ts';

type Route = 'logs' | 'metrics' | 'events';
const ROUTES: ReadonlyMap<string, Route> = new Map([
  [LOGS_PATH, 'logs'],
  [METRICS_PATH, 'metrics'],
  [EVENTS_PATH, 'events'],
]);

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

/** Runs the conversion and the ingest; the answer's status and body. */
async function handle(
  deps: IngestRoutesDeps,
  route: Route,
  body: unknown,
): Promise<{ status: number; body: object }> {
  const w = deps.eventWindow?.();
  const accept = w ? eventWindowCheck(w.fromMs, w.toMs) : () => null;
  if (route === 'logs') {
    const c = logsRequestToEvents(body, accept);
    if (c.events.length > 0) await deps.ingest.events(c.events);
    return { status: 200, body: otlpAnswer('rejectedLogRecords', c) };
  }
  if (route === 'metrics') {
    const c = metricsRequestToPoints(body);
    if (c.points.length > 0) await deps.ingest.metrics(c.points);
    return { status: 200, body: otlpAnswer('rejectedDataPoints', c) };
  }
  const batch = parseEventBatch(body, accept);
  if (batch.events.length > 0) await deps.ingest.events(batch.events);
  return { status: 200, body: { accepted: batch.events.length, rejected: batch.rejected } };
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

/** The request's JSON body, its type, coding and size checked first. */
async function jsonBody(req: IncomingMessage, cap: number): Promise<unknown> {
  checkContentType(req);
  const gzip = isGzip(req);
  const length = Number(header(req, 'content-length'));
  if (Number.isFinite(length) && length > cap) throw tooLarge(cap, 'size');
  return parseJson(await readBody(req, cap, gzip));
}

async function serve(
  deps: IngestRoutesDeps,
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
  path: string,
): Promise<void> {
  const { log } = deps;
  let stage: 'auth' | 'ingest' = 'auth';
  let tokenId: string | undefined;
  try {
    tokenId = await authenticate(deps, req);
    const json = await jsonBody(req, deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    stage = 'ingest';
    const out = await handle(deps, route, json);
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

export function ingestRoutes(deps: IngestRoutesDeps): RouteHandler {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = ROUTES.get(path);
    if (route === undefined) return false;
    if ((req.method ?? 'GET').toUpperCase() !== 'POST') {
      send(req, res, 405, { error: `${req.method} is not allowed on ${path}: use POST` }, { allow: 'POST' });
      return true;
    }
    void serve(deps, req, res, route, path);
    return true;
  };
}
