import type { FieldSources } from './mapping-defaults.ts';
import type { Source } from './source.ts';

/**
 * Salesforce's standard fields as funnel fields (README "CRM connectors" → Salesforce): Leads become
 * leads, Opportunities become opportunities. A `company` source on an opportunity reads its Account (the
 * connector selects `Account.<field>`); a property name may also name a parent's field with a dot.
 */

const p = (name: string): Source => ({ kind: 'property', name });
const none: Source = { kind: 'value', value: '' };
const created: Source = { kind: 'first', of: [p('CreatedDate'), { kind: 'record', name: 'createdAt' }] };
/** Salesforce's own roll-up of the latest task or event (a date): the last touch. */
const lastTouch = p('LastActivityDate');
const owner: Source = { kind: 'owner', name: 'OwnerId' };

/** Leads: a lead's company is a text field (it has no Account until converted). */
export const SALESFORCE_LEAD_FIELDS: FieldSources = {
  name: p('Name'),
  email: p('Email'),
  // The website is the company's domain; without one the email's domain is the best key there is.
  domain: { kind: 'first', of: [p('Website'), p('Email')] },
  company: p('Company'),
  source: p('LeadSource'),
  region: p('Country'),
  owner,
  stage: p('Status'),
  created_at: created,
  last_touch_at: lastTouch,
  next_step: none,
  value_usd: none,
  notes: none,
};

/** Opportunities: the company is the Account; the stage is resolved through OpportunityStage. */
export const SALESFORCE_OPPORTUNITY_FIELDS: FieldSources = {
  name: p('Name'),
  email: none,
  domain: { kind: 'company', name: 'Website' },
  company: { kind: 'company', name: 'Name' },
  source: p('LeadSource'),
  region: { kind: 'company', name: 'BillingCountry' },
  owner,
  stage: { kind: 'stage', name: 'StageName' },
  created_at: created,
  last_touch_at: lastTouch,
  next_step: p('NextStep'),
  value_usd: p('Amount'),
  notes: none,
};

/**
 * The default lead process's Status values as funnel stages: a converted lead became an opportunity, so
 * it is done as a lead (Closed Won), as HubSpot's contacts that became customers are.
 */
export const SALESFORCE_LEAD_STAGES: Readonly<Record<string, string>> = {
  'Open - Not Contacted': 'New',
  'Working - Contacted': 'Qualified',
  'Closed - Converted': 'Closed Won',
  'Closed - Not Converted': 'Closed Lost',
};

/** The default sales process's open stages as the funnel's (closed ones follow IsClosed and IsWon). */
export const SALESFORCE_OPPORTUNITY_STAGES: Readonly<Record<string, string>> = {
  Prospecting: 'New',
  Qualification: 'Qualified',
  'Needs Analysis': 'Qualified',
  'Value Proposition': 'Qualified',
  'Id. Decision Makers': 'Qualified',
  'Perception Analysis': 'Qualified',
  'Proposal/Price Quote': 'Proposal',
  'Negotiation/Review': 'Negotiation',
};

/** The field incremental syncs filter and order on: changed by users and by the system alike. */
export const SALESFORCE_MODIFIED_FIELD = 'SystemModstamp';
