import type { EditableField } from './dsl.ts';
import type { Plan } from './types.ts';

/**
 * Write-back (issue 16): what an approved fix sends to the CRM its records came from, as batches of one
 * kind of write on one kind of object, each within the CRM's batch limit. Pure: which records a CRM owns,
 * how they are grouped and which fields it can take are the connector's answers (WriteTarget); the
 * values stay in funnel terms (an owner's name, a stage's label) and the connector translates them.
 */

/** One field of one record as the fix changes it. */
export interface FieldWrite {
  old: string;
  new: string;
}

export interface UpdateItem {
  recordId: string;
  fields: Partial<Record<EditableField, FieldWrite>>;
}

export interface TaskItem {
  recordId: string;
  title: string;
  /** The owner's name (the connector resolves it), or "Unassigned". */
  assignee: string;
  dueAtMs: number;
  priority: 'high' | 'normal';
}

export interface NoteItem {
  recordId: string;
  /** What the fix appended to the record's notes (the note's body). */
  text: string;
  atMs: number;
}

interface BatchOf<O extends string, I> {
  batchNo: number;
  op: O;
  /** The connector's object group (`deals`, `contacts`): one batch call writes one kind of object. */
  object: string;
  items: I[];
}

export type WriteBatch =
  | BatchOf<'update', UpdateItem>
  | BatchOf<'task', TaskItem>
  | BatchOf<'note', NoteItem>;
export type WriteOp = WriteBatch['op'];

/** A record (or one field of it) that was not written, and why, in the CRM's words where it gave them. */
export interface Refusal {
  recordId: string;
  field?: string;
  reason: string;
}

/** What the connector decides about records (app/crm/write-ports.ts CrmWriter has these). */
export interface WriteTarget {
  /** Whether the funnel record came from this CRM (`hs-deal-…`); no other record is ever written to it. */
  owns(recordId: string): boolean;
  /** The object group the record is written in. */
  objectOf(recordId: string): string;
  /** Why this field of this record cannot be written (a computed property, a company field), or null. */
  unwritable(recordId: string, field: EditableField): string | null;
  /** Inputs per batch call (HubSpot: 100). */
  batchSize: number;
}

export interface WritePlan {
  batches: WriteBatch[];
  /** Changes to CRM records that stay local: fields the CRM cannot take. */
  localOnly: Refusal[];
}

/** The line a fix appended to the notes (appendLine in fixpacks/merge.ts): the new text after the old. */
export function appendedText(old: string, next: string): string {
  if (old !== '' && next.startsWith(old)) return next.slice(old.length).replace(/^\n/, '');
  return next;
}

const chunk = <T>(xs: readonly T[], n: number): T[][] =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/** Groups items by object and cuts them into batches, numbering batches from `first`. */
function batchesOf<O extends WriteOp, I extends { recordId: string }>(
  op: O,
  items: readonly I[],
  t: WriteTarget,
  first: number,
): BatchOf<O, I>[] {
  const byObject = new Map<string, I[]>();
  for (const i of items) {
    const o = t.objectOf(i.recordId);
    byObject.set(o, [...(byObject.get(o) ?? []), i]);
  }
  const out: BatchOf<O, I>[] = [];
  for (const object of [...byObject.keys()].sort())
    for (const part of chunk(byObject.get(object)!, Math.max(1, t.batchSize)))
      out.push({ batchNo: first + out.length, op, object, items: part });
  return out;
}

/**
 * The writes a plan makes to one CRM: field updates (one item per record, every field it changes),
 * tasks, and the notes appended (a note object each). Records the CRM does not own are left out.
 */
export function planCrmWrites(plan: Plan, t: WriteTarget, nowMs: number): WritePlan {
  const updates = new Map<string, UpdateItem>();
  const notes: NoteItem[] = [];
  const localOnly: Refusal[] = [];
  for (const c of plan.changes) {
    if (!t.owns(c.recordId)) continue;
    if (c.field === 'notes') {
      const text = appendedText(c.old, c.new).trim();
      if (text !== '') notes.push({ recordId: c.recordId, text, atMs: nowMs });
      continue;
    }
    const why = t.unwritable(c.recordId, c.field);
    if (why !== null) {
      localOnly.push({ recordId: c.recordId, field: c.field, reason: why });
      continue;
    }
    const item = updates.get(c.recordId) ?? { recordId: c.recordId, fields: {} };
    // A field changed twice by one plan: the first old value and the last new one.
    const prev = item.fields[c.field];
    item.fields[c.field] = { old: prev?.old ?? c.old, new: c.new };
    updates.set(c.recordId, item);
  }
  const tasks: TaskItem[] = plan.effects.flatMap((e) =>
    e.kind === 'task' && t.owns(e.recordId)
      ? [
          {
            recordId: e.recordId,
            title: e.title,
            assignee: e.assignee,
            dueAtMs: e.dueAtMs,
            priority: e.priority,
          },
        ]
      : [],
  );
  const batches: WriteBatch[] = [];
  const changed = [...updates.values()].filter((u) => Object.keys(u.fields).length > 0);
  batches.push(...batchesOf('update', changed, t, batches.length));
  batches.push(...batchesOf('task', tasks, t, batches.length));
  batches.push(...batchesOf('note', notes, t, batches.length));
  return { batches, localOnly };
}

