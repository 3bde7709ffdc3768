import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  STRIPE_TOLERANCE_S,
  verifyShopify,
  verifyStripe,
} from '../../../src/adapters/http/webhook-signatures.ts';

// ---------------------------------------------------------------------------------------------- Stripe

const stripe = new Stripe('sk_test_x');
const SECRET = 'whsec_test_current_secret';
const OLD_SECRET = 'whsec_test_previous_secret';
const T = 1_760_000_000;
const NOW_MS = T * 1000 + 250; // a quarter second after the event was signed
const PAYLOAD = '{\n  "id": "evt_1", "object": "event", "type": "charge.refunded", "note": "café"\n}';
const BODY = Buffer.from(PAYLOAD, 'utf8');

/** The header stripe-node's own test helper writes. */
const header = (opts: { secret?: string; timestamp?: number; payload?: string; scheme?: string } = {}) =>
  stripe.webhooks.generateTestHeaderString({
    payload: opts.payload ?? PAYLOAD,
    secret: opts.secret ?? SECRET,
    timestamp: opts.timestamp ?? T,
    ...(opts.scheme === undefined ? {} : { scheme: opts.scheme }),
  });

/** The signature part of a helper-made header (`t=…,v1=<this>`). */
const sigOf = (h: string): string => h.split(',')[1]!.split('=')[1]!;

/** Does stripe-node's constructEvent, with the same clock, take this delivery? */
function stripeAccepts(body: Buffer, h: string, secret: string, nowMs: number): boolean {
  try {
    stripe.webhooks.constructEvent(body, h, secret, undefined, undefined, nowMs);
    return true;
  } catch {
    return false;
  }
}

const oursAccepts = (body: Buffer, h: string, secret: string, nowMs: number): boolean =>
  verifyStripe(body, h, secret, nowMs).ok;

