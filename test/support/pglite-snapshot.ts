/**
 * vitest globalSetup: migrate one PGlite database once per run and leave its data directory as a
 * tarball for every suite to clone. A cold `PGlite.create('memory://')` runs initdb (measured 6.7 s on the
 * loaded 2-core machine); loading the migrated tarball takes 2.2 s. Suites still run `migrate()` on the
 * clone (a no-op that checks the checksums), so a stale snapshot cannot pass unnoticed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openDb } from '../../src/adapters/db/client.ts';
import { migrate } from '../../src/adapters/db/migrate.ts';
import { SNAPSHOT_ENV, silentLog } from './db.ts';

export default async function setup(): Promise<() => void> {
  const root = mkdtempSync(join(tmpdir(), 'leak-pglite-snapshot-'));
  const dir = join(root, 'db');
  // The real migrate() through the real client, so schema_migrations is exactly what a suite would write.
  const db = await openDb({ url: undefined, pgliteDir: dir }, silentLog);
  await migrate(db, silentLog);
  await db.close();
  const pg = await PGlite.create(dir);
  const tar = await pg.dumpDataDir('none');
  await pg.close();
  const file = join(root, 'migrated.tar');
  writeFileSync(file, Buffer.from(await tar.arrayBuffer()));
  // Workers are forked after globalSetup, so they inherit this.
  process.env[SNAPSHOT_ENV] = file;
  return () => rmSync(root, { recursive: true, force: true });
}
