import type { FixRun } from '../../domain/fixpacks/run.ts';
import type { TimelineKind } from '../../domain/incidents/lifecycle.ts';
import { enqueue } from '../outbox/enqueue.ts';
import type { FixTx } from './ports.ts';

export const fixJobKeys = {
  /** The preview message: posted once, then updated in place at every step (re-armed by key). */
  message: (runId: string) => `fix:${runId}:message`,
  notify: (runId: string, n: number) => `fix:${runId}:notify:${n}`,
  /** One correction per person or channel told, however many of the run's notifications they got. */
  rollbackNotice: (runId: string, recipient: string) => `fix-rollback-notice:${runId}:${recipient}`,
};

/** A notification of a run as it leaves through the outbox: its job key, where it goes, what it says. */
interface Notification {
  key: string;
  /** A channel id, or the Slack user whose DM it goes to (`dm`). */
  to: string;
  dm: boolean;
  text: string;
  recordId: string;
}

/** The plan's notifications that have somewhere to go, numbered as their jobs are keyed. */
function notificationsOf(run: FixRun): Notification[] {
  const out: Notification[] = [];
  for (const e of run.plan.effects) {
    if (e.kind !== 'notify') continue;
    const to = e.channel ?? e.slackUser;
    if (to === null) continue;
    out.push({
      key: fixJobKeys.notify(run.id, out.length),
      to,
      dm: e.channel === null,
      text: e.text,
      recordId: e.recordId,
    });
  }
  return out;
}

/** Re-renders the preview message after a state change. */
export async function scheduleFixMessage(tx: FixTx, run: FixRun): Promise<void> {
  const payload = { fix_run_id: run.id, channel: run.channelId };
  await enqueue(tx, 'fix.message', payload, fixJobKeys.message(run.id), run.incidentId);
}

/** The Slack notifications a plan carries leave through the outbox, one job each. */
export async function scheduleNotifications(tx: FixTx, run: FixRun): Promise<void> {
  for (const n of notificationsOf(run))
    await enqueue(
      tx,
      'fix.notify',
      { fix_run_id: run.id, channel: n.to, dm: n.dm, text: n.text, record_id: n.recordId },
      n.key,
      run.incidentId,
    );
}

/**
 * A rolled-back fix owes a correction to everyone its notifications may have reached (`toldKeys`, from
 * withdrawEffects): one per owner DM or channel, naming the records, idempotent on its key. Each carries
 * the keys of the notifications it corrects, so delivery sends it after them and skips it if all failed.
 */
export async function scheduleRollbackNotices(
  tx: FixTx,
  run: FixRun,
  toldKeys: readonly string[],
): Promise<void> {
  const told = new Set(toldKeys);
  const byRecipient = new Map<string, { dm: boolean; keys: string[]; recordIds: string[] }>();
  for (const n of notificationsOf(run)) {
    if (!told.has(n.key)) continue;
    const r = byRecipient.get(n.to) ?? { dm: n.dm, keys: [], recordIds: [] };
    r.keys.push(n.key);
    if (!r.recordIds.includes(n.recordId)) r.recordIds.push(n.recordId);
    byRecipient.set(n.to, r);
  }
  for (const [to, r] of byRecipient)
    await enqueue(
      tx,
      'fix.rollback_notice',
      {
        fix_run_id: run.id,
        channel: to,
        dm: r.dm,
        title: run.plan.title,
        record_ids: r.recordIds,
        corrects: r.keys,
      },
      fixJobKeys.rollbackNotice(run.id, to),
      run.incidentId,
    );
}

export interface FixStep {
  actor: string;
  atMs: number;
  /** The audit action (`fix.applied`, …); every step has one. */
  action: string;
  before: unknown;
  after: unknown;
  /** The incident timeline entry, when the step is one the timeline shows. */
  timeline?: { kind: TimelineKind; data: Record<string, unknown> };
}

/** A fix step on the record: the incident's timeline (when the fix belongs to one) and the audit log. */
export async function recordFixStep(tx: FixTx, run: FixRun, step: FixStep): Promise<void> {
  if (step.timeline && run.incidentId)
    await tx.addEvent({
      incidentId: run.incidentId,
      kind: step.timeline.kind,
      actor: step.actor,
      atMs: step.atMs,
      data: { fix_run_id: run.id, title: run.plan.title, ...step.timeline.data },
    });
  await tx.audit({
    actor: step.actor,
    action: step.action,
    targetType: 'fix_run',
    targetId: run.id,
    before: step.before,
    after: step.after,
    atMs: step.atMs,
  });
}
