import type { CrmSyncStore, FinishedRun, StreamState } from '../../app/crm/ports.ts';
import type { JobPayloads } from '../../app/outbox/ports.ts';
import {
  type AlertMemory,
  type CrmFailureKind,
  RUN_LIFECYCLE,
  type RunEvent,
  SLOT_LIFECYCLE,
  statesFor,
  transition,
} from '../../domain/crm/sync-run.ts';
import { maskSecrets } from '../log/logger.ts';
import type { Db, Sql } from './client.ts';
import { crmRejections, crmStatus, streamStates } from './crm-reads.ts';
import { iso } from './instants.ts';
import { crmRunLeaseParams, crmRunUnleased, leaseCrmRun, type RunLease } from './run-leases.ts';

/**
 * The CRM sync's storage (app/crm/ports.ts CrmSyncStore). The sync slot and each run move by conditional
 * UPDATEs whose expected states come from the domain's tables (domain/crm/sync-run.ts): two replicas (or a
 * replica and `leak crm sync`) starting together take the slot once, and a run whose lease lapsed can
 * neither checkpoint nor finish over the run that took its place.
 */

/** Runs are kept this long (their rejections with them), then dropped when a later run finishes. */
const RUN_RETENTION_DAYS = 30;
/** Reasons are stored for operators: bounded, secrets masked like log lines. */
const MAX_REASON = 2000;
const reasonText = (r: string | null): string | null =>
  r === null ? null : maskSecrets(r).slice(0, MAX_REASON);

const lease = (leaseMs: number) =>
  `now() + make_interval(secs => ${Math.max(1, Math.round(leaseMs / 1000))})`;

const RUN_EVENT: Record<FinishedRun['status'], RunEvent> = {
  succeeded: 'complete',
  partial: 'stop',
  failed: 'fail',
};

/** A run whose process died holding the slot: closed as failed when another run takes the slot over. */
async function closeAbandoned(tx: Sql, connector: string): Promise<void> {
  await tx.query(
    `UPDATE crm_sync_runs r SET status = 'failed', finished_at = now(), failure_kind = 'abandoned',
            reason = 'the process running this sync stopped (its lease lapsed); the next sync resumed its work'
     FROM crm_sync_state s
     WHERE s.connector = $1 AND r.id = s.run_id AND r.status = ANY($2::text[])`,
    [connector, statesFor(RUN_LIFECYCLE, 'fail')],
  );
}

async function saveStream(tx: Sql, connector: string, s: StreamState): Promise<void> {
  await tx.query(
    `INSERT INTO crm_sync_streams (connector, stream, cursor_at, resume, full_started_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (connector, stream) DO UPDATE SET cursor_at = EXCLUDED.cursor_at, resume = EXCLUDED.resume,
       full_started_at = EXCLUDED.full_started_at, updated_at = now()`,
    [connector, s.stream, iso(s.cursorMs), s.resume, iso(s.fullStartedMs)],
  );
}

function alertJob(
  connector: string,
  runId: string,
  run: Parameters<CrmSyncStore['finish']>[2],
): { key: string; payload: JobPayloads['crm.alert'] } | null {
  const a = run.alert;
  if (a === null || a.alert === null) return null;
  const alert = a.alert;
  return {
    key: `crm:${connector}:${alert.event}:${runId}`,
    payload: {
      channel: a.channel,
      connector: a.label,
      event: alert.event,
      kind: alert.kind,
      reason: alert.event === 'failed' ? reasonText(alert.reason) : null,
      failures: alert.event === 'failed' ? alert.failures : 0,
      at_ms: run.finishedAtMs,
    },
  };
}

