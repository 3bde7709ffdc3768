import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SalesforceCredentials } from '../../../src/adapters/crm/salesforce/auth.ts';
import { salesforceWriter } from '../../../src/adapters/crm/salesforce/write.ts';
import { CrmError } from '../../../src/app/crm/ports.ts';
import { DEFAULT_CRM_MAPPING } from '../../../src/domain/crm/mapping.ts';
import type { WriteBatch } from '../../../src/domain/fixpacks/writeback.ts';

/**
 * The Salesforce write-back connector against nock, with Salesforce's documented answers: SOQL
 * `WHERE Id IN (…)` re-reads (query resource pages), sObject Collections updates and creates (an array of
 * `{id, success, errors: [{statusCode, message, fields}]}` in request order, `allOrNone: false`), Task and
 * ContentNote + ContentDocumentLink creation, 401 INVALID_SESSION_ID refreshed once, REQUEST_LIMIT_EXCEEDED
 * and INSUFFICIENT_ACCESS refusals, 429 with Retry-After waited out.
 */

const LOGIN = 'https://login.salesforce.com';
const INSTANCE = 'https://acme.my.salesforce.com';
const V = '/services/data/v62.0';
const CREDS: SalesforceCredentials = {
  kind: 'refresh',
  clientId: '3MVG9A2kN3Bn17huEXAMPLEconsumerKey',
  clientSecret: 'SECRET-1955279925675241571',
  refreshToken: '5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJo7Xr34yOQ7GCFUN5DnNPxzDIoGoWi4evqOl_REFRESH',
};
const PRIYA = '0055g00000AbCdEAAS';
const MARCO = '0055g00000AbCdFAAS';
const OPP1 = '0065g00000XyZ01AAA';
const OPP2 = '0065g00000XyZ02AAA';
const LEAD1 = '00Q5g00000LmN01AAA';
const usage = { 'Sforce-Limit-Info': 'api-usage=18/5000' };

function writer() {
  let now = 1_800_000_000_000;
  const slept: number[] = [];
  const w = salesforceWriter(DEFAULT_CRM_MAPPING.salesforce, {
    loginUrl: LOGIN,
    instanceUrl: null,
    apiVersion: '62.0',
    credentials: CREDS,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  });
  return { w, slept };
}

const token = (n = 1) =>
  nock(LOGIN).post('/services/oauth2/token').times(n).reply(200, {
    access_token: '00D5g000004EXAMPLE!AQ0AQtoken',
    instance_url: INSTANCE,
    token_type: 'Bearer',
    issued_at: '1800000000000',
  });
const page = (records: object[]) => ({ totalSize: records.length, done: true, records });
const soql = (prefix: string) => (q: Record<string, unknown>) => String(q['q']).startsWith(prefix);

/** Active users and opportunity stages, read once per writer. */
function lookups() {
  nock(INSTANCE)
    .get(`${V}/query`)
    .query(soql('SELECT Id, Name FROM User'))
    .reply(
      200,
      page([
        { attributes: { type: 'User' }, Id: PRIYA, Name: 'Priya Shah' },
        { attributes: { type: 'User' }, Id: MARCO, Name: 'Marco Rossi' },
      ]),
      usage,
    );
  const stage = (ApiName: string, p: number, closed = false, won = false) => ({
    attributes: { type: 'OpportunityStage' },
    ApiName,
    MasterLabel: ApiName,
    DefaultProbability: p,
    IsClosed: closed,
    IsWon: won,
  });
  nock(INSTANCE)
    .get(`${V}/query`)
    .query(soql('SELECT ApiName'))
    .reply(
      200,
      page([
        stage('Prospecting', 10),
        stage('Qualification', 20),
        stage('Closed Won', 100, true, true),
        stage('Closed Lost', 0, true),
      ]),
      usage,
    );
}

const update = (items: WriteBatch['items'], object = 'Opportunity'): WriteBatch =>
  ({ batchNo: 0, op: 'update', object, items }) as WriteBatch;

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe('Salesforce writer: what it owns and what it can write', () => {
  it('owns sf- records by the mapping prefixes; Account fields, computed fields and a lead Status stay local', () => {
    const { w } = writer();
    expect(w.batchSize).toBe(200);
    expect(w.owns(`sf-opp-${OPP1}`)).toBe(true);
    expect(w.owns(`sf-lead-${LEAD1}`)).toBe(true);
    expect(w.owns('hs-deal-1')).toBe(false);
    expect(w.owns('sf-opp-1; DROP')).toBe(false);
    expect(w.objectOf(`sf-lead-${LEAD1}`)).toBe('Lead');
    expect(w.unwritable(`sf-opp-${OPP1}`, 'owner')).toBeNull();
    expect(w.unwritable(`sf-opp-${OPP1}`, 'stage')).toBeNull();
    expect(w.unwritable(`sf-opp-${OPP1}`, 'next_step')).toBeNull();
    expect(w.unwritable(`sf-opp-${OPP1}`, 'region')).toBe("region comes from the Account's BillingCountry");
    expect(w.unwritable(`sf-lead-${LEAD1}`, 'stage')).toBe('the funnel stage does not map back to Status');
    expect(w.unwritable(`sf-lead-${LEAD1}`, 'next_step')).toBe(
      'next_step is not read from a single Salesforce field',
    );
    expect(w.unwritable(`sf-lead-${LEAD1}`, 'region')).toBeNull();
  });
});

