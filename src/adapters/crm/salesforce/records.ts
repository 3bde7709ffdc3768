import type { CrmRecord } from '../../../domain/crm/map-record.ts';
import { SALESFORCE_MODIFIED_FIELD } from '../../../domain/crm/mapping-salesforce.ts';
import { parseCrmInstant } from '../../../domain/crm/values.ts';
import type { SalesforceHttp } from './http.ts';
import type { Flat } from './responses.ts';
import { checkedId, type ObjectPlan, type Position, type Resume } from './soql.ts';

/** Salesforce rows (flattened) as the CRM records the sync maps, and the keyset a read resumes at. */

export interface ReadContext {
  http: SalesforceHttp;
  /** More matching records than this (after the first page) go through a Bulk API 2.0 job. */
  bulkThreshold: number;
  /** Records per Bulk results page (`maxRecords`). */
  bulkPageSize: number;
  /** Waits between polls of a Bulk job, and the longest a job may take. */
  bulkPoll: { firstMs: number; maxMs: number; timeoutMs: number };
  /** An opportunity's own IsClosed/IsWon, for a stage OpportunityStage does not list (lookups.ts). */
  learnStage(name: string, closed: boolean, won: boolean): void;
}

const ms = (t: string | null | undefined): number | null => (t ? parseCrmInstant(t) : null);
export const modifiedMs = (f: Flat): number | null => ms(f[SALESFORCE_MODIFIED_FIELD]);

export function toRecords(c: ReadContext, plan: ObjectPlan, rows: readonly Flat[]): CrmRecord[] {
  return rows.map((f) => {
    if (plan.stageField !== null) {
      const stage = f[plan.stageField];
      if (stage) c.learnStage(stage, f['IsClosed'] === 'true', f['IsWon'] === 'true');
    }
    let company: Record<string, string | null> | null = null;
    if (plan.companyFields.length > 0) {
      const fields = plan.companyFields.map((k) => [k, f[`Account.${k}`] ?? null] as const);
      // No Account (or none the user may see): no company, as a HubSpot deal without one.
      if (fields.some(([, v]) => v !== null)) company = Object.fromEntries(fields);
    }
    return {
      id: checkedId(f['Id'], plan.object),
      properties: f,
      createdAtMs: ms(f['CreatedDate']),
      updatedAtMs: modifiedMs(f),
      company,
    };
  });
}

/** Where the read is once `last` is stored. */
export function after(pos: Position, last: Flat, object: string): Position {
  const id = checkedId(last['Id'], object);
  if (pos.mode === 'full') return { mode: 'full', afterId: id };
  return { mode: 'incremental', sinceMs: modifiedMs(last) ?? pos.sinceMs, afterId: id };
}

export function decodeResume(resume: string | null): Resume | null {
  if (resume === null) return null;
  try {
    const r = JSON.parse(resume) as Resume;
    if ('pos' in r && (r.pos.mode === 'full' || r.pos.mode === 'incremental')) return r;
    if ('bulk' in r && typeof r.bulk.job === 'string') return r;
  } catch {}
  return null;
}

export const encode = (r: Resume): string => JSON.stringify(r);

/** The latest SystemModstamp among `rows` (incremental reads move the cursor by it), or null. */
export function latestModified(rows: readonly Flat[]): number | null {
  let max: number | null = null;
  for (const f of rows) {
    const m = modifiedMs(f);
    if (m !== null && (max === null || m > max)) max = m;
  }
  return max;
}
