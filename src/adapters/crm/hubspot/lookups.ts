import type { CrmStage } from '../../../domain/crm/map-record.ts';
import type { HubspotHttp } from './http.ts';
import {
  associations,
  batchObjects,
  type HubspotObject,
  ownersPage,
  parseAnswer,
  pipelines,
} from './responses.ts';

/**
 * What a HubSpot record refers to by id, resolved: owners (the owners API), deal stages (the pipelines
 * API: label, `metadata.probability`, `metadata.isClosed`) and companies (batch read, for the domain and
 * the name the funnel keys duplicates and routing on).
 */

type Props = Record<string, string | null>;

/** Active owners by id → "First Last" (else their email). Deactivated owners are not listed: they own nothing. */
export async function readOwners(http: HubspotHttp): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  let after: string | undefined;
  do {
    const body = await http.get('/crm/v3/owners', { limit: '100', archived: 'false', after });
    const page = parseAnswer(ownersPage, body, 'GET /crm/v3/owners');
    for (const o of page.results) {
      if (o.archived === true) continue;
      const name = [o.firstName, o.lastName]
        .filter((s) => s?.trim())
        .join(' ')
        .trim();
      owners.set(o.id, name || o.email?.trim() || `HubSpot owner ${o.id}`);
    }
    after = page.paging?.next?.after;
  } while (after !== undefined);
  return owners;
}

const probability = (v: string | null | undefined): number | null => {
  if (v === null || v === undefined || v.trim() === '') return null;
  const p = Number(v);
  return Number.isFinite(p) && p >= 0 && p <= 1 ? p : null;
};

/** Every deal stage of every pipeline by stage id (stage ids are unique across an account's pipelines). */
export async function readDealStages(http: HubspotHttp): Promise<Map<string, CrmStage>> {
  const body = await http.get('/crm/v3/pipelines/deals');
  const stages = new Map<string, CrmStage>();
  for (const pipeline of parseAnswer(pipelines, body, 'GET /crm/v3/pipelines/deals').results)
    for (const s of pipeline.stages)
      stages.set(s.id, {
        label: s.label,
        probability: probability(s.metadata['probability']),
        closed: s.metadata['isClosed'] === 'true',
      });
  return stages;
}

/** HubSpot batch endpoints take at most 100 inputs. */
const BATCH = 100;
/** Companies remembered within one sync: most deals of a page share few companies. Bounded. */
const CACHE_MAX = 50_000;

const chunks = <T>(xs: readonly T[], n: number): T[][] =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/** Company properties by company id, read in batches of 100 and cached for the session. */
export class CompanyCache {
  readonly #http: HubspotHttp;
  readonly #cache = new Map<string, Props | null>();

  constructor(http: HubspotHttp) {
    this.#http = http;
  }

  /** `properties` must be the same on every call of a session (one mapping per stream, one set per sync). */
  async read(ids: Iterable<string>, properties: readonly string[]): Promise<Map<string, Props | null>> {
    const wanted = [...new Set(ids)];
    const missing = wanted.filter((id) => !this.#cache.has(id));
    if (this.#cache.size + missing.length > CACHE_MAX) this.#cache.clear();
    for (const part of chunks(missing, BATCH)) {
      const body = await this.#http.post('/crm/v3/objects/companies/batch/read', {
        properties,
        propertiesWithHistory: [],
        inputs: part.map((id) => ({ id })),
      });
      const found = parseAnswer(batchObjects, body, 'POST /crm/v3/objects/companies/batch/read').results;
      // Ids HubSpot did not return (deleted companies) are remembered as none, so they are not asked again.
      for (const id of part) this.#cache.set(id, null);
      for (const c of found) this.#cache.set(c.id, c.properties);
    }
    return new Map(wanted.map((id) => [id, this.#cache.get(id) ?? null]));
  }
}

/** The primary company of each deal given, through the v4 associations batch read (search answers have none). */
export async function primaryCompanies(
  http: HubspotHttp,
  dealIds: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunks(dealIds, BATCH)) {
    const body = await http.post('/crm/v4/associations/deals/companies/batch/read', {
      inputs: part.map((id) => ({ id })),
    });
    for (const r of parseAnswer(associations, body, 'POST /crm/v4/associations/deals/companies/batch/read')
      .results) {
      const primary = r.to.find((t) => t.associationTypes.some((a) => a.label === 'Primary')) ?? r.to[0];
      if (primary) out.set(r.from.id, primary.toObjectId);
    }
  }
  return out;
}

/** The primary company of a record listed with `associations=companies` (its `deal_to_company` type). */
export function inlinePrimaryCompany(o: HubspotObject): string | null {
  const list = o.associations?.['companies']?.results ?? [];
  const primary = list.find((a) => /_to_company$/.test(a.type)) ?? list[0];
  return primary?.id ?? null;
}
