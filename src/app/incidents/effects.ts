import { type Incident, nextPageAt, pageAudience, wantsChannel } from '../../domain/incidents/incident.ts';
import type { TimelineKind } from '../../domain/incidents/lifecycle.ts';
import { enqueue } from '../outbox/enqueue.ts';
import type { IncidentAlertEvent } from '../outbox/ports.ts';
import type { IncidentDeps } from './deps.ts';
import type { IncidentTx } from './ports.ts';

/**
 * The side effects a state change schedules, written in the change's own transaction (ARCHITECTURE.md
 * habit 10). Keys are natural: the same key enqueued twice is one job, re-armed.
 */
export const jobKeys = {
  channel: (id: string) => `channel:${id}`,
  sync: (id: string) => `sync:${id}`,
  page: (id: string, atMs: number) => `page:${id}:${atMs}`,
  alert: (id: string, event: string, atMs: number) => `alert:${id}:${event}:${atMs}`,
  settlePages: (id: string) => `settle-pages:${id}`,
};

/** Channel and War Room for an incident at or above the channel threshold; otherwise nothing here. */
export async function scheduleChannel(tx: IncidentTx, deps: IncidentDeps, i: Incident): Promise<boolean> {
  if (!wantsChannel(i.severity, deps.policy) && i.channelId === null) return false;
  await enqueue(tx, 'incident.channel', {}, jobKeys.channel(i.id), i.id);
  return true;
}

/** Keeps the War Room message (and topic) current; a no-op at delivery when there is no War Room. */
export async function scheduleSync(tx: IncidentTx, i: Incident): Promise<void> {
  await enqueue(tx, 'incident.sync', {}, jobKeys.sync(i.id), i.id);
}

/**
 * Once an incident is acknowledged or resolved, its earlier pages and DMs are edited so that none keeps
 * an Acknowledge button (deliver-pages.ts settlePages). One job per incident, re-armed by each such change.
 */
export async function scheduleSettlePages(tx: IncidentTx, i: Incident): Promise<void> {
  await enqueue(tx, 'incident.settle_pages', {}, jobKeys.settlePages(i.id), i.id);
}

export async function scheduleAlert(
  tx: IncidentTx,
  deps: IncidentDeps,
  i: Incident,
  event: IncidentAlertEvent,
  atMs: number,
): Promise<void> {
  if (deps.targets.alertsChannel === null) return;
  await enqueue(tx, 'incident.alert', { event }, jobKeys.alert(i.id, event, atMs), i.id);
}

/**
 * A page: PAGE mentions the on-call group (and, after the configured repeats, the secondary group) and DMs
 * the commander; WARN posts without a mention. Records PAGED and schedules the next repeat. Returns the
 * incident as updated.
 */
export async function schedulePage(
  tx: IncidentTx,
  deps: IncidentDeps,
  i: Incident,
  repeat: number,
  actor: string,
  atMs: number,
): Promise<Incident> {
  if (i.paging === 'OK') return i;
  const audience = pageAudience(i.paging, repeat, deps.policy);
  const { onCallGroup, secondaryGroup } = deps.targets;
  const mentions = [
    ...(audience.mentionOnCall && onCallGroup ? [onCallGroup] : []),
    ...(audience.escalate && secondaryGroup ? [secondaryGroup] : []),
  ];
  const commander = i.paging === 'PAGE' ? i.commander : null;
  const page = { repeat, mentions, escalated: audience.escalate, commander };
  await enqueue(tx, 'incident.page', page, jobKeys.page(i.id, atMs), i.id);
  await tx.addEvent({
    incidentId: i.id,
    kind: 'PAGED',
    actor,
    atMs,
    data: { paging: i.paging, repeat, mentions, escalated: audience.escalate, commander },
  });
  const updated = await tx.update(i.id, i.state, {
    pagesSent: repeat + 1,
    nextPageAtMs: nextPageAt(i.state, i.paging, atMs, deps.policy),
  });
  return updated ?? i;
}

/** A state change on the record: its timeline entry and its audit row, in the change's transaction. */
export async function recordIncidentStep(
  tx: IncidentTx,
  step: {
    incidentId: string;
    kind: TimelineKind;
    action: string;
    actor: string;
    atMs: number;
    data: Record<string, unknown>;
    before: unknown;
    after: unknown;
  },
): Promise<void> {
  const { incidentId, kind, action, actor, atMs, data, before, after } = step;
  await tx.addEvent({ incidentId, kind, actor, atMs, data });
  await tx.audit({ actor, action, targetType: 'incident', targetId: incidentId, before, after, atMs });
}
