import type { Incident, IncidentFigures } from '../../domain/incidents/incident.ts';
import type { IncidentState, TimelineKind } from '../../domain/incidents/lifecycle.ts';
import type { PagingShown } from '../../domain/incidents/paging-shown.ts';
import type { ScanSummary } from '../../domain/scan/summarize.ts';
import type { OutboxTx, PagePayload } from '../outbox/ports.ts';

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
export interface IncidentTx extends OutboxTx {
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
  payload: PagePayload;
  progress: Record<string, unknown>;
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
