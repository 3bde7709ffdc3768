import type { CrmPage } from '../../../app/crm/ports.ts';
import type { CrmRecord } from '../../../domain/crm/map-record.ts';
import { parseCrmInstant } from '../../../domain/crm/values.ts';
import type { HubspotHttp } from './http.ts';
import { type CompanyCache, inlinePrimaryCompany, primaryCompanies } from './lookups.ts';
import { type HubspotObject, listPage, parseAnswer, searchPage } from './responses.ts';

/**
 * Reading one HubSpot object type, a page at a time.
 *
 * Full: the list API (`GET /crm/v3/objects/{type}`, `limit=100`, `after` paging; deals with their company
 * associations inline). Resumable: the checkpoint is the next page's `after`.
 *
 * Incremental: the search API, records modified since the cursor, oldest first. Every page is a new query
 * from the last modified time read (keyset paging), never the `after` offset: search answers at most
 * 10,000 results per query, and an offset over a result set that changes while it is read skips a record
 * each time one before it is modified. A record modified meanwhile only moves later, where it is read.
 * Records sharing the boundary instant are read again (and not counted twice); should a whole page share
 * one instant (a bulk import), that instant is read by id order first, then the read goes on after it.
 */

export interface ObjectPlan {
  type: 'contacts' | 'deals';
  /** `lastmodifieddate` (contacts), `hs_lastmodifieddate` (deals). */
  modified: string;
  /** Properties to fetch (the mapping's, the modified time, and for contacts `associatedcompanyid`). */
  properties: string[];
  /** The associated company's properties the mapping reads; empty: companies are not read. */
  companyProperties: string[];
}

export const LIST_LIMIT = 100;
/** The search API's largest page. */
export const SEARCH_LIMIT_PER_PAGE = 200;

interface ReadContext {
  http: HubspotHttp;
  companies: CompanyCache;
}

const ms = (t: string | undefined | null): number | null => (t ? parseCrmInstant(t) : null);
const modifiedMs = (o: HubspotObject, plan: ObjectPlan): number | null =>
  ms(o.properties[plan.modified]) ?? ms(o.updatedAt);

async function companyIds(
  c: ReadContext,
  plan: ObjectPlan,
  objects: readonly HubspotObject[],
  listed: boolean,
): Promise<Map<string, string>> {
  if (plan.type === 'contacts') {
    const out = new Map<string, string>();
    for (const o of objects) {
      const id = o.properties['associatedcompanyid']?.trim();
      if (id) out.set(o.id, id);
    }
    return out;
  }
  if (listed) {
    const out = new Map<string, string>();
    for (const o of objects) {
      const id = inlinePrimaryCompany(o);
      if (id) out.set(o.id, id);
    }
    return out;
  }
  return primaryCompanies(
    c.http,
    objects.map((o) => o.id),
  );
}

async function toRecords(
  c: ReadContext,
  plan: ObjectPlan,
  objects: readonly HubspotObject[],
  listed: boolean,
): Promise<CrmRecord[]> {
  let companies = new Map<string, Record<string, string | null> | null>();
  let companyOf = new Map<string, string>();
  if (plan.companyProperties.length > 0 && objects.length > 0) {
    companyOf = await companyIds(c, plan, objects, listed);
    companies = await c.companies.read(companyOf.values(), plan.companyProperties);
  }
  return objects.map((o) => {
    const companyId = companyOf.get(o.id);
    return {
      id: o.id,
      properties: o.properties,
      createdAtMs: ms(o.createdAt),
      updatedAtMs: ms(o.updatedAt),
      company: companyId === undefined ? null : (companies.get(companyId) ?? null),
    };
  });
}

export async function* listAll(
  c: ReadContext,
  plan: ObjectPlan,
  resume: string | null,
): AsyncGenerator<CrmPage> {
  const path = `/crm/v3/objects/${plan.type}`;
  const fetchPage = async (after: string | undefined) =>
    parseAnswer(
      listPage,
      await c.http.get(path, {
        limit: String(LIST_LIMIT),
        archived: 'false',
        properties: plan.properties.join(','),
        associations: plan.type === 'deals' && plan.companyProperties.length > 0 ? 'companies' : undefined,
        after,
      }),
      `GET ${path}`,
    );
  let pending = fetchPage(resume ?? undefined);
  for (;;) {
    const page = await pending;
    const next = page.paging?.next?.after ?? null;
    // The next page is asked for at once, so its call (paced by the rate limit) overlaps storing this one.
    // Should the sync stop after this page, that one call is spent for nothing; its failure is then unread.
    if (next !== null) {
      pending = fetchPage(next);
      pending.catch(() => {});
    }
    yield {
      records: await toRecords(c, plan, page.results, true),
      checkpoint: { resume: next, cursorMs: null },
    };
    if (next === null) return;
  }
}

