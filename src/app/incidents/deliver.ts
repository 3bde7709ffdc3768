import { channelName, type Incident } from '../../domain/incidents/incident.ts';
import type { SlaFigures } from '../../domain/sla/figures.ts';
import type { Log } from '../context.ts';
import type { FixStore } from '../fix-ports.ts';
import {
  type ChatGateway,
  DeliveryError,
  type IncidentStore,
  type Job,
  type JobQueue,
} from '../incident-ports.ts';
import type { SlaReportDelivery } from '../sla/report.ts';
import type { TagCardinality } from '../telemetry-ports.ts';
import { sendPage, settlePages } from './deliver-pages.ts';
import type { IncidentDeps, PagingTargets } from './deps.ts';
import { postOnce } from './post-once.ts';

export interface DeliveryDeps {
  store: IncidentStore;
  fixes: FixStore;
  jobs: JobQueue;
  chat: ChatGateway;
  targets: PagingTargets;
  policy: IncidentDeps['policy'];
  /** The topic text an incident should carry (rendered by the Slack adapter). */
  topicOf: (i: Incident) => string;
  /** Builds a queued weekly SLA report when it is sent; without it such jobs fail (nothing to send). */
  slaReports?: SlaReportDelivery;
  log: Log;
}

/** Lease on a claimed job: long enough for a channel's whole setup, short enough to recover a crash. */
export const LEASE_MS = 120_000;
const MAX_BACKOFF_MS = 5 * 60_000;
const MAX_NAME_ATTEMPTS = 20;

/** Exponential backoff for failures without a Retry-After: 2 s, 4 s … capped at 5 minutes. */
export const backoffMs = (attempts: number): number =>
  Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(1, attempts));

/**
 * Claims due jobs and delivers them, oldest first. Transient failures (rate limits, 5xx, network) are
 * retried later, after Slack's Retry-After when it gave one; nothing transient ever gives up, so an outage
 * delays messages and loses none. Returns how many jobs it handled.
 */
export async function deliverDue(deps: DeliveryDeps, batch = 20): Promise<number> {
  const jobs = await deps.jobs.claim(batch, LEASE_MS);
  for (const job of jobs) {
    // Bug fix: the batch is claimed at once but run one job after the other, so with Slack slow the leases
    // of the last jobs lapsed before this worker reached them; another replica claimed and delivered them,
    // and this worker then delivered them again from its stale claim (a second page, a second DM). Each
    // job's lease is renewed just before it runs, and a job claimed elsewhere meanwhile is left alone.
    if (!(await deps.jobs.renew(job, LEASE_MS))) continue;
    try {
      await runJob(deps, job);
      await deps.jobs.complete(job);
    } catch (err) {
      await settleFailure(deps, job, err);
    }
  }
  return jobs.length;
}

async function settleFailure(deps: DeliveryDeps, job: Job, err: unknown): Promise<void> {
  const fields = { job_id: job.id, kind: job.kind, key: job.key, attempts: job.attempts };
  if (err instanceof DeliveryError && err.permanent) {
    deps.log.error({ ...fields, code: err.code }, 'delivery failed permanently');
    await deps.jobs.fail(job, err.code);
    return;
  }
  const delay =
    err instanceof DeliveryError && err.retryAfterMs !== undefined
      ? err.retryAfterMs
      : backoffMs(job.attempts);
  const code = err instanceof DeliveryError ? err.code : 'unexpected';
  // A bug (not a DeliveryError) is logged loudly but still retried: the side effect must not be lost.
  if (err instanceof DeliveryError)
    deps.log.warn({ ...fields, code, retry_in_ms: delay }, 'delivery deferred');
  else deps.log.error({ ...fields, err, retry_in_ms: delay }, 'delivery failed unexpectedly');
  await deps.jobs.retry(job, delay, code);
}

