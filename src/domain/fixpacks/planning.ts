import type { FunnelRecord } from '../records/record.ts';
import { RECORD_KEYS } from './diff.ts';
import type { ChangedField } from './dsl.ts';
import type { KeptValue, MergeDecision, PlanEnv, SideEffect } from './types.ts';

/** The planner's working state, shared by the steps (steps.ts, merge.ts) that planFix (plan.ts) drives. */
export interface Planning {
  readonly env: PlanEnv;
  /** Working copies of input.records, by id, in input order. */
  readonly working: Map<string, FunnelRecord>;
  /** Records a step wrote to, in first-write order. */
  readonly touched: Set<string>;
  /** Every record the plan read or changed (targets and peers), in first-seen order. */
  readonly read: Set<string>;
  readonly effects: SideEffect[];
  readonly warnings: Warnings;
  /** Round-robin assignments made so far (the k of pool[(start + k) % size]). */
  assignments: number;
  /** Duplicate keys already merged, so a group with several targets is merged once. */
  readonly mergedKeys: Set<string>;
  /** Each merged group's survivor and why. */
  readonly merges: MergeDecision[];
  /** Fields a set_field step left alone (taskCreated is settled once every step has run). */
  readonly kept: KeptValue[];
}

const LISTED_IDS = 5;

export const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
export const isEmpty = (v: string): boolean => v.trim() === '';

type Render = (count: number, ids: string) => string;

/**
 * Warnings grouped by kind, so a bulk plan over 500 records says "No owner pool … 500 records left
 * unassigned" once instead of 500 times. Each lists the first few record ids.
 */
export class Warnings {
  private readonly groups = new Map<string, { count: number; ids: Set<string>; render: Render }>();

  add(key: string, recordId: string, render: Render): void {
    const g = this.groups.get(key) ?? { count: 0, ids: new Set<string>(), render };
    g.count++;
    g.ids.add(recordId);
    this.groups.set(key, g);
  }

  list(): string[] {
    return [...this.groups.values()].map((g) => {
      const ids = [...g.ids];
      const shown = ids.slice(0, LISTED_IDS).join(', ');
      return g.render(
        g.count,
        ids.length > LISTED_IDS ? `${shown} and ${ids.length - LISTED_IDS} more` : shown,
      );
    });
  }
}

/** Writes `value` to the working copy; a record whose value does not change is not touched. */
export function set(p: Planning, r: FunnelRecord, field: ChangedField, value: string): void {
  if (r[RECORD_KEYS[field]] === value) return;
  r[RECORD_KEYS[field]] = value;
  p.touched.add(r.id);
}
