import { describe, expect, it } from 'vitest';
import { DEFAULT_CRM_MAPPING, parseCrmMapping, propertiesToFetch } from '../../../src/domain/crm/mapping.ts';
import { remedy } from '../../../src/domain/crm/sync-run.ts';

/** The `salesforce:` section of the mapping file (issue 16): Lead and Opportunity defaults, overrides, rules. */

const problemsOf = (raw: unknown): string[] => {
  const r = parseCrmMapping(raw);
  if (r.ok) throw new Error('expected problems');
  return r.problems.map((p) => `${p.path}: ${p.message}`);
};

describe('the Salesforce mapping', () => {
  it('defaults: Leads as leads, Opportunities as opportunities, behind sf- prefixes', () => {
    const { leads, opportunities } = DEFAULT_CRM_MAPPING.salesforce;
    expect([leads.idPrefix, opportunities.idPrefix]).toEqual(['sf-lead-', 'sf-opp-']);
    expect(leads.fields.owner).toEqual({ kind: 'owner', name: 'OwnerId' });
    expect(opportunities.fields.stage).toEqual({ kind: 'stage', name: 'StageName' });
    expect(leads.stageMap.get('closed - converted')).toBe('Closed Won');
    expect(opportunities.stageMap.get('proposal/price quote')).toBe('Proposal');
    // The Account's fields are read as the opportunity's company.
    expect(propertiesToFetch(opportunities)).toEqual({
      record: [
        'Amount',
        'CreatedDate',
        'LastActivityDate',
        'LeadSource',
        'Name',
        'NextStep',
        'OwnerId',
        'StageName',
      ],
      company: ['BillingCountry', 'Name', 'Website'],
    });
  });

  it('overrides: custom fields, parent fields by a dotted name, stage map, probability', () => {
    const r = parseCrmMapping({
      version: 1,
      salesforce: {
        leads: { fields: { region: 'Region__c' }, stage_map: { 'Working - Contacted': 'New' } },
        opportunities: {
          id_prefix: 'SF-O-',
          fields: { region: 'Account.Sales_Region__c', notes: 'Description' },
          stage_from_probability: true,
        },
      },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const { leads, opportunities } = r.mapping.salesforce;
    expect(leads.fields.region).toEqual({ kind: 'property', name: 'Region__c' });
    expect(leads.stageMap.get('working - contacted')).toBe('New');
    expect(leads.stageMap.get('open - not contacted')).toBe('New');
    expect(opportunities.idPrefix).toBe('SF-O-');
    expect(opportunities.stageFromProbability).toBe(true);
    expect(opportunities.fields.region).toEqual({ kind: 'property', name: 'Account.Sales_Region__c' });
    // HubSpot's defaults are untouched by a Salesforce section.
    expect(r.mapping.hubspot).toEqual(DEFAULT_CRM_MAPPING.hubspot);
  });

  it('rules: a lead has no Account nor sales stage; prefixes unique across CRMs; unknown keys', () => {
    expect(
      problemsOf({
        version: 1,
        hubspot: { deals: { id_prefix: 'crm-' } },
        salesforce: {
          leads: { fields: { company: { company: 'Name' }, stage: { stage: 'Status' } } },
          opportunities: { id_prefix: 'crm-', fields: { created_at: null } },
        },
      }),
    ).toEqual([
      "salesforce.opportunities.id_prefix: must differ from hubspot.deals' id_prefix ('crm-'): two records may share an id",
      'salesforce.opportunities.fields.created_at: created_at is required: every record needs a creation time',
      'salesforce.leads.fields.company: a lead has no Account: name a Lead field (e.g. Company, Website)',
      'salesforce.leads.fields.stage: leads have no sales process stage: use the Status field',
    ]);
    expect(problemsOf({ version: 1, salesforce: { contacts: {} } })).toEqual([
      "salesforce: unknown key 'contacts' (expected leads, opportunities)",
    ]);
    expect(
      problemsOf({ version: 1, salesforce: { leads: { sync: false }, opportunities: { sync: false } } }),
    ).toEqual(['salesforce: nothing to sync: leads and opportunities both have sync: false']);
  });

  it("a refused grant or a missing permission says what to do in Salesforce's terms", () => {
    expect(remedy('auth', 'Salesforce')).toContain('pre-authorized user');
    expect(remedy('scopes', 'Salesforce')).toContain('API Enabled');
    expect(remedy('auth', 'HubSpot')).toContain('private-app token');
  });
});
