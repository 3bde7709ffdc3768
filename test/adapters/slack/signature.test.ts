import { describe, expect, it } from 'vitest';
import { MAX_SKEW_SEC, signatureFor, verifySlackRequest } from '../../../src/adapters/slack/signature.ts';

// Slack's published test vector (SLACK.md "Request signing").
const VECTOR = {
  signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  rawBody:
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};
const TS = Number(VECTOR.timestamp);

describe('verifySlackRequest', () => {
  it("computes Slack's published signature", () => {
    expect(signatureFor(VECTOR.signingSecret, VECTOR.timestamp, VECTOR.rawBody)).toBe(VECTOR.signature);
    expect(signatureFor(VECTOR.signingSecret, VECTOR.timestamp, Buffer.from(VECTOR.rawBody))).toBe(
      VECTOR.signature,
    );
  });

  it('accepts the vector at its own time, and at both edges of the window', () => {
    for (const nowSec of [TS, TS + MAX_SKEW_SEC, TS - MAX_SKEW_SEC])
      expect(verifySlackRequest({ ...VECTOR, nowSec })).toEqual({ ok: true });
  });

  it.each([
    ['stale_timestamp', { nowSec: TS + MAX_SKEW_SEC + 1 }],
    ['future_timestamp', { nowSec: TS - MAX_SKEW_SEC - 1 }],
    ['bad_signature', { signature: `${VECTOR.signature.slice(0, -1)}4` }],
    ['bad_signature', { signature: VECTOR.signature.slice(0, -2) }],
    ['bad_signature', { signature: VECTOR.signature.toUpperCase() }],
    ['bad_signature', { rawBody: `${VECTOR.rawBody}&x=1` }],
    ['bad_signature', { signingSecret: 'another-secret' }],
    ['missing_signature', { signature: undefined }],
    ['missing_timestamp', { timestamp: undefined }],
    ['missing_timestamp', { timestamp: '' }],
    ['invalid_timestamp', { timestamp: '1.5e9' }],
    ['invalid_timestamp', { timestamp: ' 1531420618' }],
  ] as const)('rejects: %s %o', (reason, change) => {
    expect(verifySlackRequest({ ...VECTOR, nowSec: TS, ...change })).toEqual({ ok: false, reason });
  });

  it('checks the window before the signature, so a replayed old request is stale even if signed', () => {
    expect(verifySlackRequest({ ...VECTOR, nowSec: TS + 3600 })).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
  });
});
