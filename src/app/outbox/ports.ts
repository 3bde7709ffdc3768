import type { CrmAlertFacts, CrmFailureKind } from '../../domain/crm/sync-run.ts';
import type { FixRun } from '../../domain/fixpacks/run.ts';
import type { Incident } from '../../domain/incidents/incident.ts';
import type { RevopsReport } from '../../domain/revops/figures.ts';
import type { SlaFigures } from '../../domain/sla/figures.ts';
import type { SlaReport } from '../../domain/sla/report.ts';
import type { TagCardinality } from '../../domain/telemetry/cardinality.ts';

/**
 * The outbox (ARCHITECTURE.md habit 10): every job kind and the payload it carries. Adding a job kind means
 * adding it here and its handler to delivery/handlers.ts's table (the compiler asks for it). Payloads
 * are stored as JSON, so they hold plain data only, in snake_case as the rows always had them.
 */
export interface JobPayloads {
  'incident.channel': Record<string, never>;
  'incident.sync': Record<string, never>;
  'incident.page': PagePayload;
  'incident.alert': { event: IncidentAlertEvent };
  'incident.settle_pages': Record<string, never>;
  /**
   * `channels`: the SLA's ticket notification targets (OpenSLO); absent or empty: the alerts channel, which
   * also takes the ticket when every target refused it.
   */
  'sla.ticket': { figures: SlaFigures; channels?: string[] };
  /** An SLA incident announced in one of its page notification targets (sla/deliver-notify.ts). */
  'sla.announce': { channel: string };
  'sla.report': { week: string; channel: string; service?: string | null };
  /** The weekly RevOps digest (issue 14): the ISO week (its Monday in `timezone`) and where it goes. */
  'revops.digest': { week: string; channel: string; timezone: string };
  'admin.alert': { channel: string; over: readonly TagCardinality[]; tag_limit: number };
  /** A CRM sync failed (token revoked, scope missing …) or recovered (issue 16): one post to the admins. */
  'crm.alert': {
    channel: string;
    connector: string;
    event: 'failed' | 'recovered';
    kind: CrmFailureKind;
    reason: string | null;
    failures: number;
    at_ms: number;
  };
  /** One batch of an approved fix written back to the CRM (issue 16); the batch is stored with the run. */
  'crm.write': { fix_run_id: string; batch_no: number };
  /** A rolled-back fix's CRM writes undone, once every batch has settled. */
  'crm.revert': { fix_run_id: string };
  /** `channel` is where the preview goes when it has not been posted yet (null: nowhere yet). */
  'fix.message': { fix_run_id: string; channel: string | null };
  /** `channel` is a channel id, or the Slack user whose DM it goes to when `dm`. */
  'fix.notify': { fix_run_id: string; channel: string; dm: boolean; text: string; record_id: string };
  /** `corrects`: the keys of the notifications this corrects; it is sent after them, or not at all. */
  'fix.rollback_notice': {
    fix_run_id: string;
    channel: string;
    dm: boolean;
    title: string;
    record_ids: string[];
    corrects: string[];
  };
}

export type JobKind = keyof JobPayloads;

export type IncidentAlertEvent = 'declared' | 'severity_changed' | 'reopened' | 'resolved';

/** One page of an incident: whom it mentions, which repeat it is, whom it DMs. */
export interface PagePayload {
  repeat: number;
  mentions: string[];
  escalated: boolean;
  commander: string | null;
}

interface NewJobFields<K extends JobKind> {
  kind: K;
  /** Natural key: enqueueing the same key again re-arms the job instead of adding a second one. */
  key: string;
  /** The incident the job belongs to; null for a job outside any incident. */
  incidentId: string | null;
  payload: JobPayloads[K];
  runAfterMs?: number;
}

interface JobFields<K extends JobKind> extends NewJobFields<K> {
  id: string;
  attempts: number;
  /** Bumped when the job is re-armed while it runs, so completing a stale run leaves it pending. */
  generation: number;
  /** What earlier attempts already achieved (a posted message's ts, say), kept across retries. */
  progress: Record<string, unknown>;
}

/** A job to enqueue; a union over kinds, so each kind's payload is checked where it is written. */
export type NewJob<K extends JobKind = JobKind> = { [P in K]: NewJobFields<P> }[K];

/** A claimed job; checking `kind` narrows `payload` to that kind's payload. */
export type Job<K extends JobKind = JobKind> = { [P in K]: JobFields<P> }[K];

/** Where an enqueue is written: the transaction of the state change that causes it (IncidentTx, FixTx …). */
export interface OutboxTx {
  enqueue(job: NewJob): Promise<void>;
}

