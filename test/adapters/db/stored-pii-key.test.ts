import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storedPiiKey } from '../../../src/adapters/db/pii-key-repository.ts';
import { openServices } from '../../../src/composition/services.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { backends, silentLog } from '../../support/db.ts';

/**
 * Without PII_HASH_KEY (the demo and the tests only: loadConfig refuses it elsewhere) the email hash is
 * keyed by a random key generated once per database and kept in it (issue 10 item 7), never by a key
 * written in the source: hashes stay comparable within one database, and differ between two.
 */
describe.each(backends)('the stored PII key on $name', (backend) => {
  it('is generated once per database, random, and the same on every read', async () => {
    const a = await backend.open();
    const b = await backend.open();
    try {
      const keys = await Promise.all([storedPiiKey(a.db), storedPiiKey(a.db), storedPiiKey(a.db)]);
      expect(new Set(keys).size).toBe(1);
      expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await storedPiiKey(a.db)).toBe(keys[0]);
      expect(await a.db.query('SELECT count(*)::int AS n FROM stored_pii_key')).toEqual([{ n: 1 }]);
      expect(await storedPiiKey(b.db)).not.toBe(keys[0]);
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });
});

describe('openServices and the PII key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leak-pii-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the stored key when allowed and none is configured, the same one after a restart', async () => {
    const config = loadConfig({ PGLITE_DIR: join(dir, 'db') }, { storedPiiKey: true });
    expect(config.piiHashKey).toBeNull();
    const first = await openServices(config, silentLog);
    const [row] = await first.db.query<{ key: string }>('SELECT key FROM stored_pii_key');
    expect(first.piiHashKey).toBe(row!.key);
    await first.close();
    const again = await openServices(config, silentLog);
    try {
      expect(again.piiHashKey).toBe(row!.key);
    } finally {
      await again.close();
    }
  });

  it('uses a configured key and stores none', async () => {
    const config = loadConfig(
      { PGLITE_DIR: 'memory://', PII_HASH_KEY: 'configured' },
      { storedPiiKey: true },
    );
    const s = await openServices(config, silentLog);
    try {
      expect(s.piiHashKey).toBe('configured');
      expect(await s.db.query('SELECT key FROM stored_pii_key')).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
