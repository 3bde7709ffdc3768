import { describe, expect, it } from 'vitest';
import {
  type CrmLookups,
  type CrmRecord,
  mapCrmRecord,
  stageName,
} from '../../../src/domain/crm/map-record.ts';
import { DEFAULT_CRM_MAPPING, parseCrmMapping } from '../../../src/domain/crm/mapping.ts';
import {
  crmAmountToCents,
  nearestOpenStage,
  normalizeDomain,
  parseCrmInstant,
} from '../../../src/domain/crm/values.ts';

const hash = (e: string) => `h(${e.trim().toLowerCase()})`;
const { contacts, deals } = DEFAULT_CRM_MAPPING.hubspot;

const lookups: CrmLookups = {
  owners: new Map([['41629779', 'Priya Shah']]),
  stages: new Map([
    ['appointmentscheduled', { label: 'Appointment Scheduled', probability: 0.2, closed: false }],
    ['contractsent', { label: 'Contract Sent', probability: 0.9, closed: false }],
    ['closedwon', { label: 'Won (signed)', probability: 1, closed: true }],
    ['closedlost', { label: 'Lost', probability: 0, closed: true }],
  ]),
};

const deal = (
  props: Record<string, string | null>,
  company: Record<string, string | null> | null = null,
): CrmRecord => ({
  id: '9001',
  properties: {
    dealname: 'Northstar — Data Platform',
    createdate: '2026-10-01T09:00:00.000Z',
    hs_lastmodifieddate: '2026-11-01T10:00:00.000Z',
    dealstage: 'appointmentscheduled',
    hubspot_owner_id: '41629779',
    amount: '144689.5',
    hs_next_step: 'Send the proposal',
    notes_last_updated: '2026-10-20T08:00:00.000Z',
    hs_last_sales_activity_timestamp: '2026-10-25T08:00:00.000Z',
    ...props,
  },
  createdAtMs: Date.parse('2026-10-01T09:00:00Z'),
  updatedAtMs: Date.parse('2026-11-01T10:00:00Z'),
  company,
});

const mapped = (r: CrmRecord, m = deals, type: 'lead' | 'opp' = 'opp') => {
  const out = mapCrmRecord(r, m, type, lookups, hash);
  if (!out.ok) throw new Error(out.reason);
  return out.record;
};
const reason = (r: CrmRecord, m = deals, type: 'lead' | 'opp' = 'opp') => {
  const out = mapCrmRecord(r, m, type, lookups, hash);
  if (out.ok) throw new Error('expected a rejection');
  return out.reason;
};

describe('a HubSpot deal onto a funnel opportunity', () => {
  it('maps every field: owner and stage resolved, company through the association, last touch the latest activity', () => {
    const r = mapped(
      deal({}, { domain: 'https://www.Northstar.example/', name: 'Northstar Health', country: 'NA' }),
    );
    expect(r).toEqual({
      id: 'hs-deal-9001',
      type: 'opp',
      name: 'Northstar — Data Platform',
      emailHash: null,
      domain: 'northstar.example',
      company: 'Northstar Health',
      source: '',
      region: 'NA',
      owner: 'Priya Shah',
      stage: 'Appointment Scheduled',
      createdAtMs: Date.parse('2026-10-01T09:00:00Z'),
      lastTouchAtMs: Date.parse('2026-10-25T08:00:00Z'),
      nextStep: 'Send the proposal',
      valueCents: 14_468_950,
      notes: '',
    });
  });

  it('closed stages become Closed Won / Closed Lost whatever the pipeline calls them', () => {
    expect(mapped(deal({ dealstage: 'closedwon' })).stage).toBe('Closed Won');
    expect(mapped(deal({ dealstage: 'closedlost' })).stage).toBe('Closed Lost');
    expect(stageName({ label: 'Signed', probability: null, closed: true })).toBe('Closed Lost');
    expect(stageName({ label: 'Deal won', probability: null, closed: true })).toBe('Closed Won');
    // A stage the pipelines no longer list keeps its id: an open, unknown stage.
    expect(mapped(deal({ dealstage: '1234567' })).stage).toBe('1234567');
  });

  it('an owner HubSpot no longer lists as active owns nothing (UNASSIGNED_OWNER will say so)', () => {
    expect(mapped(deal({ hubspot_owner_id: '999' })).owner).toBe('');
    expect(mapped(deal({ hubspot_owner_id: null })).owner).toBe('');
  });

  it('the stage map and the probability mapping, when configured', () => {
    const r = parseCrmMapping({
      version: 1,
      hubspot: { deals: { stage_map: { contractsent: 'Negotiation' }, stage_from_probability: true } },
    });
    if (!r.ok) throw new Error('mapping');
    const m = r.mapping.hubspot.deals;
    expect(mapped(deal({ dealstage: 'contractsent' }), m).stage).toBe('Negotiation');
    // 0.2 is nearest Qualified (0.25) among New 0.10, Qualified 0.25, Proposal 0.45, Negotiation 0.65.
    expect(mapped(deal({ dealstage: 'appointmentscheduled' }), m).stage).toBe('Qualified');
    expect(mapped(deal({ dealstage: 'closedwon' }), m).stage).toBe('Closed Won');
  });

  it('records that cannot be mapped say which field and which property, as a bad CSV row does', () => {
    expect(reason(deal({ amount: '-5' }))).toBe("value_usd: negative amount '-5' in amount");
    expect(reason(deal({ amount: 'lots' }))).toBe("value_usd: not a number 'lots' in amount");
    expect(reason(deal({ notes_last_updated: 'yesterday' }))).toBe(
      "last_touch_at: 'yesterday' in notes_last_updated is not a timestamp",
    );
    const noCreated = { ...deal({ createdate: null }), createdAtMs: null };
    expect(reason(noCreated)).toBe('created_at: no value in createdate, createdAt');
  });
});

