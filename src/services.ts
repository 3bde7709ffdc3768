/**
 * The part of the composition root that both entry points share (main.ts for the server, cli.ts for the
 * `leak` command): open the database, migrate, and build the repositories and use-case dependencies.
 */
import { openCsvInWorker } from './adapters/csv/worker-rows.ts';
import { type Db, openDb } from './adapters/db/client.ts';
import { ENCODER_MODULE } from './adapters/db/copy.ts';
import { migrate } from './adapters/db/migrate.ts';
import { storedPiiKey } from './adapters/db/pii-key-repository.ts';
import { makeRepositories } from './adapters/db/repositories.ts';
import { slaAlertStore, slaSignals } from './adapters/db/sla-alert-repository.ts';
import { telemetryStore } from './adapters/db/telemetry-repository.ts';
import {
  add,
  mergeSketchBytes,
  newSketch,
  rankBelowBytes,
  type Sketch,
  sketchQuantiles,
  toBytes,
} from './adapters/telemetry/sketch.ts';
import type { Log } from './app/context.ts';
import type { FixDeps } from './app/fixes/deps.ts';
import type { ImportDeps } from './app/import.ts';
import type { IncidentDeps } from './app/incidents/deps.ts';
import type { StatusDeps } from './app/incidents/status.ts';
import type { Clock } from './app/ports.ts';
import type { ScanDeps } from './app/scan.ts';
import type { SlaAlertDeps } from './app/sla/alerts.ts';
import type { IngestDeps } from './app/telemetry/ingest.ts';
import type { Config } from './config/config.ts';
import { piiHasher } from './shared/pii.ts';

export interface Services {
  db: Db;
  repos: ReturnType<typeof makeRepositories>;
  clock: Clock;
  scanDeps: ScanDeps;
  importDeps: ImportDeps;
  incidentDeps: IncidentDeps;
  statusDeps: StatusDeps;
  /** Fix-pack use cases; the Slack app swaps in a directory that can read user groups. */
  fixDeps: FixDeps;
  /**
   * The key of the email hash: PII_HASH_KEY, or (the demo, the tests) the one stored in the database.
   * Null only in a database opened unmigrated (`leak migrate`), which hashes nothing.
   */
  piiHashKey: string | null;
  close(): Promise<void>;
}

/** The PII key of services that hash (every caller but `leak migrate`; see Services.piiHashKey). */
function piiKeyOf(services: Pick<Services, 'piiHashKey'>): string {
  if (services.piiHashKey === null) throw new Error('the PII hash key is read once the database is migrated');
  return services.piiHashKey;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Burn-rate alerting's dependencies (the server's per-minute job, `leak sla evaluate`). */
export function slaAlertDeps(
  services: Services,
  config: Config,
  incident = services.incidentDeps,
): SlaAlertDeps {
  const { minEvents, ...policy } = config.telemetry.slaAlerts;
  return {
    slas: services.repos.slas,
    signals: slaSignals(services.db, {
      mergeSketchBytes,
      rankBelow: rankBelowBytes,
      quantiles: sketchQuantiles,
    }),
    store: slaAlertStore(services.db),
    incident,
    policy,
    minEvents,
  };
}

/** The janitor's retention and tag limit, from configuration (the nightly job and `leak janitor` alike). */
export const janitorLimits = (config: Config) => ({
  bronzeDays: config.telemetry.bronzeRetentionDays,
  minuteDays: config.telemetry.minuteRetentionDays,
  hourDays: config.telemetry.hourRetentionDays,
  tagLimit: config.telemetry.tagCardinalityLimit,
});

/**
 * The ingest use case's dependencies: the tiers' store with the sketch library injected, PII hashing
 * keyed by PII_HASH_KEY, the slow threshold that routes an event to Bronze, and the rollups.
 */
export function telemetryIngestDeps(config: Config, services: Services): IngestDeps<Sketch> {
  return {
    store: telemetryStore(services.db, mergeSketchBytes, { quantiles: sketchQuantiles }),
    hash: piiHasher(piiKeyOf(services)),
    latencyThresholdMs: () => config.telemetry.slowMs,
    rollup: { newRollup: newSketch, addValue: add, toBytes },
  };
}

/**
 * Merges every pending Silver minute into silver_minute (ingest only appends). The per-minute sla-burn job
 * (and `leak sla evaluate`) runs it before judging the SLAs, so they see every acknowledged event.
 * Answers the rows merged.
 */
export async function compactSilver(db: Db): Promise<number> {
  const store = telemetryStore(db, mergeSketchBytes, { quantiles: sketchQuantiles });
  let compacted = 0;
  for (;;) {
    const n = await store.compact();
    if (n === 0) return compacted;
    compacted += n;
  }
}

export async function openServices(
  config: Config,
  log: Log,
  opts: { migrate?: boolean; clock?: Clock } = {},
): Promise<Services> {
  const db = await openDb(config.db, log);
  let piiHashKey: string | null;
  try {
    if (opts.migrate !== false) await migrate(db, log);
    // Without PII_HASH_KEY (allowed to the demo and the tests only, config.ts) the key generated for this
    // database is used; its table exists only once migrated.
    piiHashKey = config.piiHashKey ?? (opts.migrate === false ? null : await storedPiiKey(db));
  } catch (e) {
    await db.close();
    throw e;
  }
  const repos = makeRepositories(db);
  const clock = opts.clock ?? systemClock;
  const incidentDeps: IncidentDeps = {
    store: repos.incidents,
    clock,
    policy: config.incidents.policy,
    targets: config.incidents.targets,
  };
  return {
    db,
    repos,
    clock,
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
        openCsvInWorker(file, {
          piiHashKey: piiKeyOf({ piiHashKey }),
          encoder: o.encode ? ENCODER_MODULE : null,
        }),
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
    piiHashKey,
    close: () => db.close(),
  };
}
