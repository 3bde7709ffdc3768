import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { bearerToken } from './body.ts';
import { HEALTH_PATH, READY_PATH, type RouteHandler } from './health.ts';
import { EVENTS_PATH, LOGS_PATH, METRICS_PATH } from './ingest.ts';
import { WEBHOOK_PREFIX } from './webhooks.ts';

/**
 * GET /metrics: the bot's own metrics in Prometheus's text exposition format (issue 13 item 8), served on
 * the one HTTP server beside health and ingest, in HTTP and Socket Mode alike. The exposition itself is
 * made elsewhere (adapters/metrics, handed in by composition as `expose`), so this adapter stays free of
 * prom-client. With METRICS_TOKEN set the scraper must send `Authorization: Bearer <token>` (else 401);
 * unset, the route is open, for a port only the monitoring network reaches.
 */
export const METRICS_ROUTE = '/metrics';

export interface MetricsRouteDeps {
  expose(): Promise<{ contentType: string; body: string }>;
  /** The bearer token a scrape must carry; undefined: none asked. */
  token: string | undefined;
  log: Logger;
}

/** Digests compared, not the strings: equal lengths for timingSafeEqual, and no length leaked. */
const digest = (s: string) => createHash('sha256').update(s).digest();

const text = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
};

export function metricsRoute(deps: MetricsRouteDeps): RouteHandler {
  const expected = deps.token === undefined ? null : digest(deps.token);
  return (req, res) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== METRICS_ROUTE) return false;
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      text(res, 405, `${method} is not allowed on ${METRICS_ROUTE}: use GET\n`, { allow: 'GET, HEAD' });
      return true;
    }
    const given = bearerToken(req);
    if (expected && (given === null || !timingSafeEqual(digest(given), expected))) {
      text(res, 401, 'metrics need Authorization: Bearer <METRICS_TOKEN>\n', {
        'www-authenticate': 'Bearer',
      });
      return true;
    }
    deps.expose().then(
      (m) => {
        res.writeHead(200, {
          'content-type': m.contentType,
          'content-length': Buffer.byteLength(m.body),
          'cache-control': 'no-store',
        });
        res.end(method === 'HEAD' ? undefined : m.body);
      },
      (err: unknown) => {
        deps.log.error({ err }, 'metrics exposition failed');
        text(res, 500, 'metrics exposition failed\n');
      },
    );
    return true;
  };
}

/** OTLP traces (being added beside logs and metrics); named here so its requests get their own family. */
const TRACES_PATH = '/v1/traces';
/** Slack's path (adapters/slack/receiver.ts EVENTS_PATH; one adapter does not import another). */
const SLACK_PATH = '/slack/events';
const EXACT: ReadonlySet<string> = new Set([
  HEALTH_PATH,
  READY_PATH,
  METRICS_ROUTE,
  SLACK_PATH,
  LOGS_PATH,
  METRICS_PATH,
  TRACES_PATH,
  EVENTS_PATH,
]);
const WEBHOOKS: ReadonlySet<string> = new Set(['shopify', 'stripe', 'shopier']);

/**
 * The route family of a request path, the `route` label of the request metrics: one of the paths served,
 * `/webhooks/generic` for every generic source (the source is the sender's choice, so not a label), and
 * `other` for everything else (404s, scanners probing paths), so a label never carries a raw URL.
 */
export function routeFamily(path: string): string {
  if (EXACT.has(path)) return path;
  if (path.startsWith(WEBHOOK_PREFIX)) {
    const rest = path.slice(WEBHOOK_PREFIX.length);
    if (WEBHOOKS.has(rest)) return path;
    if (/^generic\/[^/]+$/.test(rest)) return `${WEBHOOK_PREFIX}generic`;
  }
  return 'other';
}
