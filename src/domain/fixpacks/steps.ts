import { duplicateKey, type FunnelRecord } from '../records/record.ts';
import { RECORD_KEYS } from './diff.ts';
import type { ChangedField, Step } from './dsl.ts';
import { ARCHIVED_STAGE, appendLine, duplicateGroup, mergedNoteLine } from './merge.ts';
import { fillPlaceholders } from './placeholders.ts';
import type { PlanEnv, SideEffect } from './types.ts';

/** How each step type acts on one target record's working copy (planFix in plan.ts drives them). */

/** The planner's working state: copies of every loaded record, and what the plan has done so far. */
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
}

export const UNASSIGNED = 'Unassigned';
const REVIEW_TASK_MINUTES = 24 * 60;
const LISTED_IDS = 5;

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
const isEmpty = (v: string): boolean => v.trim() === '';

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
type Render = (count: number, ids: string) => string;

function set(p: Planning, r: FunnelRecord, field: ChangedField, value: string): void {
  if (r[RECORD_KEYS[field]] === value) return;
  r[RECORD_KEYS[field]] = value;
  p.touched.add(r.id);
}

const fill = (text: string, r: FunnelRecord): string => fillPlaceholders(text, r);

export function applyStep(p: Planning, r: FunnelRecord, step: Step): void {
  switch (step.type) {
    case 'set_field': {
      const key = RECORD_KEYS[step.field];
      if (step.only_if_empty && !isEmpty(r[key])) return;
      set(p, r, step.field, fillPlaceholders(step.value, r, step.field === 'next_step'));
      return;
    }
    case 'append_notes':
      set(p, r, 'notes', appendLine(r.notes, fill(step.text, r)));
      return;
    case 'assign_owner':
      assignOwner(p, r, step);
      return;
    case 'create_task':
      createTask(p, r, step.assignee, fill(step.title, r), step.due_in_minutes, step.priority);
      return;
    case 'notify':
      notify(p, r, step);
      return;
    case 'draft_email':
      p.effects.push({
        kind: 'email_draft',
        recordId: r.id,
        to: step.to,
        toLabel: step.to === 'contact' ? r.name || r.id : r.owner || UNASSIGNED,
        subject: fill(step.subject, r),
        body: fill(step.body, r),
      });
      return;
    case 'merge_duplicates':
      mergeDuplicates(p, r);
      return;
    case 'archive_record':
      set(p, r, 'stage', ARCHIVED_STAGE);
      return;
    case 'region_from_peers':
      regionFromPeers(p, r);
      return;
  }
}

function assignOwner(p: Planning, r: FunnelRecord, step: Extract<Step, { type: 'assign_owner' }>): void {
  if (step.only_if_empty && !isEmpty(r.owner)) return;
  if (step.strategy === 'named') {
    set(p, r, 'owner', step.owner!);
    return;
  }
  const { regionPools, ownerPool, roundRobinStart } = p.env;
  const regional = Object.hasOwn(regionPools, r.region) ? regionPools[r.region] : undefined;
  const pool = regional !== undefined && regional.length > 0 ? regional : ownerPool;
  if (pool.length === 0) {
    p.warnings.add(
      'no_pool',
      r.id,
      (n) =>
        `No owner pool is configured (FIX_OWNER_POOL); ${plural(n, 'record', 'records')} left unassigned`,
    );
    return;
  }
  const slot = (((roundRobinStart + p.assignments) % pool.length) + pool.length) % pool.length;
  p.assignments++;
  set(p, r, 'owner', pool[slot]!);
}

function createTask(
  p: Planning,
  r: FunnelRecord,
  assignee: string,
  title: string,
  dueInMinutes: number,
  priority: 'high' | 'normal',
): void {
  let who = assignee;
  if (assignee === 'record_owner') {
    who = isEmpty(r.owner) ? UNASSIGNED : r.owner;
    if (who === UNASSIGNED)
      p.warnings.add(
        'task_unassigned',
        r.id,
        (n, ids) => `${plural(n, 'task goes', 'tasks go')} to "${UNASSIGNED}": no owner on ${ids}`,
      );
  }
  p.effects.push({
    kind: 'task',
    recordId: r.id,
    assignee: who,
    title,
    dueAtMs: p.env.nowMs + dueInMinutes * 60_000,
    priority,
  });
}

