import { z } from 'zod';
import { type CrmStage, funnelStage, stageName } from '../../../domain/crm/map-record.ts';
import type { ObjectMapping } from '../../../domain/crm/mapping.ts';
import type { EditableField } from '../../../domain/fixpacks/dsl.ts';
import type { NoteItem, Refusal, TaskItem } from '../../../domain/fixpacks/writeback.ts';
import { normalizeStage } from '../../../domain/records/record.ts';

/**
 * Funnel values ↔ Salesforce field values for write-back (write.ts): which field a funnel field is written
 * to (and which cannot be), owner names ↔ active User ids, funnel stages ↔ StageName, the Task and
 * ContentNote records, and the sObject Collections answer (one `{id, success, errors}` per record, in
 * request order).
 */

export type SfObject = 'Lead' | 'Opportunity';

/** Fields Salesforce computes (or a Lead's compound Name): a change to a field read from one stays local. */
const COMPUTED = new Set([
  'Id',
  'CreatedDate',
  'LastModifiedDate',
  'SystemModstamp',
  'LastActivityDate',
  'IsClosed',
  'IsWon',
  'ForecastCategory',
]);

/** How a funnel field is written: the field, and how its value translates. */
export type Target = { kind: 'plain' | 'owner' | 'stage'; field: string };

/** The field a funnel field is written to, or why it cannot be (the reason the preview shows). */
export function targetOf(m: ObjectMapping, object: SfObject, field: EditableField): Target | string {
  const s = m.fields[field];
  if (s.kind === 'owner') return { kind: 'owner', field: s.name };
  if (s.kind === 'stage')
    return object === 'Opportunity' ? { kind: 'stage', field: s.name } : `${s.name} is not a sales stage`;
  if (s.kind === 'company') return `${field} comes from the Account's ${s.name}`;
  if (s.kind !== 'property') return `${field} is not read from a single Salesforce field`;
  if (s.name.includes('.')) return `${field} comes from ${s.name}, a parent record's field`;
  if (COMPUTED.has(s.name) || (object === 'Lead' && s.name === 'Name'))
    return `Salesforce computes ${s.name}`;
  // A lead's Status is mapped onto funnel stages (possibly many-to-one): there is no sure way back.
  if (field === 'stage') return `the funnel stage does not map back to ${s.name}`;
  return { kind: 'plain', field: s.name };
}

/** Active users (id → name) and every opportunity stage by API name, read when the writer needs them. */
export interface Lookups {
  atMs: number;
  owners: Map<string, string>;
  stages: Map<string, CrmStage>;
}

/** A stage as the funnel names it: the sync's own rule (domain/crm/map-record.ts funnelStage). */
const stageText = (m: ObjectMapping, s: CrmStage | undefined, raw: string): string =>
  funnelStage(m, s, s ? stageName(s) : raw, raw);

/** Salesforce's value of a field in funnel terms (what the sync would store). */
export function funnelValue(l: Lookups, m: ObjectMapping, t: Target, v: string): string {
  if (t.kind === 'plain') return v;
  if (t.kind === 'owner') return v === '' ? '' : (l.owners.get(v) ?? '');
  return v === '' ? '' : stageText(m, l.stages.get(v), v);
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export const userIdsOf = (l: Lookups, name: string): string[] =>
  [...l.owners].filter(([, n]) => sameName(n, name)).map(([id]) => id);

/** A funnel value as Salesforce stores it (null clears a field), or why it has none. */
export function salesforceValue(
  l: Lookups,
  m: ObjectMapping,
  t: Target,
  v: string,
): string | null | { refused: string } {
  if (t.kind === 'plain') return v.trim() === '' ? null : v;
  if (t.kind === 'owner') {
    if (v.trim() === '') return { refused: `Salesforce requires an owner: ${t.field} cannot be cleared` };
    const ids = userIdsOf(l, v);
    if (ids.length === 1) return ids[0]!;
    return {
      refused:
        ids.length === 0
          ? `no active Salesforce user is named '${v}'`
          : `several active Salesforce users are named '${v}'`,
    };
  }
  if (v.trim() === '') return { refused: `${t.field} cannot be cleared` };
  const want = normalizeStage(v);
  const all = [...l.stages];
  // The stage of that very name first; else the one stage the mapping turns into it.
  const exact = all.filter(([api, s]) => normalizeStage(api) === want || normalizeStage(s.label) === want);
  const pick =
    exact.length > 0 ? exact : all.filter(([api, s]) => normalizeStage(stageText(m, s, api)) === want);
  if (pick.length === 1) return pick[0]![0];
  return {
    refused:
      pick.length === 0
        ? `no opportunity stage '${v}' in Salesforce`
        : `several Salesforce stages map to '${v}' (${pick.map(([api]) => api).join(', ')})`,
  };
}

/** The Task a task item becomes: on a lead by WhoId, on an opportunity by WhatId. */
export function taskRecord(t: TaskItem, object: SfObject, sfId: string, l: Lookups): Record<string, unknown> {
  const [owner] = userIdsOf(l, t.assignee);
  return {
    attributes: { type: 'Task' },
    Subject: t.title.slice(0, 255),
    Description: `Created by Revenue Leak SRE for ${t.assignee}`,
    Status: 'Not Started',
    Priority: t.priority === 'high' ? 'High' : 'Normal',
    ActivityDate: new Date(t.dueAtMs).toISOString().slice(0, 10),
    ...(object === 'Lead' ? { WhoId: sfId } : { WhatId: sfId }),
    ...(owner ? { OwnerId: owner } : {}),
  };
}

/** The ContentNote a note item becomes (its Content is base64 text), linked to the record afterwards. */
export const noteRecord = (n: NoteItem): Record<string, unknown> => ({
  attributes: { type: 'ContentNote' },
  Title: (n.text.split('\n')[0] ?? '').slice(0, 255) || 'Revenue Leak SRE',
  Content: Buffer.from(escapeHtml(n.text), 'utf8').toString('base64'),
});

const escapeHtml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('\n', '<br>');

/** The sObject Collections answer: one result per record, in request order. */
export const collectionAnswer = z.array(
  z.object({
    id: z.string().nullish(),
    success: z.boolean(),
    errors: z
      .array(
        z.object({
          statusCode: z.string().default('ERROR'),
          message: z.string().default(''),
          fields: z.array(z.string()).default([]),
        }),
      )
      .default([]),
  }),
);
export type CollectionAnswer = z.infer<typeof collectionAnswer>;

/** Refusals for the failed entries, matched to the records sent by position. */
export function refusalsOf(answer: CollectionAnswer, sent: readonly string[]): Refusal[] {
  const out: Refusal[] = [];
  answer.forEach((r, n) => {
    const recordId = sent[n];
    if (r.success || recordId === undefined) return;
    const e = r.errors[0];
    const reason = e
      ? `${e.statusCode}: ${e.message}${e.fields.length > 0 ? ` (${e.fields.join(', ')})` : ''}`
      : 'refused without a reason';
    out.push({ recordId, reason: reason.slice(0, 300) });
  });
  return out;
}
