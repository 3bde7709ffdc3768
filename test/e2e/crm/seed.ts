import type { FakeHubspot } from '../../support/fake-hubspot.ts';

/**
 * A small HubSpot account for the CRM e2e suites: two owners, two companies, 150 deals (two list pages)
 * and 20 contacts, all last modified a day ago, with one deal and one contact that cannot be mapped.
 */

export const DAY = 86_400_000;
export const DEALS = 150;
export const CONTACTS = 20;
/** Deal 7 has a negative amount; contact 13 a last activity that is not a date. */
export const BAD_DEAL = '7';
export const BAD_CONTACT = '13';

const STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'contractsent', 'closedwon', 'closedlost'];

export function seedAccount(fake: FakeHubspot, nowMs = Date.now()): void {
  const modifiedMs = nowMs - DAY;
  const iso = (ms: number) => new Date(ms).toISOString();
  fake.owners = [
    { id: '101', email: 'priya@northwind.example', firstName: 'Priya', lastName: 'Shah' },
    { id: '102', email: 'marco@northwind.example', firstName: 'Marco', lastName: 'Rossi' },
  ];
  fake.upsert('companies', '500', { domain: 'acme.com', name: 'Acme', country: 'NA' }, { modifiedMs });
  fake.upsert(
    'companies',
    '501',
    { domain: 'https://www.globex.com/', name: 'Globex', country: 'EMEA' },
    { modifiedMs },
  );
  for (let i = 1; i <= DEALS; i++) {
    const id = String(i);
    fake.upsert(
      'deals',
      id,
      {
        dealname: `Deal ${i}`,
        createdate: iso(nowMs - 30 * DAY),
        dealstage: STAGES[i % STAGES.length]!,
        hubspot_owner_id: i % 10 === 0 ? null : i % 2 === 0 ? '101' : '102',
        amount: id === BAD_DEAL ? '-5' : String(1000 * i),
        hs_next_step: i % 3 === 0 ? '' : 'Follow up',
        notes_last_updated: iso(nowMs - 10 * DAY),
      },
      { modifiedMs, companyId: i % 4 === 0 ? null : i % 2 === 0 ? '500' : '501' },
    );
  }
  for (let i = 1; i <= CONTACTS; i++) {
    const id = String(i);
    fake.upsert(
      'contacts',
      id,
      {
        firstname: `First${i}`,
        lastname: `Last${i}`,
        email: `person${i}@example.org`,
        hs_email_domain: 'example.org',
        lifecyclestage: i % 2 === 0 ? 'lead' : 'marketingqualifiedlead',
        createdate: iso(nowMs - 3 * DAY),
        hubspot_owner_id: i % 2 === 0 ? '101' : null,
        associatedcompanyid: i % 5 === 0 ? '500' : null,
        hs_last_sales_activity_timestamp: id === BAD_CONTACT ? 'soon' : null,
      },
      { modifiedMs },
    );
  }
}
