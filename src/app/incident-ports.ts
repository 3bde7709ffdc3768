import type { FixRun } from '../domain/fixpacks/run.ts';
import type { Incident, IncidentFigures } from '../domain/incidents/incident.ts';
import type { IncidentState, TimelineKind } from '../domain/incidents/lifecycle.ts';
import type { PagingShown } from '../domain/incidents/paging-shown.ts';
import type { ScanSummary } from '../domain/scan/summarize.ts';
import type { SlaFigures } from '../domain/sla/figures.ts';
import type { SlaReport } from '../domain/sla/report.ts';
import type { TagCardinality } from './telemetry-ports.ts';

/** One timeline entry: what happened to an incident, who did it, when, with its data. */
export interface TimelineEntry {
  id: string;
  incidentId: string;
  kind: TimelineKind;
  actor: string;
  atMs: number;
  data: Record<string, unknown>;
}

export interface NewTimelineEntry {
  incidentId: string;
  kind: TimelineKind;
  actor: string;
  atMs: number;
  data: Record<string, unknown>;
  /** Natural key of the input that caused it (a reaction, a command); a second entry with it is dropped. */
  sourceKey?: string;
}

/** An append-only audit row; the database chains its hash to the previous row. */
export interface AuditEntry {
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
  atMs: number;
}

export type JobKind =
  | 'incident.channel'
  | 'incident.sync'
  | 'incident.page'
  | 'incident.alert'
  | 'incident.settle_pages'
  | 'sla.ticket'
  | 'admin.alert'
  | 'fix.message'
  | 'fix.notify'
  | 'fix.rollback_notice'
  | 'sla.report';

export interface NewJob {
  kind: JobKind;
  /** Natural key: enqueueing the same key again re-arms the job instead of adding a second one. */
  key: string;
  /** The incident the job belongs to; null for a fix outside any incident. */
  incidentId: string | null;
  payload: Record<string, unknown>;
  runAfterMs?: number;
}

export interface Job extends NewJob {
  id: string;
  attempts: number;
  /** Bumped when the job is re-armed while it runs, so completing a stale run leaves it pending. */
  generation: number;
  /** What earlier attempts already achieved (a posted message's ts, say), kept across retries. */
  progress: Record<string, unknown>;
}

export interface NewIncident {
  dedupeKey: string;
  title: string;
  severity: Incident['severity'];
  paging: Incident['paging'];
  openedAtMs: number;
  commander: string | null;
  figures: Incident['figures'];
  nextPageAtMs: number | null;
}

export type IncidentPatch = Partial<
  Pick<
    Incident,
    | 'state'
    | 'title'
    | 'severity'
    | 'paging'
    | 'figures'
    | 'acknowledgedAtMs'
    | 'acknowledgedBy'
    | 'resolvedAtMs'
    | 'resolvedBy'
    | 'commander'
    | 'pagesSent'
    | 'nextPageAtMs'
  >
>;

/** Everything one incident state change writes, inside one transaction. */
export interface IncidentTx {
  /** Serializes changes to one dedupe key for the rest of the transaction. */
  lockKey(dedupeKey: string): Promise<void>;
  findOpen(dedupeKey: string): Promise<Incident | null>;
  findLastResolved(dedupeKey: string): Promise<Incident | null>;
  get(id: string): Promise<Incident | null>;
  /** Null when an open incident for the key already exists (the partial unique index said no). */
  insert(draft: NewIncident): Promise<Incident | null>;
  /** Conditional update: applies only while the incident is in `expected`; null means someone moved first. */
  update(
    id: string,
    expected: IncidentState | readonly IncidentState[],
    patch: IncidentPatch,
  ): Promise<Incident | null>;
  /** False when an entry with the same sourceKey exists (a retried or duplicated input). */
  addEvent(entry: NewTimelineEntry): Promise<boolean>;
  audit(entry: AuditEntry): Promise<void>;
  enqueue(job: NewJob): Promise<void>;
}

/** Slack-side facts about an incident, written by the delivery worker as each step succeeds. */
export interface SlackState {
  channelId?: string | null;
  channelName?: string | null;
  topic?: string | null;
  invited?: boolean;
  warRoomTs?: string | null;
  pinned?: boolean;
  announcedTs?: string | null;
}

export interface IncidentStore {
  transaction<T>(fn: (tx: IncidentTx) => Promise<T>): Promise<T>;
  get(id: string): Promise<Incident | null>;
  slackState(id: string): Promise<Required<SlackState>>;
  setSlackState(id: string, patch: SlackState): Promise<void>;
  byChannel(channelId: string): Promise<Incident | null>;
  listOpen(): Promise<Incident[]>;
  /** The newest incident of any state (for status and the App Home when nothing is open). */
  latest(): Promise<Incident | null>;
  /** The most recently resolved incident of a dedupe key, read without a lock (status displays). */
  lastResolved(dedupeKey: string): Promise<Incident | null>;
  /** Page deliveries of an incident, oldest first: whether each is still queued and what it posted. */
  pageDeliveries(incidentId: string): Promise<PageDelivery[]>;
  /** Incidents whose next page is due at or before `nowMs` (unacknowledged PAGEs). */
  duePages(nowMs: number): Promise<Incident[]>;
  timeline(incidentId: string, limit: number): Promise<TimelineEntry[]>;
  /** Newest entries across incidents, newest first. */
  recentTimeline(limit: number): Promise<TimelineEntry[]>;
}

/**
 * One `incident.page` job as the outbox keeps it (until purged): `pending` while it may still post, its
 * payload, and its progress, where the delivery records the page and DM it posted and the incident as they
 * showed it (incidents/deliver-pages.ts writes and reads them).
 */
export interface PageDelivery {
  key: string;
  pending: boolean;
  payload: Record<string, unknown>;
  progress: Record<string, unknown>;
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

export interface AuditVerdict {
  rows: number;
  ok: boolean;
  /** The first row whose stored hash or link does not match, with why. */
  firstBad?: { id: string; reason: string };
}

export interface AuditLog {
  verify(): Promise<AuditVerdict>;
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
  | { kind: 'alert'; incident: Incident; event: 'declared' | 'severity_changed' | 'reopened' | 'resolved' }
  | { kind: 'sla_ticket'; figures: SlaFigures }
  | { kind: 'cardinality_alert'; over: TagCardinality[]; tagLimit: number }
  | { kind: 'fix_preview'; run: FixRun }
  | { kind: 'fix_notify'; text: string; recordId: string }
  /** The correction to someone a fix notified, once it is rolled back: tasks cancelled, nothing to do. */
  | { kind: 'fix_rollback_notice'; runId: string; title: string; recordIds: string[] }
  | { kind: 'sla_report'; report: SlaReport };

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

export type { ScanSummary };

/** What `/leak status` and the App Home War Room show. */
export interface StatusView {
  /** Open incidents, worst severity first. */
  open: Incident[];
  /**
   * The figures of the newest reconciled scan: the worst open incident's when one is open (it holds the
   * top issues), else built from the scan's stored totals (no issues to list then). Null before any scan.
   */
  figures: IncidentFigures | null;
  /** What the budget's paging shows beside those figures (domain/incidents/paging-shown.ts); null before any scan. */
  budgetPaging: PagingShown | null;
  /** Newest timeline entries across incidents, newest first. */
  recent: TimelineEntry[];
  /** Dollars cleared by applied fixes this ISO week (Monday 00:00 UTC on). */
  recoveredThisWeekCents: number;
}
