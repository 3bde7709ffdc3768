import type { CallGuard, CrmConnector, CrmSession, CrmStream, ReadFrom } from '../../../app/crm/ports.ts';
import type { CrmLookups, CrmStage } from '../../../domain/crm/map-record.ts';
import { needsLookup, type SalesforceMapping } from '../../../domain/crm/mapping.ts';
import { SalesforceHttp, type SalesforceHttpOptions } from './http.ts';
import { readOwners, readStages, stageOf } from './lookups.ts';
import { readObject } from './read.ts';
import type { ReadContext } from './records.ts';
import { type ObjectPlan, planFor } from './soql.ts';

/**
 * Salesforce as a CRM connector (app/crm/ports.ts): Leads become leads and Opportunities become
 * opportunities, read with SOQL through a connected app (JWT bearer or refresh token, auth.ts). Each sync
 * opens a session: its own token, call counter and daily-allowance reading (http.ts), the users and
 * opportunity stages read once.
 */

export interface SalesforceConnectorOptions extends SalesforceHttpOptions {
  /** SALESFORCE_BULK_THRESHOLD: more matching records than this are read through Bulk API 2.0. */
  bulkThreshold: number;
  bulkPageSize?: number;
  bulkPoll?: ReadContext['bulkPoll'];
}

/** 50,000 records a results page: a few MB of CSV, well under what one request may take to download. */
const BULK_PAGE = 50_000;
const BULK_POLL = { firstMs: 2_000, maxMs: 30_000, timeoutMs: 20 * 60_000 };

export function salesforceConnector(
  mapping: SalesforceMapping,
  opts: SalesforceConnectorOptions,
): CrmConnector {
  const streams: CrmStream[] = [];
  if (mapping.leads.sync) streams.push({ key: 'leads', noun: 'lead', type: 'lead', mapping: mapping.leads });
  if (mapping.opportunities.sync)
    streams.push({ key: 'opportunities', noun: 'opportunity', type: 'opp', mapping: mapping.opportunities });
  const plans = new Map<string, ObjectPlan>(streams.map((s) => [s.key, planFor(s)]));
  const wants = (kind: 'owner' | 'stage') => streams.some((s) => needsLookup(s.mapping, kind));

  return {
    name: 'salesforce',
    label: 'Salesforce',
    streams,
    open(guard: CallGuard): CrmSession {
      const http = new SalesforceHttp(opts, guard);
      const stages = new Map<string, CrmStage>();
      let lookups: Promise<CrmLookups> | undefined;
      const load = () =>
        (lookups ??= (async () => {
          const owners = wants('owner') ? await readOwners(http) : new Map<string, string>();
          if (wants('stage')) for (const [k, v] of await readStages(http)) stages.set(k, v);
          return { owners, stages };
        })());
      const context: ReadContext = {
        http,
        bulkThreshold: opts.bulkThreshold,
        bulkPageSize: opts.bulkPageSize ?? BULK_PAGE,
        bulkPoll: opts.bulkPoll ?? BULK_POLL,
        // A stage OpportunityStage does not list is placed by the records carrying it; records are mapped
        // after their page is read, so the session's stage map knows it by then.
        learnStage(name, closed, won) {
          if (!stages.has(name)) stages.set(name, stageOf(name, null, closed, won));
        },
      };
      return {
        lookups: load,
        read(stream: CrmStream, from: ReadFrom) {
          const plan = plans.get(stream.key);
          if (plan === undefined) throw new Error(`Salesforce does not sync '${stream.key}'`);
          return readObject(context, plan, from);
        },
        usage: () => http.usage(),
      };
    },
  };
}
