import { randomBytes } from 'node:crypto';
import type { Db } from './client.ts';

/**
 * The PII hash key kept in the database (migrations/0006), for the demo and the tests, which may run
 * without PII_HASH_KEY. The first caller generates it (32 random bytes); a concurrent first caller's insert
 * loses the race on the primary key and both read the one row, so every hash in a database uses one key.
 * The key is a secret like PII_HASH_KEY: it is returned, never logged.
 */
export async function storedPiiKey(db: Db): Promise<string> {
  await db.query('INSERT INTO stored_pii_key (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [
    randomBytes(32).toString('base64url'),
  ]);
  const [row] = await db.query<{ key: string }>('SELECT key FROM stored_pii_key WHERE id = 1');
  if (!row) throw new Error('stored_pii_key has no row after its insert');
  return row.key;
}
