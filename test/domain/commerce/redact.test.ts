import { describe, expect, it } from 'vitest';
import { customerHashOf, redactEmails } from '../../../src/domain/commerce/redact.ts';
import { parseShopify } from '../../../src/domain/commerce/shopify.ts';
import { piiHasher } from '../../../src/shared/pii.ts';
import { RECEIVED_MS, shopifyOrder, stripeCharge, stripeEvent } from './payloads.ts';

const hash = piiHasher('test-install-key');
const token = (email: string) => `pii:${hash(email)}`;
const JON = token('jon@example.com');
const redact = (text: string) => redactEmails(text, hash);

describe('redactEmails', () => {
  it('replaces every email of a nested JSON body, and the body still parses to the same shape', () => {
    const raw = JSON.stringify(shopifyOrder());
    const out = redact(raw);
    expect(out).not.toMatch(/@|example\.com/);
    const order = JSON.parse(out);
    expect([order.email, order.contact_email, order.customer.email]).toEqual([JON, JON, JON]);
    expect({ ...order, email: 0, contact_email: 0, customer: 0 }).toEqual({
      ...shopifyOrder(),
      email: 0,
      contact_email: 0,
      customer: 0,
    });
  });

  it('replaces emails in text that is not JSON, hashing the same buyer the same however written', () => {
    const out = redact(
      'From: Jon@Example.com; cc: ayse.yilmaz+shop@mail.example.com.tr. Thanks, jon@example.com',
    );
    expect(out).toBe(`From: ${JON}; cc: ${token('ayse.yilmaz+shop@mail.example.com.tr')}. Thanks, ${JON}`);
  });

  it('makes tokens of [a-z0-9:] only', () => {
    const out = redact('a.b@example.org');
    expect(out).toMatch(/^pii:[a-f0-9]{64}$/);
  });

  it('reads the JSON-escaped "@" (\\u0040) and the form-encoded one (%40)', () => {
    expect(redact('{"email":"jon\\u0040example.com"}')).toBe(`{"email":"${JON}"}`);
    expect(redact('buyer_email=jon%40example.com&price=149.90')).toBe(`buyer_email=${JON}&price=149.90`);
    expect(redact('buyer_email=jon%2Bvip%40example.com')).toBe(`buyer_email=${token('jon+vip@example.com')}`);
  });

  it('keeps a JSON escape that precedes an address, so the JSON stays valid', () => {
    // JSON.stringify writes \n, \t and \\ escapes; "é" is written as \u00e9 by hand, as some encoders do.
    for (const note of [
      'line one\njon@example.com',
      'tab\tjon@example.com',
      'éjon@example.com',
      'C:\\jon@example.com',
    ]) {
      const raw = JSON.stringify({ note }).replace('é', '\\u00e9');
      const out = redact(raw);
      const parsed = JSON.parse(out) as { note: string };
      expect(parsed.note).toBe(note.replace('jon@example.com', JON));
    }
  });

  it('leaves text without an address alone, and redacting twice changes nothing', () => {
    const plain = '{"total_price":"19.99","note":"see @support or user@localhost","v":"1.2.3"}';
    expect(redact(plain)).toBe(plain);
    const once = redact(JSON.stringify(stripeEvent('charge.succeeded', stripeCharge())));
    expect(redact(once)).toBe(once);
    expect(JSON.parse(once).data.object.billing_details.email).toBe(token('jenny.rosen@example.com'));
  });

  it('scans a long run of letters without an address in linear time', () => {
    const blob = `{"receipt":"${'A'.repeat(500_000)}","email":"jon@example.com"}`;
    const started = performance.now();
    expect(redact(blob).endsWith(`"email":"${JON}"}`)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('customerHashOf', () => {
  it('returns the hex of a pii token as is', () => {
    expect(customerHashOf(JON, hash)).toBe(hash('jon@example.com'));
    expect(customerHashOf(' pii:00ff ', hash)).toBe('00ff');
  });

  it('hashes an address that escaped redaction, and returns null for no customer', () => {
    expect(customerHashOf(' Jon@Example.com ', hash)).toBe(hash('jon@example.com'));
    expect(customerHashOf('jon%40example.com', hash)).toBe(hash('jon@example.com'));
    expect([customerHashOf(null, hash), customerHashOf('', hash), customerHashOf('guest', hash)]).toEqual([
      null,
      null,
      null,
    ]);
  });

  it('gives the same hash whether the body was redacted on arrival or not', () => {
    const redacted = JSON.parse(redact(JSON.stringify(shopifyOrder())));
    const r = parseShopify('orders/create', redacted, RECEIVED_MS);
    const customer = r.ok && r.changes[0]?.kind === 'sale' ? r.changes[0].customer : null;
    expect(customer).toBe(JON);
    expect(customerHashOf(customer, hash)).toBe(customerHashOf('jon@example.com', hash));
  });
});
