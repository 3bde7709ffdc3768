import { type FakeSalesforce, sfId } from '../../support/fake-salesforce.ts';

/**
 * A small Salesforce org for the CRM e2e suite: two active users and one deactivated, the default sales
 * process's stages, two accounts, 60 opportunities and 20 leads (half of them in a queue), all last
 * modified a day ago, with one opportunity and one lead that cannot be mapped.
 */

export const DAY = 86_400_000;
export const OPPS = 60;
export const LEADS = 20;
export const PRIYA = sfId('User', 1);
export const MARCO = sfId('User', 2);
export const GONE = sfId('User', 3);
/** Leads waiting in a queue are owned by a Group, not a User. */
export const QUEUE = '00G000000000001AAA';
export const BAD_OPP = sfId('Opportunity', 7);
export const BAD_LEAD = sfId('Lead', 13);
export const ACME = sfId('Account', 1);
export const GLOBEX = sfId('Account', 2);

const STAGES = ['Prospecting', 'Qualification', 'Negotiation/Review', 'Closed Won', 'Closed Lost'];

export function seedOrg(fake: FakeSalesforce, o: { opps?: number; nowMs?: number } = {}): void {
  const nowMs = o.nowMs ?? Date.now();
  const modifiedMs = nowMs - DAY;
  const iso = (ms: number) => new Date(ms).toISOString();
  const at = { modifiedMs };
  fake.upsert('User', PRIYA, { Name: 'Priya Shah', IsActive: true }, at);
  fake.upsert('User', MARCO, { Name: 'Marco Rossi', IsActive: true }, at);
  fake.upsert('User', GONE, { Name: 'Former Rep', IsActive: false }, at);
  const stage = (n: number, name: string, p: number, closed: boolean, won: boolean) =>
    fake.upsert(
      'OpportunityStage',
      sfId('OpportunityStage', n),
      {
        ApiName: name,
        MasterLabel: name,
        DefaultProbability: p,
        IsClosed: closed,
        IsWon: won,
        IsActive: true,
      },
      at,
    );
  stage(1, 'Prospecting', 10, false, false);
  stage(2, 'Qualification', 20, false, false);
  stage(3, 'Negotiation/Review', 90, false, false);
  stage(4, 'Closed Won', 100, true, true);
  stage(5, 'Closed Lost', 0, true, false);
  fake.upsert('Account', ACME, { Name: 'Acme', Website: 'https://www.acme.com/', BillingCountry: 'NA' }, at);
  fake.upsert('Account', GLOBEX, { Name: 'Globex', Website: 'globex.com', BillingCountry: 'EMEA' }, at);
  const opps = o.opps ?? OPPS;
  for (let i = 1; i <= opps; i++) {
    const id = sfId('Opportunity', i);
    const name = STAGES[i % STAGES.length]!;
    fake.upsert(
      'Opportunity',
      id,
      {
        Name: `Opp ${i}`,
        CreatedDate: iso(nowMs - 30 * DAY),
        StageName: name,
        IsClosed: name.startsWith('Closed'),
        IsWon: name === 'Closed Won',
        OwnerId: i % 10 === 0 ? GONE : i % 2 === 0 ? PRIYA : MARCO,
        Amount: id === BAD_OPP ? -5 : 1000 * i,
        AccountId: i % 4 === 0 ? null : i % 2 === 0 ? ACME : GLOBEX,
        LeadSource: 'Web',
        NextStep: i % 3 === 0 ? null : 'Follow up',
        LastActivityDate: iso(nowMs - 10 * DAY).slice(0, 10),
      },
      at,
    );
  }
  for (let i = 1; i <= LEADS; i++) {
    const id = sfId('Lead', i);
    fake.upsert(
      'Lead',
      id,
      {
        Name: `First${i} Last${i}`,
        Email: `person${i}@example.org`,
        Company: `Company ${i}`,
        Website: null,
        Country: 'NA',
        LeadSource: 'Web',
        Status: i % 2 === 0 ? 'Open - Not Contacted' : 'Working - Contacted',
        OwnerId: i % 2 === 0 ? PRIYA : QUEUE,
        CreatedDate: iso(nowMs - 3 * DAY),
        // Salesforce's own LastActivityDate is always a date; a bad value stands for what a custom
        // mapping may meet.
        LastActivityDate: id === BAD_LEAD ? 'soon' : null,
      },
      at,
    );
  }
}
