import { describe, expect, it } from 'vitest';
import { CrmError } from '../../../src/app/crm/ports.ts';
import { type CrmSyncDeps, runCrmSync, type SyncOutcome } from '../../../src/app/crm/sync.ts';
import { silentLog } from '../../support/db.ts';
import { deal, FakeConnector, FakeRecords, FakeStore } from './fakes.ts';

const T0 = Date.parse('2026-11-02T16:00:00Z');
const ctx = { actor: { type: 'system' as const, job: 'scheduled-scan' }, requestId: 't', log: silentLog };

function setup() {
  let now = T0;
  const connector = new FakeConnector();
  const store = new FakeStore();
  const records = new FakeRecords();
  const deps: CrmSyncDeps = {
    connector,
    store,
    records,
    clock: { now: () => now },
    hashEmail: (e) => `h:${e}`,
    settings: { dailyShare: 0.5, alertChannel: 'CADMIN', overlapMs: 120_000, leaseMs: 300_000 },
  };
  return {
    connector,
    store,
    records,
    deps,
    advance: (ms: number) => {
      now += ms;
    },
    sync: (o: { full?: boolean; maxDurationMs?: number } = {}) =>
      runCrmSync(deps, ctx, { full: false, ...o }),
  };
}

const done = (o: SyncOutcome) => {
  if (o.status === 'busy') throw new Error('busy');
  return o;
};

