import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack request signing (SLACK.md "Request signing"): `v0=` + hex HMAC-SHA256(secret, `v0:${ts}:${body}`).
 * Pure: the caller passes the clock. Unlike Bolt, which only rejects old timestamps, the replay window
 * here has two sides: a timestamp more than five minutes in the FUTURE is as suspect as a stale one.
 */
export const MAX_SKEW_SEC = 5 * 60;

export type SignatureReason =
  | 'missing_timestamp'
  | 'invalid_timestamp'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'missing_signature'
  | 'bad_signature';

export type SignatureVerdict = { ok: true } | { ok: false; reason: SignatureReason };

export interface SignedRequest {
  signingSecret: string;
  /** `X-Slack-Request-Timestamp` as received (unix seconds). */
  timestamp: string | undefined;
  /** `X-Slack-Signature` as received. */
  signature: string | undefined;
  rawBody: string | Buffer;
  nowSec: number;
}

export function signatureFor(signingSecret: string, timestamp: string, rawBody: string | Buffer): string {
  const mac = createHmac('sha256', signingSecret);
  mac.update(`v0:${timestamp}:`);
  mac.update(rawBody);
  return `v0=${mac.digest('hex')}`;
}

export function verifySlackRequest(req: SignedRequest): SignatureVerdict {
  const { timestamp, signature } = req;
  if (timestamp === undefined || timestamp === '') return { ok: false, reason: 'missing_timestamp' };
  // Digits only: Number() would also accept "1e9", " 12 " or "0x1f", which Slack never sends.
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'invalid_timestamp' };
  const skew = req.nowSec - Number(timestamp);
  if (skew > MAX_SKEW_SEC) return { ok: false, reason: 'stale_timestamp' };
  if (skew < -MAX_SKEW_SEC) return { ok: false, reason: 'future_timestamp' };
  if (signature === undefined || signature === '') return { ok: false, reason: 'missing_signature' };

  const expected = Buffer.from(signatureFor(req.signingSecret, timestamp, req.rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // timingSafeEqual throws on unequal lengths; the length of a well-formed signature is public anyway.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  return { ok: true };
}
