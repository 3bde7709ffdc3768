/**
 * A CRM sync as state machines (ARCHITECTURE.md habit 3): the connector's sync slot (one sync at a time
 * per connector, across replicas and the CLI) and each run's outcome. The database applies them with
 * conditional UPDATEs; the tables below are the only place states are named.
 */

export type SlotState = 'idle' | 'running';
export type SlotEvent = 'start' | 'finish' | 'take_over';

/** `take_over`: a run whose lease lapsed (its process died) is replaced by a new one. */
export const SLOT_LIFECYCLE: Record<SlotState, Partial<Record<SlotEvent, SlotState>>> = {
  idle: { start: 'running' },
  running: { finish: 'idle', take_over: 'running' },
};

export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed';
export type RunEvent = 'complete' | 'stop' | 'fail';

/**
 * `complete`: every object read to the end. `stop`: stopped early and resumable, keeping what was
 * stored (the daily share reached, the run's time limit). `fail`: an error; what was stored is kept.
 */
export const RUN_LIFECYCLE: Record<RunStatus, Partial<Record<RunEvent, RunStatus>>> = {
  running: { complete: 'succeeded', stop: 'partial', fail: 'failed' },
  succeeded: {},
  partial: {},
  failed: {},
};

export function transition<S extends string, E extends string>(
  table: Record<S, Partial<Record<E, S>>>,
  from: S,
  event: E,
): S | null {
  return table[from][event] ?? null;
}

/** The states `event` may leave from: the WHERE of the conditional UPDATE that applies it. */
export const statesFor = <S extends string, E extends string>(
  table: Record<S, Partial<Record<E, S>>>,
  event: E,
): S[] => (Object.keys(table) as S[]).filter((s) => table[s][event] !== undefined);

/**
 * Why a sync failed. `auth` (token expired or revoked), `scopes` (the app lacks a scope) and `config`
 * (the mapping file, a request the CRM refuses) need an admin; the others pass by themselves. `internal`
 * is our own side failing mid-sync (the database): logged as a bug, alerted like an outage that lasts.
 * `abandoned` is a run whose process died (killed, crashed), failed by the next process to start.
 */
export type CrmFailureKind =
  | 'auth'
  | 'scopes'
  | 'config'
  | 'rate_limited'
  | 'unavailable'
  | 'bad_response'
  | 'internal'
  | 'abandoned';

export const needsAdmin = (k: CrmFailureKind): boolean => k === 'auth' || k === 'scopes' || k === 'config';

/** Failures that pass by themselves are alerted once they last this many runs in a row. */
export const ALERT_AFTER_FAILURES = 3;

/** What the alerts remember between runs: the failure last alerted (null: none) and the current streak. */
export interface AlertMemory {
  alertedKind: CrmFailureKind | null;
  consecutiveFailures: number;
}

export type SyncAlert =
  | { event: 'failed'; kind: CrmFailureKind; reason: string; failures: number }
  | { event: 'recovered'; kind: CrmFailureKind }
  | null;

/**
 * One alert per failure episode, never one per run (a revoked token fails every 15 minutes until someone
 * acts): a failure that needs an admin alerts at once, another one on its ALERT_AFTER_FAILURES-th run in
 * a row; the same kind is not alerted again until a run gets through, which posts the recovery.
 */
export function alertAfter(
  memory: AlertMemory,
  run: { status: Exclude<RunStatus, 'running'>; failure?: { kind: CrmFailureKind; reason: string } },
): { alert: SyncAlert; memory: AlertMemory } {
  if (run.status !== 'failed' || run.failure === undefined) {
    const alert: SyncAlert =
      memory.alertedKind === null ? null : { event: 'recovered', kind: memory.alertedKind };
    return { alert, memory: { alertedKind: null, consecutiveFailures: 0 } };
  }
  const { kind, reason } = run.failure;
  const failures = memory.consecutiveFailures + 1;
  const due = needsAdmin(kind) || failures >= ALERT_AFTER_FAILURES;
  if (!due || memory.alertedKind === kind)
    return { alert: null, memory: { alertedKind: memory.alertedKind, consecutiveFailures: failures } };
  return {
    alert: { event: 'failed', kind, reason, failures },
    memory: { alertedKind: kind, consecutiveFailures: failures },
  };
}

/** What an admin should do about a failure, in one sentence (the alert and `leak crm status` say it). */
export function remedy(kind: CrmFailureKind, connector: string): string {
  // Salesforce has no private-app token: its credentials are a connected app's grant for one user.
  if (connector === 'Salesforce' && kind === 'auth')
    return 'Salesforce refused the connected app: check the certificate, consumer key and pre-authorized user (JWT bearer) or issue a new refresh token, then restart.';
  if (connector === 'Salesforce' && kind === 'scopes')
    return 'The Salesforce integration user lacks a permission: give it API Enabled and read access to Lead, Opportunity, User and OpportunityStage (README "CRM connectors").';
  switch (kind) {
    case 'auth':
      return `The ${connector} token was refused: create a new private-app token and set it, then restart.`;
    case 'scopes':
      return `The ${connector} app lacks a scope it needs: add it to the private app (README "CRM connectors").`;
    case 'config':
      return `The CRM mapping is wrong for this ${connector} account: fix CRM_MAPPING_FILE and restart.`;
    case 'rate_limited':
      return `${connector} kept refusing calls for its rate limits: the next runs retry.`;
    case 'unavailable':
      return `${connector} did not answer: the next runs retry.`;
    case 'bad_response':
      return `${connector} answered something the connector cannot read: the next runs retry.`;
    case 'internal':
      return 'The sync failed on our side (see the logs for the reference): the next runs retry.';
    case 'abandoned':
      return 'The process running the sync stopped before it finished (killed or crashed): the next run resumes from the last page it stored.';
  }
}

/** A sync alert as the outbox carries it and Slack shows it. */
export interface CrmAlertFacts {
  /** The CRM as people name it: `HubSpot`. */
  connector: string;
  event: 'failed' | 'recovered';
  kind: CrmFailureKind;
  /** The failure's reason (the CRM's own message when it gave one); null for a recovery. */
  reason: string | null;
  /** Failed runs in a row so far. */
  failures: number;
  atMs: number;
}
