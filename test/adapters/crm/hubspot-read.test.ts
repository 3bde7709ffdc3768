import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hubspotConnector } from '../../../src/adapters/crm/hubspot/connector.ts';
import type { CrmPage, CrmStream, ReadFrom } from '../../../src/app/crm/ports.ts';
import { DEFAULT_CRM_MAPPING } from '../../../src/domain/crm/mapping.ts';

/**
 * Reading HubSpot through the connector, against nock with the bodies HubSpot documents: the list API
 * with `after` paging and inline associations, the search API (keyset re-queries from the last modified
 * time, never past its 10,000-result cap), owners, pipelines, companies batch read, v4 associations.
 */

const API = 'https://api.hubapi.com';
const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const noWait = { now: () => 1_800_000_000_000, sleep: async () => {} };
const connector = hubspotConnector(DEFAULT_CRM_MAPPING.hubspot, { baseUrl: API, token: TOKEN, ...noWait });
const stream = (key: string): CrmStream => connector.streams.find((s) => s.key === key)!;

const deal = (id: string, modified: string, extra: Record<string, string | null> = {}) => ({
  id,
  properties: {
    amount: '1000',
    createdate: '2026-10-01T09:00:00.000Z',
    dealname: `Deal ${id}`,
    dealstage: 'appointmentscheduled',
    hs_lastmodifieddate: modified,
    hs_object_id: id,
    hubspot_owner_id: '41629779',
    ...extra,
  },
  createdAt: '2026-10-01T09:00:00.000Z',
  updatedAt: modified,
  archived: false,
});

async function pages(key: string, from: ReadFrom): Promise<CrmPage[]> {
  const out: CrmPage[] = [];
  for await (const p of connector.open(() => null).read(stream(key), from)) out.push(p);
  return out;
}

