import { CrmError } from '../../../app/crm/ports.ts';
import type { CrmWriter } from '../../../app/crm/write-ports.ts';
import type { HubspotMapping, ObjectMapping } from '../../../domain/crm/mapping.ts';
import type { EditableField } from '../../../domain/fixpacks/dsl.ts';
import type {
  CrmValues,
  NoteItem,
  Refusal,
  TaskItem,
  UpdateItem,
  WriteBatch,
} from '../../../domain/fixpacks/writeback.ts';
import type { HubspotConnectorOptions } from './connector.ts';
import { HubspotHttp } from './http.ts';
import { parseAnswer } from './responses.ts';
import {
  ASSOCIATION,
  batchAnswer,
  funnelValue,
  type HsObject,
  hubspotValue,
  type Lookups,
  loadLookups,
  noteProperties,
  refusalsOf,
  type Target,
  targetOf,
  taskProperties,
} from './write-values.ts';

/**
 * Writing approved fixes back to HubSpot (issue 16), the CrmWriter port: field changes through
 * `POST /crm/v3/objects/{deals|contacts}/batch/update`, tasks and notes through
 * `POST /crm/v3/objects/{tasks|notes}/batch/create` associated with their record, and the re-read before
 * writing through `POST /crm/v3/objects/{type}/batch/read`; at most 100 inputs per call. Values come in
 * funnel terms and are translated in write-values.ts. A 207 answer's `errors[].context.ids` name the
 * records HubSpot refused; the rest were written.
 */

/** HubSpot's batch limit: 100 inputs per call. */
const BATCH = 100;
/** Owners and stages are re-read after this long (a rep added, a stage renamed). */
const LOOKUP_TTL_MS = 5 * 60_000;

/** One writer's connection: the HTTP client (its pacing shared by every batch) and cached lookups. */
interface Session {
  http: HubspotHttp;
  objects: Record<HsObject, ObjectMapping>;
  lookups(): Promise<Lookups>;
  objectOf(recordId: string): HsObject | null;
}

const hsId = (s: Session, recordId: string) =>
  recordId.slice(s.objects[s.objectOf(recordId)!].idPrefix.length);
const recordIdOf = (s: Session, object: HsObject, id: string) => `${s.objects[object].idPrefix}${id}`;

function session(mapping: HubspotMapping, opts: HubspotConnectorOptions): Session {
  const objects: Record<HsObject, ObjectMapping> = { deals: mapping.deals, contacts: mapping.contacts };
  const now = opts.now ?? Date.now;
  // Writes are approved by a person, so they are not held to the sync's daily share; pacing still applies.
  const http = new HubspotHttp(opts, () => null);
  let cached: Promise<Lookups> | undefined;
  return {
    http,
    objects,
    async lookups() {
      const l = cached ? await cached.catch(() => null) : null;
      if (l !== null && now() - l.atMs < LOOKUP_TTL_MS) return l;
      cached = loadLookups(http, now());
      return cached;
    },
    objectOf(recordId) {
      for (const o of ['deals', 'contacts'] as const) {
        const prefix = objects[o].idPrefix;
        // No prefix: ids are HubSpot's bare numbers, indistinguishable from imported ones; never written.
        if (prefix !== '' && recordId.startsWith(prefix) && recordId.length > prefix.length) return o;
      }
      return null;
    },
  };
}

async function batchRead(
  s: Session,
  object: HsObject,
  ids: readonly string[],
  properties: readonly string[],
) {
  const out = new Map<string, Record<string, string | null>>();
  const path = `/crm/v3/objects/${object}/batch/read`;
  for (let i = 0; i < ids.length; i += BATCH) {
    const body = await s.http.post(path, {
      properties: [...properties],
      propertiesWithHistory: [],
      inputs: ids.slice(i, i + BATCH).map((id) => ({ id })),
    });
    for (const r of parseAnswer(batchAnswer, body, `POST ${path}`).results) out.set(r.id, r.properties);
  }
  return out;
}

/** The current values of these fields, read one batch per object (and 100 records). */
async function read(s: Session, fields: ReadonlyMap<string, readonly EditableField[]>): Promise<CrmValues> {
  const l = await s.lookups();
  const out = new Map<string, Partial<Record<EditableField, string>>>();
  const byObject = new Map<HsObject, [string, readonly EditableField[]][]>();
  for (const [recordId, fs] of fields) {
    const o = s.objectOf(recordId);
    if (o !== null) byObject.set(o, [...(byObject.get(o) ?? []), [recordId, fs]]);
  }
  for (const [object, entries] of byObject) {
    const m = s.objects[object];
    const targets = new Map<EditableField, Target>();
    for (const f of entries.flatMap(([, fs]) => fs)) {
      const t = targetOf(m, object, f);
      if (typeof t !== 'string') targets.set(f, t);
    }
    const properties = [...new Set([...targets.values()].map((t) => t.property))].sort();
    const got = await batchRead(
      s,
      object,
      entries.map(([id]) => hsId(s, id)),
      properties,
    );
    for (const [recordId, fs] of entries) {
      const props = got.get(hsId(s, recordId));
      if (props === undefined) continue;
      const values: Partial<Record<EditableField, string>> = {};
      for (const f of fs) {
        const t = targets.get(f);
        if (t) values[f] = funnelValue(l, m, t, (props[t.property] ?? '').trim());
      }
      out.set(recordId, values);
    }
  }
  return out;
}