/** Where an incremental read is: after a modified time (`strict`: past it), or inside one instant by id. */
type SearchState = { since: number; strict: boolean } | { tie: number; afterId: string | null };

function decode(resume: string | null): SearchState | null {
  if (resume === null) return null;
  try {
    const s = JSON.parse(resume) as Record<string, unknown>;
    if (typeof s['since'] === 'number') return { since: s['since'], strict: s['strict'] === true };
    if (typeof s['tie'] === 'number')
      return { tie: s['tie'], afterId: typeof s['afterId'] === 'string' ? s['afterId'] : null };
  } catch {}
  return null;
}

function searchBody(plan: ObjectPlan, st: SearchState) {
  const filters =
    'since' in st
      ? [{ propertyName: plan.modified, operator: st.strict ? 'GT' : 'GTE', value: String(st.since) }]
      : [
          { propertyName: plan.modified, operator: 'EQ', value: String(st.tie) },
          ...(st.afterId === null
            ? []
            : [{ propertyName: 'hs_object_id', operator: 'GT', value: st.afterId }]),
        ];
  const sortBy = 'since' in st ? plan.modified : 'hs_object_id';
  return {
    filterGroups: [{ filters }],
    sorts: [{ propertyName: sortBy, direction: 'ASCENDING' }],
    properties: plan.properties,
    limit: SEARCH_LIMIT_PER_PAGE,
  };
}

/** The next query after a page, or null when this one had the last results. */
function nextState(
  st: SearchState,
  results: readonly HubspotObject[],
  more: boolean,
  plan: ObjectPlan,
): SearchState | null {
  const last = results.at(-1);
  if ('tie' in st) {
    if (!more || last === undefined) return { since: st.tie, strict: true };
    return { tie: st.tie, afterId: last.id };
  }
  if (!more || last === undefined) return null;
  const lastMs = modifiedMs(last, plan);
  if (lastMs === null || lastMs < st.since) return null;
  if (lastMs > st.since) return { since: lastMs, strict: false };
  // A whole page at one instant: read that instant by id, then go on after it.
  return { tie: st.since, afterId: null };
}

export async function* searchChanged(
  c: ReadContext,
  plan: ObjectPlan,
  sinceMs: number,
  resume: string | null,
): AsyncGenerator<CrmPage> {
  let st: SearchState | null = decode(resume) ?? { since: sinceMs, strict: false };
  const path = `/crm/v3/objects/${plan.type}/search`;
  /** Ids already read at the boundary instant: a GTE query returns them again. */
  let boundary = { at: Number.NaN, ids: new Set<string>() };
  while (st !== null) {
    const body = await c.http.post(path, searchBody(plan, st), { search: true });
    const page = parseAnswer(searchPage, body, `POST ${path}`);
    const fresh = page.results.filter(
      (o) => !(boundary.ids.has(o.id) && modifiedMs(o, plan) === boundary.at),
    );
    const next = nextState(st, page.results, page.paging?.next !== undefined, plan);
    const times = page.results.map((o) => modifiedMs(o, plan) ?? Number.NEGATIVE_INFINITY);
    const maxMs = times.length === 0 ? null : Math.max(...times);
    const cursorMs = maxMs === null || !Number.isFinite(maxMs) ? null : maxMs;
    const at =
      next === null
        ? null
        : 'since' in next
          ? next.strict
            ? null
            : next.since
          : next.afterId === null
            ? next.tie
            : null;
    if (at !== null)
      boundary = {
        at,
        ids: new Set(page.results.filter((o) => modifiedMs(o, plan) === at).map((o) => o.id)),
      };
    yield {
      records: await toRecords(c, plan, fresh, false),
      checkpoint: { resume: next === null ? null : JSON.stringify(next), cursorMs },
    };
    st = next;
  }
}
