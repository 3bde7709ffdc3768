import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryStore } from '../../src/adapters/db/telemetry-repository.ts';
import { sketchOps } from '../../src/adapters/telemetry/sketch-ops.ts';
import { type Harness, startHarness } from './harness.ts';

/**
 * Telemetry into the running app (issue 5, ingest): a token from the token store, a plain JSON batch and an
 * OTLP/HTTP JSON logs request over HTTP, and the rows each tier holds afterwards. The answer comes only
 * after the rows are stored, so the assertions need no waiting.
 */
describe('telemetry ingest into the running app', () => {
  let h: Harness;
  let token: string;
  const now = Date.now();

  beforeAll(async () => {
    h = await startHarness();
    ({ token } = await h.services.repos.tokens.create('checkout-service'));
  });
  afterAll(async () => h.stop());

  const send = (path: string, body: unknown, auth = `Bearer ${token}`) =>
    fetch(`${h.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify(body),
    });

  it('stores a plain batch: errors and slow events raw in Bronze (PII hashed), every event in Silver', async () => {
    const res = await send('/api/telemetry/events', [
      { service: 'checkout', name: 'pay', time: now, duration_ms: 40, ok: true },
      { service: 'checkout', name: 'pay', time: now, duration_ms: 2500, ok: true, user_id: 'u-42' },
      { service: 'checkout', name: 'pay', time: now, ok: false, level: 'ERROR', email: 'ann@example.com' },
      { service: 'checkout', name: 'pay', time: 'yesterday' },
    ]);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: number; rejected: { index: number }[] };
    expect(body.accepted).toBe(3);
    expect(body.rejected.map((r) => r.index)).toEqual([3]);

    const bronze = await h.services.db.query<Record<string, unknown>>(
      "SELECT ok, duration_ms, user_hash, email_hash, attributes::text AS attrs FROM bronze_events WHERE service = 'checkout' ORDER BY duration_ms NULLS LAST",
    );
    expect(bronze).toHaveLength(2); // the slow one and the error; the fast success is Silver only
    const stored = JSON.stringify(bronze);
    expect(stored).not.toContain('u-42');
    expect(stored).not.toContain('ann@example.com');
    expect(bronze[0]!['user_hash']).toMatch(/^[0-9a-f]{64}$/);
    // Silver minutes wait in silver_minute_pending until compaction (a scheduled job) merges them.
    await telemetryStore(h.services.db, sketchOps).compact();
    const [silver] = await h.services.db.query<{ count: string; errors: string; max: number }>(
      "SELECT count::text AS count, errors::text AS errors, max FROM silver_minute WHERE service = 'checkout' AND metric = 'pay'",
    );
    expect(silver).toMatchObject({ count: '3', errors: '1', max: 2500 });
  });

  it('accepts OTLP/HTTP JSON logs with partial success, and refuses a wrong token', async () => {
    const ns = String(BigInt(now) * 1_000_000n);
    const request = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] },
          scopeLogs: [
            {
              scope: { name: 'orders-api' },
              logRecords: [
                { timeUnixNano: ns, severityNumber: 17, body: { stringValue: 'payment declined' } },
                { timeUnixNano: ns, severityNumber: 9, body: { stringValue: 'ok' } },
                { timeUnixNano: 'soon', severityNumber: 9 },
              ],
            },
          ],
        },
      ],
    };
    const res = await send('/v1/logs', request);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ partialSuccess: { rejectedLogRecords: 1 } });
    const rows = await h.services.db.query<{ message: string }>(
      "SELECT message FROM bronze_events WHERE service = 'orders'",
    );
    expect(rows.map((r) => r.message)).toEqual(['payment declined']);

    const forged = await send('/v1/logs', request, 'Bearer lrs_not-a-real-token');
    expect(forged.status).toBe(401);
  });
});
