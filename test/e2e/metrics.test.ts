import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../src/shared/time.ts';
import { parseExposition } from '../adapters/metrics/exposition.ts';
import { buildRecord } from '../support/builders.ts';
import { BOT_TOKEN, type Harness, SIGNING_SECRET, startHarness } from './harness.ts';

/**
 * The bot's own metrics over the running app (issue 13 item 8): a slash command, an Events API delivery,
 * a telemetry batch, OTLP requests taken, taken in part and refused, a store webhook (and its retry) and a
 * scheduled job go in; GET /metrics (behind
 * METRICS_TOKEN) then shows each counted, the outbox gauges matching the jobs table, in a text that
 * parses as Prometheus's exposition format.
 */
const METRICS_TOKEN = 'metrics-e2e-7b21c4';
const SHOPIFY_SECRET = 'shpss_e2e_metrics';
const now = Date.now();

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    env: { METRICS_TOKEN, SHOPIFY_WEBHOOK_SECRET: SHOPIFY_SECRET },
    records: [
      buildRecord(
        { id: 'L1', valueCents: 2_000_000, createdAtMs: now - 120 * MINUTE_MS, lastTouchAtMs: null },
        now,
      ),
    ],
  });
});
afterAll(async () => {
  await h?.stop();
});

const scrape = (token: string | null = METRICS_TOKEN) =>
  fetch(`${h.baseUrl}/metrics`, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });

async function shopifyOrder(webhookId: string): Promise<number> {
  const body = JSON.stringify({ id: 7001, processed_at: new Date(now).toISOString(), total_price: '12.00' });
  const res = await fetch(`${h.baseUrl}/webhooks/shopify`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-webhook-id': webhookId,
      'x-shopify-hmac-sha256': createHmac('sha256', SHOPIFY_SECRET).update(body).digest('base64'),
    },
    body,
  });
  await res.text();
  return res.status;
}

