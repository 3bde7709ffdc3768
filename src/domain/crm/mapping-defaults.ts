import { HEADER } from '../records/parse-row.ts';
import type { Source } from './source.ts';

/**
 * The funnel fields a CRM record can feed (DOMAIN.md §1), in CSV order. `id` and `type` are not mapped:
 * the id is the object's own id behind a prefix, the type follows from the object (contact: lead, deal: opp).
 */
/** The funnel columns a CRM field can feed: the CSV header's, less the id and type the object decides. */
export type FunnelField = Exclude<(typeof HEADER)[number], 'id' | 'type'>;
export const FUNNEL_FIELDS: readonly FunnelField[] = HEADER.filter(
  (c): c is FunnelField => c !== 'id' && c !== 'type',
);

export type FieldSources = Record<FunnelField, Source>;

const p = (name: string): Source => ({ kind: 'property', name });
const none: Source = { kind: 'value', value: '' };
const created: Source = { kind: 'first', of: [p('createdate'), { kind: 'record', name: 'createdAt' }] };
/**
 * Last touch: the latest of HubSpot's activity properties. `notes_last_updated` is "Last activity date"
 * (calls, emails, meetings, notes logged), `notes_last_contacted` "Last contacted" (a sales activity that
 * reached the person), `hs_last_sales_activity_timestamp` "Last engagement date".
 */
const lastTouch: Source = {
  kind: 'latest',
  of: [p('notes_last_updated'), p('notes_last_contacted'), p('hs_last_sales_activity_timestamp')],
};
const owner: Source = { kind: 'owner', name: 'hubspot_owner_id' };

/** HubSpot contacts become leads. The company is the primary associated one (`associatedcompanyid`). */
export const HUBSPOT_CONTACT_FIELDS: FieldSources = {
  name: { kind: 'join', of: [p('firstname'), p('lastname')], separator: ' ' },
  email: p('email'),
  domain: { kind: 'first', of: [{ kind: 'company', name: 'domain' }, p('hs_email_domain')] },
  company: { kind: 'first', of: [{ kind: 'company', name: 'name' }, p('company')] },
  source: p('hs_analytics_source'),
  region: { kind: 'first', of: [p('country'), { kind: 'company', name: 'country' }] },
  owner,
  stage: p('lifecyclestage'),
  created_at: created,
  last_touch_at: lastTouch,
  // A scheduled next activity (a task or meeting due) is a contact's next step.
  next_step: p('notes_next_activity_date'),
  value_usd: none,
  notes: none,
};

/** HubSpot deals become opportunities; the company is the primary associated one. */
export const HUBSPOT_DEAL_FIELDS: FieldSources = {
  name: p('dealname'),
  email: none,
  domain: { kind: 'company', name: 'domain' },
  company: { kind: 'company', name: 'name' },
  source: p('hs_analytics_source'),
  region: { kind: 'company', name: 'country' },
  owner,
  stage: { kind: 'stage', name: 'dealstage' },
  created_at: created,
  last_touch_at: lastTouch,
  next_step: p('hs_next_step'),
  value_usd: p('amount'),
  notes: none,
};

/**
 * Contact lifecycle stages (internal values) as funnel stages. A contact that became an opportunity or a
 * customer is no longer a lead to work, so it counts as closed (Closed Won) rather than as an untouched lead.
 */
export const HUBSPOT_CONTACT_STAGES: Readonly<Record<string, string>> = {
  subscriber: 'New',
  lead: 'New',
  marketingqualifiedlead: 'Qualified',
  salesqualifiedlead: 'Qualified',
  opportunity: 'Closed Won',
  customer: 'Closed Won',
  evangelist: 'Closed Won',
};

/** The modified-time property incremental syncs filter and sort on (contacts and deals differ). */
export const HUBSPOT_MODIFIED_PROPERTY = {
  contacts: 'lastmodifieddate',
  deals: 'hs_lastmodifieddate',
} as const;
