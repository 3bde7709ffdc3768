import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPii, piiHasher } from '../../src/shared/pii.ts';

describe('personal data hashing', () => {
  it.each([
    ['short key', 'k'],
    ['64-byte key', 'k'.repeat(64)],
    ['long key (hashed first)', 'long-key-'.repeat(20)],
    ['unicode key', 'ключ-🔑'],
  ])('piiHasher equals HMAC-SHA-256 with a %s', (_, key) => {
    const h = piiHasher(key);
    for (const v of ['a@b.c', 'Grace.Liu@HelixBio.com', '  padded@x.io ', 'ünïcode@exämple.de', ''])
      expect(h(v)).toBe(createHmac('sha256', key).update(v.trim().toLowerCase()).digest('hex'));
  });

  it('normalizes case and padding so one person hashes once', () => {
    expect(hashPii('k', ' Grace@Helix.com ')).toBe(hashPii('k', 'grace@helix.com'));
  });

  it('depends on the key, so another install cannot join on it', () => {
    expect(hashPii('k1', 'a@b.c')).not.toBe(hashPii('k2', 'a@b.c'));
    expect(hashPii('k1', 'a@b.c')).not.toContain('a@b.c');
  });

  // Issue 10 item 7: a missing key is a configuration error, never an empty (keyless) HMAC.
  it('refuses an empty key instead of hashing without one', () => {
    expect(() => piiHasher('')).toThrow(/PII hash key/);
    expect(() => hashPii('', 'a@b.c')).toThrow(/PII hash key/);
  });
});
