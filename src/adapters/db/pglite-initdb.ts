/**
 * `node --liftoff-only pglite-initdb.ts <dir> [setting=value …]`: makes `dir` a PostgreSQL data directory
 * with PGlite's initdb, then closes it cleanly, and exits. Run by pglite-setup.ts as a child process, so
 * that V8 compiles PGlite's WebAssembly with its baseline compiler only (half initdb's memory and time,
 * see there), a flag only a process's command line can set. Nothing else is imported: the child starts fast.
 */
import { PGlite } from '@electric-sql/pglite';

const [dir, ...settings] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: pglite-initdb <dir> [setting=value …]\n');
  process.exit(64);
}
const pg = await PGlite.create({
  dataDir: dir,
  startParams: [...PGlite.defaultStartParams, ...settings.flatMap((s) => ['-c', s])],
});
await pg.close();
