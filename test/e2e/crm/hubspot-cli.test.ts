import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliTarget, openCliTarget, runLeak } from '../../support/cli.ts';
import { backends } from '../../support/db.ts';
import { type FakeHubspot, startFakeHubspot } from '../../support/fake-hubspot.ts';
import { expectDailyShare } from './daily-share.ts';
import { BAD_CONTACT, BAD_DEAL, CONTACTS, DEALS, seedAccount } from './seed.ts';

/**
 * `leak crm sync` and `leak crm status` end to end, against the fake HubSpot (test/support/fake-hubspot.ts)
 * over HTTP: the first (full) sync, mapping errors, owner and stage resolution, an incremental sync that
 * reads only what changed, rate-limit pacing and a 429 waited out, and a revoked token.
 */

interface RecordRow {
  id: string;
  type: string;
  name: string;
  owner: string;
  stage: string;
  domain: string;
  company: string;
  value_cents: string;
  email_hash: string | null;
}

describe.each(backends)('leak crm on $name', ({ name }) => {
  let fake: FakeHubspot;
  let target: CliTarget;
  let env: Record<string, string>;
  const leak = (...args: string[]) => runLeak(['crm', ...args], env);
  const record = (id: string) =>
    target.withDb(async (db) => {
      const [r] = await db.query<RecordRow & Record<string, unknown>>(
        'SELECT id, type, name, owner, stage, domain, company, value_cents::text AS value_cents, email_hash FROM records WHERE id = $1',
        [id],
      );
      return r;
    });

  beforeAll(async () => {
    fake = await startFakeHubspot();
    seedAccount(fake);
    target = await openCliTarget(name, 'leak-crm');
    env = {
      ...target.env,
      HUBSPOT_TOKEN: fake.token,
      HUBSPOT_API_URL: fake.baseUrl,
      ALERTS_CHANNEL: 'CALERTS',
    };
  });
  afterAll(async () => {
    await fake.close();
    await target.dispose();
  });

  it('the first sync reads everything, resolves owners, stages and companies, and lists what it could not map', async () => {
    const r = await leak('sync');
    expect(r.err).toBe('');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^HubSpot sync \(run \d+\): succeeded in /);
    expect(r.out).toContain(`deal ${BAD_DEAL}: value_usd: negative amount '-5' in amount`);
    expect(r.out).toContain(
      `contact ${BAD_CONTACT}: last_touch_at: 'soon' in hs_last_sales_activity_timestamp is not a timestamp`,
    );
    expect(r.out).toMatch(
      /Spent \d+ API calls = [\d.]+% of the daily allowance \(250,000\/day, [\d,]+ left today; CRM_DAILY_SHARE 50%\)/,
    );
    // Two list pages of deals (limit 100), one of contacts; no search on a first sync.
    expect(fake.count('/crm/v3/objects/deals?')).toBe(2);
    expect(fake.count('/crm/v3/objects/contacts?')).toBe(1);
    expect(fake.requests.filter((q) => q.path.includes('/search'))).toEqual([]);
    expect(fake.requests.every((q) => q.authorization === `Bearer ${fake.token}`)).toBe(true);

    expect(await record('hs-deal-22')).toEqual({
      id: 'hs-deal-22',
      type: 'opp',
      name: 'Deal 22',
      owner: 'Priya Shah',
      stage: 'Contract Sent',
      domain: 'acme.com',
      company: 'Acme',
      value_cents: '2200000',
      email_hash: null,
    });
    expect(await record('hs-deal-13')).toMatchObject({
      stage: 'Closed Won',
      owner: 'Marco Rossi',
      domain: 'globex.com',
    });
    expect(await record('hs-deal-14')).toMatchObject({ stage: 'Closed Lost' });
    expect(await record('hs-deal-10')).toMatchObject({ owner: '' });
    expect(await record('hs-deal-4')).toMatchObject({ domain: '', company: '' });
    expect(await record(`hs-deal-${BAD_DEAL}`)).toBeUndefined();
    const contact = await record('hs-contact-10');
    expect(contact).toMatchObject({
      type: 'lead',
      name: 'First10 Last10',
      owner: 'Priya Shah',
      stage: 'New',
      domain: 'acme.com',
    });
    expect(contact!.email_hash).toMatch(/^[0-9a-f]{64}$/);
    const counts = await target.withDb((db) =>
      db.query<{ deals: number; contacts: number; emails: number }>(
        `SELECT count(*) FILTER (WHERE id LIKE 'hs-deal-%')::int AS deals,
                count(*) FILTER (WHERE id LIKE 'hs-contact-%')::int AS contacts,
                count(*) FILTER (WHERE email_hash LIKE '%@%')::int AS emails FROM records`,
      ),
    );
    expect(counts).toEqual([{ deals: DEALS - 1, contacts: CONTACTS - 1, emails: 0 }]);
    // The first `leak` run on a fresh database migrates it too: room for that on a busy 2-core host.
  }, 120_000);

  it('the next sync reads only what changed since, through the search API', async () => {
    const before = fake.requests.length;
    fake.upsert('deals', '12', { amount: '99000', dealstage: 'closedwon' });
    fake.upsert('contacts', '21', {
      firstname: 'New',
      lastname: 'Lead',
      email: 'new@example.org',
      lifecyclestage: 'lead',
      createdate: new Date().toISOString(),
    });
    const r = await leak('sync');
    expect(r.code).toBe(0);
    const calls = fake.requests.slice(before);
    expect(calls.filter((q) => /\/crm\/v3\/objects\/(deals|contacts)\?/.test(q.path))).toEqual([]);
    expect(calls.filter((q) => q.path.endsWith('/search')).map((q) => q.path)).toEqual([
      '/crm/v3/objects/contacts/search',
      '/crm/v3/objects/deals/search',
    ]);
    expect(r.out).toMatch(/contacts\s+incremental\s+1\s+1\s+0/);
    expect(r.out).toMatch(/deals\s+incremental\s+1\s+1\s+0/);
    expect(await record('hs-deal-12')).toMatchObject({ stage: 'Closed Won', value_cents: '9900000' });
    expect(await record('hs-contact-21')).toMatchObject({ name: 'New Lead', stage: 'New' });
  });

  it('status: cursors, records per object, the last run and its spend', async () => {
    const r = await leak('status');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^HubSpot sync: idle \(last success \d{4}-\d\d-\d\dT/);
    expect(r.out).toMatch(/contacts\s+20\s+\d{4}-/);
    expect(r.out).toMatch(/deals\s+149\s+\d{4}-/);
    expect(r.out).toMatch(/Last run \d+ \(incremental, by cli:[^)]+\): succeeded/);
    expect(r.out).toContain('Last error: none');
    const json = JSON.parse((await leak('status', '--json')).out);
    expect(json.lastRun.calls).toBeGreaterThan(0);
    expect(json.streams.map((s: { stream: string }) => s.stream)).toEqual(['contacts', 'deals']);
  });

  it('a revoked token: a failed sync with the reason, an admin alert queued, status says what to do', async () => {
    fake.revoke();
    const r = await leak('sync');
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'leak crm: the sync failed (auth): HubSpot refused the token (401 INVALID_AUTHENTICATION)',
    );
    expect(r.err).not.toContain(fake.token);
    const jobs = await target.withDb((db) =>
      db.query<{ payload: { channel: string; kind: string; event: string } }>(
        "SELECT payload FROM jobs WHERE kind = 'crm.alert'",
      ),
    );
    expect(jobs.map((j) => j.payload)).toMatchObject([{ channel: 'CALERTS', kind: 'auth', event: 'failed' }]);
    // Failing again alerts nothing more.
    expect((await leak('sync')).code).toBe(1);
    expect(await target.withDb((db) => db.query("SELECT 1 FROM jobs WHERE kind = 'crm.alert'"))).toHaveLength(
      1,
    );
    const s = await leak('status');
    expect(s.out).toMatch(/Last error .* \(auth\): HubSpot refused the token/);
    expect(s.out).toContain('create a new private-app token and set it, then restart');
  });
});