function notify(p: Planning, r: FunnelRecord, step: Extract<Step, { type: 'notify' }>): void {
  // "Only for records worth more than this": strictly more, compared in whole cents.
  if (step.min_value_usd !== undefined && !(r.valueCents > Math.round(step.min_value_usd * 100))) return;
  const text = fill(step.text, r);
  const owner = r.owner;
  if (step.to === 'owner') {
    if (isEmpty(owner)) {
      p.warnings.add(
        'notify_no_owner',
        r.id,
        (n, ids) => `${plural(n, 'owner notification', 'owner notifications')} skipped: no owner on ${ids}`,
      );
      return;
    }
    const slackUser = Object.hasOwn(p.env.ownerSlack, owner) ? p.env.ownerSlack[owner]! : null;
    if (slackUser === null)
      p.warnings.add(
        `notify_unmapped:${owner}`,
        r.id,
        (n, ids) =>
          `No Slack user is mapped for owner "${owner}" (${plural(n, 'notification', 'notifications')}: ${ids})`,
      );
    p.effects.push({ kind: 'notify', recordId: r.id, channel: null, slackUser, owner, text });
    return;
  }
  const channel = step.to === 'manager_channel' ? p.env.managerChannel : step.to;
  if (channel === null) {
    p.warnings.add(
      'no_manager_channel',
      r.id,
      (n, ids) =>
        `No manager channel is configured; ${plural(n, 'manager notification', 'manager notifications')} skipped (${ids})`,
    );
    return;
  }
  p.effects.push({ kind: 'notify', recordId: r.id, channel, slackUser: null, owner, text });
}

function mergeDuplicates(p: Planning, target: FunnelRecord): void {
  const key = duplicateKey(target.domain);
  if (key !== '' && p.mergedKeys.has(key)) return;
  const group = duplicateGroup(target, p.working.values());
  if (group.length < 2) {
    p.warnings.add(
      'no_duplicates',
      target.id,
      (_n, ids) => `No active duplicates to merge, so left alone: ${ids}`,
    );
    return;
  }
  p.mergedKeys.add(key);
  for (const r of group) p.read.add(r.id);
  const [primary, ...others] = group;
  for (const other of others) {
    if (!isEmpty(other.notes)) set(p, primary!, 'notes', appendLine(primary!.notes, mergedNoteLine(other)));
    set(p, other, 'stage', ARCHIVED_STAGE);
  }
}

function regionFromPeers(p: Planning, r: FunnelRecord): void {
  if (!isEmpty(r.region)) return;
  const key = duplicateKey(r.domain);
  const company = r.company.trim().toLowerCase();
  let peer: FunnelRecord | undefined;
  if (key !== '')
    peer = find(p, (o) => o.id !== r.id && !isEmpty(o.region) && duplicateKey(o.domain) === key);
  if (peer === undefined && company !== '')
    peer = find(p, (o) => o.id !== r.id && !isEmpty(o.region) && o.company.trim().toLowerCase() === company);
  if (peer !== undefined) {
    p.read.add(peer.id);
    set(p, r, 'region', peer.region);
    return;
  }
  p.warnings.add(
    'no_region_peer',
    r.id,
    (n, ids) =>
      `No record of the same domain or company has a region for ${ids}; ${n === 1 ? 'a review task was' : 'review tasks were'} created`,
  );
  createTask(p, r, 'record_owner', fill('Review routing for {name}', r), REVIEW_TASK_MINUTES, 'normal');
}

function find(p: Planning, pred: (r: FunnelRecord) => boolean): FunnelRecord | undefined {
  for (const r of p.working.values()) if (pred(r)) return r;
  return undefined;
}