async function runJob(deps: DeliveryDeps, job: Job): Promise<void> {
  if (job.kind === 'fix.message') return deliverFixMessage(deps, job);
  if (job.kind === 'fix.notify') return deliverFixNotify(deps, job);
  if (job.kind === 'fix.rollback_notice') return deliverFixRollbackNotice(deps, job);
  if (job.kind === 'sla.report') return deliverSlaReport(deps, job);
  if (job.kind === 'sla.ticket') return deliverSlaTicket(deps, job);
  if (job.kind === 'admin.alert') return deliverAdminAlert(deps, job);
  const incident = job.incidentId === null ? null : await deps.store.get(job.incidentId);
  if (incident === null) throw new DeliveryError('incident_missing', { permanent: true });
  switch (job.kind) {
    case 'incident.channel':
      return ensureChannel(deps, job, incident);
    case 'incident.sync':
      return syncWarRoom(deps, incident);
    case 'incident.page':
      return sendPage(deps, job, incident);
    case 'incident.settle_pages':
      return settlePages(deps, job, incident);
    case 'incident.alert':
      return sendAlert(deps, job, incident);
  }
}

/** What the War Room renders of an incident, less the Slack ids this worker itself writes back. */
const shownState = (i: Incident): string =>
  JSON.stringify({ ...i, channelId: null, channelName: null, warRoomTs: null });

/**
 * The incident channel, re-runnable (Dispatch's habit): each step records its result on the incident, and
 * a retry after a crash skips what is done, so it never makes a second channel or War Room message.
 */
