import type { CrmWriter } from '../../../app/crm/write-ports.ts';
import type { HubspotMapping } from '../../../domain/crm/mapping.ts';
import type { EditableField } from '../../../domain/fixpacks/dsl.ts';
import type { NoteItem, Refusal, TaskItem, UpdateItem } from '../../../domain/fixpacks/writeback.ts';
import { CrmObjects, cachedLookups, crmWriter } from '../writer-kit.ts';
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

/** One writer's connection: the HTTP client (its pacing shared by every batch), objects and cached lookups. */
interface Session {
  http: HubspotHttp;
  objects: CrmObjects<HsObject>;
  lookups(): Promise<Lookups>;
}

function session(mapping: HubspotMapping, opts: HubspotConnectorOptions): Session {
  const now = opts.now ?? Date.now;
  // Writes are approved by a person, so they are not held to the sync's daily share; pacing still applies.
  const http = new HubspotHttp(opts, () => null);
  return {
    http,
    // Ids are HubSpot's numbers after the prefix.
    objects: new CrmObjects({ deals: mapping.deals, contacts: mapping.contacts }, (id) => id.length > 0),
    lookups: cachedLookups(() => loadLookups(http, now()), now),
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

/** The properties of one update input, and the fields that cannot be written (with why). */
function updateInput(s: Session, l: Lookups, object: HsObject, i: UpdateItem, pipeline: string | null) {
  const properties: Record<string, string> = {};
  const refused: Refusal[] = [];
  for (const [f, w] of Object.entries(i.fields) as [EditableField, { new: string }][]) {
    const m = s.objects.mapping(object);
    const t = targetOf(m, object, f);
    const value = typeof t === 'string' ? { refused: t } : hubspotValue(l, m, t, w.new, pipeline);
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
        items.map((i) => s.objects.crmId(i.recordId)),
        ['pipeline'],
      )
    : new Map<string, Record<string, string | null>>();
  const refused: Refusal[] = [];
  const inputs: { id: string; properties: Record<string, string> }[] = [];
  for (const i of items) {
    const id = s.objects.crmId(i.recordId);
    const one = updateInput(s, l, object, i, pipelines.get(id)?.['pipeline'] ?? null);
    refused.push(...one.refused);
    if (Object.keys(one.properties).length > 0) inputs.push({ id, properties: one.properties });
  }
  if (inputs.length === 0) return refused;
  const path = `/crm/v3/objects/${object}/batch/update`;
  const answer = parseAnswer(batchAnswer, await s.http.post(path, { inputs }), `POST ${path}`);
  return [...refused, ...refusalsOf(answer, (id) => s.objects.recordId(object, id))];
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
        to: { id: s.objects.crmId(item.recordId) },
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
    byKey.set(s.objects.crmId(item.recordId), item.recordId);
  });
  return refusalsOf(answer, (k) => byKey.get(k) ?? null);
}

export function hubspotWriter(mapping: HubspotMapping, opts: HubspotConnectorOptions): CrmWriter {
  const s = session(mapping, opts);
  return crmWriter({
    name: 'hubspot',
    label: 'HubSpot',
    batchSize: BATCH,
    reader: {
      objects: s.objects,
      lookups: s.lookups,
      targetOf,
      column: (t) => t.property,
      fetch: (object, ids, properties) => batchRead(s, object, ids, properties),
      funnelValue,
    },
    async write(object, batch) {
      if (batch.op === 'update') return { refused: await writeUpdates(s, object, batch.items) };
      return { refused: await create(s, batch.op, object, batch.items) };
    },
  });
}
