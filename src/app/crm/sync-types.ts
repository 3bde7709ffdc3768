import type { CrmFailureKind } from '../../domain/crm/sync-run.ts';
import type { Clock, Ctx } from '../context.ts';
import type { RecordRepository } from '../records/ports.ts';
import type {
  CrmConnector,
  CrmRejection,
  CrmSession,
  CrmSyncStore,
  CrmUsage,
  FinishedRun,
  ReadFrom,
  RunTotals,
  StartedRun,
} from './ports.ts';

/** The CRM sync's settings, dependencies, options and outcome (sync.ts runs it, sync-finish.ts closes it). */

export interface CrmSyncSettings {
  /** CRM_DAILY_SHARE: the share of the account's daily API allowance syncs may use (domain/crm/allowance). */
  dailyShare: number;
  /** Where failure alerts go (ADMIN_CHANNEL, else ALERTS_CHANNEL); null: logged only. */
  alertChannel: string | null;
  /**
   * Incremental reads start this long before the cursor: a CRM's search index lags its writes by seconds,
   * and clocks differ. The records read again are upserted again, which changes nothing.
   */
  overlapMs: number;
  /** How long the sync slot is held without a checkpoint before another run may take it over. */
  leaseMs: number;
}

export const DEFAULT_SYNC_SETTINGS: Omit<CrmSyncSettings, 'alertChannel'> = {
  dailyShare: 0.5,
  overlapMs: 2 * 60_000,
  leaseMs: 5 * 60_000,
};

export interface CrmSyncDeps {
  connector: CrmConnector;
  store: CrmSyncStore;
  records: Pick<RecordRepository, 'upsertMany'>;
  clock: Clock;
  /** The deployment's keyed email hash (shared/pii.ts), as the CSV import uses. */
  hashEmail: (email: string) => string;
  settings: CrmSyncSettings;
  /** Called after an alert was written to the outbox: the server nudges its delivery worker. */
  onEnqueued?: () => void;
}

export interface SyncOptions {
  /** Read every record again (list, not search), from the start. */
  full: boolean;
  /** Stop (resumably) after this long; the scheduled sync bounds itself so the scan is not held up. */
  maxDurationMs?: number | null;
}

export interface StreamOutcome extends RunTotals {
  stream: string;
  noun: string;
  mode: ReadFrom['mode'];
  rejected: number;
  cursorMs: number | null;
  finished: boolean;
}

export type SyncOutcome =
  | { status: 'busy'; connector: string }
  | {
      status: FinishedRun['status'];
      connector: string;
      runId: string;
      streams: StreamOutcome[];
      usage: CrmUsage;
      reason: string | null;
      failureKind: CrmFailureKind | null;
      /** The first rejections (all are stored with the run) and how many there are. */
      rejected: { total: number; items: CrmRejection[] };
      elapsedMs: number;
    };

export const REJECTIONS_SHOWN = 200;

export type Ending = {
  status: FinishedRun['status'];
  reason: string | null;
  failure: FinishedRun['failure'];
};

/** The run's working state: totals, per-stream outcomes, the slot it holds. */
export interface Run {
  deps: CrmSyncDeps;
  ctx: Ctx;
  started: StartedRun;
  session: CrmSession;
  totals: RunTotals;
  outcomes: StreamOutcome[];
  deadlineMs: number | null;
  startedAtMs: number;
}