async function ensureChannel(deps: DeliveryDeps, job: Job, incident: Incident): Promise<void> {
  const { chat, store } = deps;
  let s = await store.slackState(incident.id);
  if (s.channelId === null) {
    for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
      const name = channelName(incident.openedAtMs, incident.id, incident.title, attempt);
      // A crash after conversations.create but before the id was stored left a channel of ours behind.
      const adopted = job.attempts > 1 ? await chat.findOwnChannel(name) : null;
      const created = adopted ? { ok: true as const, channelId: adopted } : await chat.createChannel(name);
      if (created.ok) {
        await store.setSlackState(incident.id, { channelId: created.channelId, channelName: name });
        break;
      }
    }
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

/** The War Room is updated in place; with no War Room yet, the channel job will post the newest state. */
async function syncWarRoom(deps: DeliveryDeps, incident: Incident): Promise<void> {
  const s = await deps.store.slackState(incident.id);
  if (s.channelId === null || s.warRoomTs === null) return;
  await deps.chat.update(s.channelId, s.warRoomTs, { kind: 'war_room', incident });
  const topic = deps.topicOf(incident);
  if (s.topic !== topic)
    await deps.store.setSlackState(incident.id, { topic: await deps.chat.setTopic(s.channelId, incident) });
}

async function sendAlert(deps: DeliveryDeps, job: Job, incident: Incident): Promise<void> {
  const alerts = deps.targets.alertsChannel;
  if (alerts === null || typeof job.progress['posted_ts'] === 'string') return;
  const event = (job.payload as { event: 'declared' | 'severity_changed' | 'reopened' | 'resolved' }).event;
  const ts = await postOnce(deps, job, alerts, job.key, { kind: 'alert', incident, event });
  await deps.jobs.saveProgress(job, { posted_ts: ts });
}

/** The fix preview: posted once (its ts stored on the run), then updated in place at every step. */
async function deliverFixMessage(deps: DeliveryDeps, job: Job): Promise<void> {
  const runId = String(job.payload['fix_run_id']);
  const run = await deps.fixes.get(runId);
  if (run === null) throw new DeliveryError('fix_run_missing', { permanent: true });
  if (run.channelId !== null && run.messageTs !== null) {
    await deps.chat.update(run.channelId, run.messageTs, { kind: 'fix_preview', run });
    return;
  }
  const channel = typeof job.payload['channel'] === 'string' ? job.payload['channel'] : null;
  if (channel === null) return;
  const ts = await postOnce(deps, job, channel, job.key, { kind: 'fix_preview', run });
  await deps.fixes.setMessage(run.id, channel, ts);
  // A step that committed while this was posting found no message to update.
  const latest = await deps.fixes.get(run.id);
  if (latest && latest.state !== run.state)
    await deps.chat.update(channel, ts, { kind: 'fix_preview', run: latest });
}

async function deliverFixNotify(deps: DeliveryDeps, job: Job): Promise<void> {
  if (typeof job.progress['posted_ts'] === 'string') return;
  const p = job.payload as { channel: string; dm: boolean; text: string; record_id: string };
  const channel = p.dm ? await deps.chat.openDm(p.channel) : p.channel;
  const ts = await postOnce(deps, job, channel, job.key, {
    kind: 'fix_notify',
    text: p.text,
    recordId: p.record_id,
  });
  await deps.jobs.saveProgress(job, { posted_ts: ts });
}

/**
 * The correction after a rollback, once per recipient. It must not overtake what it corrects: while one of
 * those notifications is still being sent it waits; if every one of them failed for good, nobody was told
 * and there is nothing to correct. One no longer queued counts as told: it was delivered and purged, or
 * withdrawn after an attempt that may have reached Slack (fix-repository.ts withdrawEffects).
 */
async function deliverFixRollbackNotice(deps: DeliveryDeps, job: Job): Promise<void> {
  if (typeof job.progress['posted_ts'] === 'string') return;
  const p = job.payload as {
    fix_run_id: string;
    channel: string;
    dm: boolean;
    title: string;
    record_ids: string[];
    corrects: string[];
  };
  const states = await Promise.all(p.corrects.map((key) => deps.jobs.stateOf(key)));
  if (states.includes('pending'))
    throw new DeliveryError('corrected_message_pending', { retryAfterMs: 2_000 });
  if (states.length > 0 && states.every((s) => s === 'failed')) {
    deps.log.info({ job_id: job.id, key: job.key }, 'rollback notice dropped: the notification never left');
    return;
  }
  const channel = p.dm ? await deps.chat.openDm(p.channel) : p.channel;
  const ts = await postOnce(deps, job, channel, job.key, {
    kind: 'fix_rollback_notice',
    runId: p.fix_run_id,
    title: p.title,
    recordIds: p.record_ids,
  });
  await deps.jobs.saveProgress(job, { posted_ts: ts });
}

/** An SLA ticket: one message in the alerts channel, posted once (its figures travel in the payload). */
async function deliverSlaTicket(deps: DeliveryDeps, job: Job): Promise<void> {
  const alerts = deps.targets.alertsChannel;
  if (alerts === null || typeof job.progress['posted_ts'] === 'string') return;
  const figures = job.payload['figures'] as SlaFigures;
  const ts = await postOnce(deps, job, alerts, job.key, { kind: 'sla_ticket', figures });
  await deps.jobs.saveProgress(job, { posted_ts: ts });
}

/**
 * The weekly SLA report (kind 'sla.report'): the message posted once (its ts kept), then the chart
 * uploaded once (its file id kept), so a retry after either step does not repeat it.
 */
async function deliverSlaReport(deps: DeliveryDeps, job: Job): Promise<void> {
  const p = job.payload as { week: string; channel: string; service?: string | null };
  if (deps.slaReports === undefined) throw new DeliveryError('sla_reports_unavailable', { permanent: true });
  const posted = typeof job.progress['posted_ts'] === 'string';
  const uploaded = typeof job.progress['file_id'] === 'string';
  if (posted && (uploaded || deps.chat.uploadFile === undefined)) return;
  const { report, chart } = await deps.slaReports.prepare(p.week, p.service ?? null);
  if (!posted) {
    const ts = await postOnce(deps, job, p.channel, job.key, { kind: 'sla_report', report });
    await deps.jobs.saveProgress(job, { posted_ts: ts });
  }
  if (chart !== null && deps.chat.uploadFile !== undefined && !uploaded) {
    const { fileId } = await deps.chat.uploadFile(p.channel, chart);
    await deps.jobs.saveProgress(job, { file_id: fileId });
  }
}

/** The janitor's tag-cardinality alert: one message in the admins' channel named in the payload. */
async function deliverAdminAlert(deps: DeliveryDeps, job: Job): Promise<void> {
  if (typeof job.progress['posted_ts'] === 'string') return;
  const p = job.payload as { channel: string; over: TagCardinality[]; tag_limit: number };
  const ts = await postOnce(deps, job, p.channel, job.key, {
    kind: 'cardinality_alert',
    over: p.over,
    tagLimit: p.tag_limit,
  });
  await deps.jobs.saveProgress(job, { posted_ts: ts });
}
