import type { CallGuard, CrmConnector, CrmSession, CrmStream, ReadFrom } from '../../../app/crm/ports.ts';
import type { CrmLookups, CrmStage } from '../../../domain/crm/map-record.ts';
import { type HubspotMapping, needsLookup, propertiesToFetch } from '../../../domain/crm/mapping.ts';
import { HUBSPOT_MODIFIED_PROPERTY } from '../../../domain/crm/mapping-defaults.ts';
import { HubspotHttp, type HubspotHttpOptions } from './http.ts';
import { CompanyCache, readDealStages, readOwners } from './lookups.ts';
import { listAll, type ObjectPlan, searchChanged } from './read.ts';

/**
 * HubSpot as a CRM connector (app/crm/ports.ts): contacts become leads and deals become opportunities
 * through the CRM v3 API with a private-app token. Each sync opens a session: its own call counter and
 * rate-limit pacing (http.ts), the owners and deal stages read once, companies cached.
 */

export type HubspotConnectorOptions = Omit<HubspotHttpOptions, 'token'> & { token: string };

function planFor(type: 'contacts' | 'deals', stream: CrmStream): ObjectPlan {
  const { record, company } = propertiesToFetch(stream.mapping);
  const modified = HUBSPOT_MODIFIED_PROPERTY[type];
  const extra = [modified, ...(type === 'contacts' && company.length > 0 ? ['associatedcompanyid'] : [])];
  return {
    type,
    modified,
    properties: [...new Set([...record, ...extra])].sort(),
    companyProperties: company,
  };
}

export function hubspotConnector(mapping: HubspotMapping, opts: HubspotConnectorOptions): CrmConnector {
  const streams: CrmStream[] = [];
  if (mapping.contacts.sync)
    streams.push({ key: 'contacts', noun: 'contact', type: 'lead', mapping: mapping.contacts });
  if (mapping.deals.sync) streams.push({ key: 'deals', noun: 'deal', type: 'opp', mapping: mapping.deals });
  // Companies are cached once per session for every object, so each reads the union of what any maps.
  const planned = streams.map((s) => planFor(s.key as 'contacts' | 'deals', s));
  const companyProperties = [...new Set(planned.flatMap((p) => p.companyProperties))].sort();
  const plans = new Map<string, ObjectPlan>(
    planned.map((p) => [p.type, p.companyProperties.length === 0 ? p : { ...p, companyProperties }]),
  );
  const wants = (kind: 'owner' | 'stage') => streams.some((s) => needsLookup(s.mapping, kind));

  return {
    name: 'hubspot',
    label: 'HubSpot',
    streams,
    open(guard: CallGuard): CrmSession {
      const http = new HubspotHttp(opts, guard);
      const companies = new CompanyCache(http);
      let lookups: Promise<CrmLookups> | undefined;
      return {
        lookups: () =>
          (lookups ??= (async () => ({
            owners: wants('owner') ? await readOwners(http) : new Map<string, string>(),
            stages: wants('stage') ? await readDealStages(http) : new Map<string, CrmStage>(),
          }))()),
        read(stream: CrmStream, from: ReadFrom) {
          const plan = plans.get(stream.key);
          if (plan === undefined) throw new Error(`HubSpot does not sync '${stream.key}'`);
          const c = { http, companies };
          return from.mode === 'full'
            ? listAll(c, plan, from.resume)
            : searchChanged(c, plan, from.sinceMs, from.resume);
        },
        usage: () => http.usage(),
      };
    },
  };
}
