import { createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { createHttpServer, type HttpServer } from '../../../src/adapters/http/server.ts';
import { webhookRoutes } from '../../../src/adapters/http/webhooks.ts';
import { type IntakeDeps, parsePending, receiveDelivery } from '../../../src/app/commerce/intake.ts';
import { openRepositories, type Repositories } from '../../../src/composition/repositories.ts';
import { hashPii } from '../../../src/shared/pii.ts';
import { backends, testCtx } from '../../support/db.ts';

/**
 * The webhook routes end to end over a real database: the senders' own signing (the `stripe` package's
 * test-header helper; Shopify's documented base64 HMAC of the raw body), storage before the answer, the
 * dedupe of retries, the redaction of emails, and parse failures kept for replay.
 */

const SHOPIFY_SECRET = 'shpss_test_secret_for_webhooks';
const STRIPE_SECRET = 'whsec_test_secret_for_webhooks';
const KEY = 'k'.repeat(40);
const stripe = new Stripe('sk_test_dummy');

const shopifyOrder = (id: number | string, email: string) =>
  // Spaces after the colons, as Shopify sends: the HMAC is over these exact bytes.
  `{"id": ${id}, "admin_graphql_api_id": "gid://shopify/Order/${id}", "email": "${email}", "total_price": "49.90", "currency": "USD", "financial_status": "paid", "created_at": "2026-12-05T10:00:00-05:00", "processed_at": "2026-12-05T10:00:00-05:00", "line_items": [{"quantity": 2, "product_type": "Mugs"}]}`;

const shopifyHmac = (body: string, secret = SHOPIFY_SECRET) =>
  createHmac('sha256', secret).update(body, 'utf8').digest('base64');

const stripeEvent = (id: string, chargeId: string) =>
  JSON.stringify({
    id,
    object: 'event',
    type: 'charge.succeeded',
    created: 1_796_500_000,
    data: {
      object: {
        id: chargeId,
        object: 'charge',
        amount: 12_000,
        currency: 'eur',
        created: 1_796_500_000,
        status: 'succeeded',
        billing_details: { email: 'buyer@example.org' },
      },
    },
  });

describe.each(backends)('webhook routes on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let repos: Repositories;
  let server: HttpServer;
  let base: string;
  let token: string;
  let intake: IntakeDeps;
  let nowMs = Date.now();

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    repos = openRepositories(db);
    token = (await repos.tokens.create('store')).token;
    intake = {
      deliveries: repos.webhooks,
      clock: { now: () => nowMs },
      hashEmail: (e) => hashPii(KEY, e),
    };
    server = createHttpServer({
      port: 0,
      log: pino({ level: 'silent' }),
      routes: [
        webhookRoutes({
          receive: (d) => receiveDelivery(intake, testCtx(), d),
          tokens: repos.tokens,
          secrets: { shopify: SHOPIFY_SECRET, stripe: STRIPE_SECRET },
          maxBodyBytes: 64 * 1024,
          log: pino({ level: 'silent' }),
          now: () => nowMs,
        }),
      ],
    });
    base = `http://127.0.0.1:${(await server.start()).port}`;
  });
  afterAll(async () => {
    await server?.stop();
    await dispose?.();
  });
  beforeEach(async () => {
    nowMs = Date.now();
    await db.query('DELETE FROM ledger_entries');
    await db.query('DELETE FROM webhook_deliveries');
  });

  const post = (path: string, body: string | Buffer, headers: Record<string, string>) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const stored = () =>
    db.query<{ source: string; delivery_id: string; status: string; body: string; error: string | null }>(
      'SELECT source, delivery_id, status, body, error FROM webhook_deliveries ORDER BY id',
    );
  const ledger = () =>
    db.query<{
      source: string;
      kind: string;
      external_id: string;
      status: string;
      amount_cents: string;
      currency: string;
      customer_hash: string | null;
    }>(
      'SELECT source, kind, external_id, status, amount_cents::text, currency, customer_hash FROM ledger_entries ORDER BY id',
    );

  const shopifyHeaders = (body: string, id = 'wh-1', topic = 'orders/create') => ({
    'x-shopify-hmac-sha256': shopifyHmac(body),
    'x-shopify-topic': topic,
    'x-shopify-webhook-id': id,
  });

  it('takes a Shopify order signed as Shopify signs it, once, and books it after parsing', async () => {
    const body = shopifyOrder('820982911946154508', 'Jane.Doe@Example.com');
    const first = await post('/webhooks/shopify', body, shopifyHeaders(body));
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ duplicate: false, status: 'received' });
    const again = await post('/webhooks/shopify', body, shopifyHeaders(body));
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ duplicate: true });
    expect(await stored()).toHaveLength(1);

    expect(await parsePending(intake, testCtx())).toEqual({ parsed: 1, ignored: 0, failed: 0 });
    const [sale] = await ledger();
    expect(sale).toMatchObject({
      source: 'shopify',
      kind: 'sale',
      external_id: '820982911946154508',
      status: 'CLEARED',
      amount_cents: '4990',
      currency: 'USD',
      customer_hash: hashPii(KEY, 'jane.doe@example.com'),
    });
  });

  it('never stores an address: the raw body keeps the keyed hash in its place', async () => {
    const body = shopifyOrder(1, 'someone@shop.example');
    await post('/webhooks/shopify', body, shopifyHeaders(body));
    const [row] = await stored();
    expect(row!.body).not.toContain('someone@shop.example');
    expect(row!.body).toContain(`pii:${hashPii(KEY, 'someone@shop.example')}`);
    expect(() => JSON.parse(row!.body)).not.toThrow();
  });

  it('refuses a Shopify body re-serialized by a JSON parser, a wrong secret and no header: 401, nothing stored', async () => {
    const body = shopifyOrder(2, 'a@b.example');
    const reserialized = JSON.stringify(JSON.parse(body));
    expect(reserialized).not.toBe(body);
    expect((await post('/webhooks/shopify', reserialized, shopifyHeaders(body))).status).toBe(401);
    const wrong = { ...shopifyHeaders(body), 'x-shopify-hmac-sha256': shopifyHmac(body, 'other') };
    expect((await post('/webhooks/shopify', body, wrong)).status).toBe(401);
    expect((await post('/webhooks/shopify', body, { 'x-shopify-topic': 'orders/create' })).status).toBe(401);
    expect(await stored()).toHaveLength(0);
  });

  it('takes a Stripe event signed by the stripe package, dedupes on the event id, refuses a stale signature', async () => {
    const payload = stripeEvent('evt_1', 'ch_1');
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET });
    const ok = await post('/webhooks/stripe', payload, { 'stripe-signature': header });
    expect(ok.status).toBe(202);
    const retry = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET });
    expect(
      await (await post('/webhooks/stripe', payload, { 'stripe-signature': retry })).json(),
    ).toMatchObject({
      duplicate: true,
    });
    const stale = stripe.webhooks.generateTestHeaderString({
      payload: stripeEvent('evt_2', 'ch_2'),
      secret: STRIPE_SECRET,
      timestamp: Math.floor(nowMs / 1000) - 301,
    });
    const refused = await post('/webhooks/stripe', stripeEvent('evt_2', 'ch_2'), {
      'stripe-signature': stale,
    });
    expect(refused.status).toBe(401);
    expect((await stored()).map((r) => r.delivery_id)).toEqual(['evt_1']);
    await parsePending(intake, testCtx());
    expect(await ledger()).toMatchObject([
      { source: 'stripe', kind: 'sale', amount_cents: '12000', currency: 'EUR' },
    ]);
  });

  it('takes a generic source with a bearer token (gzip too), and refuses one without', async () => {
    const body = JSON.stringify({ id: 'o-1', amount: '10.00', currency: 'GBP', status: 'paid' });
    expect((await post('/webhooks/generic/pos', body, {})).status).toBe(401);
    const res = await post('/webhooks/generic/pos', gzipSync(body), {
      authorization: `Bearer ${token}`,
      'content-encoding': 'gzip',
      'idempotency-key': 'pos-1',
    });
    expect(res.status).toBe(202);
    expect((await stored()).map((r) => [r.source, r.delivery_id])).toEqual([['pos', 'pos-1']]);
    // The signed senders cannot be reached with a token instead of their signature.
    expect((await post('/webhooks/generic/stripe', body, { authorization: `Bearer ${token}` })).status).toBe(
      404,
    );
  });

  it('keeps an authenticated delivery that does not parse, with its reason, body intact', async () => {
    const body = '{"id": 7, "total_price": "not money", "currency": "USD"';
    const res = await post('/webhooks/shopify', body, shopifyHeaders(body, 'wh-bad'));
    expect(res.status).toBe(202);
    expect(await parsePending(intake, testCtx())).toEqual({ parsed: 0, ignored: 0, failed: 1 });
    const [row] = await stored();
    expect(row).toMatchObject({ status: 'failed', body });
    expect(row!.error).toMatch(/not JSON/);
    expect(await repos.webhooks.listFailed(10)).toHaveLength(1);
    expect(await repos.webhooks.failedSince(nowMs - 1_000)).toEqual(new Map([['shopify', 1]]));
    expect(await repos.webhooks.failedSince(Date.now() + 60_000)).toEqual(new Map());
  });

  it('refuses a body over the cap with 413 and stores nothing', async () => {
    const big = JSON.stringify({ id: 'x', pad: 'p'.repeat(70 * 1024) });
    const res = await post('/webhooks/generic/pos', big, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(413);
    expect(await stored()).toHaveLength(0);
  });
});