describe('verifyStripe', () => {
  it('accepts the header stripe-node generates, and returns its timestamp', () => {
    expect(verifyStripe(BODY, header(), SECRET, NOW_MS)).toEqual({ ok: true, timestampS: T });
  });

  it('matches a known-answer vector computed with openssl', () => {
    // printf '%s' '1700000000.{"id":"evt_test","object":"event"}' \
    //   | openssl dgst -sha256 -hmac 'whsec_known_answer_secret' -hex
    const payload = '{"id":"evt_test","object":"event"}';
    const expected = 't=1700000000,v1=5383b76dd0264c0d4b31c12cb388c67dc664499605705573b742363f2177c83a';
    const secret = 'whsec_known_answer_secret';
    expect(header({ payload, secret, timestamp: 1_700_000_000 })).toBe(expected);
    expect(verifyStripe(Buffer.from(payload), expected, secret, 1_700_000_000_000)).toEqual({
      ok: true,
      timestampS: 1_700_000_000,
    });
  });

  const twoV1 = `t=${T},v1=${sigOf(header({ secret: OLD_SECRET }))},v1=${sigOf(header())}`;
  const cases: { name: string; body: Buffer; h: string; secret: string; nowMs: number; ok: boolean }[] = [
    { name: 'untouched delivery', body: BODY, h: header(), secret: SECRET, nowMs: NOW_MS, ok: true },
    {
      name: 'tampered body',
      body: Buffer.from(PAYLOAD.replace('refunded', 'succeeded')),
      h: header(),
      secret: SECRET,
      nowMs: NOW_MS,
      ok: false,
    },
    {
      name: 're-serialized body',
      body: Buffer.from(JSON.stringify(JSON.parse(PAYLOAD))),
      h: header(),
      secret: SECRET,
      nowMs: NOW_MS,
      ok: false,
    },
    { name: 'wrong secret', body: BODY, h: header(), secret: OLD_SECRET, nowMs: NOW_MS, ok: false },
    { name: '301 s old', body: BODY, h: header(), secret: SECRET, nowMs: (T + 301) * 1000, ok: false },
    { name: 'exactly 300 s old', body: BODY, h: header(), secret: SECRET, nowMs: (T + 300) * 1000, ok: true },
    { name: '300 s ahead', body: BODY, h: header(), secret: SECRET, nowMs: (T - 300) * 1000, ok: true },
    { name: 'two v1, the second right', body: BODY, h: twoV1, secret: SECRET, nowMs: NOW_MS, ok: true },
    { name: 'two v1, the first right', body: BODY, h: twoV1, secret: OLD_SECRET, nowMs: NOW_MS, ok: true },
    {
      name: 'no v1, only v0',
      body: BODY,
      h: header({ scheme: 'v0' }),
      secret: SECRET,
      nowMs: NOW_MS,
      ok: false,
    },
    { name: 'no t', body: BODY, h: `v1=${sigOf(header())}`, secret: SECRET, nowMs: NOW_MS, ok: false },
    {
      name: 'non-numeric t',
      body: BODY,
      h: `t=abc,v1=${sigOf(header())}`,
      secret: SECRET,
      nowMs: NOW_MS,
      ok: false,
    },
    { name: 'empty secret', body: BODY, h: header(), secret: '', nowMs: NOW_MS, ok: false },
  ];

  for (const c of cases) {
    it(`${c.ok ? 'accepts' : 'rejects'} (${c.name}) as stripe-node constructEvent does`, () => {
      expect(oursAccepts(c.body, c.h, c.secret, c.nowMs)).toBe(c.ok);
      expect(stripeAccepts(c.body, c.h, c.secret, c.nowMs)).toBe(c.ok);
    });
  }

  it('is stricter than stripe-node: a timestamp 301 s in the future is refused (stripe-node only checks age)', () => {
    const nowMs = (T - 301) * 1000;
    expect(verifyStripe(BODY, header(), SECRET, nowMs)).toEqual({
      ok: false,
      reason: 'Stripe-Signature timestamp is in the future.',
    });
    expect(stripeAccepts(BODY, header(), SECRET, nowMs)).toBe(true);
  });

  it('is stricter than stripe-node: two t= values are refused, not resolved to the last', () => {
    const h = `t=1,${header()}`;
    expect(stripeAccepts(BODY, h, SECRET, NOW_MS)).toBe(true);
    expect(verifyStripe(BODY, h, SECRET, NOW_MS)).toEqual({
      ok: false,
      reason: 'Stripe-Signature has more than one timestamp (t=).',
    });
  });

  it('says why, in short sentences', () => {
    const why = (h: string | undefined, nowMs = NOW_MS, body = BODY) => {
      const v = verifyStripe(body, h, SECRET, nowMs);
      return v.ok ? 'ok' : v.reason;
    };
    expect(why(undefined)).toBe('Missing Stripe-Signature header.');
    expect(why('')).toBe('Missing Stripe-Signature header.');
    expect(why(`v1=${sigOf(header())}`)).toBe('Stripe-Signature has no timestamp (t=).');
    for (const t of ['abc', '', '-5', '1e9', ' 1760000000', '0x1f'])
      expect(why(`t=${t},v1=${sigOf(header())}`)).toBe('Stripe-Signature timestamp is not a number.');
    expect(why(header({ scheme: 'v0' }))).toBe('Stripe-Signature has no v1 signature.');
    expect(why(`t=${T},v1=`)).toBe('Stripe-Signature has no v1 signature.');
    expect(why(header(), (T + 301) * 1000)).toBe('Stripe-Signature timestamp is too old.');
    expect(why(header(), NOW_MS, Buffer.from(`${PAYLOAD} `))).toBe(
      'No Stripe-Signature v1 signature matches the body.',
    );
    expect(verifyStripe(BODY, header(), '', NOW_MS)).toEqual({
      ok: false,
      reason: 'No Stripe webhook signing secret is configured.',
    });
  });

  it('never puts the secret or the expected signature in a reason', () => {
    const expected = sigOf(header());
    const headers = [
      header({ secret: OLD_SECRET }),
      `t=${T},v1=${expected.slice(0, 10)}`,
      `t=${T}`,
      'garbage',
    ];
    for (const h of headers) {
      const v = verifyStripe(Buffer.from(`${PAYLOAD}!`), h, SECRET, NOW_MS);
      expect(v.ok).toBe(false);
      if (!v.ok) {
        expect(v.reason).not.toContain(SECRET);
        expect(v.reason).not.toContain(expected.slice(0, 8));
      }
    }
  });

  it('uses five minutes by default and honours a narrower tolerance', () => {
    expect(STRIPE_TOLERANCE_S).toBe(300);
    expect(STRIPE_TOLERANCE_S).toBe(Stripe.webhooks.DEFAULT_TOLERANCE);
    expect(verifyStripe(BODY, header(), SECRET, (T + 61) * 1000, 60).ok).toBe(false);
    expect(verifyStripe(BODY, header(), SECRET, (T + 60) * 1000, 60).ok).toBe(true);
  });
});

