import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../../src/app/context.ts';
import { runIncidentScan } from '../../src/app/incidents/revenue-scan.ts';
import { openServices } from '../../src/composition/services.ts';
import { loadConfig } from '../../src/config/config.ts';
import { silentLog } from '../support/db.ts';
import { type Harness, INCIDENT_ENV, type SharedDatabase, sharedDatabase, startHarness } from './harness.ts';
import { burningRecords, incidentChannels, postedChannels, theIncident } from './incident-helpers.ts';

/**
 * A process that dies between committing an incident and delivering it. The crash is simulated exactly:
 * the scan use case runs against the database with no delivery worker at all (what a process killed right
 * after COMMIT leaves behind: the incident, its timeline and its outbox jobs), then a fresh app starts on
 * the same database. On PGlite the database lives in a temp directory so it outlives the first process.
 */
let db: SharedDatabase;
let b: Harness | undefined;
let c: Harness | undefined;

beforeAll(async () => {
  db = await sharedDatabase();
});
afterAll(async () => {
  await b?.stop();
  await c?.stop();
  await db?.dispose();
});

const crashCtx: Ctx = { actor: { type: 'system', job: 'before-crash' }, requestId: 'crash', log: silentLog };

describe('a restart between commit and delivery', () => {
  it('the next process delivers everything the dead one committed, exactly once', async () => {
    const config = loadConfig({ NODE_ENV: 'test', ...INCIDENT_ENV, ...db.env }, { storedPiiKey: true });
    const a = await openServices(config, silentLog);
    try {
      await a.repos.records.upsertMany(burningRecords());
      const out = await runIncidentScan(a.scanDeps, a.incidentDeps, crashCtx, {});
      expect(out.incident.action).toBe('declared');
      expect((await a.repos.jobs.stats()).pending).toBeGreaterThan(0);
    } finally {
      await a.close();
    }

    b = await startHarness({ database: db, usergroups: { SONCALL: ['UON1', 'UON2'] } });
    await b.settle();
    const { channel, warRoom } = theIncident(b.fake);
    expect(b.fake.pins(channel)).toEqual([warRoom.ts]);
    expect(incidentChannels(b.fake)[0]!.members).toEqual(
      expect.arrayContaining(['UON1', 'UON2', 'URESP', 'UCMDR']),
    );
    expect(b.fake.messages(channel).filter((m) => m.text.includes('<!subteam^SONCALL>'))).toHaveLength(1);
    expect(b.fake.messages('CALERTS').filter((m) => m.text.includes(`<#${channel}>`))).toHaveLength(1);
    const dms = postedChannels(b.fake).filter((x) => x.startsWith('D'));
    expect(dms).toHaveLength(1);
    expect(b.fake.messages(dms[0]!)).toHaveLength(1);
    expect(await b.services.repos.jobs.stats()).toMatchObject({ pending: 0, failed: 0 });
  }, 90_000);

  it('and a process after that finds nothing left to send', async () => {
    await b!.stop();
    b = undefined;
    c = await startHarness({ database: db, usergroups: { SONCALL: ['UON1', 'UON2'] } });
    await c.settle();
    const sent = c.fake.calls.filter((x) => x.kind === 'api' && x.name !== 'auth.test');
    expect(sent.map((x) => x.name)).toEqual([]);
  }, 90_000);
});
