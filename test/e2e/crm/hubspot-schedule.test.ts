import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeHubspot, startFakeHubspot } from '../../support/fake-hubspot.ts';
import { type Harness, startHarness } from '../harness.ts';
import { eventually } from '../incident-helpers.ts';
import { DEALS, seedAccount } from './seed.ts';

/**
 * The running bot with HubSpot connected: the scheduled scan syncs first (once, as the scan's slot is
 * claimed once across replicas), the App Home shows the sync, and a revoked token gives a failed sync
 * and one admin alert in the alerts channel, while the scans go on with the records already synced.
 */

describe('the bot with HubSpot connected', () => {
  let fake: FakeHubspot;
  let h: Harness;
  let slot = Math.floor(Date.now() / 1000) * 1000;
  const fire = () => {
    slot += 60_000;
    return h.running.fire('scheduled-scan', slot);
  };
  const scans = async () =>
    (await h.services.db.query<{ n: number }>('SELECT count(*)::int AS n FROM scans'))[0]!.n;
  const alerts = () => h.fake.messages('CALERTS').filter((m) => m.text.includes('HubSpot sync'));

  beforeAll(async () => {
    fake = await startFakeHubspot();
    seedAccount(fake);
    h = await startHarness({ env: { HUBSPOT_TOKEN: fake.token, HUBSPOT_API_URL: fake.baseUrl } });
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    await fake?.close();
  });

  it('the scheduled scan syncs the funnel from HubSpot first, then scans it', async () => {
    expect(await fire()).toBe('ran');
    const [n] = await h.services.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM records WHERE id LIKE 'hs-deal-%'",
    );
    expect(n!.n).toBe(DEALS - 1);
    const [scan] = await h.services.db.query<{ records_count: number; actor: string }>(
      'SELECT records_count, actor FROM scans ORDER BY id DESC LIMIT 1',
    );
    expect(scan).toEqual({ records_count: expect.any(Number), actor: 'system:scheduled-scan' });
    expect(scan!.records_count).toBeGreaterThanOrEqual(DEALS - 1);
    const [run] = await h.services.db.query<{ actor: string; status: string }>(
      'SELECT actor, status FROM crm_sync_runs',
    );
    expect(run).toEqual({ actor: 'system:scheduled-scan', status: 'succeeded' });
  });

  it('the App Home shows the sync: records per object and the last run', async () => {
    await h.event({
      type: 'app_home_opened',
      user: 'UCRM1',
      channel: 'D0HOME',
      tab: 'home',
      event_ts: '1.2',
    });
    await eventually(() => h.fake.views('UCRM1') !== undefined, 10_000, 'views.publish');
    const home = JSON.stringify(h.fake.views('UCRM1'));
    expect(home).toContain('HubSpot sync');
    expect(home).toContain(`${DEALS - 1} deals`);
    expect(home).toMatch(/Last full sync .*: succeeded/);
  });

  it('a revoked token: the sync fails, one alert tells the admins what to do, the scans go on', async () => {
    fake.revoke();
    const before = await scans();
    expect(await fire()).toBe('ran');
    expect(await fire()).toBe('ran');
    await h.settle();
    expect(await scans()).toBe(before + 2);
    const posted = alerts();
    expect(posted).toHaveLength(1);
    expect(posted[0]!.text).toContain('HubSpot sync failed: token refused');
    expect(posted[0]!.text).toContain('INVALID_AUTHENTICATION');
    expect(posted[0]!.text).toContain('create a new private-app token');
    expect(posted[0]!.text).not.toContain(fake.token);
    expect(JSON.stringify(h.logs)).not.toContain(fake.token);
    const runs = await h.services.db.query<{ status: string; failure_kind: string | null }>(
      'SELECT status, failure_kind FROM crm_sync_runs ORDER BY id',
    );
    expect(runs).toEqual([
      { status: 'succeeded', failure_kind: null },
      { status: 'failed', failure_kind: 'auth' },
      { status: 'failed', failure_kind: 'auth' },
    ]);
  });
});
