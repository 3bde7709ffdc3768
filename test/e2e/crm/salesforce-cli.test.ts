import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliTarget, openCliTarget, runLeak } from '../../support/cli.ts';
import { backends } from '../../support/db.ts';
import { startFakeHubspot } from '../../support/fake-hubspot.ts';
import { type FakeSalesforce, sfId, startFakeSalesforce } from '../../support/fake-salesforce.ts';
import { expectDailyShare } from './daily-share.ts';
import { BAD_LEAD, BAD_OPP, LEADS, OPPS, PRIYA, seedOrg } from './salesforce-seed.ts';
import { seedAccount } from './seed.ts';

/**
 * `leak crm sync` and `leak crm status` for Salesforce end to end, against the fake org
 * (test/support/fake-salesforce.ts) over HTTP with a JWT bearer grant the fake verifies: the first (full)
 * sync, mapping errors, owners resolved through User, an incremental sync by SystemModstamp, a session
 * that expires mid-sync, a revoked grant, the Bulk API 2.0 path above the threshold, the daily share,
 * and HubSpot beside it.
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

const sfEnv = (fake: FakeSalesforce): Record<string, string> => ({
  SALESFORCE_LOGIN_URL: fake.baseUrl,
  SALESFORCE_CLIENT_ID: fake.clientId,
  SALESFORCE_USERNAME: fake.username,
  SALESFORCE_JWT_KEY_FILE: fake.keyFile,
});
const opp = (n: number) => `sf-opp-${sfId('Opportunity', n)}`;
const lead = (n: number) => `sf-lead-${sfId('Lead', n)}`;

describe.each(backends)('leak crm with Salesforce on $name', ({ name }) => {
  let fake: FakeSalesforce;
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
    fake = await startFakeSalesforce({ batchSize: 25 });
    seedOrg(fake);
    target = await openCliTarget(name, 'leak-crm-sf');
    env = { ...target.env, ...sfEnv(fake), ALERTS_CHANNEL: 'CALERTS' };
  });
  afterAll(async () => {
    await fake.close();
    await target.dispose();
  });

  it('the first sync reads everything, resolves owners through User and stages, and lists what it could not map', async () => {
    const r = await leak('sync');
    expect(r.err).toBe('');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^Salesforce sync \(run \d+\): succeeded in /);
    expect(r.out).toMatch(/leads\s+full\s+20\s+19\s+1/);
    expect(r.out).toMatch(/opportunities\s+full\s+60\s+59\s+1/);
    expect(r.out).toContain(`opportunity ${BAD_OPP}: value_usd: negative amount '-5' in Amount`);
    expect(r.out).toContain(`lead ${BAD_LEAD}: last_touch_at: 'soon' in LastActivityDate is not a timestamp`);
    expect(r.out).toMatch(
      /Spent 6 API calls = 0\.006% of the daily allowance \(100,000\/day, 99,994 left today; CRM_DAILY_SHARE 50%\)/,
    );
    // One JWT bearer grant (verified by the fake), then users, stages, one page of leads, three of opportunities.
    expect(fake.tokenRequests).toEqual([
      { grant: 'urn:ietf:params:oauth:grant-type:jwt-bearer', status: 200 },
    ]);
    expect(fake.requests.map((q) => q.soql?.replace(/^SELECT .*? FROM (\w+).*$/, '$1') ?? q.path)).toEqual([
      'User',
      'OpportunityStage',
      'Lead',
      'Opportunity',
      expect.stringMatching(/^\/services\/data\/v62\.0\/query\/01g/),
      expect.stringMatching(/^\/services\/data\/v62\.0\/query\/01g/),
    ]);
    expect(fake.requests.every((q) => q.authorization?.startsWith('Bearer 00DFAKE'))).toBe(true);

    expect(await record(opp(22))).toEqual({
      id: opp(22),
      type: 'opp',
      name: 'Opp 22',
      owner: 'Priya Shah',
      stage: 'Negotiation',
      domain: 'acme.com',
      company: 'Acme',
      value_cents: '2200000',
      email_hash: null,
    });
    expect(await record(opp(13))).toMatchObject({
      stage: 'Closed Won',
      owner: 'Marco Rossi',
      domain: 'globex.com',
    });
    expect(await record(opp(14))).toMatchObject({ stage: 'Closed Lost' });
    // A deactivated owner owns nothing; nor does an opportunity without an Account have a company.
    expect(await record(opp(10))).toMatchObject({ owner: '' });
    expect(await record(opp(4))).toMatchObject({ domain: '', company: '' });
    expect(await record(`sf-opp-${BAD_OPP}`)).toBeUndefined();
    const l = await record(lead(10));
    expect(l).toMatchObject({
      type: 'lead',
      name: 'First10 Last10',
      owner: 'Priya Shah',
      stage: 'New',
      domain: 'example.org',
    });
    expect(l!.email_hash).toMatch(/^[0-9a-f]{64}$/);
    // A lead in a queue (owned by a Group) is nobody's.
    expect(await record(lead(11))).toMatchObject({ owner: '', stage: 'Qualified' });
    const counts = await target.withDb((db) =>
      db.query<{ opps: number; leads: number }>(
        `SELECT count(*) FILTER (WHERE id LIKE 'sf-opp-%')::int AS opps,
                count(*) FILTER (WHERE id LIKE 'sf-lead-%')::int AS leads FROM records`,
      ),
    );
    expect(counts).toEqual([{ opps: OPPS - 1, leads: LEADS - 1 }]);
  }, 120_000);

  it('the next sync reads only what changed since, by SystemModstamp', async () => {
    const before = fake.requests.length;
    fake.upsert('Opportunity', sfId('Opportunity', 12), {
      Amount: 99000,
      StageName: 'Closed Won',
      IsClosed: true,
      IsWon: true,
    });
    fake.upsert('Lead', sfId('Lead', 21), {
      Name: 'New Lead',
      Email: 'new@example.org',
      Company: 'Initech',
      Status: 'Open - Not Contacted',
      OwnerId: PRIYA,
      LastActivityDate: null,
    });
    const r = await leak('sync');
    expect(r.code).toBe(0);
    const soql = fake.requests.slice(before).map((q) => q.soql ?? q.path);
    expect(soql.filter((q) => / FROM (Lead|Opportunity) /.test(q))).toEqual([
      expect.stringMatching(
        / FROM Lead WHERE SystemModstamp >= \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ORDER BY SystemModstamp, Id$/,
      ),
      expect.stringMatching(/ FROM Opportunity WHERE SystemModstamp >= .* ORDER BY SystemModstamp, Id$/),
    ]);
    expect(r.out).toMatch(/leads\s+incremental\s+1\s+1\s+0/);
    expect(r.out).toMatch(/opportunities\s+incremental\s+1\s+1\s+0/);
    expect(await record(opp(12))).toMatchObject({ stage: 'Closed Won', value_cents: '9900000' });
    expect(await record(lead(21))).toMatchObject({ name: 'New Lead', stage: 'New', owner: 'Priya Shah' });
  });

  it('a session that expires mid-sync is refreshed once and the sync goes on', async () => {
    const tokens = fake.tokenRequests.length;
    const before = fake.requests.length;
    fake.expireSessionsAfter(1);
    const r = await leak('sync');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Salesforce sync \(run \d+\): succeeded/);
    expect(fake.requests.slice(before).map((q) => q.status)).toEqual([200, 401, 200, 200, 200]);
    expect(fake.tokenRequests.length - tokens).toBe(2);
  });

  it('status: cursors, records per object, the last run and its spend', async () => {
    const r = await leak('status');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Salesforce sync: idle \(last success \d{4}-\d\d-\d\dT/);
    expect(r.out).toMatch(/leads\s+20\s+\d{4}-/);
    expect(r.out).toMatch(/opportunities\s+59\s+\d{4}-/);
    expect(r.out).toMatch(/Last run \d+ \(incremental, by cli:[^)]+\): succeeded/);
    expect(r.out).toContain('Last error: none');
    const json = JSON.parse((await leak('status', '--json')).out);
    expect(json.connector).toBe('salesforce');
    expect(json.streams.map((s: { stream: string }) => s.stream)).toEqual(['leads', 'opportunities']);
  });

  it('a revoked grant: a failed sync with the reason, an admin alert queued, status says what to do', async () => {
    fake.revoke();
    const before = fake.requests.length;
    const r = await leak('sync');
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      "leak crm: the sync failed (auth): Salesforce refused the JWT bearer grant (400 invalid_grant): user hasn't approved this consumer",
    );
    expect(fake.requests.length).toBe(before);
    const jobs = await target.withDb((db) =>
      db.query<{ payload: { channel: string; kind: string; event: string; connector: string } }>(
        "SELECT payload FROM jobs WHERE kind = 'crm.alert'",
      ),
    );
    expect(jobs.map((j) => j.payload)).toMatchObject([{ channel: 'CALERTS', kind: 'auth', event: 'failed' }]);
    // Failing again alerts nothing more, and is no crash loop: one refused grant per run.
    expect((await leak('sync')).code).toBe(1);
    expect(fake.tokenRequests.filter((t) => t.status === 400)).toHaveLength(2);
    const s = await leak('status');
    expect(s.out).toMatch(/Last error .* \(auth\): Salesforce refused the JWT bearer grant/);
    expect(s.out).toContain('Salesforce refused the connected app: check the certificate');
  });
});

describe('leak crm with Salesforce: Bulk API 2.0, the daily share, HubSpot beside it', () => {
  it('above SALESFORCE_BULK_THRESHOLD the rest of a read goes through a Bulk API 2.0 query job', async () => {
    const fake = await startFakeSalesforce({ batchSize: 20 });
    const target = await openCliTarget('pglite', 'leak-crm-sf-bulk');
    try {
      seedOrg(fake, { opps: 120 });
      const r = await runLeak(['crm', 'sync'], {
        ...target.env,
        ...sfEnv(fake),
        SALESFORCE_BULK_THRESHOLD: '50',
      });
      expect(r.out).toMatch(/^Salesforce sync \(run \d+\): succeeded/);
      expect(r.out).toMatch(/opportunities\s+full\s+120\s+119\s+1/);
      // Leads (20, one page) stay on REST; opportunities: one page, then a job for the other 100.
      expect(fake.count('POST', '/services/data/v62.0/jobs/query')).toBe(1);
      const job = fake.requests.find((q) => q.method === 'POST')!;
      expect(job.soql).toMatch(/ FROM Opportunity WHERE Id > '006000000000020AAA'$/);
      expect(fake.count('GET', '/services/data/v62.0/jobs/query/')).toBeGreaterThanOrEqual(2);
      expect(fake.requests.filter((q) => q.path.endsWith('/results'))).toHaveLength(1);
      const [n] = await target.withDb((db) =>
        db.query<{ n: number }>("SELECT count(*)::int AS n FROM records WHERE id LIKE 'sf-opp-%'"),
      );
      expect(n!.n).toBe(119);
    } finally {
      await fake.close();
      await target.dispose();
    }
  }, 120_000);

  it('never spends more than CRM_DAILY_SHARE of the daily allowance, says what it spent, and resumes', async () => {
    const fake = await startFakeSalesforce({ batchSize: 25, daily: 10 });
    const target = await openCliTarget('pglite', 'leak-crm-sf-daily');
    try {
      seedOrg(fake);
      const env = { ...target.env, ...sfEnv(fake) };
      await expectDailyShare({
        label: 'Salesforce',
        target,
        env,
        fake,
        idPrefix: 'sf-opp-',
        records: OPPS - 1,
      });
    } finally {
      await fake.close();
      await target.dispose();
    }
  }, 120_000);

  it('with HubSpot configured too, each is its own connector: --connector picks one (refresh token flow)', async () => {
    const sf = await startFakeSalesforce();
    const hs = await startFakeHubspot();
    const target = await openCliTarget('pglite', 'leak-crm-both');
    try {
      seedOrg(sf);
      seedAccount(hs);
      const env = {
        ...target.env,
        SALESFORCE_LOGIN_URL: sf.baseUrl,
        SALESFORCE_CLIENT_ID: sf.clientId,
        SALESFORCE_CLIENT_SECRET: sf.clientSecret,
        SALESFORCE_REFRESH_TOKEN: sf.refreshToken,
        HUBSPOT_TOKEN: hs.token,
        HUBSPOT_API_URL: hs.baseUrl,
      };
      const ambiguous = await runLeak(['crm', 'sync'], env);
      expect(ambiguous.code).toBe(64);
      expect(ambiguous.err).toContain('hubspot and salesforce are both connected: name one with --connector');
      const unknown = await runLeak(['crm', 'status', '--connector', 'pipedrive'], env);
      expect(unknown.code).toBe(64);
      expect(unknown.err).toContain(
        '--connector pipedrive: no such CRM is connected (connected: hubspot, salesforce)',
      );
      const r = await runLeak(['crm', 'sync', '--connector', 'salesforce'], env);
      expect(r.out).toMatch(/^Salesforce sync \(run \d+\): succeeded/);
      expect(sf.tokenRequests).toEqual([{ grant: 'refresh_token', status: 200 }]);
      expect(hs.requests).toEqual([]);
      // HubSpot's slot and cursors are its own: untouched by the Salesforce sync.
      const s = await runLeak(['crm', 'status', '--connector', 'hubspot'], env);
      expect(s.out).toMatch(/^HubSpot sync: idle \(never synced\)/);
      const both = await runLeak(['crm', 'status', '--connector', 'salesforce'], env);
      expect(both.out).toMatch(/opportunities\s+59\s+\d{4}-/);
    } finally {
      await sf.close();
      await hs.close();
      await target.dispose();
    }
  }, 120_000);
});

describe('leak crm with Salesforce, configuration', () => {
  it('a key file that cannot be used is refused before any call, saying why', async () => {
    const fake = await startFakeSalesforce();
    try {
      const base = { PGLITE_DIR: 'memory://', LOG_LEVEL: 'silent', ...sfEnv(fake) };
      const missing = await runLeak(['crm', 'sync'], {
        ...base,
        SALESFORCE_JWT_KEY_FILE: '/nonexistent/sf.key',
      });
      expect(missing.code).toBe(1);
      expect(missing.err).toContain('SALESFORCE_JWT_KEY_FILE /nonexistent/sf.key: cannot be read (ENOENT)');
      const { writeFileSync } = await import('node:fs');
      const notKey = `${fake.keyFile}.crt`;
      writeFileSync(
        notKey,
        '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUB\n-----END CERTIFICATE-----\n',
      );
      const cert = await runLeak(['crm', 'sync'], { ...base, SALESFORCE_JWT_KEY_FILE: notKey });
      expect(cert.err).toContain(`SALESFORCE_JWT_KEY_FILE ${notKey}: not a PEM private key`);
      expect(fake.requests).toEqual([]);
      expect(fake.tokenRequests).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});