export interface JobQueue {
  /** Leases up to `limit` due jobs (skipping ones another worker holds) for `leaseMs`. */
  claim(limit: number, leaseMs: number): Promise<Job[]>;
  /** Extends this claim's lease; false when it lapsed and another worker claimed the job since. */
  renew(job: Job, leaseMs: number): Promise<boolean>;
  /** Done, unless the job was re-armed meanwhile (then it stays pending for another run). */
  complete(job: Job): Promise<void>;
  /** Saves partial progress without finishing. */
  saveProgress(job: Job, progress: Record<string, unknown>): Promise<void>;
  /** Back to pending, due `delayMs` from now by the database's clock (the one claim() compares with). */
  retry(job: Job, delayMs: number, error: string): Promise<void>;
  fail(job: Job, error: string): Promise<void>;
  /** Deletes delivered jobs older than `olderThanMs`; failed and pending ones stay for inspection. */
  purgeDone(olderThanMs: number): Promise<number>;
  /** The state of the job with this key, or null when there is none. */
  stateOf(key: string): Promise<'pending' | 'done' | 'failed' | null>;
  /** Counts by state, for status and tests. */
  stats(): Promise<Record<'pending' | 'done' | 'failed', number>>;
}

/** A message the bot sends; the Slack adapter renders it (Block Kit is the adapter's business). */
export type OutboundMessage =
  | { kind: 'war_room'; incident: Incident }
  | { kind: 'announce'; incident: Incident }
  | {
      kind: 'page';
      incident: Incident;
      /** User group ids to mention; empty for a WARN. */
      mentions: string[];
      repeat: number;
      escalated: boolean;
      /** Set when an earlier page is edited: the incident as it is now (acknowledged or resolved). */
      current?: Incident;
    }
  | { kind: 'page_dm'; incident: Incident; repeat: number; current?: Incident }
  | { kind: 'alert'; incident: Incident; event: IncidentAlertEvent }
  | { kind: 'sla_ticket'; figures: SlaFigures }
  | { kind: 'cardinality_alert'; over: readonly TagCardinality[]; tagLimit: number }
  | { kind: 'crm_alert'; alert: CrmAlertFacts }
  | { kind: 'fix_preview'; run: FixRun }
  | { kind: 'fix_notify'; text: string; recordId: string }
  /** The correction to someone a fix notified, once it is rolled back: tasks cancelled, nothing to do. */
  | { kind: 'fix_rollback_notice'; runId: string; title: string; recordIds: string[] }
  | { kind: 'sla_report'; report: SlaReport }
  /** The weekly RevOps digest: `week` `2026-W48`, `span` "23 – 29 Nov 2026" in `timezone`. */
  | { kind: 'revops_digest'; week: string; span: string; timezone: string; report: RevopsReport };

/** A delivery that did not happen. `retryAfterMs` from Slack's Retry-After; `permanent` means do not retry. */
export class DeliveryError extends Error {
  readonly code: string;
  readonly retryAfterMs: number | undefined;
  readonly permanent: boolean;
  constructor(code: string, opts: { retryAfterMs?: number; permanent?: boolean; message?: string } = {}) {
    super(opts.message ?? code);
    this.name = 'DeliveryError';
    this.code = code;
    this.retryAfterMs = opts.retryAfterMs;
    this.permanent = opts.permanent ?? false;
  }
}

/** The outbound Slack surface the delivery worker needs. Every method throws DeliveryError on failure. */
export interface ChatGateway {
  /** `name_taken` is an answer, not an error: the caller picks another name. */
  createChannel(name: string): Promise<{ ok: true; channelId: string } | { ok: false; reason: 'name_taken' }>;
  /** A channel of this name created by this bot (to adopt one a crashed attempt created), else null. */
  findOwnChannel(name: string): Promise<string | null>;
  /** Sets the topic rendered from the incident and returns the text set. */
  setTopic(channelId: string, incident: Incident): Promise<string>;
  usergroupMembers(groupId: string): Promise<string[]>;
  /** Invites users; ones already in the channel are fine. */
  invite(channelId: string, userIds: readonly string[]): Promise<void>;
  /** Posts with `key` in the message metadata, so findPosted can find it after a lost response. */
  post(channelId: string, message: OutboundMessage, key: string): Promise<{ ts: string }>;
  /** The ts of a recent message of ours in the channel carrying `key`, or null. */
  findPosted(channelId: string, key: string): Promise<string | null>;
  update(channelId: string, ts: string, message: OutboundMessage): Promise<void>;
  /** Pins; already pinned is fine. */
  pin(channelId: string, ts: string): Promise<void>;
  /** The DM channel id with a user. */
  openDm(userId: string): Promise<string>;
  /**
   * Uploads a file into a channel (files.getUploadURLExternal, the bytes, files.completeUploadExternal).
   * Optional: a gateway without it (the terminal) delivers the weekly report without its chart.
   */
  uploadFile?(channelId: string, file: UploadFile): Promise<{ fileId: string }>;
}

/** A file to share in a channel (the weekly report's chart). */
export interface UploadFile {
  filename: string;
  title: string;
  bytes: Uint8Array;
  /** Posted with the file as its message. Plain text from us, not user input. */
  initialComment?: string;
}
