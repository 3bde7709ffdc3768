import type { FunnelRecord } from '../records/record.ts';
import type { ChangedField } from './dsl.ts';
import type { FieldChange } from './types.ts';

/** A plan's field names (the CSV's) → the record's properties. */
export const RECORD_KEYS = {
  owner: 'owner',
  stage: 'stage',
  next_step: 'nextStep',
  region: 'region',
  notes: 'notes',
} as const satisfies Record<ChangedField, keyof FunnelRecord>;

/** The fields a plan may change, in the order its changes list them per record. */
export const CHANGED_FIELDS: readonly ChangedField[] = ['owner', 'stage', 'next_step', 'region', 'notes'];

export const fieldValue = (r: FunnelRecord, f: ChangedField): string => r[RECORD_KEYS[f]];

/** `records` with `changes` applied (each change sets its field to `new`), as new objects; inputs untouched. */
export function applyChanges(
  records: readonly FunnelRecord[],
  changes: readonly FieldChange[],
): FunnelRecord[] {
  const byId = new Map<string, FieldChange[]>();
  for (const c of changes) {
    const list = byId.get(c.recordId);
    if (list) list.push(c);
    else byId.set(c.recordId, [c]);
  }
  return records.map((r) => {
    const out = { ...r };
    for (const c of byId.get(r.id) ?? []) out[RECORD_KEYS[c.field]] = c.new;
    return out;
  });
}

/** The diff that undoes `changes`: old and new swapped, in reverse order. */
export const inverseOf = (changes: readonly FieldChange[]): FieldChange[] =>
  changes.map((c) => ({ recordId: c.recordId, field: c.field, old: c.new, new: c.old })).reverse();

/**
 * The changes in `expected` whose record's current value of the field is not `expected(change)`. A record
 * missing from `current` (deleted since) counts as changed.
 */
function differing(
  changes: readonly FieldChange[],
  current: readonly FunnelRecord[],
  expected: (c: FieldChange) => string,
): FieldChange[] {
  const byId = new Map(current.map((r) => [r.id, r] as const));
  return changes.filter((c) => {
    const r = byId.get(c.recordId);
    return r === undefined || fieldValue(r, c.field) !== expected(c);
  });
}

/** Staleness check before apply: the planned changes whose field no longer holds the `old` they planned from. */
export const changedSince = (
  planned: readonly FieldChange[],
  current: readonly FunnelRecord[],
): FieldChange[] => differing(planned, current, (c) => c.old);

/** Before rollback: the applied changes someone else has overwritten since (the field no longer holds `new`). */
export const conflictsForRollback = (
  applied: readonly FieldChange[],
  current: readonly FunnelRecord[],
): FieldChange[] => differing(applied, current, (c) => c.new);
