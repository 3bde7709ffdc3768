import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPii } from '../../src/shared/pii.ts';
import { type Harness, startHarness } from './harness.ts';

/**
 * The e2e suite runs without PII_HASH_KEY, as the demo does (issue 10 item 7): the app hashes personal data
 * with the random key its database generated and keeps, not with a key written in the source, and no log
 * line (at debug level) ever shows that key.
 */
describe('the PII key of a database run without PII_HASH_KEY', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());

  it('keys the hash of telemetry emails and user ids, and is never logged', async () => {
    const { token } = await h.services.repos.tokens.create('checkout-service');
    const res = await fetch(`${h.baseUrl}/api/telemetry/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify([
        {
          service: 'checkout',
          name: 'pay',
          time: Date.now(),
          ok: false,
          email: 'Ann@Example.com',
          user_id: 'u-7',
        },
      ]),
    });
    expect(res.status).toBe(200);
    const [key] = await h.services.db.query<{ key: string }>('SELECT key FROM stored_pii_key');
    expect(key!.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [row] = await h.services.db.query<{ email_hash: string; user_hash: string }>(
      `SELECT email_hash, user_hash FROM bronze_events WHERE service = 'checkout'`,
    );
    expect(row).toEqual({
      email_hash: hashPii(key!.key, 'ann@example.com'),
      user_hash: hashPii(key!.key, 'u-7'),
    });
    expect(h.logs.length).toBeGreaterThan(0);
    expect(h.logs.filter((line) => line.includes(key!.key))).toEqual([]);
  });
});