/** The fields of each record a plan's updates touch: what the connector re-reads before writing. */
export function fieldsToCheck(batches: readonly WriteBatch[]): Map<string, EditableField[]> {
  const out = new Map<string, EditableField[]>();
  for (const b of batches) {
    if (b.op !== 'update') continue;
    for (const i of b.items) out.set(i.recordId, Object.keys(i.fields) as EditableField[]);
  }
  return out;
}

/** Current values read from the CRM, in funnel terms; a record the CRM no longer has is absent. */
export type CrmValues = ReadonlyMap<string, Readonly<Partial<Record<EditableField, string>>>>;

export interface Drift {
  recordId: string;
  field: EditableField | null;
  /** What the plan (or the fix) expected the CRM to hold. */
  expected: string;
  /** What the CRM holds now; null when the record is gone. */
  found: string | null;
}

const same = (a: string | undefined, b: string): boolean => (a ?? '').trim() === b.trim();

/**
 * Before writing: a field the plan touches whose CRM value is no longer the plan's "before" value (someone
 * changed it in the CRM since the preview) makes the plan stale, as a local change does.
 */
export function staleAgainstCrm(batches: readonly WriteBatch[], current: CrmValues): Drift[] {
  const out: Drift[] = [];
  for (const b of batches) {
    if (b.op !== 'update') continue;
    for (const i of b.items) {
      const now = current.get(i.recordId);
      if (now === undefined) {
        out.push({ recordId: i.recordId, field: null, expected: '', found: null });
        continue;
      }
      for (const [f, w] of Object.entries(i.fields) as [EditableField, FieldWrite][])
        if (!same(now[f], w.old))
          out.push({ recordId: i.recordId, field: f, expected: w.old, found: now[f] ?? '' });
    }
  }
  return out;
}

/** `hs-deal-7.owner`, as drift and skipped fields are named to people. */
export const fieldName = (d: { recordId: string; field: string | null }): string =>
  d.field === null ? d.recordId : `${d.recordId}.${d.field}`;

export interface RevertPlan {
  batches: WriteBatch[];
  /** Fields written by the fix whose CRM value changed since: left alone and named. */
  skipped: Drift[];
}

/**
 * Rollback in the CRM: every field the fix wrote (not refused) goes back to its old value, unless the CRM
 * no longer holds what the fix wrote (someone changed it since): that one is left alone and named. Tasks
 * and notes created stay in the CRM (history), as the local rollback keeps what was sent.
 */
export function planCrmRevert(
  written: readonly UpdateItem[],
  current: CrmValues,
  t: Pick<WriteTarget, 'objectOf' | 'batchSize'>,
): RevertPlan {
  const skipped: Drift[] = [];
  const back: UpdateItem[] = [];
  for (const i of written) {
    const now = current.get(i.recordId);
    const fields: UpdateItem['fields'] = {};
    for (const [f, w] of Object.entries(i.fields) as [EditableField, FieldWrite][]) {
      if (now === undefined || !same(now[f], w.new)) {
        skipped.push({
          recordId: i.recordId,
          field: f,
          expected: w.new,
          found: now === undefined ? null : (now[f] ?? ''),
        });
        continue;
      }
      fields[f] = { old: w.new, new: w.old };
    }
    if (Object.keys(fields).length > 0) back.push({ recordId: i.recordId, fields });
  }
  const target: WriteTarget = { ...t, owns: () => true, unwritable: () => null };
  return { batches: batchesOf('update', back, target, 0), skipped };
}

/** The update items of applied batches less what the CRM refused: what the CRM holds from the fix. */
export function writtenUpdates(
  batches: readonly { op: WriteOp; items: unknown[]; refused: readonly Refusal[]; status: string }[],
): UpdateItem[] {
  const out: UpdateItem[] = [];
  for (const b of batches) {
    if (b.op !== 'update' || b.status === 'pending' || b.status === 'failed') continue;
    const refused = b.refused;
    for (const i of b.items as UpdateItem[]) {
      const fields: UpdateItem['fields'] = {};
      for (const [f, w] of Object.entries(i.fields) as [EditableField, FieldWrite][])
        if (!refused.some((r) => r.recordId === i.recordId && (r.field === undefined || r.field === f)))
          fields[f] = w;
      if (Object.keys(fields).length > 0) out.push({ recordId: i.recordId, fields });
    }
  }
  return out;
}
