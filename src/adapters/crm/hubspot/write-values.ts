import { z } from 'zod';
import { type CrmStage, funnelStage, stageName } from '../../../domain/crm/map-record.ts';
import type { ObjectMapping } from '../../../domain/crm/mapping.ts';
import type { EditableField } from '../../../domain/fixpacks/dsl.ts';
import type { NoteItem, Refusal, TaskItem } from '../../../domain/fixpacks/writeback.ts';
import { normalizeStage } from '../../../domain/records/record.ts';
import type { HubspotHttp } from './http.ts';
import { readOwners } from './lookups.ts';
import { crmObject, parseAnswer, pipelines } from './responses.ts';

/**
 * Funnel values ↔ HubSpot property values for write-back (write.ts): which property a funnel field is
 * written to (and which fields cannot be written), owner names ↔ owner ids, stage labels ↔ pipeline stage
 * ids, the task and note properties, and the batch answers (200, 201, 207 Multi-Status).
 */

export type HsObject = 'deals' | 'contacts';

/** Properties HubSpot computes: writing one fails the call, so a change to a field read from one stays local. */
const COMPUTED = new Set([
  'notes_next_activity_date',
  'notes_last_updated',
  'notes_last_contacted',
  'hs_last_sales_activity_timestamp',
  'hs_email_domain',
  'hs_analytics_source',
  'createdate',
  'lastmodifieddate',
  'hs_lastmodifieddate',
  'hs_object_id',
]);

/** HubSpot-defined association types (v4 docs): task → contact 204, task → deal 216, note → 202 / 214. */
export const ASSOCIATION: Record<'task' | 'note', Record<HsObject, number>> = {
  task: { contacts: 204, deals: 216 },
  note: { contacts: 202, deals: 214 },
};

/** A batch answer (200, 201 or 207 Multi-Status): what was written, and per error the ids it names. */
export const batchAnswer = z.object({
  status: z.string().optional(),
  results: z.array(crmObject).default([]),
  errors: z
    .array(
      z.object({
        status: z.string().optional(),
        category: z.string().optional(),
        message: z.string().default(''),
        context: z.record(z.string(), z.array(z.coerce.string())).optional(),
      }),
    )
    .default([]),
});
export type BatchAnswer = z.infer<typeof batchAnswer>;

/** Refusals named by a 207's errors: `context.ids` (records) or `objectWriteTraceId` (our trace ids). */
export function refusalsOf(answer: BatchAnswer, toRecord: (key: string) => string | null): Refusal[] {
  return answer.errors.flatMap((e) => {
    const reason = `${e.category ?? 'ERROR'}: ${e.message}`.slice(0, 300);
    const keys = [...(e.context?.['ids'] ?? []), ...(e.context?.['objectWriteTraceId'] ?? [])];
    return keys.flatMap((k) => {
      const recordId = toRecord(k);
      return recordId === null ? [] : [{ recordId, reason }];
    });
  });
}

/** How a funnel field is written: the property, and how its value translates. */
export type Target = { kind: 'plain' | 'owner' | 'stage'; property: string };

/** The property a field is written to, or why it cannot be (the reason the preview shows). */
export function targetOf(m: ObjectMapping, object: HsObject, field: EditableField): Target | string {
  const s = m.fields[field];
  if (s.kind === 'owner') return { kind: 'owner', property: s.name };
  if (s.kind === 'stage')
    return object === 'deals' ? { kind: 'stage', property: s.name } : `${s.name} is not a deal stage`;
  if (s.kind === 'company') return `${field} comes from the company's ${s.name}`;
  if (s.kind !== 'property') return `${field} is not read from a single HubSpot property`;
  if (COMPUTED.has(s.name)) return `HubSpot computes ${s.name}`;
  // A contact's lifecycle stage is mapped onto funnel stages many-to-one: there is no way back.
  if (field === 'stage') return `the funnel stage does not map back to ${s.name}`;
  return { kind: 'plain', property: s.name };
}

