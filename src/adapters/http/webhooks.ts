import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { IncomingDelivery, IntakeOutcome } from '../../app/commerce/intake.ts';
import { bearerToken, ClientGone, HttpFail, header, isGzip, readBody, send, tooLarge } from './body.ts';
import type { RouteHandler } from './health.ts';
import { verifyShopify, verifyStripe } from './webhook-signatures.ts';

/**
 * Store and payment webhooks (issue 12), framework-free like ingest.ts:
 *   POST /webhooks/shopify          X-Shopify-Hmac-Sha256 (SHOPIFY_WEBHOOK_SECRET), X-Shopify-Topic,
 *                                   deduped on X-Shopify-Webhook-Id
 *   POST /webhooks/stripe           Stripe-Signature (STRIPE_WEBHOOK_SECRET, 5-minute tolerance), deduped on
 *                                   the event id
 *   POST /webhooks/shopier          Authorization: Bearer <token from `leak tokens create`>
 *   POST /webhooks/generic/<source> the same bearer token; <source> is 1–40 of [a-z0-9_-]
 *
 * The sender is authenticated first (its signature over the body bytes, or its token): a request that fails
 * is answered 401 and stored nowhere. After that intake is permissive: the delivery is stored raw, whatever
 * it holds, and the answer (202) is sent only once that write is durable; parsing happens after. A retry of
 * a stored delivery answers 202 with `duplicate: true` and stores nothing new. Bodies are capped (1 MiB by
 * default, as sent and once inflated; gzip accepted). Nothing of a body is ever logged: it carries buyers'
 * emails and payment details until the intake redacts them.
 */
export interface WebhookRoutesDeps {
  receive(d: IncomingDelivery): Promise<IntakeOutcome>;
  tokens: { verify(token: string): Promise<{ id: string; name: string } | null> };
  secrets: { shopify: string | undefined; stripe: string | undefined };
  maxBodyBytes: number;
  log: Logger;
  now?: () => number;
}

export const WEBHOOK_PREFIX = '/webhooks/';
const SOURCE = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const SIGNED_ONLY = new Set(['shopify', 'stripe']);
const RETRY_AFTER_SECONDS = 5;

type Route = { source: string; auth: 'shopify' | 'stripe' | 'token' };

function routeOf(path: string): Route | null {
  if (!path.startsWith(WEBHOOK_PREFIX)) return null;
  const rest = path.slice(WEBHOOK_PREFIX.length);
  if (rest === 'shopify' || rest === 'stripe') return { source: rest, auth: rest };
  if (rest === 'shopier') return { source: rest, auth: 'token' };
  const m = /^generic\/([^/]+)$/.exec(rest);
  if (m && SOURCE.test(m[1]!) && !SIGNED_ONLY.has(m[1]!)) return { source: m[1]!, auth: 'token' };
  return null;
}

const unauthorized = (message: string, bearer = false) =>
  new HttpFail(401, message, bearer ? { 'www-authenticate': 'Bearer' } : {});

async function authenticate(deps: WebhookRoutesDeps, req: IncomingMessage, r: Route, body: Buffer) {
  if (r.auth === 'shopify') {
    const secret = deps.secrets.shopify;
    if (!secret) throw unauthorized('Shopify webhooks are not configured: set SHOPIFY_WEBHOOK_SECRET');
    if (!verifyShopify(body, header(req, 'x-shopify-hmac-sha256'), secret))
      throw unauthorized('X-Shopify-Hmac-Sha256 does not match the body');
    return;
  }
  if (r.auth === 'stripe') {
    const secret = deps.secrets.stripe;
    if (!secret) throw unauthorized('Stripe webhooks are not configured: set STRIPE_WEBHOOK_SECRET');
    const v = verifyStripe(body, header(req, 'stripe-signature'), secret, (deps.now ?? Date.now)());
    if (!v.ok) throw unauthorized(`Stripe-Signature: ${v.reason}`);
    return;
  }
  const token = bearerToken(req);
  if (token === null) throw unauthorized('missing bearer token: send Authorization: Bearer <token>', true);
  if ((await deps.tokens.verify(token)) === null) throw unauthorized('invalid or revoked token', true);
}

/** The event id and type of a Stripe event, read without trusting the body to be JSON. */
function stripeEnvelope(text: string): { id: string | null; type: string } {
  try {
    const j = JSON.parse(text) as { id?: unknown; type?: unknown };
    return { id: typeof j.id === 'string' ? j.id : null, type: typeof j.type === 'string' ? j.type : '' };
  } catch {
    return { id: null, type: '' };
  }
}

const bodyDigest = (body: Buffer) => `sha256:${createHash('sha256').update(body).digest('hex')}`;

/** The delivery as stored: its topic and the sender's delivery id (the body's digest when it names none). */
function describe(req: IncomingMessage, r: Route, body: Buffer): IncomingDelivery {
  const text = body.toString('utf8');
  const contentType = header(req, 'content-type') ?? null;
  if (r.auth === 'shopify') {
    const id = header(req, 'x-shopify-webhook-id') ?? header(req, 'x-shopify-event-id');
    const topic = header(req, 'x-shopify-topic') ?? '';
    return { source: r.source, topic, deliveryId: id || bodyDigest(body), contentType, body: text };
  }
  if (r.auth === 'stripe') {
    const e = stripeEnvelope(text);
    return { source: r.source, topic: e.type, deliveryId: e.id ?? bodyDigest(body), contentType, body: text };
  }
  const id = header(req, 'idempotency-key') ?? header(req, 'x-delivery-id') ?? header(req, 'x-request-id');
  const topic = header(req, 'x-topic') ?? header(req, 'x-event-type') ?? '';
  return { source: r.source, topic, deliveryId: id || bodyDigest(body), contentType, body: text };
}

async function serve(deps: WebhookRoutesDeps, req: IncomingMessage, res: ServerResponse, r: Route) {
  let stage: 'read' | 'auth' | 'store' = 'read';
  try {
    const cap = deps.maxBodyBytes;
    const gzip = isGzip(req);
    const length = Number(header(req, 'content-length'));
    if (Number.isFinite(length) && length > cap) throw tooLarge(cap, 'size');
    const body = await readBody(req, cap, gzip);
    stage = 'auth';
    await authenticate(deps, req, r, body);
    stage = 'store';
    const out = await deps.receive(describe(req, r, body));
    send(req, res, 202, { id: out.id, duplicate: out.duplicate, status: out.status });
  } catch (e) {
    if (e instanceof ClientGone) return;
    if (e instanceof HttpFail) {
      if (e.status === 401) deps.log.warn({ source: r.source }, 'webhook refused: not authenticated');
      send(req, res, e.status, { error: e.message }, e.headers);
      return;
    }
    deps.log.error({ err: e, source: r.source, stage }, 'webhook could not be stored');
    send(
      req,
      res,
      503,
      { error: 'the delivery could not be stored; retry later' },
      {
        'retry-after': String(RETRY_AFTER_SECONDS),
      },
    );
  }
}

export function webhookRoutes(deps: WebhookRoutesDeps): RouteHandler {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!path.startsWith(WEBHOOK_PREFIX)) return false;
    const route = routeOf(path);
    if (route === null) {
      send(req, res, 404, { error: `no webhook route ${path}` });
      return true;
    }
    if ((req.method ?? 'GET').toUpperCase() !== 'POST') {
      send(req, res, 405, { error: `${req.method} is not allowed on ${path}: use POST` }, { allow: 'POST' });
      return true;
    }
    void serve(deps, req, res, route);
    return true;
  };
}
