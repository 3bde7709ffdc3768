import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/adapters/db/client.ts';
import { type CliTarget, openCliTarget } from '../support/cli.ts';
import { backends } from '../support/db.ts';
import { type FakeHubspot, startFakeHubspot } from '../support/fake-hubspot.ts';
import { type Child, CRASH_ENV, spawnScript } from './crash-helpers.ts';

/**
 * Issue 16 with issue 17: a fix's write-back to HubSpot killed with SIGKILL between two write batches,
 * on PGlite and PostgreSQL. 250 unowned deals make three batch updates (100, 100, 50). The process is
 * killed once the second batch is answered by HubSpot and its outcome stored, before its outbox job is
 * marked done; a new process delivers the rest. HubSpot must see each batch once and each deal once.
 */
const CHILD = fileURLToPath(new URL('./crash-crm-write-child.ts', import.meta.url));
const T = 240_000;
const DEALS = 250;
const UPDATE = '/crm/v3/objects/deals/batch/update';

async function batches(db: Db) {
  return db.query<{ batch_no: number; status: string }>(
    "SELECT batch_no, status FROM crm_write_batches WHERE purpose = 'apply' ORDER BY batch_no",
  );
}

describe.each(backends.map((b) => b.name))('a HubSpot write-back killed between batches (%s)', (backend) => {
  let fake: FakeHubspot;
  let target: CliTarget;
  let env: Record<string, string>;
  let child: Child | undefined;

  beforeAll(async () => {
    fake = await startFakeHubspot();
    fake.owners = [
      { id: '101', email: 'priya@northwind.example', firstName: 'Priya', lastName: 'Shah' },
      { id: '102', email: 'marco@northwind.example', firstName: 'Marco', lastName: 'Rossi' },
    ];
    const day = Date.now() - 86_400_000;
    fake.upsert('companies', '500', { domain: 'acme.com', name: 'Acme', country: 'NA' }, { modifiedMs: day });
    for (let i = 1; i <= DEALS; i++)
      fake.upsert(
        'deals',
        String(i),
        {
          dealname: `Deal ${i}`,
          createdate: new Date(day - 30 * 86_400_000).toISOString(),
          dealstage: 'qualifiedtobuy',
          amount: '1000',
          hubspot_owner_id: null,
        },
        { modifiedMs: day, companyId: '500' },
      );
    target = await openCliTarget(backend, 'leak-crash-crm-write');
    env = {
      ...target.env,
      ...CRASH_ENV,
      HUBSPOT_TOKEN: fake.token,
      HUBSPOT_API_URL: fake.baseUrl,
      FIX_OWNER_POOL: 'Priya Shah, Marco Rossi',
      FIX_FOUR_EYES_RECORDS: '1000',
    };
    const prepare = spawnScript(CHILD, ['prepare', 'UNASSIGNED_OWNER'], env);
    expect(await prepare.exited, prepare.err()).toBe(0);
    expect(JSON.parse(prepare.out())).toMatchObject({ outcome: 'applied' });
  }, T);

  afterAll(async () => {
    await child?.kill();
    await fake?.close();
    await target?.dispose();
  });

  it(
    'killed after the second batch: the restart sends only the third, and no deal is written twice',
    async () => {
      expect(fake.calls('POST', UPDATE)).toHaveLength(0);
      child = spawnScript(CHILD, ['deliver'], { ...env, LEAK_CRASH_POINT: 'crm:write-batch@2' });
      await child.waitFor(/crash point crm:write-batch reached/);
      await child.kill();
      child = undefined;

      expect(fake.calls('POST', UPDATE)).toHaveLength(2);
      expect(await target.withDb(batches)).toEqual([
        { batch_no: 0, status: 'written' },
        { batch_no: 1, status: 'written' },
        { batch_no: 2, status: 'pending' },
      ]);
      // The dead worker's lease on its jobs lapses (LEASE_MS, two minutes), here at once.
      await target.withDb((db) =>
        db.query("UPDATE jobs SET locked_until = now() - interval '1 second' WHERE state = 'pending'"),
      );

      const restart = spawnScript(CHILD, ['deliver'], env);
      expect(await restart.exited, restart.err()).toBe(0);

      const calls = fake.calls('POST', UPDATE);
      expect(calls).toHaveLength(3);
      const ids = calls.flatMap((c) => (c.body as { inputs: { id: string }[] }).inputs.map((i) => i.id));
      expect(ids).toHaveLength(DEALS);
      expect(new Set(ids).size).toBe(DEALS);
      expect(await target.withDb(batches)).toEqual([
        { batch_no: 0, status: 'written' },
        { batch_no: 1, status: 'written' },
        { batch_no: 2, status: 'written' },
      ]);
      for (let i = 1; i <= DEALS; i++)
        expect(fake.objects.deals.get(String(i))?.properties['hubspot_owner_id']).toMatch(/^10[12]$/);
    },
    T,
  );
});
