import { createHmac, hash } from 'node:crypto';

/**
 * Personal data (contact emails) is stored only as a keyed hash, HMAC-SHA-256 with a per-install key,
 * so a leaked database cannot be reversed with a dictionary of known addresses. Values are normalized
 * first (trimmed, lowercased) so the same person hashes the same way regardless of case or padding.
 *
 * The HMAC is computed from its definition, H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), with the one-shot
 * crypto.hash: an import hashes one email per row, and this is ~1.5× faster than a createHmac object
 * per value. A test checks it against createHmac.
 */
const BLOCK = 64;

export function piiHasher(key: string): (value: string) => string {
  let k = Buffer.from(key, 'utf8');
  if (k.length > BLOCK) k = hash('sha256', k, 'buffer');
  const padded = Buffer.alloc(BLOCK);
  k.copy(padded);
  const ipad = Buffer.from(padded.map((b) => b ^ 0x36));
  const opad = Buffer.from(padded.map((b) => b ^ 0x5c));
  return (value) => {
    const inner = hash(
      'sha256',
      Buffer.concat([ipad, Buffer.from(value.trim().toLowerCase(), 'utf8')]),
      'buffer',
    );
    return hash('sha256', Buffer.concat([opad, inner]), 'hex');
  };
}

/** One-off form, for callers that hash a single value. */
export const hashPii = (key: string, value: string): string =>
  createHmac('sha256', key).update(value.trim().toLowerCase()).digest('hex');