describe('Salesforce writer: re-reading', () => {
  it('reads the planned fields by Id IN (…), in funnel terms; a record Salesforce lacks is absent', async () => {
    const { w } = writer();
    token();
    lookups();
    const q = nock(INSTANCE)
      .get(`${V}/query`)
      .query(
        (x) => x['q'] === `SELECT Id, OwnerId, StageName FROM Opportunity WHERE Id IN ('${OPP1}', '${OPP2}')`,
      )
      .reply(
        200,
        page([{ attributes: { type: 'Opportunity' }, Id: OPP1, OwnerId: PRIYA, StageName: 'Qualification' }]),
        usage,
      );
    const got = await w.read(
      new Map([
        [`sf-opp-${OPP1}`, ['owner', 'stage'] as const],
        [`sf-opp-${OPP2}`, ['owner'] as const],
      ]),
    );
    expect(q.isDone()).toBe(true);
    expect([...got]).toEqual([[`sf-opp-${OPP1}`, { owner: 'Priya Shah', stage: 'Qualified' }]]);
  });

  it('queries 200 ids at a time', async () => {
    const { w } = writer();
    token();
    lookups();
    const ids = Array.from({ length: 250 }, (_, i) => `00Q5g00000L${String(i).padStart(4, '0')}AAA`);
    const sizes: number[] = [];
    nock(INSTANCE)
      .get(`${V}/query`)
      .query((x) => {
        const q = String(x['q']);
        if (!q.startsWith('SELECT Id, OwnerId FROM Lead WHERE Id IN (')) return false;
        sizes.push(q.split(',').length - 1);
        return true;
      })
      .times(2)
      .reply(200, page([]), usage);
    const got = await w.read(new Map(ids.map((id) => [`sf-lead-${id}`, ['owner'] as const])));
    expect(got.size).toBe(0);
    expect(sizes).toEqual([200, 50]);
  });
});