const company = (id: string, domain: string, name: string) => ({
  id,
  properties: { country: 'EMEA', createdate: '2024-01-01T00:00:00Z', domain, hs_object_id: id, name },
  createdAt: '2024-01-01T00:00:00Z',
  updatedAt: '2024-01-01T00:00:00Z',
  archived: false,
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe('HubSpot lookups', () => {
  it('owners by id (paged) and deal stages with label, probability and isClosed', async () => {
    nock(API)
      .get('/crm/v3/owners')
      .query({ limit: '100', archived: 'false' })
      .reply(200, {
        results: [
          {
            id: '41629779',
            email: 'priya@example.com',
            type: 'PERSON',
            firstName: 'Priya',
            lastName: 'Shah',
            userId: 9586504,
            createdAt: '2019-12-25T13:01:35.228Z',
            updatedAt: '2023-08-22T13:40:26.790Z',
            archived: false,
          },
        ],
        paging: { next: { after: '1', link: `${API}/crm/v3/owners?after=1` } },
      })
      .get('/crm/v3/owners')
      .query({ limit: '100', archived: 'false', after: '1' })
      .reply(200, {
        results: [{ id: '7', email: 'ops@example.com', firstName: '', lastName: null, archived: false }],
      })
      .get('/crm/v3/pipelines/deals')
      .reply(200, {
        results: [
          {
            label: 'Sales Pipeline',
            displayOrder: 0,
            id: 'default',
            stages: [
              {
                label: 'Appointment Scheduled',
                displayOrder: 0,
                metadata: { isClosed: 'false', probability: '0.2' },
                id: 'appointmentscheduled',
                createdAt: '1970-01-01T00:00:00Z',
                updatedAt: '1970-01-01T00:00:00Z',
                archived: false,
              },
              {
                label: 'Closed Won',
                displayOrder: 5,
                metadata: { isClosed: 'true', probability: '1.0' },
                id: 'closedwon',
                archived: false,
              },
            ],
            createdAt: '1970-01-01T00:00:00Z',
            updatedAt: '1970-01-01T00:00:00Z',
            archived: false,
          },
        ],
      });
    const lookups = await connector.open(() => null).lookups();
    expect([...lookups.owners]).toEqual([
      ['41629779', 'Priya Shah'],
      ['7', 'ops@example.com'],
    ]);
    expect(lookups.stages.get('appointmentscheduled')).toEqual({
      label: 'Appointment Scheduled',
      probability: 0.2,
      closed: false,
    });
    expect(lookups.stages.get('closedwon')).toEqual({ label: 'Closed Won', probability: 1, closed: true });
  });
});

describe('a full read: the list API', () => {
  it('pages with `after` (limit 100), deals with their primary company inline, companies read in one batch', async () => {
    let listQuery: Record<string, unknown> = {};
    nock(API)
      .get('/crm/v3/objects/deals')
      .query((q) => {
        listQuery = q;
        return q['after'] === undefined;
      })
      .reply(200, {
        results: [
          {
            ...deal('11', '2026-11-01T10:00:00.000Z'),
            associations: {
              companies: {
                results: [
                  { id: '501', type: 'deal_to_company_unlabeled' },
                  { id: '500', type: 'deal_to_company' },
                ],
              },
            },
          },
          deal('12', '2026-11-01T11:00:00.000Z'),
        ],
        paging: { next: { after: '13', link: `${API}/crm/v3/objects/deals?after=13` } },
      })
      .post('/crm/v3/objects/companies/batch/read', (b) => JSON.stringify(b.inputs) === '[{"id":"500"}]')
      .reply(200, {
        status: 'COMPLETE',
        results: [company('500', 'acme.com', 'Acme')],
        startedAt: '2026-11-02T16:00:00Z',
        completedAt: '2026-11-02T16:00:00Z',
      })
      .get('/crm/v3/objects/deals')
      .query((q) => q['after'] === '13')
      .reply(200, { results: [deal('13', '2026-11-01T12:00:00.000Z')] });
    const got = await pages('deals', { mode: 'full', resume: null });
    expect(listQuery).toMatchObject({ limit: '100', archived: 'false', associations: 'companies' });
    expect(String(listQuery['properties']).split(',')).toEqual(
      expect.arrayContaining([
        'dealname',
        'dealstage',
        'amount',
        'hubspot_owner_id',
        'hs_next_step',
        'hs_lastmodifieddate',
      ]),
    );
    expect(got.map((p) => p.checkpoint)).toEqual([
      { resume: '13', cursorMs: null },
      { resume: null, cursorMs: null },
    ]);
    expect(got[0]!.records[0]!.company).toEqual(company('500', 'acme.com', 'Acme').properties);
    expect(got[0]!.records[1]!.company).toBeNull();
    expect(got.flatMap((p) => p.records.map((r) => r.id))).toEqual(['11', '12', '13']);
  });

  it('resumes a stopped full read from its `after`', async () => {
    nock(API)
      .get('/crm/v3/objects/contacts')
      .query((q) => q['after'] === 'abc')
      .reply(200, { results: [] });
    expect(
      (await pages('contacts', { mode: 'full', resume: 'abc' })).map((p) => p.checkpoint.resume),
    ).toEqual([null]);
  });
});

describe('an incremental read: the search API', () => {
  const t = (s: string) => Date.parse(s);

  it('modified since the cursor, oldest first; each page a new query from the last modified time', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const capture = (b: Record<string, unknown>) => {
      bodies.push(b);
      return true;
    };
    nock(API)
      .post('/crm/v3/objects/deals/search', capture)
      .reply(200, {
        total: 3,
        results: [deal('21', '2026-11-02T10:00:00.000Z'), deal('22', '2026-11-02T11:00:00.000Z')],
        paging: { next: { after: '2' } },
      })
      .post('/crm/v4/associations/deals/companies/batch/read')
      .reply(200, {
        status: 'COMPLETE',
        results: [
          {
            from: { id: '21' },
            to: [
              {
                toObjectId: 600,
                associationTypes: [
                  { category: 'HUBSPOT_DEFINED', typeId: 341, label: null },
                  { category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' },
                ],
              },
            ],
          },
        ],
        startedAt: '2026-11-02T16:00:00Z',
        completedAt: '2026-11-02T16:00:00Z',
      })
      .post('/crm/v3/objects/companies/batch/read')
      .reply(207, {
        status: 'COMPLETE',
        results: [company('600', 'globex.com', 'Globex')],
        numErrors: 0,
        errors: [],
        startedAt: '2026-11-02T16:00:00Z',
        completedAt: '2026-11-02T16:00:00Z',
      })
      .post('/crm/v3/objects/deals/search', capture)
      .reply(200, {
        total: 2,
        // 22 again (it shares the boundary instant), then one newer.
        results: [deal('22', '2026-11-02T11:00:00.000Z'), deal('23', '2026-11-02T12:00:00.000Z')],
      })
      .post('/crm/v4/associations/deals/companies/batch/read')
      .reply(200, {
        status: 'COMPLETE',
        results: [],
        startedAt: '2026-11-02T16:00:00Z',
        completedAt: '2026-11-02T16:00:00Z',
      });
    const got = await pages('deals', {
      mode: 'incremental',
      sinceMs: t('2026-11-02T09:58:00Z'),
      resume: null,
    });
    expect(bodies.map((b) => (b['filterGroups'] as Array<{ filters: unknown[] }>)[0]!.filters)).toEqual([
      [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(t('2026-11-02T09:58:00Z')) }],
      [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(t('2026-11-02T11:00:00Z')) }],
    ]);
    expect(bodies[0]).toMatchObject({
      sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }],
      limit: 200,
    });
    expect(bodies[0]).not.toHaveProperty('after');
    expect(got.map((p) => p.records.map((r) => r.id))).toEqual([['21', '22'], ['23']]);
    expect(got[0]!.records[0]!.company).toMatchObject({ domain: 'globex.com' });
    expect(got.map((p) => p.checkpoint.cursorMs)).toEqual([
      t('2026-11-02T11:00:00Z'),
      t('2026-11-02T12:00:00Z'),
    ]);
    expect(got.at(-1)!.checkpoint.resume).toBeNull();
  });

  it('a whole page at one instant (a bulk import) is read by id, then the read goes on past that instant', async () => {
    const at = '2026-11-02T10:00:00.000Z';
    const filters: unknown[] = [];
    const capture = (b: { filterGroups: Array<{ filters: unknown[] }>; sorts: unknown }) => {
      filters.push({ filters: b.filterGroups[0]!.filters, sorts: b.sorts });
      return true;
    };
    const contact = (id: string, modified: string) => ({
      id,
      properties: {
        createdate: '2026-10-01T00:00:00Z',
        lastmodifieddate: modified,
        hs_object_id: id,
        email: `${id}@x.io`,
      },
      createdAt: '2026-10-01T00:00:00Z',
      updatedAt: modified,
      archived: false,
    });
    nock(API)
      .post('/crm/v3/objects/contacts/search', capture)
      .reply(200, {
        total: 10_500,
        results: [contact('1', at), contact('2', at)],
        paging: { next: { after: '2' } },
      })
      .post('/crm/v3/objects/contacts/search', capture)
      .reply(200, {
        total: 10_500,
        results: [contact('1', at), contact('2', at)],
        paging: { next: { after: '2' } },
      })
      .post('/crm/v3/objects/contacts/search', capture)
      .reply(200, { total: 1, results: [contact('3', at)] })
      .post('/crm/v3/objects/contacts/search', capture)
      .reply(200, { total: 1, results: [contact('4', '2026-11-02T10:00:01.000Z')] });
    const since = Date.parse(at);
    const got = await pages('contacts', { mode: 'incremental', sinceMs: since, resume: null });
    const modified = 'lastmodifieddate';
    expect(filters).toEqual([
      {
        filters: [{ propertyName: modified, operator: 'GTE', value: String(since) }],
        sorts: [{ propertyName: modified, direction: 'ASCENDING' }],
      },
      {
        filters: [{ propertyName: modified, operator: 'EQ', value: String(since) }],
        sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
      },
      {
        filters: [
          { propertyName: modified, operator: 'EQ', value: String(since) },
          { propertyName: 'hs_object_id', operator: 'GT', value: '2' },
        ],
        sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
      },
      {
        filters: [{ propertyName: modified, operator: 'GT', value: String(since) }],
        sorts: [{ propertyName: modified, direction: 'ASCENDING' }],
      },
    ]);
    // 1 and 2 come back in the first query by id; they were read already and are not counted twice.
    expect(got.flatMap((p) => p.records.map((r) => r.id))).toEqual(['1', '2', '3', '4']);
    // Resumable at every page: the state of the next query.
    expect(JSON.parse(got[0]!.checkpoint.resume!)).toEqual({ tie: since, afterId: null });
  });
});
