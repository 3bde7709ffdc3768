import { channelName, type Incident } from '../../domain/incidents/incident.ts';
import { DeliveryError, type Job, type JobKind, type JobQueue } from '../outbox/ports.ts';
import { type PostDeps, postOnce } from '../outbox/post-once.ts';
import { type PageDeps, sendPage, settlePages } from './deliver-pages.ts';
import type { PagingTargets } from './deps.ts';
import type { IncidentStore } from './ports.ts';

/** What the incident jobs need of the worker's dependencies (delivery/handlers.ts DeliveryDeps has it). */
export interface IncidentDeliveryDeps extends PostDeps, PageDeps {
  store: IncidentStore;
  jobs: JobQueue;
  targets: PagingTargets;
  /** The topic text an incident should carry (rendered by the Slack adapter). */
  topicOf: (i: Incident) => string;
}

const MAX_NAME_ATTEMPTS = 20;

type IncidentJobKind = Extract<JobKind, `incident.${string}`>;

/**
 * Runs an incident job against the incident as it is now: its delivery renders the current state, not the
 * one at enqueue time. A job whose incident is gone can never succeed.
 */
function forIncident<K extends IncidentJobKind>(
  run: (deps: IncidentDeliveryDeps, job: Job<K>, incident: Incident) => Promise<void>,
): (deps: IncidentDeliveryDeps, job: Job<K>) => Promise<void> {
  return async (deps, job) => {
    const incident = job.incidentId === null ? null : await deps.store.get(job.incidentId);
    if (incident === null) throw new DeliveryError('incident_missing', { permanent: true });
    return run(deps, job, incident);
  };
}

/** The delivery handler of each incident job kind (delivery/handlers.ts puts them in the outbox's table). */
export const incidentHandlers = {
  'incident.channel': forIncident<'incident.channel'>(ensureChannel),
  'incident.sync': forIncident<'incident.sync'>((deps, _job, incident) => syncWarRoom(deps, incident)),
  'incident.page': forIncident<'incident.page'>(sendPage),
  'incident.settle_pages': forIncident<'incident.settle_pages'>(settlePages),
  'incident.alert': forIncident<'incident.alert'>(sendAlert),
};

/** What the War Room renders of an incident, less the Slack ids this worker itself writes back. */
const shownState = (i: Incident): string =>
  JSON.stringify({ ...i, channelId: null, channelName: null, warRoomTs: null });

/**
 * The incident channel, re-runnable (Dispatch's habit): each step records its result on the incident, and
 * a retry after a crash skips what is done, so it never makes a second channel or War Room message.
 */
async function ensureChannel(deps: IncidentDeliveryDeps, job: Job, incident: Incident): Promise<void> {
  const { chat, store } = deps;
  let s = await store.slackState(incident.id);
  if (s.channelId === null) {
    await createChannel(deps, job, incident);
    s = await store.slackState(incident.id);
    if (s.channelId === null) throw new DeliveryError('no_free_channel_name', { permanent: true });
  }
  const channel = s.channelId!;
  const current = (await store.get(incident.id)) ?? incident;
  const topic = deps.topicOf(current);
  if (s.topic !== topic)
    await store.setSlackState(incident.id, { topic: await chat.setTopic(channel, current) });
  if (!s.invited) {
    const { onCallGroup, responders, commander } = deps.targets;
    const members = onCallGroup ? await chat.usergroupMembers(onCallGroup) : [];
    const users = [...new Set([...members, ...responders, ...(commander ? [commander] : [])])];
    await chat.invite(channel, users);
    await store.setSlackState(incident.id, { invited: true });
  }
  if (s.warRoomTs === null) {
    const ts = await postOnce(deps, job, channel, `warroom:${incident.id}`, {
      kind: 'war_room',
      incident: current,
    });
    await store.setSlackState(incident.id, { warRoomTs: ts });
    s = { ...s, warRoomTs: ts };
    // A change that committed while this was posting found no War Room to update: bring it up to date.
    // Compared without the Slack-side ids: `latest` always carries the warRoomTs just stored, and
    // comparing it too made every new War Room cost a needless chat.update right after its post.
    const latest = await store.get(incident.id);
    if (latest && shownState(latest) !== shownState(current))
      await chat.update(channel, ts, { kind: 'war_room', incident: latest });
  } else {
    await chat.update(channel, s.warRoomTs, { kind: 'war_room', incident: current });
  }
  if (!s.pinned) {
    await chat.pin(channel, s.warRoomTs!);
    await store.setSlackState(incident.id, { pinned: true });
  }
  const alerts = deps.targets.alertsChannel;
  if (alerts !== null && s.announcedTs === null) {
    const withChannel = { ...current, channelId: channel, channelName: s.channelName };
    const ts = await postOnce(deps, job, alerts, `announce:${incident.id}`, {
      kind: 'announce',
      incident: withChannel,
    });
    await store.setSlackState(incident.id, { announcedTs: ts });
  }
}

/** Creates (or, after a crash, adopts) the channel under the first free name, and stores its id. */
async function createChannel(deps: IncidentDeliveryDeps, job: Job, incident: Incident): Promise<void> {
  for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
    const name = channelName(incident.openedAtMs, incident.id, incident.title, attempt);
    // A crash after conversations.create but before the id was stored left a channel of ours behind.
    const adopted = job.attempts > 1 ? await deps.chat.findOwnChannel(name) : null;
    const created = adopted ? { ok: true as const, channelId: adopted } : await deps.chat.createChannel(name);
    if (created.ok) {
      await deps.store.setSlackState(incident.id, { channelId: created.channelId, channelName: name });
      return;
    }
  }
}

/** The War Room is updated in place; with no War Room yet, the channel job will post the newest state. */
async function syncWarRoom(deps: IncidentDeliveryDeps, incident: Incident): Promise<void> {
  const s = await deps.store.slackState(incident.id);
  if (s.channelId === null || s.warRoomTs === null) return;
  await deps.chat.update(s.channelId, s.warRoomTs, { kind: 'war_room', incident });
  const topic = deps.topicOf(incident);
  if (s.topic !== topic)
    await deps.store.setSlackState(incident.id, { topic: await deps.chat.setTopic(s.channelId, incident) });
}

async function sendAlert(
  deps: IncidentDeliveryDeps,
  job: Job<'incident.alert'>,
  incident: Incident,
): Promise<void> {
  const alerts = deps.targets.alertsChannel;
  if (alerts === null || typeof job.progress['posted_ts'] === 'string') return;
  const { event } = job.payload;
  const ts = await postOnce(deps, job, alerts, job.key, { kind: 'alert', incident, event });
  await deps.jobs.saveProgress(job, { posted_ts: ts });
}
