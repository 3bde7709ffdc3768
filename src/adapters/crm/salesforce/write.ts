import type { CrmWriter } from '../../../app/crm/write-ports.ts';
import type { SalesforceMapping } from '../../../domain/crm/mapping.ts';
import type { EditableField } from '../../../domain/fixpacks/dsl.ts';
import type { NoteItem, Refusal, TaskItem, UpdateItem } from '../../../domain/fixpacks/writeback.ts';
import { CrmObjects, cachedLookups, crmWriter } from '../writer-kit.ts';
import { SalesforceHttp, type SalesforceHttpOptions } from './http.ts';
import { readOwners, readStages } from './lookups.ts';
import { flatten, parseAnswer, queryPage } from './responses.ts';
import {
  collectionAnswer,
  funnelValue,
  type Lookups,
  noteRecord,
  refusalsOf,
  type SfObject,
  salesforceValue,
  type Target,
  targetOf,
  taskRecord,
} from './write-values.ts';

/**
 * Writing approved fixes back to Salesforce (issue 16), the CrmWriter port: field changes through sObject
 * Collections (`PATCH /services/data/vXX.X/composite/sobjects`, `allOrNone: false`), tasks as Task records
 * and notes as a ContentNote linked to the record (ContentDocumentLink) through
 * `POST …/composite/sobjects`, and the re-read before writing through SOQL (`WHERE Id IN (…)`); at most 200
 * records per call. Values come in funnel terms and are translated in write-values.ts. The answer lists
 * one result per record in request order; those with `success: false` are the records refused.
 */

/** sObject Collections' limit: 200 records per call (and 200 ids keep a SOQL `IN` well under its limits). */
const BATCH = 200;
/** Salesforce Ids are 15 or 18 letters and digits: anything else never reaches a query. */
const SF_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

interface Session {
  http: SalesforceHttp;
  objects: CrmObjects<SfObject>;
  lookups(): Promise<Lookups>;
}

function session(mapping: SalesforceMapping, opts: SalesforceHttpOptions): Session {
  const now = opts.now ?? Date.now;
  // Writes are approved by a person, so they are not held to the sync's daily share.
  const http = new SalesforceHttp(opts, () => null);
  return {
    http,
    objects: new CrmObjects({ Lead: mapping.leads, Opportunity: mapping.opportunities }, (id) =>
      SF_ID.test(id),
    ),
    lookups: cachedLookups(
      async () => ({ atMs: now(), owners: await readOwners(http), stages: await readStages(http) }),
      now,
    ),
  };
}

/** The records' fields by SOQL, 200 ids a query; records Salesforce lacks (or hides) are absent. */
async function select(s: Session, object: SfObject, ids: readonly string[], fields: readonly string[]) {
  const out = new Map<string, Record<string, string | null>>();
  const list = [...new Set(['Id', ...fields])].join(', ');
  for (let i = 0; i < ids.length; i += BATCH) {
    const inList = ids
      .slice(i, i + BATCH)
      .map((id) => `'${id}'`)
      .join(', ');
    let page = parseAnswer(
      queryPage,
      await s.http.query(`SELECT ${list} FROM ${object} WHERE Id IN (${inList})`),
      `GET /query (${object})`,
    );
    for (;;) {
      for (const r of page.records) {
        const f = flatten(r);
        if (f['Id']) out.set(f['Id'], f);
      }
      if (page.done || page.nextRecordsUrl === undefined) break;
      page = parseAnswer(queryPage, await s.http.getJson(page.nextRecordsUrl), `GET /query (${object})`);
    }
  }
  return out;
}

/** Salesforce's 18-letter Id may come back for the 15-letter one asked: match on the first 15. */
const same15 = (got: Map<string, Record<string, string | null>>, id: string) =>
  got.get(id) ?? [...got].find(([k]) => k.slice(0, 15) === id.slice(0, 15))?.[1];

