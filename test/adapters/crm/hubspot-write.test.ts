import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hubspotWriter } from '../../../src/adapters/crm/hubspot/write.ts';
import { CrmError } from '../../../src/app/crm/ports.ts';
import { DEFAULT_CRM_MAPPING } from '../../../src/domain/crm/mapping.ts';
import type { WriteBatch } from '../../../src/domain/fixpacks/writeback.ts';

/**
 * The HubSpot write-back connector against nock, with HubSpot's documented answers: batch read and batch
 * update (200, and 207 Multi-Status with `errors[].context.ids`), tasks and notes batch create (201) with
 * their associations, a 429 with Retry-After waited out, a 403 of a missing write scope. Values go in as
 * the funnel has them (owner names, stage labels) and out as HubSpot's ids.
 */

const API = 'https://api.hubapi.com';
const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const STAMP = '2026-12-06T10:00:00.000Z';

function writer() {
  let now = 1_800_000_000_000;
  const slept: number[] = [];
  const w = hubspotWriter(DEFAULT_CRM_MAPPING.hubspot, {
    baseUrl: API,
    token: TOKEN,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  });
  return { w, slept };
}

/** Owners and the deal pipeline, read once per writer (and again after five minutes). */
function lookups() {
  nock(API)
    .get('/crm/v3/owners')
    .query({ limit: '100', archived: 'false' })
    .reply(200, {
      results: [
        { id: '101', email: 'priya@x.example', firstName: 'Priya', lastName: 'Shah', archived: false },
        { id: '102', email: 'marco@x.example', firstName: 'Marco', lastName: 'Rossi', archived: false },
      ],
    });
  nock(API)
    .get('/crm/v3/pipelines/deals')
    .reply(200, {
      results: [
        {
          id: 'default',
          label: 'Sales Pipeline',
          displayOrder: 0,
          archived: false,
          stages: [
            {
              id: 'qualifiedtobuy',
              label: 'Qualified To Buy',
              displayOrder: 1,
              archived: false,
              metadata: { isClosed: 'false', probability: '0.4' },
            },
            {
              id: 'closedlost',
              label: 'Closed Lost',
              displayOrder: 6,
              archived: false,
              metadata: { isClosed: 'true', probability: '0.0' },
            },
          ],
        },
      ],
    });
}

