import type { CrmStage } from '../../../domain/crm/map-record.ts';
import type { SalesforceHttp } from './http.ts';
import { flatten, parseAnswer, type QueryPage, queryPage } from './responses.ts';

/**
 * What a Salesforce record refers to by id, resolved once per sync: owners through User (OwnerId →
 * Name) and opportunity stages through OpportunityStage (StageName → label, default probability,
 * IsClosed, IsWon), as HubSpot's owners and pipelines APIs are read.
 */

/** Every page of a SOQL query (users and stages are few next to the records: REST paging suffices). */
async function queryAll(
  http: SalesforceHttp,
  soql: string,
  what: string,
): Promise<Array<Record<string, string | null>>> {
  const out: Array<Record<string, string | null>> = [];
  let page: QueryPage = parseAnswer(queryPage, await http.query(soql), what);
  for (;;) {
    for (const r of page.records) out.push(flatten(r));
    if (page.done || page.nextRecordsUrl === undefined) return out;
    page = parseAnswer(queryPage, await http.getJson(page.nextRecordsUrl), what);
  }
}

/**
 * Active users by id → name. A record owned by a deactivated user, or by a queue (a Group id, `00G…`,
 * which leads often sit in), resolves to no owner: it is nobody's, which is the leak UNASSIGNED_OWNER
 * is about.
 */
export async function readOwners(http: SalesforceHttp): Promise<Map<string, string>> {
  const rows = await queryAll(http, 'SELECT Id, Name FROM User WHERE IsActive = true', 'GET /query (User)');
  const owners = new Map<string, string>();
  for (const u of rows) if (u['Id']) owners.set(u['Id'], u['Name']?.trim() || `Salesforce user ${u['Id']}`);
  return owners;
}

const percent = (v: string | null | undefined): number | null => {
  if (v === null || v === undefined || v.trim() === '') return null;
  const p = Number(v);
  return Number.isFinite(p) && p >= 0 && p <= 100 ? p / 100 : null;
};

/**
 * A closed stage's probability says won (1) or lost (0) from IsWon, since the funnel decides Closed Won
 * or Closed Lost by it (map-record.ts stageName); an open stage keeps its DefaultProbability.
 */
export function stageOf(label: string, probability: number | null, closed: boolean, won: boolean): CrmStage {
  return { label, probability: closed ? (won ? 1 : 0) : probability, closed };
}

/** Every opportunity stage by its API name (the value StageName holds), inactive ones included. */
export async function readStages(http: SalesforceHttp): Promise<Map<string, CrmStage>> {
  const rows = await queryAll(
    http,
    'SELECT ApiName, MasterLabel, DefaultProbability, IsClosed, IsWon FROM OpportunityStage',
    'GET /query (OpportunityStage)',
  );
  const stages = new Map<string, CrmStage>();
  for (const s of rows) {
    const key = s['ApiName'] ?? s['MasterLabel'];
    if (!key) continue;
    stages.set(
      key,
      stageOf(
        s['MasterLabel'] ?? key,
        percent(s['DefaultProbability']),
        s['IsClosed'] === 'true',
        s['IsWon'] === 'true',
      ),
    );
  }
  return stages;
}
