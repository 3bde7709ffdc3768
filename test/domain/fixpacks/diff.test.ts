import { describe, expect, it } from 'vitest';
import {
  applyChanges,
  changedSince,
  conflictsForRollback,
  inverseOf,
} from '../../../src/domain/fixpacks/plan.ts';
import type { FieldChange } from '../../../src/domain/fixpacks/types.ts';
import type { FixPackId } from '../../../src/domain/rules/catalog.ts';
import { buildOpp, buildRecord, daysAgo, minutesAgo } from '../build.ts';
import { planOf } from './support.ts';

const records = [
  buildRecord({
    id: 'l',
    owner: '',
    lastTouchAtMs: null,
    createdAtMs: minutesAgo(45),
    nextStep: '',
    region: '',
  }),
  buildOpp({
    id: 'o',
    nextStep: '',
    lastTouchAtMs: daysAgo(9),
    notes: 'first',
    domain: 'acme.com',
    company: 'Acme',
  }),
  buildOpp({ id: 'o2', notes: 'second', domain: 'acme.com', company: 'Acme', lastTouchAtMs: daysAgo(20) }),
  buildRecord({ id: 'peer', domain: 'l.example.com', region: 'EMEA' }),
];
const ids = records.map((r) => r.id);

describe('applyChanges and inverseOf', () => {
  it.each<FixPackId>([
    'fix_sla_breach',
    'fix_assign_owner',
    'fix_next_step',
    'fix_stale_opp',
    'fix_merge_dupes',
    'fix_routing',
  ])('%s: apply then inverse restores every field exactly', (pack) => {
    const plan = planOf(pack, records, ids);
    expect(plan.changes.length).toBeGreaterThan(0);
    const before = structuredClone(records);
    const after = applyChanges(records, plan.changes);
    expect(records).toEqual(before);
    expect(applyChanges(after, inverseOf(plan.changes))).toEqual(records);
    // Applying the plan yields what it said: every change's new value is in place.
    expect(
      changedSince(
        plan.changes.map((c) => ({ ...c, old: c.new })),
        after,
      ),
    ).toEqual([]);
  });

  it('maps next_step to nextStep and returns new objects', () => {
    const [out] = applyChanges([records[0]!], [{ recordId: 'l', field: 'next_step', old: '', new: 'Call' }]);
    expect(out!.nextStep).toBe('Call');
    expect(out).not.toBe(records[0]);
    expect(records[0]!.nextStep).toBe('');
  });

  it('inverse swaps old and new, in reverse order', () => {
    const changes: FieldChange[] = [
      { recordId: 'a', field: 'owner', old: '', new: 'amy' },
      { recordId: 'b', field: 'stage', old: 'New', new: 'Archived' },
    ];
    expect(inverseOf(changes)).toEqual([
      { recordId: 'b', field: 'stage', old: 'Archived', new: 'New' },
      { recordId: 'a', field: 'owner', old: 'amy', new: '' },
    ]);
    expect(inverseOf(inverseOf(changes))).toEqual(changes);
  });
});

describe('staleness and rollback conflicts', () => {
  const planned: FieldChange[] = [
    { recordId: 'l', field: 'owner', old: '', new: 'amy' },
    { recordId: 'l', field: 'region', old: '', new: 'EMEA' },
    { recordId: 'o', field: 'notes', old: 'first', new: 'first\nmore' },
    { recordId: 'missing', field: 'stage', old: 'New', new: 'Archived' },
  ];

  it('changedSince: planned changes whose field no longer holds the old value', () => {
    const now = applyChanges(records, [{ recordId: 'l', field: 'owner', old: '', new: 'someone' }]);
    expect(changedSince(planned, now)).toEqual([planned[0], planned[3]]);
    expect(changedSince(planned.slice(0, 3), records)).toEqual([]);
  });

  it('conflictsForRollback: applied changes someone has overwritten since', () => {
    const applied = planned.slice(0, 3);
    const after = applyChanges(records, applied);
    expect(conflictsForRollback(applied, after)).toEqual([]);
    const edited = applyChanges(after, [
      { recordId: 'o', field: 'notes', old: 'first\nmore', new: 'rewritten' },
    ]);
    expect(conflictsForRollback(applied, edited)).toEqual([applied[2]]);
    expect(conflictsForRollback(planned, edited)).toEqual([applied[2], planned[3]]);
  });
});
