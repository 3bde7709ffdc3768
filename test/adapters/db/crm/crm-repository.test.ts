import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../../src/adapters/db/client.ts';
import { crmSyncStore } from '../../../../src/adapters/db/crm-repository.ts';
import { recordRepository } from '../../../../src/adapters/db/records-repository.ts';
import type { CrmSyncStore, FinishedRun } from '../../../../src/app/crm/ports.ts';
import type { AlertMemory } from '../../../../src/domain/crm/sync-run.ts';
import { buildRecord } from '../../../domain/build.ts';
import { backends } from '../../../support/db.ts';

const T0 = Date.parse('2026-11-02T16:00:00Z');
const usage = { spent: 42, dailyMax: 250_000, dailyRemaining: 249_000, rateLimited: 1, waitedMs: 1500 };
const begin = (s: CrmSyncStore) =>
  s.begin('hubspot', { mode: 'incremental', actor: 'cli:ada', nowMs: T0, leaseMs: 300_000 });
const ended = (o: Partial<FinishedRun> = {}): FinishedRun & { alerts: AlertMemory; alert: null } => ({
  status: 'succeeded' as const,
  mode: null,
  totals: { seen: 3, written: 2 },
  usage,
  reason: null,
  failure: null,
  finishedAtMs: T0 + 5000,
  alerts: { alertedKind: null, consecutiveFailures: 0 },
  alert: null,
  ...o,
});

describe.each(backends)('CRM sync store on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let store: CrmSyncStore;
  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    store = crmSyncStore(db);
  });
  afterAll(() => dispose());

  it('one sync at a time; checkpoints keep the cursor and the rejections; finishing frees the slot', async () => {
    const run = await begin(store);
    expect(run).toEqual({
      runId: expect.any(String),
      streams: [],
      alerts: { alertedKind: null, consecutiveFailures: 0 },
    });
    expect(await begin(store)).toBeNull();
    const rejections = [
      { stream: 'deals', crmId: '10', reason: 'created_at: no value in createdate' },
      { stream: 'deals', crmId: '9', reason: "value_usd: negative amount '-5' in amount" },
    ];
    const state = { stream: 'deals', cursorMs: T0 - 1000, resume: '{"since":1}', fullStartedMs: null };
    await store.checkpoint('hubspot', run!.runId, {
      state,
      rejections,
      totals: { seen: 3, written: 1 },
      leaseMs: 300_000,
    });
    // The same record rejected again in the same run (read twice) is kept once.
    await store.checkpoint('hubspot', run!.runId, {
      state,
      rejections: rejections.slice(0, 1),
      totals: { seen: 4, written: 1 },
      leaseMs: 300_000,
    });
    expect(await store.rejections(run!.runId, 10)).toEqual({
      total: 2,
      items: [rejections[1], rejections[0]],
    });
    await store.finish('hubspot', run!.runId, ended());
    const st = await store.status('hubspot');
    expect(st).toMatchObject({
      running: false,
      streams: [state],
      lastSuccessAtMs: T0 + 5000,
      lastError: null,
      lastRun: {
        id: run!.runId,
        mode: 'incremental',
        actor: 'cli:ada',
        status: 'succeeded',
        seen: 3,
        written: 2,
        rejected: 2,
        calls: 42,
        dailyMax: 250_000,
        dailyRemaining: 249_000,
        rateLimited: 1,
        waitedMs: 1500,
      },
    });
    const next = await begin(store);
    expect(next!.streams).toEqual([state]);
    await store.finish('hubspot', next!.runId, ended());
  });

  it('a failure is stored with its reason, and its alert goes to the outbox in the same transaction, once', async () => {
    const run = await begin(store);
    const failure = {
      kind: 'auth' as const,
      reason: 'HubSpot refused the token pat-na1-aaaa-bbbb (401 INVALID_AUTHENTICATION)',
    };
    const alert = { event: 'failed' as const, ...failure, failures: 1 };
    const finish = ended({ status: 'failed', reason: failure.reason, failure });
    await store.finish('hubspot', run!.runId, {
      ...finish,
      alerts: { alertedKind: 'auth', consecutiveFailures: 1 },
      alert: { channel: 'CADMIN', alert, label: 'HubSpot' },
    });
    // A second finish of the same run changes nothing and alerts nothing.
    await store.finish('hubspot', run!.runId, {
      ...finish,
      alerts: { alertedKind: 'auth', consecutiveFailures: 1 },
      alert: { channel: 'CADMIN', alert, label: 'HubSpot' },
    });
    const jobs = await db.query<{ kind: string; key: string; payload: unknown }>(
      "SELECT kind, key, payload FROM jobs WHERE kind = 'crm.alert'",
    );
    expect(jobs).toEqual([
      {
        kind: 'crm.alert',
        key: `crm:hubspot:failed:${run!.runId}`,
        payload: {
          channel: 'CADMIN',
          connector: 'HubSpot',
          event: 'failed',
          kind: 'auth',
          reason: 'HubSpot refused the token [redacted] (401 INVALID_AUTHENTICATION)',
          failures: 1,
          at_ms: T0 + 5000,
        },
      },
    ]);
    const st = await store.status('hubspot');
    expect(st).toMatchObject({
      lastError: {
        atMs: T0 + 5000,
        kind: 'auth',
        reason: 'HubSpot refused the token [redacted] (401 INVALID_AUTHENTICATION)',
      },
      alerts: { alertedKind: 'auth', consecutiveFailures: 1 },
      lastRun: { status: 'failed', failureKind: 'auth' },
    });
  });

  it('a run whose process died is taken over once its lease lapses, and closed as failed', async () => {
    const dead = await begin(store);
    await db.query(
      "UPDATE crm_sync_state SET lease_until = now() - interval '1 second' WHERE connector = 'hubspot'",
    );
    const next = await begin(store);
    expect(next).not.toBeNull();
    const [old] = await db.query<{ status: string; reason: string }>(
      'SELECT status, reason FROM crm_sync_runs WHERE id = $1',
      [dead!.runId],
    );
    expect(old).toEqual({ status: 'failed', reason: expect.stringMatching(/lease lapsed/) });
    // The dead run can no longer move the cursor.
    await expect(
      store.checkpoint('hubspot', dead!.runId, {
        state: { stream: 'deals', cursorMs: 1, resume: null, fullStartedMs: null },
        rejections: [],
        totals: { seen: 0, written: 0 },
        leaseMs: 300_000,
      }),
    ).rejects.toThrow(/lost its slot/);
    await store.finish('hubspot', next!.runId, ended());
  });

  it('counts the funnel records a connector wrote by their id prefix', async () => {
    await recordRepository(db).upsertMany([
      buildRecord({ id: 'hs-deal-1' }),
      buildRecord({ id: 'hs-deal-2' }),
      buildRecord({ id: 'hs-contact-1', type: 'lead' }),
      buildRecord({ id: 'hs_dealx' }),
    ]);
    expect(await store.countRecords('hs-deal-')).toBe(2);
    expect(await store.countRecords('hs_deal')).toBe(1);
  });
});
