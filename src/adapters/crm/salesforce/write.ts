import { CrmError } from '../../../app/crm/ports.ts';
import type { CrmWriter } from '../../../app/crm/write-ports.ts';
import type { ObjectMapping, SalesforceMapping } from '../../../domain/crm/mapping.ts';
import type { EditableField } from '../../../domain/fixpacks/dsl.ts';
import type {
  CrmValues,
  NoteItem,
  Refusal,
  TaskItem,
  UpdateItem,
  WriteBatch,
} from '../../../domain/fixpacks/writeback.ts';
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
const LOOKUP_TTL_MS = 5 * 60_000;
/** Salesforce Ids are 15 or 18 letters and digits: anything else never reaches a query. */
const SF_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

interface Session {
  http: SalesforceHttp;
  objects: Record<SfObject, ObjectMapping>;
  lookups(): Promise<Lookups>;
  objectOf(recordId: string): SfObject | null;
}

const sfId = (s: Session, recordId: string) =>
  recordId.slice(s.objects[s.objectOf(recordId)!].idPrefix.length);

function session(mapping: SalesforceMapping, opts: SalesforceHttpOptions): Session {
  const objects: Record<SfObject, ObjectMapping> = {
    Lead: mapping.leads,
    Opportunity: mapping.opportunities,
  };
  const now = opts.now ?? Date.now;
  // Writes are approved by a person, so they are not held to the sync's daily share.
  const http = new SalesforceHttp(opts, () => null);
  let cached: Promise<Lookups> | undefined;
  const load = async (): Promise<Lookups> => ({
    atMs: now(),
    owners: await readOwners(http),
    stages: await readStages(http),
  });
  return {
    http,
    objects,
    async lookups() {
      const l = cached ? await cached.catch(() => null) : null;
      if (l !== null && now() - l.atMs < LOOKUP_TTL_MS) return l;
      cached = load();
      return cached;
    },
    objectOf(recordId) {
      for (const o of ['Lead', 'Opportunity'] as const) {
        const prefix = objects[o].idPrefix;
        if (prefix !== '' && recordId.startsWith(prefix) && SF_ID.test(recordId.slice(prefix.length)))
          return o;
      }
      return null;
    },
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

async function read(s: Session, fields: ReadonlyMap<string, readonly EditableField[]>): Promise<CrmValues> {
  const out = new Map<string, Partial<Record<EditableField, string>>>();
  const byObject = new Map<SfObject, [string, readonly EditableField[]][]>();
  for (const [recordId, fs] of fields) {
    const o = s.objectOf(recordId);
    if (o !== null) byObject.set(o, [...(byObject.get(o) ?? []), [recordId, fs]]);
  }
  if (byObject.size === 0) return out;
  const l = await s.lookups();
  for (const [object, entries] of byObject) {
    const m = s.objects[object];
    const targets = new Map<EditableField, Target>();
    for (const f of entries.flatMap(([, fs]) => fs)) {
      const t = targetOf(m, object, f);
      if (typeof t !== 'string') targets.set(f, t);
    }
    const columns = [...new Set([...targets.values()].map((t) => t.field))].sort();
    const got = await select(
      s,
      object,
      entries.map(([id]) => sfId(s, id)),
      columns,
    );
    for (const [recordId, fs] of entries) {
      const row = same15(got, sfId(s, recordId));
      if (row === undefined) continue;
      const values: Partial<Record<EditableField, string>> = {};
      for (const f of fs) {
        const t = targets.get(f);
        if (t) values[f] = funnelValue(l, m, t, (row[t.field] ?? '').trim());
      }
      out.set(recordId, values);
    }
  }
  return out;
}

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
  const m = s.objects[object];
  const refused: Refusal[] = [];
  const records: Record<string, unknown>[] = [];
  const sent: string[] = [];
  for (const i of items) {
    const record: Record<string, unknown> = { attributes: { type: object }, id: sfId(s, i.recordId) };
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
  const records = items.map((t) => taskRecord(t, object, sfId(s, t.recordId), l));
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
      LinkedEntityId: sfId(s, n.recordId),
      ShareType: 'V',
    });
    linked.push(n.recordId);
  });
  if (links.length === 0) return notes.refused;
  return [...notes.refused, ...(await collection(s, 'POST', links, linked)).refused];
}

export function salesforceWriter(mapping: SalesforceMapping, opts: SalesforceHttpOptions): CrmWriter {
  const s = session(mapping, opts);
  return {
    name: 'salesforce',
    label: 'Salesforce',
    batchSize: BATCH,
    owns: (recordId) => s.objectOf(recordId) !== null,
    objectOf: (recordId) => s.objectOf(recordId) ?? 'none',
    unwritable(recordId, field) {
      const o = s.objectOf(recordId);
      if (o === null) return 'not a Salesforce record';
      const t = targetOf(s.objects[o], o, field);
      return typeof t === 'string' ? t : null;
    },
    read: (fields) => read(s, fields),
    async write(batch: WriteBatch) {
      const object = batch.object as SfObject;
      if (object !== 'Lead' && object !== 'Opportunity')
        throw new CrmError('config', `Salesforce cannot write '${batch.object}' records`);
      if (batch.op === 'update') return { refused: await writeUpdates(s, object, batch.items) };
      if (batch.op === 'task') return { refused: await createTasks(s, object, batch.items) };
      return { refused: await createNotes(s, batch.items) };
    },
  };
}
