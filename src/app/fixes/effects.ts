import type { FixRun } from '../../domain/fixpacks/run.ts';
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
