/**
 * Every repository over one database, built here and nowhere else: the entry points (server, `leak`
 * commands, demo, bench) reach them through Services.repos. The sketch library is handed to the ones that
 * merge or rank sketches as the one SketchOps object.
 */
import type { Db } from '../adapters/db/client.ts';
import { dbRunCoordinator } from '../adapters/db/coordinator.ts';
import { goldRepository } from '../adapters/db/gold-repository.ts';
import { ledgerStore } from '../adapters/db/ledger-repository.ts';
import { reportOutbox, reportRepository } from '../adapters/db/report-repository.ts';
import { makeRepositories } from '../adapters/db/repositories.ts';
import { retentionRepository } from '../adapters/db/retention-repository.ts';
import { revopsWrites } from '../adapters/db/revops-writes.ts';
import { rollupRepository } from '../adapters/db/rollup-repository.ts';
import { seriesStateStore } from '../adapters/db/series-state-repository.ts';
import { slaAlertStore, slaSignals } from '../adapters/db/sla-alert-repository.ts';
import { telemetryStore } from '../adapters/db/telemetry-repository.ts';
import { webhookStore } from '../adapters/db/webhook-repository.ts';
import { sketchOps } from '../adapters/telemetry/sketch-ops.ts';

export function openRepositories(db: Db) {
  return {
    ...makeRepositories(db),
    /** Bronze and Silver writes (ingest) and the compaction of pending Silver minutes. */
    telemetry: telemetryStore(db, sketchOps),
    /** The cumulative→delta state of metric series, written with the Silver minutes it produced. */
    seriesState: seriesStateStore(db, sketchOps),
    rollups: rollupRepository(db, sketchOps),
    retention: retentionRepository(db),
    gold: goldRepository(db, sketchOps),
    reports: reportRepository(db, sketchOps),
    reportOutbox: reportOutbox(db),
    /**
     * One per process: it remembers each minute's count of fast events, so an evaluation ranks only the
     * minutes that changed since the last one.
     */
    slaSignals: slaSignals(db, sketchOps),
    slaAlerts: slaAlertStore(db),
    /** Raw webhook deliveries (stored before parsing) and the commerce ledger they write. */
    webhooks: webhookStore(db),
    ledger: ledgerStore(db),
    /** The RevOps imports' upserts (deals, customers, MRR history, marketing spend; issue 14). */
    revopsWrites: revopsWrites(db),
    /** The scheduler's claim of (job, slot) across replicas; `runner` names this process. */
    coordinator: (runner: string) => dbRunCoordinator(db, runner),
  };
}

export type Repositories = ReturnType<typeof openRepositories>;