const object = (id: string, properties: Record<string, string | null>) => ({
  id,
  properties: { hs_object_id: id, ...properties },
  createdAt: STAMP,
  updatedAt: STAMP,
  archived: false,
});

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe('HubSpot write-back connector', () => {
  it('owns hs-deal- and hs-contact- records only, and says which fields stay local', () => {
    const { w } = writer();
    expect([w.owns('hs-deal-7'), w.owns('hs-contact-3'), w.owns('O-2001'), w.owns('hs-deal-')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(w.objectOf('hs-contact-3')).toBe('contacts');
    expect(w.unwritable('hs-deal-7', 'owner')).toBeNull();
    expect(w.unwritable('hs-deal-7', 'next_step')).toBeNull();
    expect(w.unwritable('hs-deal-7', 'stage')).toBeNull();
    expect(w.unwritable('hs-deal-7', 'region')).toBe("region comes from the company's country");
    expect(w.unwritable('hs-contact-3', 'next_step')).toBe('HubSpot computes notes_next_activity_date');
    expect(w.unwritable('hs-contact-3', 'stage')).toBe(
      'the funnel stage does not map back to lifecyclestage',
    );
  });

  it('re-reads records with one batch read per object and answers their values in funnel terms', async () => {
    lookups();
    nock(API)
      .post('/crm/v3/objects/deals/batch/read', (b) => {
        expect(b.properties).toEqual(['dealstage', 'hubspot_owner_id']);
        expect(b.inputs).toEqual([{ id: '7' }, { id: '8' }, { id: '9' }]);
        return true;
      })
      .reply(207, {
        status: 'COMPLETE',
        results: [
          object('7', { hubspot_owner_id: '101', dealstage: 'closedlost' }),
          object('8', { hubspot_owner_id: null, dealstage: 'qualifiedtobuy' }),
        ],
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: 'Could not get some DEAL objects',
            context: { ids: ['9'] },
          },
        ],
        startedAt: STAMP,
        completedAt: STAMP,
      });
    const { w } = writer();
    const got = await w.read(
      new Map([
        ['hs-deal-7', ['owner', 'stage'] as const],
        ['hs-deal-8', ['owner', 'stage'] as const],
        ['hs-deal-9', ['owner'] as const],
      ]),
    );
    expect(Object.fromEntries(got)).toEqual({
      'hs-deal-7': { owner: 'Priya Shah', stage: 'Closed Lost' },
      'hs-deal-8': { owner: '', stage: 'Qualified To Buy' },
    });
  });

  it('writes field changes as HubSpot ids in one batch update, and a 207 names the records refused', async () => {
    lookups();
    nock(API)
      .post('/crm/v3/objects/deals/batch/read', {
        properties: ['pipeline'],
        propertiesWithHistory: [],
        inputs: [{ id: '7' }, { id: '8' }, { id: '9' }],
      })
      .reply(200, {
        status: 'COMPLETE',
        results: ['7', '8', '9'].map((id) => object(id, { pipeline: 'default' })),
        startedAt: STAMP,
        completedAt: STAMP,
      });
    nock(API)
      .post('/crm/v3/objects/deals/batch/update', {
        inputs: [
          { id: '7', properties: { hubspot_owner_id: '102', hs_next_step: 'Call Monday' } },
          { id: '9', properties: { dealstage: 'closedlost' } },
        ],
      })
      .reply(207, {
        status: 'COMPLETE',
        results: [object('7', { hubspot_owner_id: '102', hs_next_step: 'Call Monday' })],
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'VALIDATION_ERROR',
            message: 'Property values were not valid: dealstage',
            context: { ids: ['9'] },
          },
        ],
        startedAt: STAMP,
        completedAt: STAMP,
      });
    const batch: WriteBatch = {
      batchNo: 0,
      op: 'update',
      object: 'deals',
      items: [
        {
          recordId: 'hs-deal-7',
          fields: { owner: { old: '', new: 'Marco Rossi' }, next_step: { old: '', new: 'Call Monday' } },
        },
        { recordId: 'hs-deal-8', fields: { stage: { old: 'Qualified To Buy', new: 'Archived' } } },
        { recordId: 'hs-deal-9', fields: { stage: { old: 'Qualified To Buy', new: 'Closed Lost' } } },
      ],
    };
    const { w } = writer();
    expect(await w.write(batch)).toEqual({
      refused: [
        {
          recordId: 'hs-deal-8',
          field: 'stage',
          reason: "no deal stage 'Archived' in HubSpot (pipeline default)",
        },
        { recordId: 'hs-deal-9', reason: 'VALIDATION_ERROR: Property values were not valid: dealstage' },
      ],
    });
  });

  it('creates tasks and notes associated with their records (task→deal 216, note→contact 202)', async () => {
    lookups();
    nock(API)
      .post('/crm/v3/objects/tasks/batch/create', (b) => {
        expect(b.inputs).toEqual([
          {
            properties: {
              hs_task_subject: 'Call Acme back',
              hs_task_body: 'Created by Revenue Leak SRE for Priya Shah',
              hs_task_status: 'NOT_STARTED',
              hs_task_priority: 'HIGH',
              hs_task_type: 'TODO',
              hs_timestamp: '2027-01-15T08:00:00.000Z',
              hubspot_owner_id: '101',
            },
            associations: [
              {
                to: { id: '7' },
                types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 216 }],
              },
            ],
            objectWriteTraceId: 'leak-0',
          },
        ]);
        return true;
      })
      .reply(201, {
        status: 'COMPLETE',
        results: [object('9001', { hs_task_subject: 'Call Acme back' })],
        startedAt: STAMP,
        completedAt: STAMP,
      });
    nock(API)
      .post('/crm/v3/objects/notes/batch/create', {
        inputs: [
          {
            properties: { hs_note_body: 'Routed to VIP for Acme', hs_timestamp: '2027-01-15T08:00:00.000Z' },
            associations: [
              {
                to: { id: '3' },
                types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }],
              },
            ],
            objectWriteTraceId: 'leak-0',
          },
          {
            properties: { hs_note_body: 'Merged', hs_timestamp: '2027-01-15T08:00:00.000Z' },
            associations: [
              {
                to: { id: '4' },
                types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }],
              },
            ],
            objectWriteTraceId: 'leak-1',
          },
        ],
      })
      .reply(207, {
        status: 'COMPLETE',
        results: [object('9002', { hs_note_body: 'Routed to VIP for Acme' })],
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'VALIDATION_ERROR',
            message: 'Association target not found',
            context: { objectWriteTraceId: ['leak-1'] },
          },
        ],
        startedAt: STAMP,
        completedAt: STAMP,
      });
    const due = Date.parse('2027-01-15T08:00:00.000Z');
    const { w } = writer();
    expect(
      await w.write({
        batchNo: 1,
        op: 'task',
        object: 'deals',
        items: [
          {
            recordId: 'hs-deal-7',
            title: 'Call Acme back',
            assignee: 'Priya Shah',
            dueAtMs: due,
            priority: 'high',
          },
        ],
      }),
    ).toEqual({ refused: [] });
    expect(
      await w.write({
        batchNo: 2,
        op: 'note',
        object: 'contacts',
        items: [
          { recordId: 'hs-contact-3', text: 'Routed to VIP for Acme', atMs: due },
          { recordId: 'hs-contact-4', text: 'Merged', atMs: due },
        ],
      }),
    ).toEqual({
      refused: [{ recordId: 'hs-contact-4', reason: 'VALIDATION_ERROR: Association target not found' }],
    });
  });

  it('waits out a 429 for its Retry-After, and a missing write scope fails the call with the scope named', async () => {
    lookups();
    nock(API).post('/crm/v3/objects/contacts/batch/update').reply(
      429,
      {
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        errorType: 'RATE_LIMIT',
        correlationId: 'c1',
        policyName: 'TEN_SECONDLY_ROLLING',
      },
      { 'Retry-After': '3' },
    );
    nock(API)
      .post('/crm/v3/objects/contacts/batch/update')
      .reply(200, {
        status: 'COMPLETE',
        results: [object('3', { hubspot_owner_id: '101' })],
        startedAt: STAMP,
        completedAt: STAMP,
      });
    nock(API)
      .post('/crm/v3/objects/contacts/batch/update')
      .reply(403, {
        status: 'error',
        message: "This app hasn't been granted all required scopes to make this call.",
        correlationId: 'c2',
        category: 'MISSING_SCOPES',
        errors: [
          {
            message: 'One or more of the following scopes are required.',
            context: { requiredScopes: ['crm.objects.contacts.write'] },
          },
        ],
      });
    const { w, slept } = writer();
    const batch: WriteBatch = {
      batchNo: 0,
      op: 'update',
      object: 'contacts',
      items: [{ recordId: 'hs-contact-3', fields: { owner: { old: '', new: 'Priya Shah' } } }],
    };
    expect(await w.write(batch)).toEqual({ refused: [] });
    expect(slept).toContain(3000);
    const err = await w.write(batch).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CrmError);
    expect(err).toMatchObject({ kind: 'scopes', status: 403 });
    expect((err as Error).message).toContain('crm.objects.contacts.write');
    expect((err as Error).message).not.toContain(TOKEN);
  });
});