describe('leak crm, configuration', () => {
  it('without HUBSPOT_TOKEN there is nothing to sync, and it says how to connect one', async () => {
    const r = await runLeak(['crm', 'status'], { PGLITE_DIR: 'memory://', LOG_LEVEL: 'silent' });
    expect(r).toMatchObject({
      code: 1,
      err: 'leak crm: no CRM is connected: set HUBSPOT_TOKEN or SALESFORCE_CLIENT_ID (README "CRM connectors").\n',
    });
  });

  it('a mapping file with problems is refused before any call, every problem listed with its line', async () => {
    const fake = await startFakeHubspot();
    try {
      const { mkdtempSync, writeFileSync } = await import('node:fs');
      const dir = mkdtempSync(`${(await import('node:os')).tmpdir()}/crm-map-`);
      writeFileSync(
        `${dir}/m.yaml`,
        'version: 1\nhubspot:\n  deals:\n    fields:\n      owner: { owner: 12x }\n',
      );
      const r = await runLeak(['crm', 'sync'], {
        PGLITE_DIR: 'memory://',
        LOG_LEVEL: 'silent',
        HUBSPOT_TOKEN: fake.token,
        HUBSPOT_API_URL: fake.baseUrl,
        CRM_MAPPING_FILE: `${dir}/m.yaml`,
      });
      expect(r.code).toBe(1);
      expect(r.err).toContain(
        `${dir}/m.yaml:5: hubspot.deals.fields.owner.owner: "12x" is not a property name`,
      );
      expect(fake.requests).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});

describe("leak crm against HubSpot's rate limits", () => {
  it('never spends more than CRM_DAILY_SHARE of the daily allowance, says what it spent, and resumes', async () => {
    const fake = await startFakeHubspot({ daily: 10 });
    const target = await openCliTarget('pglite', 'leak-crm-daily');
    try {
      seedAccount(fake);
      const env = { ...target.env, HUBSPOT_TOKEN: fake.token, HUBSPOT_API_URL: fake.baseUrl };
      await expectDailyShare({
        label: 'HubSpot',
        target,
        env,
        fake,
        idPrefix: 'hs-deal-',
        records: DEALS - 1,
      });
    } finally {
      await fake.close();
      await target.dispose();
    }
  }, 120_000);

  it('paces itself to the announced burst limit, and waits out a 429 for its Retry-After', async () => {
    const fake = await startFakeHubspot({ burst: { max: 4, intervalMs: 1000 } });
    const target = await openCliTarget('pglite', 'leak-crm-rate');
    try {
      seedAccount(fake);
      fake.failNext(
        429,
        {
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          errorType: 'RATE_LIMIT',
          correlationId: 'a5fd2d7c-1c3a-4f36-9b5e-f5b2a2f6e1d0',
          policyName: 'TEN_SECONDLY_ROLLING',
        },
        { 'Retry-After': '1' },
      );
      const t0 = Date.now();
      const r = await runLeak(['crm', 'sync'], {
        ...target.env,
        HUBSPOT_TOKEN: fake.token,
        HUBSPOT_API_URL: fake.baseUrl,
      });
      expect(r.code).toBe(2);
      expect(r.out).toContain('1 call refused (429) and retried');
      expect(r.out).toMatch(/waited [\d.]+ s for rate limits/);
      // Paced: never refused by the fake's own limit, and it took the time the limit asks.
      expect(fake.refused).toEqual({ burst: 0, search: 0 });
      const calls = fake.requests.length;
      expect(Date.now() - t0).toBeGreaterThanOrEqual(Math.floor((calls - 1 - 4) / 4) * 1000);
    } finally {
      await fake.close();
      await target.dispose();
    }
  });
});