/** The properties of one update input, and the fields that cannot be written (with why). */
function updateInput(s: Session, l: Lookups, object: HsObject, i: UpdateItem, pipeline: string | null) {
  const properties: Record<string, string> = {};
  const refused: Refusal[] = [];
  for (const [f, w] of Object.entries(i.fields) as [EditableField, { new: string }][]) {
    const t = targetOf(s.objects[object], object, f);
    const value =
      typeof t === 'string' ? { refused: t } : hubspotValue(l, s.objects[object], t, w.new, pipeline);
    if (typeof value === 'object') refused.push({ recordId: i.recordId, field: f, reason: value.refused });
    else properties[(t as Target).property] = value;
  }
  return { properties, refused };
}

async function writeUpdates(s: Session, object: HsObject, items: readonly UpdateItem[]): Promise<Refusal[]> {
  const l = await s.lookups();
  // A stage is a stage of the deal's own pipeline: read which one, only when a stage is written.
  const pipelines = items.some((i) => i.fields.stage !== undefined)
    ? await batchRead(
        s,
        object,
        items.map((i) => hsId(s, i.recordId)),
        ['pipeline'],
      )
    : new Map<string, Record<string, string | null>>();
  const refused: Refusal[] = [];
  const inputs: { id: string; properties: Record<string, string> }[] = [];
  for (const i of items) {
    const id = hsId(s, i.recordId);
    const one = updateInput(s, l, object, i, pipelines.get(id)?.['pipeline'] ?? null);
    refused.push(...one.refused);
    if (Object.keys(one.properties).length > 0) inputs.push({ id, properties: one.properties });
  }
  if (inputs.length === 0) return refused;
  const path = `/crm/v3/objects/${object}/batch/update`;
  const answer = parseAnswer(batchAnswer, await s.http.post(path, { inputs }), `POST ${path}`);
  return [...refused, ...refusalsOf(answer, (id) => recordIdOf(s, object, id))];
}

async function create(
  s: Session,
  kind: 'task' | 'note',
  object: HsObject,
  items: readonly (TaskItem | NoteItem)[],
): Promise<Refusal[]> {
  const l = kind === 'task' ? await s.lookups() : null;
  // Our trace id per input: a 207 cannot name a record id for what it did not create, so it names ours.
  const trace = (n: number) => `leak-${n}`;
  const inputs = items.map((item, n) => ({
    properties: kind === 'task' ? taskProperties(item as TaskItem, l!) : noteProperties(item as NoteItem),
    associations: [
      {
        to: { id: hsId(s, item.recordId) },
        types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: ASSOCIATION[kind][object] }],
      },
    ],
    objectWriteTraceId: trace(n),
  }));
  const path = `/crm/v3/objects/${kind === 'task' ? 'tasks' : 'notes'}/batch/create`;
  const answer = parseAnswer(batchAnswer, await s.http.post(path, { inputs }), `POST ${path}`);
  const byKey = new Map<string, string>();
  items.forEach((item, n) => {
    byKey.set(trace(n), item.recordId);
    byKey.set(hsId(s, item.recordId), item.recordId);
  });
  return refusalsOf(answer, (k) => byKey.get(k) ?? null);
}

export function hubspotWriter(mapping: HubspotMapping, opts: HubspotConnectorOptions): CrmWriter {
  const s = session(mapping, opts);
  return {
    name: 'hubspot',
    label: 'HubSpot',
    batchSize: BATCH,
    owns: (recordId) => s.objectOf(recordId) !== null,
    objectOf: (recordId) => s.objectOf(recordId) ?? 'none',
    unwritable(recordId, field) {
      const o = s.objectOf(recordId);
      if (o === null) return 'not a HubSpot record';
      const t = targetOf(s.objects[o], o, field);
      return typeof t === 'string' ? t : null;
    },
    read: (fields) => read(s, fields),
    async write(batch: WriteBatch) {
      const object = batch.object as HsObject;
      if (object !== 'deals' && object !== 'contacts')
        throw new CrmError('config', `HubSpot cannot write '${batch.object}' records`);
      if (batch.op === 'update') return { refused: await writeUpdates(s, object, batch.items) };
      return { refused: await create(s, batch.op, object, batch.items) };
    },
  };
}