// --------------------------------------------------------------------------------------------- Shopify

const SHOP_SECRET = 'shpss_known_answer_secret';
/** As Shopify sends it: spaces after colons, a unicode escape, an id past 2^53. */
const SHOP_BODY = String.raw`{"id": 820982911946154508, "total_price": "10.00", "note": "caf\u00e9"}`;
/** printf '%s' "$SHOP_BODY" | openssl dgst -sha256 -hmac 'shpss_known_answer_secret' -binary | base64 */
const SHOP_KAT = 'GYQUfw/u25VwLnxSBcu+dSOlPJwVXZU0rFZP0ov5FCA=';

/** The header as Shopify documents it: base64 of HMAC-SHA256(secret, raw body). */
const shopifySign = (body: Buffer, secret: string): string =>
  createHmac('sha256', secret).update(body).digest('base64');

describe('verifyShopify', () => {
  const body = Buffer.from(SHOP_BODY, 'utf8');

  it('accepts the known-answer vector computed with openssl', () => {
    expect(shopifySign(body, SHOP_SECRET)).toBe(SHOP_KAT);
    expect(verifyShopify(body, SHOP_KAT, SHOP_SECRET)).toBe(true);
  });

  it('accepts any body signed as Shopify documents, raw bytes included', () => {
    const raw = Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xff, 0x00, 0xc3]), Buffer.from('"}')]);
    expect(verifyShopify(raw, shopifySign(raw, 'other'), 'other')).toBe(true);
  });

  it('rejects the same JSON re-serialized by JSON.parse/JSON.stringify', () => {
    const reserialized = JSON.stringify(JSON.parse(SHOP_BODY));
    expect(reserialized).not.toBe(SHOP_BODY); // spaces gone, \u00e9 now é, the id rounded
    expect(verifyShopify(Buffer.from(reserialized, 'utf8'), SHOP_KAT, SHOP_SECRET)).toBe(false);
  });

  it('rejects a tampered body or the wrong secret', () => {
    expect(verifyShopify(Buffer.from(SHOP_BODY.replace('10.00', '0.00')), SHOP_KAT, SHOP_SECRET)).toBe(false);
    expect(verifyShopify(body, SHOP_KAT, 'shpss_another_secret')).toBe(false);
  });

  it('returns false, never throws, for a missing, empty, garbage or wrong-length header', () => {
    const hex = createHmac('sha256', SHOP_SECRET).update(body).digest('hex');
    const bad = [
      undefined,
      '',
      '!!!not base64!!!',
      hex, // hex instead of base64: valid base64 characters, but 48 bytes
      SHOP_KAT.slice(0, -4), // 30 bytes
      Buffer.alloc(31).toString('base64'),
      Buffer.alloc(33).toString('base64'),
      `${SHOP_KAT.slice(0, 10)}!${SHOP_KAT.slice(10)}`, // Buffer.from would skip the junk; we do not
      ` ${SHOP_KAT}`,
      SHOP_KAT.replace(/\+/g, '-').replace(/\//g, '_'), // base64url alphabet
    ];
    for (const h of bad) {
      expect(() => verifyShopify(body, h, SHOP_SECRET)).not.toThrow();
      expect(verifyShopify(body, h, SHOP_SECRET)).toBe(false);
    }
  });

  it('rejects everything under an empty secret', () => {
    expect(verifyShopify(body, shopifySign(body, ''), '')).toBe(false);
  });
});
