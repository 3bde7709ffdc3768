import type { CrmRejection, StoredRun, StoredSyncStatus, StreamState } from '../../app/crm/ports.ts';
import type { CrmFailureKind, RunStatus } from '../../domain/crm/sync-run.ts';
import type { Db, Sql } from './client.ts';
import { epochMs } from './instants.ts';

/** The CRM sync's reads (crm-repository.ts): stream cursors, a run's rejections, the status. */

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function streamStates(sql: Sql, connector: string): Promise<StreamState[]> {
  const rows = await sql.query<Record<string, unknown>>(
    `SELECT stream, resume, ${epochMs('cursor_at')} AS cursor_ms, ${epochMs('full_started_at')} AS full_ms
     FROM crm_sync_streams WHERE connector = $1 ORDER BY stream`,
    [connector],
  );
  return rows.map((r) => ({
    stream: String(r['stream']),
    cursorMs: num(r['cursor_ms']),
    resume: (r['resume'] as string | null) ?? null,
    fullStartedMs: num(r['full_ms']),
  }));
}

/** Numeric CRM ids in numeric order (`9` before `10`), then the rest as text. */
export async function crmRejections(
  db: Db,
  runId: string,
  limit: number,
): Promise<{ total: number; items: CrmRejection[] }> {
  const [count] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM crm_sync_rejections WHERE run_id = $1',
    [runId],
  );
  const rows = await db.query<{ stream: string; crm_id: string; reason: string }>(
    `SELECT stream, crm_id, reason FROM crm_sync_rejections WHERE run_id = $1
     ORDER BY stream, length(crm_id), crm_id LIMIT $2`,
    [runId, limit],
  );
  return {
    total: count?.n ?? 0,
    items: rows.map((r) => ({ stream: r.stream, crmId: r.crm_id, reason: r.reason })),
  };
}

const RUN_COLUMNS = `id::text AS id, mode, actor, status, ${epochMs('started_at')} AS started_ms,
  ${epochMs('finished_at')} AS finished_ms, seen, written, rejected, calls, daily_max, daily_remaining,
  rate_limited, waited_ms::float8 AS waited_ms, reason, failure_kind`;

const toRun = (r: Record<string, unknown>): StoredRun => ({
  id: String(r['id']),
  mode: r['mode'] as StoredRun['mode'],
  actor: String(r['actor']),
  status: r['status'] as RunStatus,
  startedAtMs: Number(r['started_ms']),
  finishedAtMs: num(r['finished_ms']),
  seen: Number(r['seen']),
  written: Number(r['written']),
  rejected: Number(r['rejected']),
  calls: Number(r['calls']),
  dailyMax: num(r['daily_max']),
  dailyRemaining: num(r['daily_remaining']),
  rateLimited: Number(r['rate_limited']),
  waitedMs: Number(r['waited_ms']),
  reason: (r['reason'] as string | null) ?? null,
  failureKind: (r['failure_kind'] as CrmFailureKind | null) ?? null,
});

export async function crmStatus(db: Db, connector: string): Promise<StoredSyncStatus | null> {
  const [s] = await db.query<Record<string, unknown>>(
    `SELECT state, ${epochMs('lease_until')} AS lease_ms, ${epochMs('last_success_at')} AS success_ms,
            ${epochMs('last_error_at')} AS error_ms, last_error_kind, last_error, alerted_kind, consecutive_failures
     FROM crm_sync_state WHERE connector = $1`,
    [connector],
  );
  if (s === undefined) return null;
  const [run] = await db.query<Record<string, unknown>>(
    `SELECT ${RUN_COLUMNS} FROM crm_sync_runs WHERE connector = $1 ORDER BY crm_sync_runs.id DESC LIMIT 1`,
    [connector],
  );
  const errorMs = num(s['error_ms']);
  return {
    running: s['state'] === 'running',
    leaseUntilMs: num(s['lease_ms']),
    streams: await streamStates(db, connector),
    lastRun: run ? toRun(run) : null,
    lastSuccessAtMs: num(s['success_ms']),
    lastError:
      errorMs === null
        ? null
        : {
            atMs: errorMs,
            kind: s['last_error_kind'] as CrmFailureKind,
            reason: String(s['last_error'] ?? ''),
          },
    alerts: {
      alertedKind: (s['alerted_kind'] as CrmFailureKind | null) ?? null,
      consecutiveFailures: Number(s['consecutive_failures']),
    },
  };
}
