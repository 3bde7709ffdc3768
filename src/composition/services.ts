/**
 * The composition root's first step, shared by every entry point (main.ts for the server, cli.ts for the
 * `leak` commands and the demo, bench/*.ts): open the database, migrate, build every repository
 * (composition/repositories.ts) and the use cases' shared dependencies (composition/deps.ts).
 */

import { openCsvFile } from '../adapters/csv/reader.ts';
import { type Db, openDb } from '../adapters/db/client.ts';
import { recoverAbandonedRuns } from '../adapters/db/import-runs-repository.ts';
import { migrate } from '../adapters/db/migrate.ts';
import { storedPiiKey } from '../adapters/db/pii-key-repository.ts';
import type { Clock, Log } from '../app/context.ts';
import type { RevopsImportDeps } from '../app/revops/import.ts';
import type { Config } from '../config/config.ts';
import { type BaseDeps, baseDeps } from './deps.ts';
import { openRepositories, type Repositories } from './repositories.ts';

export interface Services extends BaseDeps {
  db: Db;
  repos: Repositories;
  clock: Clock;
  /**
   * The key of the email hash: PII_HASH_KEY, or (the demo, the tests) the one stored in the database.
   * Null only in a database opened unmigrated (`leak migrate`), which hashes nothing.
   */
  piiHashKey: string | null;
  /** `leak import` of the RevOps CSVs (issue 14): parsed in process, upserted through repos.revopsWrites. */
  revopsImportDeps: RevopsImportDeps;
  close(): Promise<void>;
}

/** The PII key of services that hash (every caller but `leak migrate`; see Services.piiHashKey). */
export function piiKeyOf(services: Pick<Services, 'piiHashKey'>): string {
  if (services.piiHashKey === null) throw new Error('the PII hash key is read once the database is migrated');
  return services.piiHashKey;
}

export const systemClock: Clock = { now: () => Date.now() };

export async function openServices(
  config: Config,
  log: Log,
  opts: { migrate?: boolean; clock?: Clock } = {},
): Promise<Services> {
  const db = await openDb(config.db, log);
  let piiHashKey: string | null;
  try {
    if (opts.migrate !== false) await migrate(db, log);
    // Runs left `running` by a process that died are failed now, with the reason (issue 17).
    if (opts.migrate !== false) await recoverAbandonedRuns(db, log);
    // Without PII_HASH_KEY (allowed to the demo and the tests only, config.ts) the key generated for this
    // database is used; its table exists only once migrated.
    piiHashKey = config.piiHashKey ?? (opts.migrate === false ? null : await storedPiiKey(db));
  } catch (e) {
    await db.close();
    throw e;
  }
  const repos = openRepositories(db);
  const clock = opts.clock ?? systemClock;
  return {
    db,
    repos,
    clock,
    ...baseDeps(config, repos, clock, () => piiKeyOf({ piiHashKey })),
    piiHashKey,
    revopsImportDeps: {
      writes: repos.revopsWrites,
      importRuns: repos.importRuns,
      clock,
      openCsv: (file) => openCsvFile(file),
    },
    close: () => db.close(),
  };
}
