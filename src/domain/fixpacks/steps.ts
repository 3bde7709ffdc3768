import { duplicateKey, type FunnelRecord } from '../records/record.ts';
import { RECORD_KEYS } from './diff.ts';
import type { Step } from './dsl.ts';
import { ARCHIVED_STAGE, appendLine, mayArchive, mergeDuplicates } from './merge.ts';
import { fillPlaceholders } from './placeholders.ts';
import { isEmpty, type Planning, plural, set } from './planning.ts';

/** How each step type acts on one target record's working copy (planFix in plan.ts drives them). */

export const UNASSIGNED = 'Unassigned';
const REVIEW_TASK_MINUTES = 24 * 60;

const fill = (text: string, r: FunnelRecord): string => fillPlaceholders(text, r);

export function applyStep(p: Planning, r: FunnelRecord, step: Step): void {
  switch (step.type) {
    case 'set_field':
      setField(p, r, step);
      return;
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
      if (mayArchive(p, r, ARCHIVED_STAGE)) set(p, r, 'stage', ARCHIVED_STAGE);
      return;
    case 'region_from_peers':
      regionFromPeers(p, r);
      return;
  }
}

/**
 * Safe by default (issue 10 item 2): with only_if_empty (the default, and every catalog pack's setting) a
 * field that already holds a value is left alone and recorded as kept, so the preview can say so; seen
 * before, the rescue replaced "Contract review" with "Rescue sequence initiated". A pack overwrites only
 * when it says only_if_empty: false, and even then never archives a closed record.
 */
function setField(p: Planning, r: FunnelRecord, step: Extract<Step, { type: 'set_field' }>): void {
  const value = fillPlaceholders(step.value, r, step.field === 'next_step');
  const current = r[RECORD_KEYS[step.field]];
  if (step.only_if_empty && !isEmpty(current)) {
    const already = p.kept.some((k) => k.recordId === r.id && k.field === step.field);
    // A field that already holds what the step would write is not a conflict worth reporting.
    if (current !== value && !already)
      p.kept.push({ recordId: r.id, field: step.field, value: current, proposed: value, taskCreated: false });
    return;
  }
  if (step.field === 'stage' && !mayArchive(p, r, value)) return;
  set(p, r, step.field, value);
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