describe('GET /metrics on the running app', () => {
  it('refuses a scrape without the token, or with another (401), and counts the refusal', async () => {
    const none = await scrape(null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.text()).not.toContain('leak_');
    expect((await scrape('not-the-token')).status).toBe(401);
  });

  it('shows requests, acks, ingest, webhooks, scans, job runs and the outbox after they happen', async () => {
    const slash = await h.slash('/leak', 'scan');
    expect(slash.status).toBe(200);
    await h.fake.waitFor((c) => c.kind === 'response' && c.name === slash.responseId);
    expect((await h.event({ type: 'app_home_opened', user: 'U0001', tab: 'home' })).status).toBe(200);
    const { token } = await h.services.repos.tokens.create('metrics-e2e');
    const batch = await fetch(`${h.baseUrl}/api/telemetry/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify([
        { service: 'checkout', name: 'pay', time: now, duration_ms: 40, ok: true },
        { service: 'checkout', name: 'pay', time: now, duration_ms: 90, ok: true },
        { service: 'checkout', name: 'pay', time: 'yesterday' },
      ]),
    });
    expect(batch.status).toBe(200);
    expect(await shopifyOrder('wh-metrics-1')).toBe(202);
    expect(await shopifyOrder('wh-metrics-1')).toBe(202); // Shopify's retry: answered, stored once
    expect(await h.running.fire('pager')).toBe('ran');
    await h.settle();

    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const e = parseExposition(text);
    const req = (route: string, method: string, status: string) =>
      e.value('leak_http_requests_total', { route, method, status });

    expect(req('/slack/events', 'POST', '200')).toBe(2);
    expect(e.value('leak_slack_ack_seconds_count', { kind: 'command' })).toBe(1);
    expect(e.value('leak_slack_ack_seconds_count', { kind: 'event' })).toBe(1);
    expect(e.value('leak_slack_ack_seconds_bucket', { kind: 'command', le: '3' })).toBe(1);
    expect(req('/api/telemetry/events', 'POST', '200')).toBe(1);
    expect(e.value('leak_ingest_items_total', { signal: 'events', outcome: 'accepted' })).toBe(2);
    expect(
      e.value('leak_ingest_items_total', { signal: 'events', outcome: 'rejected', reason: 'malformed' }),
    ).toBe(1);
    expect(e.value('leak_ingest_requests_total', { signal: 'events', outcome: 'partial' })).toBe(1);
    expect(req('/webhooks/shopify', 'POST', '202')).toBe(2);
    expect(e.value('leak_ingest_items_total', { signal: 'webhooks', outcome: 'accepted' })).toBe(1);
    expect(e.value('leak_ingest_items_total', { signal: 'webhooks', outcome: 'duplicate' })).toBe(1);
    expect(req('/metrics', 'GET', '401')).toBe(2);
    expect(e.value('leak_scans_total', { outcome: 'ok' })).toBe(1);
    expect(e.value('leak_scan_duration_seconds_count', { outcome: 'ok' })).toBe(1);
    expect(e.value('leak_job_runs_total', { job: 'pager', outcome: 'ok' })).toBe(1);
    expect(e.value('leak_job_runs_total', { job: 'scheduled-scan', outcome: 'ok' })).toBe(0);
    expect(e.value('leak_job_last_success_timestamp_seconds', { job: 'pager' })).toBeGreaterThan(
      now / 1000 - 1,
    );
    expect(e.types.get('process_cpu_seconds_total')).toBe('counter');

    // The outbox gauges are the jobs table as the scrape read it; every job done was a delivery counted.
    const [t] = await h.services.db.query<{ pending: number; done: number; failed: number }>(
      `SELECT count(*) FILTER (WHERE state = 'pending')::int AS pending,
              count(*) FILTER (WHERE state = 'done')::int AS done,
              count(*) FILTER (WHERE state = 'failed')::int AS failed FROM jobs`,
    );
    expect(t!.done).toBeGreaterThan(0);
    for (const state of ['pending', 'done', 'failed'] as const)
      expect(e.value('leak_outbox_jobs', { state })).toBe(t![state]);
    const delivered = e.find('leak_outbox_deliveries_total', { outcome: 'delivered' });
    expect(delivered.reduce((n, s) => n + s.value, 0)).toBeGreaterThanOrEqual(t!.done);
    expect(e.value('leak_outbox_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(0);

    // Labels hold route families and closed sets: no secret, no token, no raw URL.
    for (const secret of [METRICS_TOKEN, token, BOT_TOKEN, SIGNING_SECRET, 'wh-metrics-1'])
      expect(text).not.toContain(secret);
  });

  it('counts OTLP requests the ingest routes take, take in part and refuse, with their reasons', async () => {
    const { token } = await h.services.repos.tokens.create('metrics-e2e-otlp');
    const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
    const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] };
    const record = (extra: object = {}) => ({
      timeUnixNano: ns(now),
      body: { stringValue: 'paid' },
      ...extra,
    });
    const post = async (body: string, contentType = 'application/json') => {
      const res = await fetch(`${h.baseUrl}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: `Bearer ${token}` },
        body,
      });
      await res.arrayBuffer();
      return res.status;
    };
    const logs = (records: object[]) =>
      JSON.stringify({ resourceLogs: [{ resource, scopeLogs: [{ logRecords: records }] }] });

    expect(await post(logs([record(), record()]))).toBe(200); // good
    expect(await post('{"resourceLogs": [{')).toBe(400); // malformed body
    expect(await post(logs([record()]), 'text/plain')).toBe(415); // a content type not taken
    const partial = logs([
      record(),
      record({ traceId: 'zz' }), // not a hex trace id
      { ...record(), timeUnixNano: ns(now - 30 * 86_400_000) }, // before Bronze retention
    ]);
    expect(await post(partial)).toBe(200);

    const text = await (await scrape()).text();
    const e = parseExposition(text);
    const logsItems = (outcome: string, reason?: string) =>
      e.value('leak_ingest_items_total', { signal: 'logs', outcome, ...(reason ? { reason } : {}) });
    expect(logsItems('accepted')).toBe(3);
    expect(logsItems('rejected', 'malformed')).toBe(1);
    expect(logsItems('rejected', 'too_old')).toBe(1);
    const requests = (outcome: string, reason?: string) =>
      e.value('leak_ingest_requests_total', { signal: 'logs', outcome, ...(reason ? { reason } : {}) });
    expect(requests('accepted')).toBe(1);
    expect(requests('partial')).toBe(1);
    expect(requests('rejected', 'malformed')).toBe(1);
    expect(requests('rejected', 'content_type')).toBe(1);
    // The same requests by HTTP status, for the route family.
    expect(e.value('leak_http_requests_total', { route: '/v1/logs', method: 'POST', status: '200' })).toBe(2);
    expect(e.value('leak_http_requests_total', { route: '/v1/logs', method: 'POST', status: '400' })).toBe(1);
    expect(text).not.toContain(token);
  });

  it('labels a path nobody serves `other`', async () => {
    await (await fetch(`${h.baseUrl}/wp-login.php?user=admin`)).text();
    const e = parseExposition(await (await scrape()).text());
    expect(e.value('leak_http_requests_total', { route: 'other', method: 'GET', status: '404' })).toBe(1);
    expect(e.find('leak_http_requests_total').some((s) => s.labels['route']?.includes('wp-login'))).toBe(
      false,
    );
  });
});
