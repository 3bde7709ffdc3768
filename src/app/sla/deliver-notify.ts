import { type Incident, type IncidentPolicy, wantsChannel } from '../../domain/incidents/incident.ts';
import { actorLabel, type Clock } from '../context.ts';
import type { PagingTargets } from '../incidents/deps.ts';
import { jobKeys } from '../incidents/effects.ts';
import type { IncidentStore } from '../incidents/ports.ts';
import { DeliveryError, type Job, type JobQueue, type OutboundMessage } from '../outbox/ports.ts';
import { type PostDeps, postOnce } from '../outbox/post-once.ts';

/**
 * SLA alerts delivered to the Slack channels an SLA's OpenSLO AlertNotificationTargets name
 * (`figures.notify`): a ticket in its ticket targets, and the announcement of an incident in its page
 * targets. Each is an outbox job keyed by what it is about (`sla-ticket:<sla>:<at>`,
 * `sla-announce:<incident>:<channel>`), posted once per channel with what was posted kept in the job's
 * progress, so a retry, a re-armed key or a restart posts nothing twice.
 *
 * A channel the bot cannot post in (REFUSALS) is not retried: no retry can fix it until someone invites the
 * bot. It is reported once (the incident's timeline and the audit log, a warning in the logs) and never
 * holds anything else up: the page goes out through its own jobs, and a ticket no target took goes to the
 * alerts channel instead, so that it is not lost.
 */

/** What notification delivery needs of the worker's dependencies (delivery/handlers.ts DeliveryDeps has it). */
export interface NotifyDeliveryDeps extends PostDeps {
  jobs: JobQueue;
  targets: PagingTargets;
  store: IncidentStore;
  policy: IncidentPolicy;
  /** When a refusal is recorded; absent (deps built by hand in a test), the system clock. */
  clock?: Clock;
}

/** Slack's answers meaning the bot cannot post in that channel at all (gone, archived, not a member, barred). */
const REFUSALS = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'restricted_action',
  'restricted_action_read_only_channel',
]);

const DELIVERY_ACTOR = actorLabel({ type: 'system', job: 'delivery' });

type Posted = { ts: string } | { refused: string };

/** Posts once in a target channel; a refusal is an answer, any other failure propagates (and is retried). */
async function postToTarget(
  deps: NotifyDeliveryDeps,
  job: Job,
  channel: string,
  message: OutboundMessage,
): Promise<Posted> {
  try {
    return { ts: await postOnce(deps, job, channel, job.key, message) };
  } catch (err) {
    if (!(err instanceof DeliveryError) || !REFUSALS.has(err.code)) throw err;
    deps.log.warn(
      { job_id: job.id, kind: job.kind, key: job.key, channel, code: err.code },
      'notification target refused the bot; not retried',
    );
    return { refused: err.code };
  }
}

const nowOf = (deps: NotifyDeliveryDeps): number => (deps.clock ? deps.clock.now() : Date.now());

/**
 * A ticket (kind 'sla.ticket' with `channels`): posted in each target channel once (`ts:<channel>` or
 * `refused:<channel>` in the progress), then, when every target refused it, in the alerts channel.
 */
export async function deliverTicketToTargets(
  deps: NotifyDeliveryDeps,
  job: Job<'sla.ticket'>,
  channels: readonly string[],
): Promise<void> {
  const { figures } = job.payload;
  const message: OutboundMessage = { kind: 'sla_ticket', figures };
  const progress = { ...job.progress };
  for (const channel of channels) {
    if (typeof progress[`ts:${channel}`] === 'string' || typeof progress[`refused:${channel}`] === 'string')
      continue;
    const got = await postToTarget(deps, job, channel, message);
    if ('refused' in got) {
      // Audited before the progress is saved: a crash in between reports it twice rather than never.
      await deps.store.transaction((tx) =>
        tx.audit({
          actor: DELIVERY_ACTOR,
          action: 'sla.notify_refused',
          targetType: 'sla',
          targetId: figures.slaId,
          before: null,
          after: { channel, code: got.refused, alert: 'ticket', job_key: job.key },
          atMs: nowOf(deps),
        }),
      );
    }
    const saved = 'ts' in got ? { [`ts:${channel}`]: got.ts } : { [`refused:${channel}`]: got.refused };
    Object.assign(progress, saved);
    await deps.jobs.saveProgress(job, saved);
  }
  const alerts = deps.targets.alertsChannel;
  const tookIt = channels.some((c) => typeof progress[`ts:${c}`] === 'string');
  if (tookIt || alerts === null || channels.includes(alerts) || typeof progress['fallback_ts'] === 'string')
    return;
  const ts = await postOnce(deps, job, alerts, job.key, message);
  await deps.jobs.saveProgress(job, { fallback_ts: ts });
}

/**
 * An SLA incident announced in one page target (kind 'sla.announce'): the same announcement as in the alerts
 * channel, with the link to the incident channel, so it waits for that channel while its job is queued. An
 * incident below the channel threshold (or whose channel could not be made) is announced without one.
 */
export async function deliverSlaAnnounce(deps: NotifyDeliveryDeps, job: Job<'sla.announce'>): Promise<void> {
  if (typeof job.progress['posted_ts'] === 'string' || typeof job.progress['refused'] === 'string') return;
  const incident = job.incidentId === null ? null : await deps.store.get(job.incidentId);
  if (incident === null) throw new DeliveryError('incident_missing', { permanent: true });
  const s = await deps.store.slackState(incident.id);
  if (s.channelId === null && wantsChannel(incident.severity, deps.policy)) {
    const channelJob = await deps.jobs.stateOf(jobKeys.channel(incident.id));
    if (channelJob === 'pending') throw new DeliveryError('channel_pending', { retryAfterMs: 2_000 });
  }
  const message: OutboundMessage =
    s.channelId === null
      ? { kind: 'alert', incident, event: 'declared' }
      : { kind: 'announce', incident: { ...incident, channelId: s.channelId, channelName: s.channelName } };
  const { channel } = job.payload;
  const got = await postToTarget(deps, job, channel, message);
  if ('ts' in got) {
    await deps.jobs.saveProgress(job, { posted_ts: got.ts });
    return;
  }
  await noteRefusal(deps, incident, channel, got.refused);
  await deps.jobs.saveProgress(job, { refused: got.refused });
}

/**
 * A page target that refused the bot, on the incident's timeline (shown by `/leak timeline` and status) and
 * in the audit log, once: the entry's natural key is the incident and the channel.
 */
async function noteRefusal(
  deps: NotifyDeliveryDeps,
  incident: Incident,
  channel: string,
  code: string,
): Promise<void> {
  const atMs = nowOf(deps);
  const slaId = incident.figures.kind === 'sla' ? incident.figures.slaId : null;
  const text =
    `Could not announce this incident in Slack channel ${channel}, a notification target of the SLA's ` +
    `alert policy: Slack answered ${code}. Invite the bot to that channel (or fix the target); ` +
    'it is not retried for this incident.';
  await deps.store.transaction(async (tx) => {
    const added = await tx.addEvent({
      incidentId: incident.id,
      kind: 'NOTE',
      actor: DELIVERY_ACTOR,
      atMs,
      data: { text, source: 'delivery', channel, code },
      sourceKey: `sla-notify-refused:${incident.id}:${channel}`,
    });
    if (!added) return;
    await tx.audit({
      actor: DELIVERY_ACTOR,
      action: 'sla.notify_refused',
      targetType: 'sla',
      targetId: slaId ?? incident.dedupeKey,
      before: null,
      after: { channel, code, alert: 'announce', incident_id: incident.id },
      atMs,
    });
  });
}
