import { CHANGED_FIELDS, fieldValue } from './diff.ts';
import { type Planning, Warnings } from './planning.ts';
import { applyStep } from './steps.ts';
import type { Plan, PlanEnv, PlanInput } from './types.ts';

export { applyChanges, changedSince, conflictsForRollback, inverseOf } from './diff.ts';

/**
 * Plans a fix pack (DOMAIN.md §5): the exact per-record diff, the side effects and the blast radius,
 * before anything changes. Pure and deterministic: the same input and env give the same plan.
 *
 * Every target record (the records of the addressed issues, each once, in issue order) goes through the
 * pack's steps in order, on a working copy of `input.records`; a step sees what earlier steps changed
 * (a task after an assign_owner step goes to the new owner). A merge may change peers of the targets.
 * Then each changed field yields one FieldChange: old = before the pack, new = after it.
 */
export function planFix(input: PlanInput, env: PlanEnv): Plan {
  const original = new Map(input.records.map((r) => [r.id, r] as const));
  const p: Planning = {
    env,
    working: new Map([...original.values()].map((r) => [r.id, { ...r }] as const)),
    touched: new Set(),
    read: new Set(),
    effects: [],
    warnings: new Warnings(),
    assignments: 0,
    mergedKeys: new Set(),
    merges: [],
    kept: [],
  };

  const targets = [...new Set(input.issues.map((i) => i.recordId))];
  for (const id of targets) {
    const record = p.working.get(id);
    if (record === undefined) {
      p.warnings.add(
        'missing',
        id,
        (_n, ids) => `Not among the records loaded for this plan, so left alone: ${ids}`,
      );
      continue;
    }
    p.read.add(id);
    for (const step of input.pack.steps) applyStep(p, record, step);
  }

  const changes: Plan['changes'] = [];
  for (const id of p.touched) {
    const before = original.get(id)!;
    const after = p.working.get(id)!;
    for (const f of CHANGED_FIELDS) {
      const old = fieldValue(before, f);
      const now = fieldValue(after, f);
      if (old !== now) changes.push({ recordId: id, field: f, old, new: now });
    }
  }

  const affected = new Set([...changes.map((c) => c.recordId), ...p.effects.map((e) => e.recordId)]);
  const owners = new Set<string>();
  for (const id of affected) {
    for (const r of [original.get(id), p.working.get(id)])
      if (r && r.owner.trim() !== '') owners.add(r.owner);
  }
  const teams = new Set(input.issues.flatMap((i) => i.teams));
  // A kept field's follow-up is the task the pack creates on the record, whichever step creates it.
  const tasked = new Set(p.effects.flatMap((e) => (e.kind === 'task' ? [e.recordId] : [])));
  const verify = input.pack.verify;

  return {
    packId: input.pack.id,
    title: input.pack.title,
    issues: [...input.issues],
    recordIds: [...p.read],
    changes,
    effects: p.effects,
    blast: {
      records: affected.size,
      owners: [...owners].sort(),
      teams: [...teams].sort(),
      issues: input.issues.length,
      dollarsCents: input.issues.reduce((sum, i) => sum + i.lossCents, 0),
    },
    warnings: p.warnings.list(),
    verify,
    verifyWindowMs: verify.kind === 'touched_within' ? verify.minutes * 60_000 : 0,
    merges: p.merges,
    kept: p.kept.map((k) => ({ ...k, taskCreated: tasked.has(k.recordId) })),
  };
}
