import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../../src/adapters/db/client.ts';
import { migrate, migrationFiles, migrationStatus } from '../../../src/adapters/db/migrate.ts';
import { serverUrl, silentLog } from '../../support/db.ts';

const dirWith = (files: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'leak-mig-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
};

describe('migrations on pglite', () => {
  it('apply in order, once, and refuse an applied file that was edited', async () => {
    const db = await openDb({ url: undefined, pgliteDir: 'memory://' }, silentLog);
    try {
      const v1 = dirWith({
        '0001_a.sql': 'CREATE TABLE a (x int);',
        '0002_b.sql': 'CREATE TABLE b (y int);',
      });
      expect(await migrate(db, silentLog, migrationFiles(v1))).toEqual(['0001_a', '0002_b']);
      expect(await migrate(db, silentLog, migrationFiles(v1))).toEqual([]);
      const edited = dirWith({
        '0001_a.sql': 'CREATE TABLE a (x bigint);',
        '0002_b.sql': 'CREATE TABLE b (y int);',
      });
      await expect(migrate(db, silentLog, migrationFiles(edited))).rejects.toThrow(
        /0001_a was edited after it was applied/,
      );
    } finally {
      await db.close();
    }
  });

  it('a failing migration rolls back whole and names itself', async () => {
    const db = await openDb({ url: undefined, pgliteDir: 'memory://' }, silentLog);
    try {
      const dir = dirWith({
        '0001_ok.sql': 'CREATE TABLE ok (x int);',
        '0002_bad.sql': 'CREATE TABLE c (x int); SELECT nope;',
      });
      await expect(migrate(db, silentLog, migrationFiles(dir))).rejects.toThrow(/migration 0002_bad failed/);
      expect((await migrationStatus(db, migrationFiles(dir))).pending).toEqual(['0002_bad']);
      expect(await db.query("SELECT to_regclass('c') IS NULL AS gone")).toEqual([{ gone: true }]);
    } finally {
      await db.close();
    }
  });
});

describe.skipIf(!serverUrl)('migrations on postgres (several replicas starting together)', () => {
  it('run once under the advisory lock', async () => {
    const name = `leak_mig_${randomBytes(5).toString('hex')}`;
    const admin = postgres(serverUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const u = new URL(serverUrl!);
    u.pathname = `/${name}`;
    const replicas = await Promise.all(
      [1, 2, 3].map(() => openDb({ url: u.toString(), pgliteDir: '' }, silentLog)),
    );
    try {
      const ran = await Promise.all(replicas.map((db) => migrate(db, silentLog)));
      // Exactly one replica applied each migration; the others found nothing to do.
      expect(ran.flat().sort()).toEqual(migrationFiles().map((f) => f.name));
      expect(await replicas[0]!.ready()).toMatchObject({ ok: true });
    } finally {
      await Promise.all(replicas.map((db) => db.close()));
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
