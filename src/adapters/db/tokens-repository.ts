import { createHash, randomBytes } from 'node:crypto';
import type { IngestTokenInfo, IngestTokens } from '../../app/telemetry/ports.ts';
import { AppError } from '../../shared/errors.ts';
import type { Db } from './client.ts';
import { msOrNull } from './instants.ts';

/** Recognisable in logs and secret scanners; the rest is 32 random bytes, base64url (43 characters). */
const TOKEN_PREFIX = 'lrs_';
const PREFIX_LENGTH = 8;
const MAX_NAME = 100;

const sha256 = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * Ingest tokens, stored as SHA-256 hex (a fast hash is enough: the token carries 256 random bits, so there
 * is nothing to brute-force, and verification runs on every ingest request). verify() looks the hash up
 * through the unique index: no token comparison happens in JavaScript, so there is no timing to leak.
 */
export function tokenStore(db: Db): IngestTokens {
  return {
    async create(name) {
      const trimmed = name.trim();
      if (trimmed === '' || trimmed.length > MAX_NAME)
        throw new AppError('VALIDATION', `a token name must be 1 to ${MAX_NAME} characters`);
      const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      const prefix = token.slice(0, PREFIX_LENGTH);
      const [row] = await db.query<{ id: string }>(
        'INSERT INTO ingest_tokens (name, token_hash, prefix) VALUES ($1, $2, $3) RETURNING id::text AS id',
        [trimmed, sha256(token), prefix],
      );
      return { id: row!.id, token, prefix };
    },

    async list() {
      const rows = await db.query<{
        id: string;
        name: string;
        prefix: string;
        created_at: Date | string;
        revoked_at: Date | string | null;
      }>('SELECT id::text AS id, name, prefix, created_at, revoked_at FROM ingest_tokens ORDER BY id');
      return rows.map(
        (r): IngestTokenInfo => ({
          id: r.id,
          name: r.name,
          prefix: r.prefix,
          createdAtMs: msOrNull(r.created_at)!,
          revokedAtMs: msOrNull(r.revoked_at),
        }),
      );
    },

    async revoke(idOrPrefix) {
      const key = idOrPrefix.trim();
      if (/^\d{1,18}$/.test(key)) {
        const rows = await db.query(
          'UPDATE ingest_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id',
          [key],
        );
        return rows.length > 0;
      }
      if (key === '') return false;
      // One statement: the ambiguity check and the update read the same snapshot, and the update
      // rechecks revoked_at on the row it locks, so a concurrent revoke of the same token counts once.
      const [r] = await db.query<{ matches: number; revoked: number }>(
        `WITH m AS (SELECT id FROM ingest_tokens WHERE prefix = $1 AND revoked_at IS NULL),
              u AS (UPDATE ingest_tokens SET revoked_at = now()
                    WHERE id IN (SELECT id FROM m) AND (SELECT count(*) FROM m) = 1
                      AND revoked_at IS NULL RETURNING id)
         SELECT (SELECT count(*) FROM m)::int AS matches, (SELECT count(*) FROM u)::int AS revoked`,
        [key],
      );
      if (r!.matches > 1)
        throw new AppError(
          'CONFLICT',
          `${r!.matches} active tokens start with '${key}': revoke by id (leak tokens list)`,
        );
      return r!.revoked === 1;
    },

    async verify(token) {
      if (!token.startsWith(TOKEN_PREFIX)) return null;
      const [row] = await db.query<{ id: string; name: string }>(
        'SELECT id::text AS id, name FROM ingest_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
        [sha256(token)],
      );
      return row ?? null;
    },
  };
}