describe('the CRM sync use case', () => {
  it('the first sync reads everything; bad records are reported with the CRM id and reason, the rest kept', async () => {
    const s = setup();
    s.connector.scripts = [
      [
        {
          records: [deal('1', T0 - 5000), deal('2', T0 - 4000, { amount: '-10' })],
          checkpoint: { resume: 'p2', cursorMs: null },
        },
        { records: [deal('3', T0 - 3000)], checkpoint: { resume: null, cursorMs: null } },
      ],
    ];
    const o = done(await s.sync());
    expect(s.connector.reads).toEqual([{ stream: 'deals', from: { mode: 'full', resume: null } }]);
    expect(o.status).toBe('succeeded');
    expect([...s.records.rows.keys()]).toEqual(['hs-deal-1', 'hs-deal-3']);
    expect(s.records.rows.get('hs-deal-1')).toMatchObject({
      type: 'opp',
      stage: 'Appointment Scheduled',
      valueCents: 100_000,
    });
    expect(o.rejected).toEqual({
      total: 1,
      items: [{ stream: 'deals', crmId: '2', reason: "value_usd: negative amount '-10' in amount" }],
    });
    expect(o.streams).toEqual([
      {
        stream: 'deals',
        noun: 'deal',
        mode: 'full',
        seen: 3,
        written: 2,
        rejected: 1,
        cursorMs: T0,
        finished: true,
      },
    ]);
    // A full read leaves the cursor at its start: what changed during it is newer.
    expect(s.store.streams.get('deals')).toEqual({
      stream: 'deals',
      cursorMs: T0,
      resume: null,
      fullStartedMs: null,
    });
  });

  it('the next sync reads what changed since the cursor (less the overlap) and moves the cursor on', async () => {
    const s = setup();
    s.store.streams.set('deals', { stream: 'deals', cursorMs: T0, resume: null, fullStartedMs: null });
    s.connector.scripts = [
      [{ records: [deal('4', T0 + 60_000)], checkpoint: { resume: null, cursorMs: T0 + 60_000 } }],
    ];
    s.advance(15 * 60_000);
    const o = done(await s.sync());
    expect(s.connector.reads[0]!.from).toEqual({ mode: 'incremental', sinceMs: T0 - 120_000, resume: null });
    expect(o.streams[0]).toMatchObject({ mode: 'incremental', seen: 1, written: 1, cursorMs: T0 + 60_000 });
    expect(s.store.streams.get('deals')!.cursorMs).toBe(T0 + 60_000);
    // Nothing changed: the cursor stays.
    s.connector.scripts = [[{ records: [], checkpoint: { resume: null, cursorMs: null } }]];
    await s.sync();
    expect(s.store.streams.get('deals')!.cursorMs).toBe(T0 + 60_000);
  });

  it('the daily share stops a sync resumably: what was stored stays, the next run goes on from there', async () => {
    const s = setup();
    s.connector.scripts = [
      [
        { records: [deal('1', T0)], checkpoint: { resume: 'p2', cursorMs: null } },
        new CrmError('budget', 'this sync reached its share of the daily allowance: 125000 calls of 125000'),
      ],
    ];
    const o = done(await s.sync());
    expect(o.status).toBe('partial');
    expect(o.reason).toMatch(/share of the daily allowance/);
    expect(s.store.alerts).toEqual([]);
    expect(s.store.streams.get('deals')).toEqual({
      stream: 'deals',
      cursorMs: null,
      resume: 'p2',
      fullStartedMs: T0,
    });
    s.connector.scripts = [[{ records: [deal('2', T0)], checkpoint: { resume: null, cursorMs: null } }]];
    s.advance(60_000);
    await s.sync();
    expect(s.connector.reads[1]!.from).toEqual({ mode: 'full', resume: 'p2' });
    expect(s.store.streams.get('deals')).toEqual({
      stream: 'deals',
      cursorMs: T0,
      resume: null,
      fullStartedMs: null,
    });
  });

  it('the guard it gives the connector is the daily share of CRM_DAILY_SHARE', async () => {
    const s = setup();
    s.connector.scripts = [[]];
    await s.sync();
    expect(
      s.connector.guard!({ spent: 0, dailyMax: 1000, dailyRemaining: 1000, rateLimited: 0, waitedMs: 0 }),
    ).toBeNull();
    expect(
      s.connector.guard!({ spent: 500, dailyMax: 1000, dailyRemaining: 1000, rateLimited: 0, waitedMs: 0 }),
    ).toMatch(/reached its share/);
  });

  it('a revoked token: a failed run with the reason, one admin alert per episode, and the recovery', async () => {
    const s = setup();
    const revoked = () =>
      new CrmError('auth', 'HubSpot refused the token (401 INVALID_AUTHENTICATION): …', 401);
    s.connector.lookupsError = revoked();
    const first = done(await s.sync());
    expect(first).toMatchObject({ status: 'failed', failureKind: 'auth' });
    expect(s.store.alerts).toEqual([
      { channel: 'CADMIN', alert: { event: 'failed', kind: 'auth', reason: first.reason, failures: 1 } },
    ]);
    s.connector.lookupsError = revoked();
    expect(done(await s.sync()).status).toBe('failed');
    expect(s.store.alerts).toHaveLength(1);
    s.connector.lookupsError = null;
    s.connector.scripts = [[]];
    expect(done(await s.sync()).status).toBe('succeeded');
    expect(s.store.alerts.at(-1)).toEqual({ channel: 'CADMIN', alert: { event: 'recovered', kind: 'auth' } });
    expect(s.store.running).toBeNull();
  });

  it('one sync at a time: a second one meanwhile is told so and reads nothing', async () => {
    const s = setup();
    s.store.running = '99';
    expect(await s.sync()).toEqual({ status: 'busy', connector: 'fakecrm' });
    expect(s.connector.reads).toEqual([]);
  });

  it('a time limit stops it after the page that crossed it, keeping what it read, resumable', async () => {
    const s = setup();
    s.connector.scripts = [
      [
        { records: [deal('1', T0)], checkpoint: { resume: 'p2', cursorMs: null } },
        { records: [deal('2', T0)], checkpoint: { resume: null, cursorMs: null } },
      ],
    ];
    s.connector.onLookups = () => s.advance(700_000);
    const o = done(await s.sync({ maxDurationMs: 600_000 }));
    expect(o.status).toBe('partial');
    expect(o.reason).toBe('time limit reached after 700 s; the next run resumes');
    expect([...s.records.rows.keys()]).toEqual(['hs-deal-1']);
    expect(s.store.streams.get('deals')).toMatchObject({ resume: 'p2', fullStartedMs: T0 });
  });

  it('pages are written together, a thousand records at a time, and at the end', async () => {
    const s = setup();
    const page = (from: number, resume: string | null) => ({
      records: Array.from({ length: 400 }, (_, i) => deal(String(from + i), T0)),
      checkpoint: { resume, cursorMs: null },
    });
    s.connector.scripts = [[page(0, 'a'), page(400, 'b'), page(800, 'c'), page(1200, null)]];
    const writes: number[] = [];
    const counting = {
      ...s.deps,
      records: {
        upsertMany: async (r: readonly unknown[]) => {
          writes.push(r.length);
          return r.length;
        },
      },
    };
    const o = done(await runCrmSync(counting, ctx, { full: false }));
    expect(writes).toEqual([1200, 400]);
    expect(o.streams[0]).toMatchObject({ seen: 1600, written: 1600 });
  });

  it('a bug on our side is recorded as a failed run, frees the slot, and reaches the error boundary', async () => {
    const s = setup();
    s.connector.scripts = [[new TypeError('boom')]];
    await expect(s.sync()).rejects.toThrow('boom');
    expect(s.store.runs[0]).toMatchObject({
      status: 'failed',
      failureKind: 'internal',
      reason: 'unexpected error: boom',
    });
    expect(s.store.running).toBeNull();
  });
});
