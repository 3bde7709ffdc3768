import { describe, expect, it } from 'vitest';
import { DEFAULT_CRM_MAPPING, parseCrmMapping, propertiesToFetch } from '../../../src/domain/crm/mapping.ts';

const problemsOf = (raw: unknown): string[] => {
  const r = parseCrmMapping(raw);
  if (r.ok) throw new Error('expected problems');
  return r.problems.map((p) => `${p.path}: ${p.message}`);
};

describe('the CRM field-mapping file', () => {
  it('no file: the defaults, contacts as leads and deals as opportunities behind their own prefixes', () => {
    const r = parseCrmMapping(undefined);
    expect(r).toEqual({ ok: true, mapping: DEFAULT_CRM_MAPPING });
    const { contacts, deals } = DEFAULT_CRM_MAPPING.hubspot;
    expect([contacts.idPrefix, deals.idPrefix]).toEqual(['hs-contact-', 'hs-deal-']);
    expect(deals.fields.stage).toEqual({ kind: 'stage', name: 'dealstage' });
    expect(deals.fields.owner).toEqual({ kind: 'owner', name: 'hubspot_owner_id' });
    expect(deals.fields.next_step).toEqual({ kind: 'property', name: 'hs_next_step' });
    expect(contacts.stageMap.get('marketingqualifiedlead')).toBe('Qualified');
  });

  it('overrides replace single fields (a custom property feeds any funnel field) and merge the stage map', () => {
    const r = parseCrmMapping({
      version: 1,
      hubspot: {
        deals: {
          id_prefix: 'D-',
          fields: {
            region: 'sales_region__c',
            next_step: { first: ['hs_next_step', 'next_action'] },
            notes: null,
          },
          stage_map: { 'Contract Sent': 'Negotiation' },
          stage_from_probability: true,
        },
        contacts: { stage_map: { other: 'Closed Lost' } },
      },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const d = r.mapping.hubspot.deals;
    expect(d.idPrefix).toBe('D-');
    expect(d.fields.region).toEqual({ kind: 'property', name: 'sales_region__c' });
    expect(d.fields.next_step).toEqual({
      kind: 'first',
      of: [
        { kind: 'property', name: 'hs_next_step' },
        { kind: 'property', name: 'next_action' },
      ],
    });
    expect(d.fields.notes).toEqual({ kind: 'value', value: '' });
    // Untouched fields keep their defaults.
    expect(d.fields.owner).toEqual(DEFAULT_CRM_MAPPING.hubspot.deals.fields.owner);
    expect(d.stageMap.get('contract sent')).toBe('Negotiation');
    expect(d.stageFromProbability).toBe(true);
    const c = r.mapping.hubspot.contacts;
    expect(c.stageMap.get('other')).toBe('Closed Lost');
    expect(c.stageMap.get('lead')).toBe('New');
    expect(propertiesToFetch(d).record).toContain('sales_region__c');
    expect(propertiesToFetch(d).record).toContain('next_action');
  });

  it('lists every problem with its path, nothing half applied', () => {
    expect(
      problemsOf({
        version: 2,
        hubspot: {
          deals: {
            id_prefix: 'has space',
            fields: {
              ownr: 'hubspot_owner_id',
              owner: { owner: 'bad name!' },
              stage: { pipeline: 'dealstage' },
              last_touch_at: { latest: [] },
              name: { join: ['firstname', 42] },
            },
          },
          leads: {},
        },
      }),
    ).toEqual([
      'version: expected 1 (the only version of the mapping file)',
      'hubspot.deals.id_prefix: letters, digits and _ . : @ - only, up to 40 characters',
      'hubspot.deals.fields.name.join[1]: expected a property name, null, or one of {property, company, owner, stage, record, value, first, latest, join}',
      'hubspot.deals.fields.owner.owner: "bad name!" is not a property name (letters, digits, _ and ., up to 100)',
      "hubspot.deals.fields.stage: unknown source 'pipeline': expected a property name, null, or one of {property, company, owner, stage, record, value, first, latest, join}",
      'hubspot.deals.fields.last_touch_at.latest: expected a list of 1 to 10 sources',
      "hubspot.deals.fields: unknown key 'ownr' (expected name, email, domain, company, source, region, owner, stage, created_at, last_touch_at, next_step, value_usd, notes)",
      "hubspot: unknown key 'leads' (expected contacts, deals)",
    ]);
  });

  it('rules across keys: two objects on one prefix, nothing synced, no creation time', () => {
    expect(
      problemsOf({ version: 1, hubspot: { contacts: { id_prefix: 'hs-' }, deals: { id_prefix: 'hs-' } } }),
    ).toEqual([
      "hubspot.deals.id_prefix: must differ from contacts' id_prefix ('hs-'): a contact and a deal may share an id",
    ]);
    expect(
      problemsOf({ version: 1, hubspot: { contacts: { sync: false }, deals: { sync: false } } }),
    ).toEqual(['hubspot: nothing to sync: contacts and deals both have sync: false']);
    expect(problemsOf({ version: 1, hubspot: { deals: { fields: { created_at: null } } } })).toEqual([
      'hubspot.deals.fields.created_at: created_at is required: every record needs a creation time',
    ]);
  });

  it('a file that is not a mapping at all', () => {
    expect(problemsOf('hubspot')).toEqual([expect.stringMatching(/^\(file\): /)]);
  });
});
