import { generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { salesforceConnector } from '../../../src/adapters/crm/salesforce/connector.ts';
import { parseCsv } from '../../../src/adapters/crm/salesforce/responses.ts';
import type { CrmPage, CrmStream, ReadFrom } from '../../../src/app/crm/ports.ts';
import { mapPage } from '../../../src/app/crm/sync.ts';
import { DEFAULT_CRM_MAPPING } from '../../../src/domain/crm/mapping.ts';

/**
 * Reading Salesforce through the connector, against nock with the bodies Salesforce documents: SOQL query
 * results (`totalSize`, `done`, `nextRecordsUrl`, records with `attributes`), User and OpportunityStage
 * lookups, and a Bulk API 2.0 query job (create, poll, CSV results paged by `Sforce-Locator`). Asserts the
 * SOQL sent, the checkpoints (a keyset, never a query locator) and what the default mapping makes of it.
 */

const LOGIN = 'https://login.salesforce.com';
const INSTANCE = 'https://acme.my.salesforce.com';
const V = '/services/data/v62.0';
const NOW = 1_800_000_000_000;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const connector = salesforceConnector(DEFAULT_CRM_MAPPING.salesforce, {
  loginUrl: LOGIN,
  instanceUrl: null,
  apiVersion: '62.0',
  credentials: { kind: 'jwt', clientId: '3MVG9EXAMPLE', username: 'integration@acme.example', privateKey },
  bulkThreshold: 3,
  bulkPageSize: 2,
  bulkPoll: { firstMs: 1000, maxMs: 4000, timeoutMs: 60_000 },
  now: () => NOW,
  sleep: async () => {},
});
const stream = (key: string): CrmStream => connector.streams.find((s) => s.key === key)!;
const LIMIT = { 'Sforce-Limit-Info': 'api-usage=120/100000' };

const OPP_FIELDS =
  'Account.BillingCountry, Account.Name, Account.Website, Amount, CreatedDate, Id, IsClosed, IsWon, LastActivityDate, LeadSource, Name, NextStep, OwnerId, StageName, SystemModstamp';

const LEAD_FIELDS =
  'Company, Country, CreatedDate, Email, Id, LastActivityDate, LeadSource, Name, OwnerId, Status, SystemModstamp, Website';

const opp = (id: string, modstamp: string, extra: Record<string, unknown> = {}) => ({
  attributes: { type: 'Opportunity', url: `${V}/sobjects/Opportunity/${id}` },
  Account: {
    attributes: { type: 'Account', url: `${V}/sobjects/Account/001Dn00000AcmeAAA` },
    BillingCountry: 'NA',
    Name: 'Acme',
    Website: 'https://www.acme.com/',
  },
  Amount: 22000.0,
  CreatedDate: '2026-10-01T09:00:00.000+0000',
  Id: id,
  IsClosed: false,
  IsWon: false,
  LastActivityDate: '2026-11-20',
  LeadSource: 'Web',
  Name: `Opp ${id}`,
  NextStep: 'Send contract',
  OwnerId: '005Dn000001PriyaAAA',
  StageName: 'Negotiation/Review',
  SystemModstamp: modstamp,
  ...extra,
});

function token() {
  nock(LOGIN)
    .post('/services/oauth2/token')
    .reply(200, {
      access_token: '00DDn00000EXAMPLE!AQ0AQtoken',
      instance_url: INSTANCE,
      id: `${LOGIN}/id/00DDn00000EXAMPLE/005Dn000001PriyaAAA`,
      token_type: 'Bearer',
      issued_at: String(NOW),
      signature: 'Xtn4Wj7cU2EXAMPLEsignature=',
    });
}

/** Expects one SOQL query and answers it. */
const expectQuery = (soql: string, body: unknown) =>
  nock(INSTANCE)
    .get(`${V}/query`)
    .query({ q: soql })
    .reply(200, body as nock.Body, LIMIT);

async function pages(key: string, from: ReadFrom, session = connector.open(() => null)): Promise<CrmPage[]> {
  const out: CrmPage[] = [];
  for await (const p of session.read(stream(key), from)) out.push(p);
  return out;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe('Salesforce lookups', () => {
  it('active users by id through User, and opportunity stages through OpportunityStage', async () => {
    token();
    expectQuery('SELECT Id, Name FROM User WHERE IsActive = true', {
      totalSize: 2,
      done: false,
      nextRecordsUrl: `${V}/query/01gDn00000UsersAAA-1`,
      records: [
        {
          attributes: { type: 'User', url: `${V}/sobjects/User/005Dn000001PriyaAAA` },
          Id: '005Dn000001PriyaAAA',
          Name: 'Priya Shah',
        },
      ],
    });
    nock(INSTANCE)
      .get(`${V}/query/01gDn00000UsersAAA-1`)
      .reply(200, {
        totalSize: 2,
        done: true,
        records: [
          {
            attributes: { type: 'User', url: `${V}/sobjects/User/005Dn000001MarcoAAA` },
            Id: '005Dn000001MarcoAAA',
            Name: 'Marco Rossi',
          },
        ],
      });
    const stage = (api: string, label: string, p: number, closed: boolean, won: boolean) => ({
      attributes: { type: 'OpportunityStage', url: `${V}/sobjects/OpportunityStage/01JDn0000000001` },
      ApiName: api,
      MasterLabel: label,
      DefaultProbability: p,
      IsClosed: closed,
      IsWon: won,
    });
    expectQuery('SELECT ApiName, MasterLabel, DefaultProbability, IsClosed, IsWon FROM OpportunityStage', {
      totalSize: 3,
      done: true,
      records: [
        stage('Prospecting', 'Prospecting', 10, false, false),
        stage('Closed Won', 'Closed Won', 100, true, true),
        stage('Closed Lost', 'Closed Lost', 0, true, false),
      ],
    });
    const l = await connector.open(() => null).lookups();
    expect([...l.owners]).toEqual([
      ['005Dn000001PriyaAAA', 'Priya Shah'],
      ['005Dn000001MarcoAAA', 'Marco Rossi'],
    ]);
    expect(l.stages.get('Prospecting')).toEqual({ label: 'Prospecting', probability: 0.1, closed: false });
    expect(l.stages.get('Closed Won')).toEqual({ label: 'Closed Won', probability: 1, closed: true });
    expect(l.stages.get('Closed Lost')).toEqual({ label: 'Closed Lost', probability: 0, closed: true });
  });
});

describe('Salesforce reads through SOQL', () => {
  it('full: every record in Id order, nextRecordsUrl paging, a keyset checkpoint after each page', async () => {
    token();
    expectQuery(`SELECT ${OPP_FIELDS} FROM Opportunity ORDER BY Id`, {
      totalSize: 3,
      done: false,
      nextRecordsUrl: `${V}/query/01gDn00000OppsAAA-2000`,
      records: [
        opp('006Dn000001AAAAAA1', '2026-11-30T10:00:00.000+0000'),
        opp('006Dn000001AAAAAA2', '2026-11-30T11:00:00.000+0000', { Account: null }),
      ],
    });
    nock(INSTANCE)
      .get(`${V}/query/01gDn00000OppsAAA-2000`)
      .reply(
        200,
        { totalSize: 3, done: true, records: [opp('006Dn000001AAAAAA3', '2026-11-30T09:00:00.000+0000')] },
        LIMIT,
      );
    const got = await pages('opportunities', { mode: 'full', resume: null });
    expect(got.map((p) => p.checkpoint)).toEqual([
      { resume: JSON.stringify({ pos: { mode: 'full', afterId: '006Dn000001AAAAAA2' } }), cursorMs: null },
      { resume: null, cursorMs: null },
    ]);
    const [first] = got[0]!.records;
    expect(first).toMatchObject({
      id: '006Dn000001AAAAAA1',
      createdAtMs: Date.parse('2026-10-01T09:00:00Z'),
      updatedAtMs: Date.parse('2026-11-30T10:00:00Z'),
      company: { BillingCountry: 'NA', Name: 'Acme', Website: 'https://www.acme.com/' },
    });
    expect(first!.properties).toMatchObject({ Amount: '22000', IsClosed: 'false', 'Account.Name': 'Acme' });
    // No Account: no company, as a HubSpot deal without one.
    expect(got[0]!.records[1]!.company).toBeNull();
  });

  it('a full read resumes after the last stored Id with a new query (query locators expire)', async () => {
    token();
    expectQuery(`SELECT ${OPP_FIELDS} FROM Opportunity WHERE Id > '006Dn000001AAAAAA2' ORDER BY Id`, {
      totalSize: 1,
      done: true,
      records: [opp('006Dn000001AAAAAA3', '2026-11-30T09:00:00.000+0000')],
    });
    const resume = JSON.stringify({ pos: { mode: 'full', afterId: '006Dn000001AAAAAA2' } });
    const got = await pages('opportunities', { mode: 'full', resume });
    expect(got.flatMap((p) => p.records.map((r) => r.id))).toEqual(['006Dn000001AAAAAA3']);
  });

  it('incremental: SystemModstamp from the cursor, in (SystemModstamp, Id) order; ties at the boundary by Id', async () => {
    token();
    const since = Date.parse('2026-11-30T09:58:00.250Z');
    expectQuery(
      `SELECT ${LEAD_FIELDS} FROM Lead WHERE SystemModstamp >= 2026-11-30T09:58:00Z ORDER BY SystemModstamp, Id`,
      {
        totalSize: 2,
        done: false,
        nextRecordsUrl: `${V}/query/01gDn00000LeadsAAA-2000`,
        records: [
          {
            attributes: { type: 'Lead', url: `${V}/sobjects/Lead/00QDn000001AAAAAA1` },
            Id: '00QDn000001AAAAAA1',
            SystemModstamp: '2026-11-30T10:00:00.000+0000',
          },
          {
            attributes: { type: 'Lead', url: `${V}/sobjects/Lead/00QDn000001AAAAAA5` },
            Id: '00QDn000001AAAAAA5',
            SystemModstamp: '2026-11-30T10:00:00.000+0000',
          },
        ],
      },
    );
    nock(INSTANCE)
      .get(`${V}/query/01gDn00000LeadsAAA-2000`)
      .replyWithError('socket hang up')
      .get(`${V}/query/01gDn00000LeadsAAA-2000`)
      .reply(400, [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
    // The expired locator is replaced by a query from the keyset: after (10:00:00, …AAA5), ties by Id.
    nock(INSTANCE)
      .get(`${V}/query`)
      .query((q) =>
        String(q['q']).endsWith(
          "WHERE (SystemModstamp > 2026-11-30T10:00:00Z OR (SystemModstamp = 2026-11-30T10:00:00Z AND Id > '00QDn000001AAAAAA5')) ORDER BY SystemModstamp, Id",
        ),
      )
      .reply(200, {
        totalSize: 1,
        done: true,
        records: [
          {
            attributes: { type: 'Lead', url: `${V}/sobjects/Lead/00QDn000001AAAAAA2` },
            Id: '00QDn000001AAAAAA2',
            SystemModstamp: '2026-11-30T10:00:00.000+0000',
          },
        ],
      });
    const got = await pages('leads', { mode: 'incremental', sinceMs: since, resume: null });
    expect(got.flatMap((p) => p.records.map((r) => r.id))).toEqual([
      '00QDn000001AAAAAA1',
      '00QDn000001AAAAAA5',
      '00QDn000001AAAAAA2',
    ]);
    expect(got.map((p) => p.checkpoint.cursorMs)).toEqual([
      Date.parse('2026-11-30T10:00:00Z'),
      Date.parse('2026-11-30T10:00:00Z'),
    ]);
    expect(JSON.parse(got[0]!.checkpoint.resume!)).toEqual({
      pos: {
        mode: 'incremental',
        sinceMs: Date.parse('2026-11-30T10:00:00Z'),
        afterId: '00QDn000001AAAAAA5',
      },
    });
    expect(got[1]!.checkpoint.resume).toBeNull();
  });
});

describe('Salesforce reads through Bulk API 2.0', () => {
  const csvHeaders = (locator: string, n: number) => ({
    'Sforce-Locator': locator,
    'Sforce-NumberOfRecords': String(n),
    ...LIMIT,
  });
  const header =
    '"Account.BillingCountry","Account.Name","Account.Website","Amount","CreatedDate","Id","IsClosed","IsWon","LastActivityDate","LeadSource","Name","NextStep","OwnerId","StageName","SystemModstamp"';
  const row = (id: string, name: string, modstamp: string) =>
    `"EMEA","Globex","globex.com","1500.5","2026-10-01T09:00:00.000Z","${id}","true","true","","Partner","${name}","","005Dn000001MarcoAAA","Closed Won","${modstamp}"`;

  it('above the threshold: the first page, then a job over the keyset onwards, polled, read by Sforce-Locator', async () => {
    token();
    const since = Date.parse('2026-11-01T00:00:00Z');
    expectQuery(
      `SELECT ${OPP_FIELDS} FROM Opportunity WHERE SystemModstamp >= 2026-11-01T00:00:00Z ORDER BY SystemModstamp, Id`,
      {
        totalSize: 6,
        done: false,
        nextRecordsUrl: `${V}/query/01gDn00000OppsAAA-2`,
        records: [
          opp('006Dn000001AAAAAA1', '2026-11-02T10:00:00.000+0000'),
          opp('006Dn000001AAAAAA2', '2026-11-02T11:00:00.000+0000'),
        ],
      },
    );
    const jobs: unknown[] = [];
    nock(INSTANCE)
      .post(`${V}/jobs/query`, (b) => {
        jobs.push(b);
        return true;
      })
      .reply(200, {
        id: '750Dn00000BulkAAA',
        operation: 'query',
        object: 'Opportunity',
        createdById: '005Dn000001PriyaAAA',
        createdDate: '2026-12-01T10:00:00.000+0000',
        systemModstamp: '2026-12-01T10:00:00.000+0000',
        state: 'UploadComplete',
        concurrencyMode: 'Parallel',
        contentType: 'CSV',
        apiVersion: 62.0,
        lineEnding: 'LF',
        columnDelimiter: 'COMMA',
      })
      .get(`${V}/jobs/query/750Dn00000BulkAAA`)
      .reply(200, {
        id: '750Dn00000BulkAAA',
        operation: 'query',
        object: 'Opportunity',
        state: 'InProgress',
        numberRecordsProcessed: 0,
      })
      .get(`${V}/jobs/query/750Dn00000BulkAAA`)
      .reply(200, {
        id: '750Dn00000BulkAAA',
        operation: 'query',
        object: 'Opportunity',
        state: 'JobComplete',
        numberRecordsProcessed: 4,
        retries: 0,
        totalProcessingTime: 334,
      })
      .get(`${V}/jobs/query/750Dn00000BulkAAA/results`)
      .query({ maxRecords: '2' })
      .reply(
        200,
        `${header}\n${row('006Dn000001AAAAAA7', 'Opp ""Seven""', '2026-11-05T10:00:00.000Z')}\n${row('006Dn000001AAAAAA3', 'Opp, three', '2026-11-09T10:00:00.000Z')}\n`,
        csvHeaders('MjAwMDAw', 2),
      )
      .get(`${V}/jobs/query/750Dn00000BulkAAA/results`)
      .query({ maxRecords: '2', locator: 'MjAwMDAw' })
      .reply(
        200,
        `${header}\n${row('006Dn000001AAAAAA4', 'Opp 4', '2026-11-03T10:00:00.000Z')}\n${row('006Dn000001AAAAAA5', 'Opp 5', '2026-11-04T10:00:00.000Z')}\n`,
        csvHeaders('null', 2),
      );
    const got = await pages('opportunities', { mode: 'incremental', sinceMs: since, resume: null });
    expect(jobs).toEqual([
      {
        operation: 'query',
        query: `SELECT ${OPP_FIELDS} FROM Opportunity WHERE (SystemModstamp > 2026-11-02T11:00:00Z OR (SystemModstamp = 2026-11-02T11:00:00Z AND Id > '006Dn000001AAAAAA2'))`,
        contentType: 'CSV',
        columnDelimiter: 'COMMA',
        lineEnding: 'LF',
      },
    ]);
    expect(got.map((p) => p.records.map((r) => r.id))).toEqual([
      ['006Dn000001AAAAAA1', '006Dn000001AAAAAA2'],
      [],
      ['006Dn000001AAAAAA7', '006Dn000001AAAAAA3'],
      ['006Dn000001AAAAAA4', '006Dn000001AAAAAA5'],
    ]);
    const from = {
      mode: 'incremental',
      sinceMs: Date.parse('2026-11-02T11:00:00Z'),
      afterId: '006Dn000001AAAAAA2',
    };
    expect(got.map((p) => p.checkpoint)).toEqual([
      { resume: JSON.stringify({ pos: from }), cursorMs: Date.parse('2026-11-02T11:00:00Z') },
      // The job is stored before its results, then each page's locator; the cursor moves at the end only.
      {
        resume: JSON.stringify({ bulk: { job: '750Dn00000BulkAAA', locator: null, from, maxMs: null } }),
        cursorMs: null,
      },
      {
        resume: JSON.stringify({
          bulk: {
            job: '750Dn00000BulkAAA',
            locator: 'MjAwMDAw',
            from,
            maxMs: Date.parse('2026-11-09T10:00:00Z'),
          },
        }),
        cursorMs: null,
      },
      { resume: null, cursorMs: Date.parse('2026-11-09T10:00:00Z') },
    ]);
    expect(got[2]!.records[0]!.properties).toMatchObject({
      Name: 'Opp "Seven"',
      LastActivityDate: null,
      IsWon: 'true',
    });
    expect(got[2]!.records[1]!.properties['Name']).toBe('Opp, three');
  });

  it('a stopped bulk read resumes the same job at its stored locator', async () => {
    token();
    nock(INSTANCE)
      .get(`${V}/jobs/query/750Dn00000BulkAAA`)
      .reply(200, {
        id: '750Dn00000BulkAAA',
        operation: 'query',
        object: 'Opportunity',
        state: 'JobComplete',
      })
      .get(`${V}/jobs/query/750Dn00000BulkAAA/results`)
      .query({ maxRecords: '2', locator: 'MjAwMDAw' })
      .reply(
        200,
        `${header}\n${row('006Dn000001AAAAAA4', 'Opp 4', '2026-11-03T10:00:00.000Z')}\n`,
        csvHeaders('null', 1),
      );
    const resume = JSON.stringify({
      bulk: {
        job: '750Dn00000BulkAAA',
        locator: 'MjAwMDAw',
        from: { mode: 'full', afterId: null },
        maxMs: null,
      },
    });
    const got = await pages('opportunities', { mode: 'full', resume });
    expect(got.map((p) => [p.records.map((r) => r.id), p.checkpoint])).toEqual([
      [['006Dn000001AAAAAA4'], { resume: null, cursorMs: null }],
    ]);
  });

  it('a failed job fails the sync with its errorMessage', async () => {
    token();
    nock(INSTANCE)
      .get(`${V}/jobs/query/750Dn00000BulkAAA`)
      .reply(200, { id: '750Dn00000BulkAAA', state: 'Failed', errorMessage: 'Query timed out' });
    const resume = JSON.stringify({
      bulk: { job: '750Dn00000BulkAAA', locator: null, from: { mode: 'full', afterId: null }, maxMs: null },
    });
    await expect(pages('opportunities', { mode: 'full', resume })).rejects.toMatchObject({
      kind: 'unavailable',
      message: "Salesforce's Bulk API query job 750Dn00000BulkAAA failed: Query timed out",
    });
  });

  it('CSV: quotes, doubled quotes, commas and newlines inside fields; empty is null; CRLF too', () => {
    expect(parseCsv('"Id","Name","Note"\r\n"1","A ""B""","x,\ny"\r\n"2","",""\r\n', 'test')).toEqual([
      { Id: '1', Name: 'A "B"', Note: 'x,\ny' },
      { Id: '2', Name: null, Note: null },
    ]);
    expect(() => parseCsv('"Id","Name"\n"1"\n', 'GET results')).toThrow(/has 1 fields on row 1, not 2/);
  });
});

describe('the default Salesforce mapping', () => {
  it('an opportunity: Account website as domain, owner through User, closed and won by the record, amount', async () => {
    token();
    expectQuery(`SELECT ${OPP_FIELDS} FROM Opportunity ORDER BY Id`, {
      totalSize: 3,
      done: true,
      records: [
        opp('006Dn000001AAAAAA1', '2026-11-30T10:00:00.000+0000'),
        // A stage OpportunityStage does not list: placed by its own IsClosed and IsWon.
        opp('006Dn000001AAAAAA2', '2026-11-30T10:00:00.000+0000', {
          StageName: 'Signed (legacy)',
          IsClosed: true,
          IsWon: true,
          OwnerId: '005Dn000009GoneAAA',
        }),
        opp('006Dn000001AAAAAA3', '2026-11-30T10:00:00.000+0000', { Amount: -5 }),
      ],
    });
    expectQuery('SELECT Id, Name FROM User WHERE IsActive = true', {
      totalSize: 1,
      done: true,
      records: [
        {
          attributes: { type: 'User', url: `${V}/sobjects/User/005Dn000001PriyaAAA` },
          Id: '005Dn000001PriyaAAA',
          Name: 'Priya Shah',
        },
      ],
    });
    expectQuery('SELECT ApiName, MasterLabel, DefaultProbability, IsClosed, IsWon FROM OpportunityStage', {
      totalSize: 1,
      done: true,
      records: [
        {
          attributes: { type: 'OpportunityStage', url: `${V}/sobjects/OpportunityStage/01JDn0000000009` },
          ApiName: 'Negotiation/Review',
          MasterLabel: 'Negotiation/Review',
          DefaultProbability: 90,
          IsClosed: false,
          IsWon: false,
        },
      ],
    });
    // As a sync does: the lookups first (the session's), then the pages.
    const session = connector.open(() => null);
    const lookups = await session.lookups();
    const [page] = await pages('opportunities', { mode: 'full', resume: null }, session);
    const m = mapPage(page!.records, stream('opportunities'), lookups, (e) => `hash:${e}`);
    expect(
      m.records.map((r) => [
        r.id,
        r.type,
        r.name,
        r.domain,
        r.company,
        r.region,
        r.owner,
        r.stage,
        r.valueCents,
        r.nextStep,
      ]),
    ).toEqual([
      [
        'sf-opp-006Dn000001AAAAAA1',
        'opp',
        'Opp 006Dn000001AAAAAA1',
        'acme.com',
        'Acme',
        'NA',
        'Priya Shah',
        'Negotiation',
        2_200_000,
        'Send contract',
      ],
      [
        'sf-opp-006Dn000001AAAAAA2',
        'opp',
        'Opp 006Dn000001AAAAAA2',
        'acme.com',
        'Acme',
        'NA',
        '',
        'Closed Won',
        2_200_000,
        'Send contract',
      ],
    ]);
    expect(m.records[0]!.lastTouchAtMs).toBe(Date.parse('2026-11-20T00:00:00Z'));
    expect(m.rejections).toEqual([
      {
        stream: 'opportunities',
        crmId: '006Dn000001AAAAAA3',
        reason: "value_usd: negative amount '-5' in Amount",
      },
    ]);
  });
});