interface Stage extends CrmStage {
  id: string;
  pipeline: string;
}

/** Active owners (id → name) and every deal stage with its pipeline, read when the writer needs them. */
export interface Lookups {
  atMs: number;
  owners: Map<string, string>;
  stages: Stage[];
}

export async function loadLookups(http: HubspotHttp, nowMs: number): Promise<Lookups> {
  const owners = await readOwners(http);
  const body = await http.get('/crm/v3/pipelines/deals');
  const stages: Stage[] = [];
  for (const p of parseAnswer(pipelines, body, 'GET /crm/v3/pipelines/deals').results)
    for (const s of p.stages) {
      const raw = s.metadata['probability'];
      const probability = raw === undefined || raw === null || raw === '' ? null : Number(raw);
      stages.push({
        id: s.id,
        pipeline: p.id,
        label: s.label,
        probability: Number.isFinite(probability) ? probability : null,
        closed: s.metadata['isClosed'] === 'true',
      });
    }
  return { atMs: nowMs, owners, stages };
}

/** A stage as the funnel names it: the sync's own rule (domain/crm/map-record.ts funnelStage). */
const stageText = (m: ObjectMapping, s: Stage | undefined, raw: string): string =>
  funnelStage(m, s, s ? stageName(s) : raw, raw);

/** HubSpot's value of a field in funnel terms (what the sync would store). */
export function funnelValue(l: Lookups, m: ObjectMapping, t: Target, v: string): string {
  if (t.kind === 'plain') return v;
  if (t.kind === 'owner') return v === '' ? '' : (l.owners.get(v) ?? '');
  return stageText(
    m,
    l.stages.find((s) => s.id === v),
    v,
  );
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export const ownerIdOf = (l: Lookups, name: string): string[] =>
  [...l.owners].filter(([, n]) => sameName(n, name)).map(([id]) => id);

/** A funnel value as HubSpot stores it (in the deal's own pipeline for a stage), or why it has none. */
export function hubspotValue(
  l: Lookups,
  m: ObjectMapping,
  t: Target,
  v: string,
  pipeline: string | null,
): string | { refused: string } {
  if (t.kind === 'plain' || v.trim() === '') return v;
  if (t.kind === 'owner') {
    const ids = ownerIdOf(l, v);
    if (ids.length === 1) return ids[0]!;
    return {
      refused:
        ids.length === 0
          ? `no active HubSpot owner is named '${v}'`
          : `several HubSpot owners are named '${v}'`,
    };
  }
  const want = normalizeStage(v);
  const matches = l.stages.filter(
    (s) => normalizeStage(stageText(m, s, s.id)) === want || normalizeStage(s.label) === want,
  );
  const inPipeline = matches.filter((s) => s.pipeline === pipeline);
  const pick = inPipeline.length > 0 ? inPipeline : matches;
  if (pick.length === 1) return pick[0]!.id;
  return {
    refused:
      pick.length === 0
        ? `no deal stage '${v}' in HubSpot${pipeline ? ` (pipeline ${pipeline})` : ''}`
        : `several deal stages are named '${v}'`,
  };
}

export function taskProperties(t: TaskItem, l: Lookups): Record<string, string> {
  const [owner] = ownerIdOf(l, t.assignee);
  return {
    hs_task_subject: t.title,
    hs_task_body: `Created by Revenue Leak SRE for ${t.assignee}`,
    hs_task_status: 'NOT_STARTED',
    hs_task_priority: t.priority === 'high' ? 'HIGH' : 'MEDIUM',
    hs_task_type: 'TODO',
    hs_timestamp: new Date(t.dueAtMs).toISOString(),
    ...(owner ? { hubspot_owner_id: owner } : {}),
  };
}

export const noteProperties = (n: NoteItem): Record<string, string> => ({
  hs_note_body: n.text,
  hs_timestamp: new Date(n.atMs).toISOString(),
});