/** Sends records through sObject Collections; answers the refusals, matched by position. */
async function collection(
  s: Session,
  method: 'PATCH' | 'POST',
  records: readonly Record<string, unknown>[],
  recordIds: readonly string[],
): Promise<{ refused: Refusal[]; ids: (string | null)[] }> {
  const path = `${s.http.dataPath}/composite/sobjects`;
  const body = { allOrNone: false, records };
  const raw = method === 'PATCH' ? await s.http.patchJson(path, body) : await s.http.postJson(path, body);
  const answer = parseAnswer(collectionAnswer, raw, `${method} /composite/sobjects`);
  return {
    refused: refusalsOf(answer, recordIds),
    ids: recordIds.map((_, n) => (answer[n]?.success ? (answer[n]?.id ?? null) : null)),
  };
}

async function writeUpdates(s: Session, object: SfObject, items: readonly UpdateItem[]): Promise<Refusal[]> {
  const l = await s.lookups();
  const m = s.objects.mapping(object);
  const refused: Refusal[] = [];
  const records: Record<string, unknown>[] = [];
  const sent: string[] = [];
  for (const i of items) {
    const record: Record<string, unknown> = { attributes: { type: object }, id: s.objects.crmId(i.recordId) };
    let any = false;
    for (const [f, w] of Object.entries(i.fields) as [EditableField, { new: string }][]) {
      const t = targetOf(m, object, f);
      const value = typeof t === 'string' ? { refused: t } : salesforceValue(l, m, t, w.new);
      if (value !== null && typeof value === 'object')
        refused.push({ recordId: i.recordId, field: f, reason: value.refused });
      else {
        record[(t as Target).field] = value;
        any = true;
      }
    }
    if (any) {
      records.push(record);
      sent.push(i.recordId);
    }
  }
  if (records.length === 0) return refused;
  return [...refused, ...(await collection(s, 'PATCH', records, sent)).refused];
}

async function createTasks(s: Session, object: SfObject, items: readonly TaskItem[]): Promise<Refusal[]> {
  const l = await s.lookups();
  const records = items.map((t) => taskRecord(t, object, s.objects.crmId(t.recordId), l));
  return (
    await collection(
      s,
      'POST',
      records,
      items.map((t) => t.recordId),
    )
  ).refused;
}

/** A ContentNote per item, then one ContentDocumentLink each to its record (shared as Viewer). */
async function createNotes(s: Session, items: readonly NoteItem[]): Promise<Refusal[]> {
  const recordIds = items.map((n) => n.recordId);
  const notes = await collection(s, 'POST', items.map(noteRecord), recordIds);
  const links: Record<string, unknown>[] = [];
  const linked: string[] = [];
  items.forEach((n, k) => {
    const doc = notes.ids[k];
    if (doc === null || doc === undefined) return;
    links.push({
      attributes: { type: 'ContentDocumentLink' },
      ContentDocumentId: doc,
      LinkedEntityId: s.objects.crmId(n.recordId),
      ShareType: 'V',
    });
    linked.push(n.recordId);
  });
  if (links.length === 0) return notes.refused;
  return [...notes.refused, ...(await collection(s, 'POST', links, linked)).refused];
}

export function salesforceWriter(mapping: SalesforceMapping, opts: SalesforceHttpOptions): CrmWriter {
  const s = session(mapping, opts);
  return crmWriter({
    name: 'salesforce',
    label: 'Salesforce',
    batchSize: BATCH,
    reader: {
      objects: s.objects,
      lookups: s.lookups,
      targetOf,
      column: (t) => t.field,
      fetch: (object, ids, fields) => select(s, object, ids, fields),
      rowOf: same15,
      funnelValue,
    },
    async write(object, batch) {
      if (batch.op === 'update') return { refused: await writeUpdates(s, object, batch.items) };
      if (batch.op === 'task') return { refused: await createTasks(s, object, batch.items) };
      return { refused: await createNotes(s, batch.items) };
    },
  });
}