describe('a HubSpot contact onto a funnel lead', () => {
  const contact = (props: Record<string, string | null>): CrmRecord => ({
    id: '51',
    properties: {
      firstname: 'Ada',
      lastname: ' Lovelace ',
      email: 'Ada@Example.com',
      hs_email_domain: 'example.com',
      company: 'Analytical Engines',
      lifecyclestage: 'marketingqualifiedlead',
      createdate: '1793635200000',
      hubspot_owner_id: null,
      ...props,
    },
    createdAtMs: null,
    updatedAtMs: null,
    company: null,
  });

  it('the email is kept only as its keyed hash; lifecycle stages read as funnel stages', () => {
    const r = mapped(contact({}), contacts, 'lead');
    expect(r).toMatchObject({
      id: 'hs-contact-51',
      type: 'lead',
      name: 'Ada Lovelace',
      emailHash: 'h(ada@example.com)',
      domain: 'example.com',
      company: 'Analytical Engines',
      owner: '',
      stage: 'Qualified',
      createdAtMs: 1793635200000,
      lastTouchAtMs: null,
      valueCents: 0,
    });
    expect(JSON.stringify(r)).not.toContain('Ada@Example.com');
    expect(mapped(contact({ lifecyclestage: 'customer' }), contacts, 'lead').stage).toBe('Closed Won');
    expect(mapped(contact({ lifecyclestage: 'other' }), contacts, 'lead').stage).toBe('other');
  });
});

describe('CRM values', () => {
  it.each([
    ['2026-11-02T16:00:00.000Z', Date.parse('2026-11-02T16:00:00Z')],
    ['1793635200000', 1793635200000],
    ['2026-11-02', Date.parse('2026-11-02T00:00:00Z')],
    ['2026-11-02T16:00:00', null],
    ['', null],
    ['99999999999999', null],
  ])('instant %j → %j', (text, ms) => expect(parseCrmInstant(text)).toBe(ms));

  it.each([
    ['', { cents: 0 }],
    ['1200', { cents: 120_000 }],
    ['1234.565', { cents: 123_457 }],
    ['1234.564', { cents: 123_456 }],
    ['1,500.5', { cents: 150_050 }],
    ['1.5E+5', { cents: 15_000_000 }],
    ['-0.001', { cents: 0 }],
    ['-3', { reason: 'negative amount' }],
  ])('amount %j → %j', (text, out) => expect(crmAmountToCents(text)).toEqual(out));

  it('domains read alike however they are written', () => {
    for (const d of [
      'acme.com',
      'https://www.Acme.com/pricing',
      'ACME.COM.',
      'sales@acme.com',
      'http://acme.com:8080',
    ])
      expect(normalizeDomain(d)).toBe('acme.com');
  });

  it('the nearest open stage, ties to the cheaper one', () => {
    expect([0, 0.175, 0.3, 0.55, 0.9].map(nearestOpenStage)).toEqual([
      'New',
      'New',
      'Qualified',
      'Proposal',
      'Negotiation',
    ]);
  });
});
