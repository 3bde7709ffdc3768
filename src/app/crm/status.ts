import { shareOfDaily, syncCap } from '../../domain/crm/allowance.ts';
import { type CrmFailureKind, remedy } from '../../domain/crm/sync-run.ts';
import type { CrmConnector, CrmSyncStore, StoredRun } from './ports.ts';

/**
 * `leak crm status` and the App Home's CRM line: where each object's cursor is, how many funnel records
 * came from the CRM, the last run (what it spent of the daily allowance, why it stopped or failed), and
 * the last error with what to do about it.
 */

export interface CrmStreamStatus {
  stream: string;
  noun: string;
  /** Incremental syncs read from here (less the overlap); null: never fully read yet. */
  cursorMs: number | null;
  /** A full read stopped early is resumed by the next sync. */
  fullInProgress: boolean;
  /** Funnel records of this object (ids with its prefix). */
  records: number;
}

export interface CrmStatusView {
  connector: string;
  label: string;
  running: boolean;
  streams: CrmStreamStatus[];
  lastRun: StoredRun | null;
  /** The last run's calls as a share of the daily allowance (null while unknown). */
  lastRunShare: number | null;
  /** CRM_DAILY_SHARE, and what it allows one sync at the last known daily allowance (null: unknown). */
  dailyShare: number;
  syncCap: number | null;
  lastSuccessAtMs: number | null;
  lastError: { atMs: number; kind: CrmFailureKind; reason: string; remedy: string } | null;
}

export interface CrmStatusDeps {
  connector: Pick<CrmConnector, 'name' | 'label' | 'streams'>;
  store: Pick<CrmSyncStore, 'status' | 'countRecords'>;
  dailyShare: number;
}

export async function crmStatus(deps: CrmStatusDeps): Promise<CrmStatusView> {
  const { connector, store } = deps;
  const stored = await store.status(connector.name);
  const byKey = new Map((stored?.streams ?? []).map((s) => [s.stream, s]));
  const streams = await Promise.all(
    connector.streams.map(async (s): Promise<CrmStreamStatus> => {
      const st = byKey.get(s.key);
      return {
        stream: s.key,
        noun: s.noun,
        cursorMs: st?.cursorMs ?? null,
        fullInProgress: st?.fullStartedMs != null,
        records: await store.countRecords(s.mapping.idPrefix),
      };
    }),
  );
  const lastRun = stored?.lastRun ?? null;
  const dailyMax = lastRun?.dailyMax ?? null;
  const err = stored?.lastError ?? null;
  return {
    connector: connector.name,
    label: connector.label,
    running: stored?.running ?? false,
    streams,
    lastRun,
    lastRunShare: lastRun === null ? null : shareOfDaily(lastRun.calls, dailyMax),
    dailyShare: deps.dailyShare,
    syncCap: dailyMax === null ? null : syncCap(dailyMax, deps.dailyShare),
    lastSuccessAtMs: stored?.lastSuccessAtMs ?? null,
    lastError: err === null ? null : { ...err, remedy: remedy(err.kind, connector.label) },
  };
}