async function finishRun(tx: Sql, runId: string, run: FinishedRun): Promise<void> {
  const status = transition(RUN_LIFECYCLE, 'running', RUN_EVENT[run.status]);
  const u = run.usage;
  await tx.query(
    `UPDATE crm_sync_runs SET status = $2, finished_at = $3, seen = $4, written = $5,
            rejected = (SELECT count(*) FROM crm_sync_rejections WHERE run_id = $1), calls = $6, daily_max = $7,
            daily_remaining = $8, rate_limited = $9, waited_ms = $10, reason = $11, failure_kind = $12,
            mode = coalesce($14, mode)
     WHERE id = $1 AND status = ANY($13::text[])`,
    [
      runId,
      status,
      iso(run.finishedAtMs),
      run.totals.seen,
      run.totals.written,
      u.spent,
      u.dailyMax,
      u.dailyRemaining,
      u.rateLimited,
      Math.round(u.waitedMs),
      reasonText(run.reason),
      run.failure?.kind ?? null,
      statesFor(RUN_LIFECYCLE, RUN_EVENT[run.status]),
      run.mode,
    ],
  );
}

async function freeSlot(tx: Sql, connector: string, runId: string, run: FinishedRun, memory: AlertMemory) {
  const failure = run.failure;
  const rows = await tx.query(
    `UPDATE crm_sync_state SET state = $3, run_id = NULL, lease_until = NULL, updated_at = now(),
            last_success_at = CASE WHEN $4::boolean THEN last_success_at ELSE $5::timestamptz END,
            last_error_at = CASE WHEN $4::boolean THEN $5::timestamptz ELSE last_error_at END,
            last_error_kind = CASE WHEN $4::boolean THEN $6 ELSE last_error_kind END,
            last_error = CASE WHEN $4::boolean THEN $7 ELSE last_error END,
            alerted_kind = $8, consecutive_failures = $9
     WHERE connector = $1 AND run_id = $2 AND state = ANY($10::text[]) RETURNING connector`,
    [
      connector,
      runId,
      transition(SLOT_LIFECYCLE, 'running', 'finish'),
      failure !== null,
      iso(run.finishedAtMs),
      failure?.kind ?? null,
      reasonText(failure?.reason ?? null),
      memory.alertedKind,
      memory.consecutiveFailures,
      statesFor(SLOT_LIFECYCLE, 'finish'),
    ],
  );
  return rows.length === 1;
}

/**
 * Takes the slot (idle, or running for a run whose process died or whose lease lapsed) and opens the run
 * as `runId` (leased already: run-leases.ts leaseCrmRun); null when a live run holds it.
 */
async function begin(
  tx: Sql,
  db: Db,
  connector: string,
  run: Parameters<CrmSyncStore['begin']>[1],
  runId: string,
): ReturnType<CrmSyncStore['begin']> {
  await tx.query('INSERT INTO crm_sync_state (connector) VALUES ($1) ON CONFLICT DO NOTHING', [connector]);
  // Idle; or running for a run nobody leases any more (its process died) or whose time lease lapsed (by
  // the database's clock, the one every replica shares: a process alive but stuck).
  const [slot] = await tx.query<{
    state: string;
    alerted_kind: string | null;
    consecutive_failures: number;
  }>(
    `SELECT state, alerted_kind, consecutive_failures FROM crm_sync_state WHERE connector = $1
         AND (state = ANY($2::text[]) OR (state = ANY($3::text[])
              AND (lease_until < now() OR run_id IS NULL OR ${crmRunUnleased(db, 'run_id', 4)})))
       FOR UPDATE`,
    [
      connector,
      statesFor(SLOT_LIFECYCLE, 'start'),
      statesFor(SLOT_LIFECYCLE, 'take_over'),
      ...crmRunLeaseParams(db),
    ],
  );
  if (slot === undefined) return null;
  const event = slot.state === 'idle' ? 'start' : 'take_over';
  if (event === 'take_over') await closeAbandoned(tx, connector);
  await tx.query(
    `INSERT INTO crm_sync_runs (id, connector, mode, actor, started_at) OVERRIDING SYSTEM VALUE
     VALUES ($1, $2, $3, $4, $5)`,
    [runId, connector, run.mode, run.actor, iso(run.nowMs)],
  );
  await tx.query(
    `UPDATE crm_sync_state SET state = $2, run_id = $3, lease_until = ${lease(run.leaseMs)}, updated_at = now()
       WHERE connector = $1`,
    [connector, transition(SLOT_LIFECYCLE, slot.state as 'idle' | 'running', event), runId],
  );
  return {
    runId,
    streams: await streamStates(tx, connector),
    alerts: {
      alertedKind: slot.alerted_kind as CrmFailureKind | null,
      consecutiveFailures: Number(slot.consecutive_failures),
    },
  };
}

