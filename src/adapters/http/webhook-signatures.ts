import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures checked exactly as the senders sign them, over the RAW body bytes as received: a body
 * parsed and re-serialized (other whitespace, key order, `\u00e9` written as `é`, big integers rounded)
 * no longer matches, so verify before `JSON.parse` and never re-stringify. Pure: the caller passes the
 * clock. Nothing here logs, and no answer carries the secret or the expected signature.
 */

/** Bytes in an HMAC-SHA256 digest. */
const SHA256_BYTES = 32;

/**
 * Shopify (shopify.dev/docs/apps/build/webhooks/verify-deliveries): every HTTPS delivery carries
 * `X-Shopify-Hmac-SHA256`, the base64 (not hex) HMAC-SHA256 of the raw request body keyed with the app's
 * client secret (webhooks made in the Shopify admin use the secret shown under Settings → Notifications).
 * The header is base64-decoded and the two 32-byte digests compared in constant time. Shopify's header
 * carries no timestamp, so this proves origin only: replays are caught by the delivery id
 * (`X-Shopify-Webhook-Id`) elsewhere. After a client-secret rotation Shopify may keep signing with the old
 * secret for up to an hour: a caller rotating passes each secret in turn.
 *
 * False, never a throw, for a missing or empty header, one that is not base64, one that does not decode
 * to 32 bytes, or an empty secret (an HMAC under an empty key can be made by anyone).
 */
export function verifyShopify(rawBody: Buffer, headerValue: string | undefined, secret: string): boolean {
  if (secret === '' || headerValue === undefined) return false;
  // Standard alphabet with its padding: Buffer.from(…, 'base64') would skip junk characters silently.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(headerValue)) return false;
  const given = Buffer.from(headerValue, 'base64');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  // timingSafeEqual throws on unequal lengths; a digest's length is public anyway.
  return (
    given.length === SHA256_BYTES && given.length === expected.length && timingSafeEqual(given, expected)
  );
}

/** Stripe's recommended replay window, and stripe-node's `DEFAULT_TOLERANCE`: five minutes. */
export const STRIPE_TOLERANCE_S = 5 * 60;

export type StripeVerdict = { ok: true; timestampS: number } | { ok: false; reason: string };

interface StripeHeader {
  t: string | undefined;
  tCount: number;
  v1: string[];
}

/**
 * `Stripe-Signature: t=<unix seconds>,v1=<hex>,v1=<hex>,v0=<hex>`: split on `,`, then each element on its
 * first `=`. Keys other than `t` and `v1` (the test-mode `v0`, anything added later) are ignored, as the
 * docs and stripe-node do. No whitespace trimming: Stripe sends none, and stripe-node trims none either.
 */
function parseStripeHeader(header: string): StripeHeader {
  const out: StripeHeader = { t: undefined, tCount: 0, v1: [] };
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (key === 't') {
      out.t = value;
      out.tCount += 1;
    } else if (key === 'v1' && value !== '') out.v1.push(value);
  }
  return out;
}

/** True when any candidate equals `expected`; every candidate is compared, each in constant time. */
function anyEqual(candidates: readonly string[], expected: string): boolean {
  const want = Buffer.from(expected, 'utf8');
  let found = false;
  for (const c of candidates) {
    const got = Buffer.from(c, 'utf8');
    const same = got.length === want.length && timingSafeEqual(got, want);
    found = same || found;
  }
  return found;
}

/**
 * Stripe (docs.stripe.com/webhooks/signature, "verify manually"):
 * 1. from `Stripe-Signature` take the timestamp `t` and every `v1` signature; drop other schemes (`v0`);
 * 2. the signed payload is `${t}.${raw body}`;
 * 3. the expected signature is the hex HMAC-SHA256 of it keyed with the endpoint's signing secret
 *    (`whsec_…`, used as is as a UTF-8 string, not decoded);
 * 4. compare in constant time against each `v1`: while a secret is being rolled Stripe signs with the old
 *    and the new one, so several `v1` values arrive and one match is enough;
 * 5. refuse a timestamp outside the tolerance (Stripe's default five minutes) against replays.
 *
 * Unlike stripe-node's `constructEvent` (23.x), which only refuses events OLDER than the tolerance, the
 * window here has two sides, like our Slack check (adapters/slack/signature.ts): a timestamp more than
 * `toleranceS` in the future is refused too. Exactly `toleranceS` either way is accepted. `toleranceS = 0`
 * means "same second", not "no check" as it does in stripe-node. `t` must be plain decimal digits (no sign,
 * exponent or spaces); more than one `t` is refused rather than guessed between.
 *
 * `reason` is a short sentence fit for a 401 body: it never holds the secret or the expected signature.
 */
export function verifyStripe(
  rawBody: Buffer,
  headerValue: string | undefined,
  secret: string,
  nowMs: number,
  toleranceS = STRIPE_TOLERANCE_S,
): StripeVerdict {
  if (secret === '') return { ok: false, reason: 'No Stripe webhook signing secret is configured.' };
  if (headerValue === undefined || headerValue === '')
    return { ok: false, reason: 'Missing Stripe-Signature header.' };
  const h = parseStripeHeader(headerValue);
  if (h.t === undefined) return { ok: false, reason: 'Stripe-Signature has no timestamp (t=).' };
  if (h.tCount > 1) return { ok: false, reason: 'Stripe-Signature has more than one timestamp (t=).' };
  if (!/^\d{1,12}$/.test(h.t)) return { ok: false, reason: 'Stripe-Signature timestamp is not a number.' };
  if (h.v1.length === 0) return { ok: false, reason: 'Stripe-Signature has no v1 signature.' };

  const timestampS = Number(h.t);
  const skewS = Math.floor(nowMs / 1000) - timestampS;
  if (skewS > toleranceS) return { ok: false, reason: 'Stripe-Signature timestamp is too old.' };
  if (skewS < -toleranceS) return { ok: false, reason: 'Stripe-Signature timestamp is in the future.' };

  const mac = createHmac('sha256', secret);
  mac.update(`${h.t}.`);
  mac.update(rawBody);
  if (!anyEqual(h.v1, mac.digest('hex'))) {
    return { ok: false, reason: 'No Stripe-Signature v1 signature matches the body.' };
  }
  return { ok: true, timestampS };
}
