import type { CrmStream } from '../../../app/crm/ports.ts';
import { CrmError } from '../../../app/crm/ports.ts';
import { needsLookup, propertiesToFetch } from '../../../domain/crm/mapping.ts';
import { SALESFORCE_MODIFIED_FIELD } from '../../../domain/crm/mapping-salesforce.ts';
import { sourcesIn } from '../../../domain/crm/source.ts';

/**
 * The SOQL the connector sends, built from the mapping. Field names come from the mapping file, whose
 * property names are letters, digits, `_` and `.` only (domain/crm/source.ts), so they cannot break out
 * of the select list; ids are checked to be Salesforce ids before they are quoted into a filter.
 *
 * Where a read is (`Position`) is a keyset, so a read stopped anywhere resumes with a new query instead
 * of a query locator, which Salesforce expires after 15 minutes unused:
 * - full: every record in Id order, after `afterId`;
 * - incremental: records by (SystemModstamp, Id) from `sinceMs` on, after `afterId` at that instant.
 */

export type SObject = 'Lead' | 'Opportunity';

export interface ObjectPlan {
  object: SObject;
  /** The select list: the mapping's fields, the Account's (`Account.X`), and what the reader needs. */
  fields: string[];
  /** The Account fields `company` sources read (opportunities), without the `Account.` prefix. */
  companyFields: string[];
  /** The field a `stage` source reads (StageName), or null. */
  stageField: string | null;
}

export type Position =
  | { mode: 'full'; afterId: string | null }
  | { mode: 'incremental'; sinceMs: number; afterId: string | null };

/** A read continued by a Bulk API 2.0 job (bulk.ts). */
export interface BulkState {
  /** Null until the job is created. */
  job: string | null;
  /** The next results page (null: the first). */
  locator: string | null;
  /** The keyset the job's query starts at. */
  from: Position;
  /** The latest SystemModstamp read from the job so far (incremental reads). */
  maxMs: number | null;
}

/** A checkpoint: where a REST read is, or the Bulk job carrying it on. */
export type Resume = { pos: Position } | { bulk: BulkState };

export const OBJECT_OF: Record<string, SObject> = { leads: 'Lead', opportunities: 'Opportunity' };

export function planFor(stream: CrmStream): ObjectPlan {
  const object = OBJECT_OF[stream.key];
  if (object === undefined) throw new Error(`Salesforce does not sync '${stream.key}'`);
  const { record, company } = propertiesToFetch(stream.mapping);
  const stage = needsLookup(stream.mapping, 'stage');
  // The record's own IsClosed and IsWon place a stage OpportunityStage no longer lists (see lookups.ts).
  const extra = ['Id', 'CreatedDate', SALESFORCE_MODIFIED_FIELD, ...(stage ? ['IsClosed', 'IsWon'] : [])];
  const fields = [...new Set([...record, ...company.map((f) => `Account.${f}`), ...extra])].sort();
  const stageField =
    Object.values(stream.mapping.fields)
      .flatMap((s) => [...sourcesIn(s)])
      .find((s) => s.kind === 'stage')?.name ?? null;
  return { object, fields, companyFields: company, stageField };
}

const SF_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

export function checkedId(id: string | null | undefined, object: string): string {
  if (typeof id === 'string' && SF_ID.test(id)) return id;
  throw new CrmError(
    'bad_response',
    `Salesforce returned a ${object} without a valid Id (${String(id).slice(0, 40)})`,
  );
}

/** A SOQL datetime literal, to the second (SOQL's own precision; stored modstamps carry .000). */
export const soqlTime = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function whereOf(pos: Position): string | null {
  if (pos.mode === 'full') return pos.afterId === null ? null : `Id > '${pos.afterId}'`;
  const t = soqlTime(pos.sinceMs);
  const m = SALESFORCE_MODIFIED_FIELD;
  if (pos.afterId === null) return `${m} >= ${t}`;
  // Flooring to the second can only read the boundary second again, never skip past part of it.
  return `(${m} > ${t} OR (${m} = ${t} AND Id > '${pos.afterId}'))`;
}

/** The REST query, in keyset order. Bulk jobs take no ORDER BY (it turns PK chunking off). */
export function soql(plan: ObjectPlan, pos: Position, ordered: boolean): string {
  const where = whereOf(pos);
  const order = pos.mode === 'full' ? 'Id' : `${SALESFORCE_MODIFIED_FIELD}, Id`;
  return [
    `SELECT ${plan.fields.join(', ')} FROM ${plan.object}`,
    ...(where === null ? [] : [`WHERE ${where}`]),
    ...(ordered ? [`ORDER BY ${order}`] : []),
  ].join(' ');
}