/** A page stored: the stream's state and the rejections, while the slot is still this run's. */
async function checkpoint(
  tx: Sql,
  connector: string,
  runId: string,
  page: Parameters<CrmSyncStore['checkpoint']>[2],
): Promise<void> {
  // Still ours? A run that lost its lease must not move a cursor the run that replaced it owns.
  const held = await tx.query(
    `UPDATE crm_sync_state SET lease_until = ${lease(page.leaseMs)}, updated_at = now()
       WHERE connector = $1 AND run_id = $2 AND state = 'running' RETURNING connector`,
    [connector, runId],
  );
  if (held.length !== 1) throw new Error(`crm sync run ${runId} lost its slot to another run`);
  await saveStream(tx, connector, page.state);
  // One row per record: the same record rejected twice in a batch (read twice) would make the upsert
  // touch a row twice, which PostgreSQL refuses.
  const rejections = [...new Map(page.rejections.map((r) => [`${r.stream}\u0000${r.crmId}`, r])).values()];
  if (rejections.length > 0)
    await tx.query(
      `INSERT INTO crm_sync_rejections (run_id, stream, crm_id, reason)
         SELECT $1, stream, crm_id, reason FROM unnest($2::text[], $3::text[], $4::text[]) AS r(stream, crm_id, reason)
         ON CONFLICT (run_id, stream, crm_id) DO UPDATE SET reason = EXCLUDED.reason`,
      [
        runId,
        rejections.map((r) => r.stream),
        rejections.map((r) => r.crmId),
        rejections.map((r) => r.reason),
      ],
    );
  await tx.query('UPDATE crm_sync_runs SET seen = $2, written = $3 WHERE id = $1', [
    runId,
    page.totals.seen,
    page.totals.written,
  ]);
}

/** Closes the run; frees the slot and queues the alert unless the run lost its slot meanwhile. */
function finishAndFree(
  db: Db,
  connector: string,
  runId: string,
  run: Parameters<CrmSyncStore['finish']>[2],
): Promise<void> {
  return db.transaction(async (tx) => {
    await finishRun(tx, runId, run);
    // A run that lost its slot records its own outcome but neither frees the slot nor alerts.
    if (!(await freeSlot(tx, connector, runId, run, run.alerts))) return;
    const job = alertJob(connector, runId, run);
    if (job)
      await tx.query(
        `INSERT INTO jobs (kind, key, incident_id, payload) VALUES ('crm.alert', $1, NULL, $2)
         ON CONFLICT (key) DO NOTHING`,
        [job.key, JSON.stringify(job.payload)],
      );
    // By the run's own clock (the one its finished_at was written with).
    await tx.query(
      `DELETE FROM crm_sync_runs WHERE connector = $1 AND status <> 'running'
         AND finished_at < $2::timestamptz - make_interval(days => ${RUN_RETENTION_DAYS})`,
      [connector, iso(run.finishedAtMs)],
    );
  });
}

export function crmSyncStore(db: Db): CrmSyncStore {
  /** The lease of each run this process has open (run-leases.ts), ended when the run is finished. */
  const leases = new Map<string, RunLease>();
  return {
    async begin(connector, run) {
      const lease = await leaseCrmRun(db);
      try {
        const started = await db.transaction((tx) => begin(tx, db, connector, run, lease.runId));
        if (started === null) await lease.release();
        else leases.set(started.runId, lease);
        return started;
      } catch (e) {
        await lease.release();
        throw e;
      }
    },
    checkpoint: (connector, runId, page) => db.transaction((tx) => checkpoint(tx, connector, runId, page)),
    finish: (connector, runId, run) =>
      finishAndFree(db, connector, runId, run).finally(() => {
        const lease = leases.get(runId);
        leases.delete(runId);
        return lease?.release();
      }),

    rejections: (runId, limit) => crmRejections(db, runId, limit),
    status: (connector) => crmStatus(db, connector),
    async countRecords(prefix) {
      const like = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const [r] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM records WHERE id LIKE $1`, [
        like,
      ]);
      return r?.n ?? 0;
    },
  };
}
