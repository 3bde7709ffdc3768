/**
 * The use cases' dependencies that every entry point shares, built from configuration and the repositories
 * (composition/services.ts attaches them to Services). What only the server adds (the worker's nudge, a
 * directory that reads Slack user groups) is layered on in composition/use-cases.ts.
 */

import { openCsvInWorker } from '../adapters/csv/worker-rows.ts';
import { ENCODER_MODULE } from '../adapters/db/copy.ts';
import type { Clock } from '../app/context.ts';
import type { FixDeps } from '../app/fixes/deps.ts';
import type { ImportDeps } from '../app/import/import.ts';
import type { IncidentDeps } from '../app/incidents/deps.ts';
import type { StatusDeps } from '../app/incidents/status.ts';
import type { ScanDeps } from '../app/scan/scan.ts';
import type { Config } from '../config/config.ts';
import type { Repositories } from './repositories.ts';

export interface BaseDeps {
  scanDeps: ScanDeps;
  importDeps: ImportDeps;
  incidentDeps: IncidentDeps;
  statusDeps: StatusDeps;
  /** Fix-pack use cases; the Slack app swaps in a directory that can read user groups. */
  fixDeps: FixDeps;
}

/** `piiHashKey` is read lazily: a database opened unmigrated (`leak migrate`) has none and imports nothing. */
export function baseDeps(
  config: Config,
  repos: Repositories,
  clock: Clock,
  piiHashKey: () => string,
): BaseDeps {
  const incidentDeps: IncidentDeps = {
    store: repos.incidents,
    clock,
    policy: config.incidents.policy,
    targets: config.incidents.targets,
  };
  return {
    scanDeps: {
      records: repos.records,
      scans: repos.scans,
      clock,
      thresholds: config.thresholds,
      budget: config.budget,
    },
    importDeps: {
      records: repos.records,
      importRuns: repos.importRuns,
      clock,
      // Parsing, validation, email hashing and COPY encoding run on a worker thread, which loads the
      // records repository's line encoder by module URL.
      openRows: (file, o) =>
        openCsvInWorker(file, { piiHashKey: piiHashKey(), encoder: o.encode ? ENCODER_MODULE : null }),
    },
    incidentDeps,
    fixDeps: {
      fixes: repos.fixes,
      incident: incidentDeps,
      approval: config.fixes.approval,
      settings: config.fixes,
      thresholds: config.thresholds,
      // Without Slack nobody is a group member; configured approver ids and the CLI still work.
      directory: { isGroupMember: async () => false },
    },
    statusDeps: {
      store: repos.incidents,
      clock,
      latestScanFigures: () => repos.scans.latestFigures(),
      recovered: (from, to) => repos.fixes.recovered(from, to),
    },
  };
}
