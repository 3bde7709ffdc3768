import type { FixRun } from '../../domain/fixpacks/run.ts';
import type { TimelineKind } from '../../domain/incidents/lifecycle.ts';
import type { FixTx } from '../fix-ports.ts';

export const fixJobKeys = {
  /** The preview message: posted once, then updated in place at every step (re-armed by key). */
  message: (runId: string) => `fix:${runId}:message`,
  notify: (runId: string, n: number) => `fix:${runId}:notify:${n}`,
};

/** Re-renders the preview message after a state change. */
export async function scheduleFixMessage(tx: FixTx, run: FixRun): Promise<void> {
  await tx.enqueue({
    kind: 'fix.message',
    key: fixJobKeys.message(run.id),
    incidentId: run.incidentId,
    payload: { fix_run_id: run.id, channel: run.channelId },
  });
}

/** The Slack notifications a plan carries leave through the outbox, one job each. */
export async function scheduleNotifications(tx: FixTx, run: FixRun): Promise<void> {
  let n = 0;
  for (const e of run.plan.effects) {
    if (e.kind !== 'notify') continue;
    const channel = e.channel ?? e.slackUser;
    if (channel === null) continue;
    await tx.enqueue({
      kind: 'fix.notify',
      key: fixJobKeys.notify(run.id, n++),
      incidentId: run.incidentId,
      payload: { fix_run_id: run.id, channel, dm: e.channel === null, text: e.text, record_id: e.recordId },
    });
  }
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