describe('Salesforce writer: writing', () => {
  it('updates through sObject Collections, names refused records, and refuses an unknown owner locally', async () => {
    const { w } = writer();
    token();
    lookups();
    let sent: unknown;
    nock(INSTANCE)
      .patch(`${V}/composite/sobjects`, (b) => {
        sent = b;
        return true;
      })
      .reply(
        200,
        [
          { id: OPP1, success: true, errors: [] },
          {
            success: false,
            errors: [
              {
                statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
                message: 'Closed opportunities cannot change owner',
                fields: [],
              },
            ],
          },
        ],
        usage,
      );
    const out = await w.write(
      update([
        {
          recordId: `sf-opp-${OPP1}`,
          fields: { owner: { old: '', new: 'Priya Shah' }, stage: { old: 'New', new: 'Closed Won' } },
        },
        { recordId: `sf-opp-${OPP2}`, fields: { owner: { old: '', new: 'marco rossi' } } },
        { recordId: 'sf-opp-0065g00000XyZ03AAA', fields: { owner: { old: '', new: 'Nobody Here' } } },
      ]),
    );
    expect(sent).toEqual({
      allOrNone: false,
      records: [
        { attributes: { type: 'Opportunity' }, id: OPP1, OwnerId: PRIYA, StageName: 'Closed Won' },
        { attributes: { type: 'Opportunity' }, id: OPP2, OwnerId: MARCO },
      ],
    });
    expect(out.refused).toEqual([
      {
        recordId: 'sf-opp-0065g00000XyZ03AAA',
        field: 'owner',
        reason: "no active Salesforce user is named 'Nobody Here'",
      },
      {
        recordId: `sf-opp-${OPP2}`,
        reason: 'FIELD_CUSTOM_VALIDATION_EXCEPTION: Closed opportunities cannot change owner',
      },
    ]);
  });

  it('creates Tasks on the lead (WhoId) or opportunity (WhatId), and notes as a ContentNote linked to the record', async () => {
    const { w } = writer();
    token();
    lookups();
    const bodies: unknown[] = [];
    const keep = (b: unknown) => {
      bodies.push(b);
      return true;
    };
    nock(INSTANCE)
      .post(`${V}/composite/sobjects`, keep)
      .reply(200, [{ id: '00T5g00000TaSk1AAA', success: true, errors: [] }], usage);
    const tasks = await w.write({
      batchNo: 1,
      op: 'task',
      object: 'Lead',
      items: [
        {
          recordId: `sf-lead-${LEAD1}`,
          title: 'Call Acme',
          assignee: 'Priya Shah',
          dueAtMs: Date.parse('2026-12-07T09:00:00Z'),
          priority: 'high',
        },
      ],
    });
    expect(tasks.refused).toEqual([]);
    expect(bodies[0]).toEqual({
      allOrNone: false,
      records: [
        {
          attributes: { type: 'Task' },
          Subject: 'Call Acme',
          Description: 'Created by Revenue Leak SRE for Priya Shah',
          Status: 'Not Started',
          Priority: 'High',
          ActivityDate: '2026-12-07',
          WhoId: LEAD1,
          OwnerId: PRIYA,
        },
      ],
    });

    nock(INSTANCE)
      .post(`${V}/composite/sobjects`, keep)
      .reply(
        200,
        [
          { id: '0695g00000NoTe1AAA', success: true, errors: [] },
          {
            success: false,
            errors: [
              { statusCode: 'STRING_TOO_LONG', message: 'Title: data value too large', fields: ['Title'] },
            ],
          },
        ],
        usage,
      );
    nock(INSTANCE)
      .post(`${V}/composite/sobjects`, keep)
      .reply(200, [{ id: '06A5g00000LiNk1AAA', success: true, errors: [] }], usage);
    const notes = await w.write({
      batchNo: 2,
      op: 'note',
      object: 'Opportunity',
      items: [
        { recordId: `sf-opp-${OPP1}`, text: 'No next step: <follow-up> created', atMs: 0 },
        { recordId: `sf-opp-${OPP2}`, text: 'x'.repeat(300), atMs: 0 },
      ],
    });
    expect(notes.refused).toEqual([
      { recordId: `sf-opp-${OPP2}`, reason: 'STRING_TOO_LONG: Title: data value too large (Title)' },
    ]);
    const [note, link] = bodies.slice(1) as { records: Record<string, unknown>[] }[];
    expect(note!.records[0]).toEqual({
      attributes: { type: 'ContentNote' },
      Title: 'No next step: <follow-up> created',
      Content: Buffer.from('No next step: &lt;follow-up&gt; created').toString('base64'),
    });
    expect(link!.records).toEqual([
      {
        attributes: { type: 'ContentDocumentLink' },
        ContentDocumentId: '0695g00000NoTe1AAA',
        LinkedEntityId: OPP1,
        ShareType: 'V',
      },
    ]);
  });
});

describe('Salesforce writer: errors', () => {
  const one = update([{ recordId: `sf-opp-${OPP1}`, fields: { next_step: { old: '', new: 'Call' } } }]);

  it('an expired session is refreshed once and the call made again', async () => {
    const { w } = writer();
    token(2);
    lookups();
    nock(INSTANCE)
      .patch(`${V}/composite/sobjects`)
      .reply(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    nock(INSTANCE)
      .patch(`${V}/composite/sobjects`, {
        allOrNone: false,
        records: [{ attributes: { type: 'Opportunity' }, id: OPP1, NextStep: 'Call' }],
      })
      .reply(200, [{ id: OPP1, success: true, errors: [] }], usage);
    expect(await w.write(one)).toEqual({ refused: [] });
  });

  it('a 429 is waited out for its Retry-After', async () => {
    const { w, slept } = writer();
    token();
    lookups();
    nock(INSTANCE)
      .patch(`${V}/composite/sobjects`)
      .reply(429, [{ message: 'slow down', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], { 'Retry-After': '7' });
    nock(INSTANCE)
      .patch(`${V}/composite/sobjects`)
      .reply(200, [{ id: OPP1, success: true, errors: [] }], usage);
    expect(await w.write(one)).toEqual({ refused: [] });
    expect(slept).toEqual([7000]);
  });

  it.each([
    [403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.', 'rate_limited'],
    [403, 'INSUFFICIENT_ACCESS', 'insufficient access rights on object id', 'scopes'],
    [403, 'API_DISABLED_FOR_ORG', 'The REST API is not enabled for this Organization.', 'scopes'],
  ])('a %i %s refuses the whole call as %s', async (status, errorCode, message, kind) => {
    const { w } = writer();
    token();
    lookups();
    nock(INSTANCE).patch(`${V}/composite/sobjects`).reply(status, [{ message, errorCode }]);
    const err = await w.write(one).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CrmError);
    expect((err as CrmError).kind).toBe(kind);
  });

  it('a revoked grant fails as auth', async () => {
    const { w } = writer();
    nock(LOGIN)
      .post('/services/oauth2/token')
      .reply(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' });
    const err = await w.write(one).catch((e: unknown) => e);
    expect((err as CrmError).kind).toBe('auth');
  });
});
