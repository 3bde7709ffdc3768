import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { makeRepositories } from '../../../src/adapters/db/repositories.ts';
import type { Ctx } from '../../../src/app/context.ts';
import type { DeliveryDeps } from '../../../src/app/delivery/handlers.ts';
import type { IncidentDeps } from '../../../src/app/incidents/deps.ts';
import { runIncidentScan } from '../../../src/app/incidents/revenue-scan.ts';
import type { ScanDeps } from '../../../src/app/scan/scan.ts';
import { DEFAULT_BUDGET_POLICY } from '../../../src/domain/budget/budget.ts';
import { DEFAULT_INCIDENT_POLICY } from '../../../src/domain/incidents/incident.ts';
import type { FunnelRecord } from '../../../src/domain/records/record.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/domain/rules/catalog.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { buildOpp, buildRecord, NOW } from '../../domain/build.ts';
import type { Backend } from '../../support/db.ts';
import { silentLog } from '../../support/db.ts';
import { FakeChat, topicOf } from '../../support/fake-chat.ts';

export const TARGETS = {
  onCallGroup: 'SONCALL',
  secondaryGroup: 'SSECOND',
  commander: 'UCOMMANDER',
  responders: ['URESP1'],
  alertsChannel: 'CALERTS',
};

export const systemCtx: Ctx = { actor: { type: 'system', job: 'test' }, requestId: 'r', log: silentLog };
export const slackCtx = (userId: string): Ctx => ({
  actor: { type: 'slack', teamId: 'T1', userId },
  requestId: `r-${userId}`,
  log: silentLog,
});

/** $200,000 unowned: burn 4× → SEV-1, PAGE. */
export const burning = (): FunnelRecord[] => [
  buildOpp({ id: 'big', owner: '', valueCents: 20_000_000 }),
  buildRecord({ id: 'ok' }),
];
/** $30,000 unowned: burn 0.6× → SEV-3, PAGE. */
export const sev3 = (): FunnelRecord[] => [buildOpp({ id: 'big', owner: '', valueCents: 3_000_000 })];
/** The leak fixed. */
export const clean = (): FunnelRecord[] => [buildOpp({ id: 'big', owner: 'alice', valueCents: 20_000_000 })];

export interface World {
  db: Db;
  repos: ReturnType<typeof makeRepositories>;
  chat: FakeChat;
  clock: { now(): number; advance(ms: number): void };
  deps: IncidentDeps;
  delivery: DeliveryDeps;
  scanDeps: ScanDeps;
  load(records: FunnelRecord[]): Promise<void>;
  scan(ctx?: Ctx): ReturnType<typeof runIncidentScan>;
  dispose(): Promise<void>;
}

/**
 * Empties every table a test writes, so one database (slow to create on PGlite) serves a whole suite. The
 * audit log and Gold refuse DELETE by design; a superuser may switch their triggers off, as here, for a
 * test reset.
 */
export async function resetDb(db: Db): Promise<void> {
  await db.exec(`
    DELETE FROM ledger_entries; DELETE FROM webhook_deliveries;
    DELETE FROM crm_tasks; DELETE FROM email_drafts; DELETE FROM jobs; DELETE FROM fix_runs;
    DELETE FROM silver_minute; DELETE FROM silver_minute_pending; DELETE FROM silver_hour;
    DELETE FROM sla_alert_state; DELETE FROM bronze_events; DELETE FROM bronze_evidence;
    ALTER TABLE gold_snapshots DISABLE TRIGGER USER; DELETE FROM gold_snapshots;
    ALTER TABLE gold_snapshots ENABLE TRIGGER USER; DELETE FROM sla_definitions;
    DELETE FROM incident_events; DELETE FROM incidents; DELETE FROM findings;
    DELETE FROM scans; DELETE FROM records; DELETE FROM scheduled_runs;
    ALTER TABLE audit_log DISABLE TRIGGER USER; DELETE FROM audit_log; ALTER TABLE audit_log ENABLE TRIGGER USER;`);
}

export async function openWorld(backend: Backend, shared?: { db: Db }): Promise<World> {
  const { db, dispose } = shared ? { db: shared.db, dispose: async () => {} } : await backend.open();
  if (shared) await resetDb(db);
  const repos = makeRepositories(db);
  let now = NOW + 5 * MINUTE_MS;
  const clock = {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
  const chat = new FakeChat();
  chat.groups.set('SONCALL', ['UONCALL1', 'UONCALL2']);
  const deps: IncidentDeps = {
    store: repos.incidents,
    clock,
    policy: DEFAULT_INCIDENT_POLICY,
    targets: TARGETS,
  };
  const scanDeps: ScanDeps = {
    records: repos.records,
    scans: repos.scans,
    clock,
    thresholds: DEFAULT_THRESHOLDS,
    budget: DEFAULT_BUDGET_POLICY,
  };
  const delivery: DeliveryDeps = {
    store: repos.incidents,
    fixes: repos.fixes,
    jobs: repos.jobs,
    chat,
    targets: TARGETS,
    policy: DEFAULT_INCIDENT_POLICY,
    topicOf,
    log: silentLog,
  };
  return {
    db,
    repos,
    chat,
    clock,
    deps,
    delivery,
    scanDeps,
    async load(records) {
      await db.query('DELETE FROM records');
      await repos.records.upsertMany(records);
    },
    scan: (ctx = systemCtx) => runIncidentScan(scanDeps, deps, ctx),
    dispose,
  };
}

/** Makes every pending job due now (a test does not wait out a Retry-After). */
export const makeDue = (db: Db) => db.query("UPDATE jobs SET run_after = now() WHERE state = 'pending'");

export const kinds = async (w: World, incidentId: string) =>
  (await w.repos.incidents.timeline(incidentId, 100)).map((e) => e.kind);

/**
 * One migrated database per backend suite (slow to create on PGlite), reset and opened as a fresh World
 * before each test. Read the world through the returned object (`ref.w`) inside tests.
 */
export function useIncidentWorld(backend: Backend): { w: World } {
  const ref = {} as { w: World };
  let shared: { db: Db; dispose(): Promise<void> };
  beforeAll(async () => {
    shared = await backend.open();
  });
  afterAll(async () => shared.dispose());
  beforeEach(async () => {
    ref.w = await openWorld(backend, shared);
  });
  return ref;
}
