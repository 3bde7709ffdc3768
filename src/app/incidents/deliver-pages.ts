import { type Incident, type IncidentPolicy, wantsChannel } from '../../domain/incidents/incident.ts';
import type { IncidentState } from '../../domain/incidents/lifecycle.ts';
import {
  DeliveryError,
  type Job,
  type JobQueue,
  type OutboundMessage,
  type PagePayload,
} from '../outbox/ports.ts';
import { type PostDeps, postOnce } from '../outbox/post-once.ts';
import type { PagingTargets } from './deps.ts';
import { jobKeys } from './effects.ts';
import type { IncidentStore, PageDelivery } from './ports.ts';

/** What page delivery needs of the worker's dependencies (delivery/handlers.ts DeliveryDeps has it all). */
export interface PageDeps extends PostDeps {
  store: IncidentStore;
  jobs: JobQueue;
  targets: PagingTargets;
  policy: IncidentPolicy;
}

/**
 * A page: posted in the incident channel (else the alerts channel) and DMed to the commander, each once.
 * The progress records where each went and the incident as it was rendered, so that settlePages can later
 * edit exactly that message without its Acknowledge button.
 */
export async function sendPage(deps: PageDeps, job: Job<'incident.page'>, incident: Incident): Promise<void> {
  const p = job.payload;
  // A repeat that was due before someone acknowledged, or any page of a resolved incident, is moot now.
  if (incident.state === 'resolved' || (p.repeat > 0 && incident.state !== 'detected')) {
    deps.log.info(
      { incident_id: incident.id, state: incident.state, repeat: p.repeat },
      'page dropped: moot',
    );
    return;
  }
  const s = await deps.store.slackState(incident.id);
  // The page goes to the incident channel; until it exists (a channel job is queued ahead), wait for it.
  // If the channel cannot be made (its job failed for good), the page must still go out: to alerts.
  if (s.channelId === null && wantsChannel(incident.severity, deps.policy)) {
    const channelJob = await deps.jobs.stateOf(jobKeys.channel(incident.id));
    if (channelJob === 'pending') throw new DeliveryError('channel_pending', { retryAfterMs: 2_000 });
  }
  const target = s.channelId ?? deps.targets.alertsChannel;
  if (target === null && !p.commander)
    throw new DeliveryError('page_has_no_destination', { permanent: true });
  if (target !== null && typeof job.progress['posted_ts'] !== 'string') {
    const ts = await postOnce(deps, job, target, job.key, pageMessage(p, incident));
    await deps.jobs.saveProgress(job, { posted_ts: ts, posted_channel: target, posted_incident: incident });
  }
  if (p.commander && typeof job.progress['dm_ts'] !== 'string') {
    const dm = await deps.chat.openDm(p.commander);
    const ts = await postOnce(deps, job, dm, `${job.key}:dm`, dmMessage(p, incident));
    await deps.jobs.saveProgress(job, { dm_ts: ts, dm_channel: dm, dm_incident: incident });
  }
}

type PageMessage = Extract<OutboundMessage, { kind: 'page' | 'page_dm' }>;

const pageMessage = (p: PagePayload, incident: Incident): PageMessage => ({
  kind: 'page',
  incident,
  mentions: p.mentions,
  repeat: p.repeat,
  escalated: p.escalated,
});

const dmMessage = (p: PagePayload, incident: Incident): PageMessage => ({
  kind: 'page_dm',
  incident,
  repeat: p.repeat,
});

/** A posted page or DM as its delivery recorded it; `ref` names it in the settle job's progress. */
interface PostedPage {
  ref: string;
  channel: string;
  ts: string;
  message: PageMessage;
}

/** The page and DM a delivery posted, from its progress (ones posted before it recorded this are skipped). */
function postedPages(d: PageDelivery): PostedPage[] {
  const p = d.payload;
  const out: PostedPage[] = [];
  const at = (prefix: 'posted' | 'dm') => {
    const ts = d.progress[`${prefix}_ts`];
    const channel = d.progress[`${prefix}_channel`];
    const incident = d.progress[`${prefix}_incident`] as Incident | undefined;
    if (typeof ts !== 'string' || typeof channel !== 'string' || incident === undefined) return;
    // Only what carried an Acknowledge button needs an edit: it was posted while the incident was detected.
    if (incident.state !== 'detected') return;
    const message = prefix === 'posted' ? pageMessage(p, incident) : dmMessage(p, incident);
    out.push({ ref: `${d.key}:${prefix}`, channel, ts, message });
  };
  at('posted');
  at('dm');
  return out;
}

/**
 * Once an incident is acknowledged or resolved, the pages and DMs it sent are edited to show who settled it,
 * without their Acknowledge button, and otherwise as they were paged (issue 10 item 10). A page still being
 * delivered may be posting with its button right now, so this waits until none is. What each message shows
 * is kept in this job's progress, so a re-run edits only those behind; a resolved one is final, so pages of
 * an earlier episode are not relabelled after a reopen.
 */
export async function settlePages(deps: PageDeps, job: Job, incident: Incident): Promise<void> {
  // Reopened since: the incident wants acknowledging again, and its new pages carry the button rightly.
  if (incident.state === 'detected') return;
  const deliveries = await deps.store.pageDeliveries(incident.id);
  if (deliveries.some((d) => d.pending)) throw new DeliveryError('page_pending', { retryAfterMs: 2_000 });
  const shown = { ...(job.progress['shown'] as Record<string, IncidentState> | undefined) };
  for (const page of deliveries.flatMap(postedPages)) {
    const was = shown[page.ref];
    if (was === incident.state || was === 'resolved') continue;
    await deps.chat.update(page.channel, page.ts, { ...page.message, current: incident });
    shown[page.ref] = incident.state;
    await deps.jobs.saveProgress(job, { shown });
  }
}
