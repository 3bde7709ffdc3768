import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/adapters/db/client.ts';
import { CONTACTS, DAY, DEALS, seedAccount } from '../e2e/crm/seed.ts';
import { type CliTarget, openCliTarget } from '../support/cli.ts';
import { backends } from '../support/db.ts';
import { type FakeHubspot, startFakeHubspot } from '../support/fake-hubspot.ts';
import { type Child, CRASH_ENV, leak, leakStoppedAt } from './crash-helpers.ts';

/**
 * Issue 17 for the CRM sync: `leak crm sync` killed with SIGKILL after it stored a page, on PGlite and on
 * PostgreSQL. The next process to start must find the run failed (not `running`) and the connector's slot
 * free at once, not after the run's time lease lapses; the next sync resumes from the stored cursor
 * and ends with every record once.
 */
const T = 240_000;
const EXTRA = 1_050;

async function syncState(db: Db) {
  const runs = await db.query<{ status: string; reason: string | null }>(
    'SELECT status, reason FROM crm_sync_runs ORDER BY id',
  );
  const [slot] = await db.query<{ state: string; run_id: string | null }>(
    'SELECT state, run_id::text AS run_id FROM crm_sync_state',
  );
  const [records] = await db.query<{ deals: number; contacts: number }>(
    `SELECT count(*) FILTER (WHERE id LIKE 'hs-deal-%')::int AS deals,
            count(*) FILTER (WHERE id LIKE 'hs-contact-%')::int AS contacts FROM records`,
  );
  return { runs, slot, records: records! };
}

describe.each(backends.map((b) => b.name))('leak crm sync killed (%s)', (backend) => {
  let fake: FakeHubspot;
  let target: CliTarget;
  let env: Record<string, string>;
  let child: Child | undefined;

  beforeAll(async () => {
    fake = await startFakeHubspot();
    seedAccount(fake);
    // Past FLUSH_RECORDS (1,000) deals, so the deals stream stores a checkpoint before its end: 12 pages.
    for (let i = DEALS + 1; i <= DEALS + EXTRA; i++)
      fake.upsert(
        'deals',
        String(i),
        { dealname: `Deal ${i}`, dealstage: 'qualifiedtobuy', hubspot_owner_id: '101', amount: '2000' },
        { modifiedMs: Date.now() - DAY, companyId: '500' },
      );
    target = await openCliTarget(backend, 'leak-crash-crm');
    env = { ...target.env, ...CRASH_ENV, HUBSPOT_TOKEN: fake.token, HUBSPOT_API_URL: fake.baseUrl };
  }, T);

  afterAll(async () => {
    await child?.kill();
    await fake?.close();
    await target?.dispose();
  });

  it(
    'killed after a page: the next start fails the run and frees the slot; the next sync resumes and completes',
    async () => {
      // Checkpoints: contacts (stored, then finished), then the deals' first 1,000 (ten pages).
      child = await leakStoppedAt(['crm', 'sync'], env, 'crm:checkpointed@3');
      await child.kill();
      child = undefined;
      const killed = await target.withDb(syncState);
      expect(killed.runs.map((r) => r.status)).toEqual(['running']);
      expect(killed.slot?.state).toBe('running');
      expect(killed.records).toEqual({ deals: 999, contacts: CONTACTS - 1 }); // deal 7 cannot be mapped

      // Any process start recovers it: here `leak crm status`, which then reports it.
      const status = await leak(['crm', 'status'], env);
      expect(status.code, status.err).toBe(0);
      expect(status.out).toMatch(/^HubSpot sync: idle/);
      expect(status.out).toMatch(/Last run \d+ \(\w+, by cli:[^)]+\): failed/);
      expect(status.out).toMatch(/Last error .* \(abandoned\): abandoned: the process running it stopped/);
      expect(status.out).toContain('the next run resumes from the last page it stored');
      const recovered = await target.withDb(syncState);
      expect(recovered.runs).toMatchObject([
        { status: 'failed', reason: expect.stringMatching(/^abandoned: /) },
      ]);
      expect(recovered.slot).toEqual({ state: 'idle', run_id: null });

      // The next sync is not refused as busy, and reads only the two deals pages it had not stored.
      const before = fake.requests.length;
      const again = await leak(['crm', 'sync'], env);
      // Deal 7 and contact 13 (unmappable) were read, and reported, by the killed run: not read again.
      expect(again.code, again.err).toBe(0);
      expect(again.out).toMatch(/^HubSpot sync \(run \d+\): succeeded/);
      const listCalls = fake.requests
        .slice(before)
        .filter((q) => /\/crm\/v3\/objects\/deals\?/.test(q.path) && q.status < 400);
      expect(listCalls).toHaveLength(2);
      const done = await target.withDb(syncState);
      expect(done.runs.map((r) => r.status)).toEqual(['failed', 'succeeded']);
      expect(done.slot).toEqual({ state: 'idle', run_id: null });
      expect(done.records).toEqual({ deals: DEALS + EXTRA - 1, contacts: CONTACTS - 1 });
    },
    T,
  );

  it(
    'a live sync is not taken over: a second `leak crm sync` while one runs is refused',
    async () => {
      child = await leakStoppedAt(['crm', 'sync', '--full'], env, 'crm:checkpointed@1');
      const second = await leak(['crm', 'sync'], env);
      expect(second.code, second.err).toBe(1);
      // On PostgreSQL the slot is busy; PGlite serves one process, so the second is refused at the door.
      expect(second.err).toMatch(
        backend === 'postgres'
          ? /^leak crm: another sync is running/
          : /^leak crm: the embedded database at .* is in use by process \d+ \(crm sync --full\)/,
      );
      if (backend === 'postgres')
        expect((await target.withDb(syncState)).runs.at(-1)?.status).toBe('running');
      await child.kill();
      child = undefined;
      expect((await leak(['crm', 'status'], env)).out).toMatch(/^HubSpot sync: idle/);
    },
    T,
  );
});
