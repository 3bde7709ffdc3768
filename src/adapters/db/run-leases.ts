import { hostname } from 'node:os';
import type { Log } from '../../app/context.ts';
import type { ImportRunStart } from '../../app/records/ports.ts';
import { AppError } from '../../shared/errors.ts';
import type { Db, Sql } from './client.ts';
import { holdTransaction } from './held-transaction.ts';
import { epochMs, iso } from './instants.ts';

/*
 * Runs that record themselves, and what happens when their process dies (issue 17).
 *
 * A run is leased to the process that started it. On PostgreSQL the lease is a transaction-level advisory
 * lock (RUN_LOCK_NS, run id) held by a transaction kept open for the run (holdTransaction): the server
 * drops it the moment that process's connection closes, however it died (SIGKILL, OOM, a lost host), so
 * liveness needs no heartbeat and no clock. The lock is taken before the run's row is inserted (its id
 * drawn first), so no reader ever sees a running row without its lock. Recovery (recoverAbandonedRuns,
 * run at every process start) reads pg_locks, which takes no lock itself, and fails every `running` row
 * whose lock nobody holds: it can never make a live run's lock attempt fail.
 *
 * PGlite is one process (the database lives inside it): a run is alive only if this process holds it,
 * so the lease is an in-process set, and at start every `running` row is a dead process's.
 *
 * The records import lock (RUN_LOCK_NS, 0: run ids start at 1) admits one funnel import at a time.
 */
const RUN_LOCK_NS = 0x1eac17;
const IMPORT_LOCK_KEY = 0;
/** CRM sync runs (crm_sync_runs ids), leased the same way: a killed `leak crm sync` frees its slot at once. */
const CRM_RUN_LOCK_NS = 0x1eac18;
/** Two-int advisory key of a run: ids past 2^31 wrap, which could only make two runs share a lease. */
const runKey = (sqlId: string) => `(${sqlId} % 2147483648)::int`;

/** The scheduler's per-job lock (coordinator.ts LOCK_NAMESPACE and key), read here to tell a live run. */
const SCHED_LOCK_NS = 0x5c4ed;

export interface RunLease {
  readonly runId: string;
  /** Ends the lease (idempotent); the run's row should be final by then. */
  release(): Promise<void>;
}

type HeldRun = {
  id: string;
  file: string;
  actor: string;
  started: number;
};

/**
 * PGlite only: the runs this process holds, and the import holding the records import lock (its run once
 * recorded). Kept here rather than read back because the database is busy with that very import's
 * transaction: on PGlite's one connection a query would wait for it to end.
 */
const local = new WeakMap<
  Db,
  { runs: Set<string>; crmRuns: Set<string>; importLock: HeldRun | 'starting' | null }
>();
const localOf = (db: Db) => {
  let l = local.get(db);
  if (!l) {
    l = { runs: new Set(), crmRuns: new Set(), importLock: null };
    local.set(db, l);
  }
  return l;
};

/** Takes the advisory lease (ns, id) in a transaction held until release() (PostgreSQL only). */
async function leaseOnServer(db: Db, ns: number, id: string, first?: (tx: Sql) => Promise<void>) {
  const held = await holdTransaction(db);
  try {
    await first?.(held.tx);
    await held.tx.query(`SELECT pg_advisory_xact_lock($1, ${runKey('$2::bigint')})`, [ns, id]);
  } catch (e) {
    await held.end(false).catch(() => {});
    throw e;
  }
  return held;
}

/** SQL: true when nobody holds the lease (ns, `idSql`) on this database (PostgreSQL; reads pg_locks only). */
const unleased = (ns: number, idSql: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory'
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND l.classid = ${ns}::bigint::oid AND l.objid = (${idSql} % 2147483648)::oid AND l.objsubid = 2)`;

/**
 * Leases a CRM sync run to this process, before its row exists: the id is drawn here and the run is
 * inserted with it (crm-repository.ts begin). Recovery and a later sync's take-over read the lease
 * (crmRunUnleased), so a run whose process died frees the connector's slot at the next start or sync
 * instead of when its time lease lapses.
 */
export async function leaseCrmRun(db: Db): Promise<RunLease> {
  if (db.kind === 'pglite') {
    const [row] = await db.query<{ id: string }>(
      "SELECT nextval(pg_get_serial_sequence('crm_sync_runs', 'id'))::text AS id",
    );
    const runId = row!.id;
    const runs = localOf(db).crmRuns;
    runs.add(runId);
    return {
      runId,
      release: async () => {
        runs.delete(runId);
      },
    };
  }
  const [next] = await db.query<{ id: string }>(
    "SELECT nextval(pg_get_serial_sequence('crm_sync_runs', 'id'))::text AS id",
  );
  const runId = next!.id;
  const held = await leaseOnServer(db, CRM_RUN_LOCK_NS, runId);
  let released: Promise<void> | undefined;
  return { runId, release: () => (released ??= held.end(true).catch(() => {})) };
}

/**
 * SQL condition, true when the CRM run `idSql` (a bigint expression) has no live process: on PostgreSQL
 * nobody holds its lease; on PGlite this process does not hold it (the only process that can). `param`
 * is the placeholder number the PGlite form uses: append crmRunLeaseParams(db) to the parameters there.
 */
export const crmRunUnleased = (db: Db, idSql: string, param: number): string =>
  db.kind === 'postgres' ? unleased(CRM_RUN_LOCK_NS, idSql) : `NOT (${idSql}::text = ANY($${param}::text[]))`;
export const crmRunLeaseParams = (db: Db): unknown[] =>
  db.kind === 'postgres' ? [] : [[...localOf(db).crmRuns]];

const INSERT_RUN = `INSERT INTO import_runs (file, dry_run, actor, started_at) VALUES ($1, $2, $3, $4)`;
const runParams = (run: ImportRunStart) => [run.file, run.dryRun, run.actor, iso(run.startedAtMs)];

/**
 * Records `run` as running and leases it to this process. With `importLock`, first takes the records
 * import lock, refusing with AppError CONFLICT (naming the runs in progress) when another import holds it.
 */
export async function startRun(
  db: Db,
  run: ImportRunStart,
  opts: { importLock: boolean },
): Promise<RunLease> {
  if (db.kind === 'pglite') {
    const l = localOf(db);
    if (opts.importLock) {
      if (l.importLock !== null) throw busy(l.importLock === 'starting' ? [] : [l.importLock]);
      l.importLock = 'starting';
    }
    try {
      const [row] = await db.query<{ id: string }>(`${INSERT_RUN} RETURNING id::text AS id`, runParams(run));
      const runId = row!.id;
      l.runs.add(runId);
      if (opts.importLock)
        l.importLock = { id: runId, file: run.file, actor: run.actor, started: run.startedAtMs };
      return {
        runId,
        release: async () => {
          l.runs.delete(runId);
          if (
            opts.importLock &&
            l.importLock !== null &&
            l.importLock !== 'starting' &&
            l.importLock.id === runId
          )
            l.importLock = null;
        },
      };
    } catch (e) {
      if (opts.importLock) l.importLock = null;
      throw e;
    }
  }
  // The id first, so the lease is taken before the row exists (see the top of this file).
  const [next] = await db.query<{ id: string }>(
    "SELECT nextval(pg_get_serial_sequence('import_runs', 'id'))::text AS id",
  );
  const runId = next!.id;
  const held = await leaseOnServer(db, RUN_LOCK_NS, runId, async (tx) => {
    if (!opts.importLock) return;
    const [got] = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS ok', [
      RUN_LOCK_NS,
      IMPORT_LOCK_KEY,
    ]);
    if (!got?.ok) throw await importBusy(db);
  });
  try {
    await db.query(
      `INSERT INTO import_runs (id, file, dry_run, actor, started_at) OVERRIDING SYSTEM VALUE
       VALUES ($1, $2, $3, $4, $5)`,
      [runId, ...runParams(run)],
    );
  } catch (e) {
    await held.end(false).catch(() => {});
    throw e;
  }
  // Ending the lease's transaction releases its locks; a lost connection released them already.
  let released: Promise<void> | undefined;
  return { runId, release: () => (released ??= held.end(true).catch(() => {})) };
}

/** The refusal when another import holds the lock (PostgreSQL), naming the funnel runs in progress. */
async function importBusy(db: Db): Promise<AppError> {
  const running = await db
    .query<HeldRun>(
      `SELECT id::text AS id, file, actor, ${epochMs('started_at')} AS started FROM import_runs
       WHERE status = 'running' AND NOT dry_run ORDER BY import_runs.id DESC LIMIT 3`,
    )
    .catch(() => []);
  return busy(running);
}

function busy(running: readonly HeldRun[]): AppError {
  const which =
    running.length === 0
      ? 'another import'
      : running
          .map((r) => `run ${r.id} (${r.file}, by ${r.actor}, since ${new Date(r.started).toISOString()})`)
          .join(', ');
  return new AppError(
    'CONFLICT',
    `${which} holds the import lock: one import runs at a time. Try again when it has finished (\`leak imports\` lists the runs); a run whose process died is released at once.`,
  );
}

export interface AbandonedRun {
  kind: 'import' | 'scheduled' | 'crm-sync';
  /** The import or CRM sync run id, or `<job>@<slot>`. */
  id: string;
  what: string;
}

/**
 * Fails every run whose process died before finishing it (see the top of this file): import runs, CRM
 * sync runs (whose connector slot is freed with them), and the scheduler's claimed runs (scheduled_runs),
 * whose liveness is the coordinator's per-job lock. Every process calls it at start, before it runs
 * anything (composition/services.ts). Logs one line per run.
 */
export async function recoverAbandonedRuns(db: Db, log: Log): Promise<AbandonedRun[]> {
  const by = `${hostname()}:${process.pid}`;
  const reason = (at: string) =>
    `abandoned: the process running it stopped before it finished (killed, crashed or cut off from the database); found by ${by} at ${at}`;
  const at = new Date().toISOString();
  const pg = db.kind === 'postgres';
  const imports = await db.query<{ id: string; file: string; actor: string }>(
    `UPDATE import_runs r SET status = 'failed', finished_at = now(), error = $1
     WHERE r.status = 'running' AND ${pg ? unleased(RUN_LOCK_NS, 'r.id') : 'NOT (r.id::text = ANY($2::text[]))'}
     RETURNING r.id::text AS id, r.file, r.actor`,
    pg ? [reason(at)] : [reason(at), [...localOf(db).runs]],
  );
  const crm = await db.transaction(async (tx) => {
    const runs = await tx.query<{ id: string; connector: string; actor: string }>(
      `UPDATE crm_sync_runs r SET status = 'failed', finished_at = now(), failure_kind = 'abandoned', reason = $1
       WHERE r.status = 'running' AND ${crmRunUnleased(db, 'r.id', 2)}
       RETURNING r.id::text AS id, r.connector, r.actor`,
      [reason(at), ...crmRunLeaseParams(db)],
    );
    // The slot of a dead run: free again, its error the reason (the cursor stays at its last checkpoint).
    await tx.query(
      `UPDATE crm_sync_state s SET state = 'idle', run_id = NULL, lease_until = NULL, updated_at = now(),
              last_error_at = now(), last_error_kind = 'abandoned', last_error = $1
       WHERE s.state = 'running' AND (s.run_id IS NULL OR ${crmRunUnleased(db, 's.run_id', 2)})`,
      [reason(at), ...crmRunLeaseParams(db)],
    );
    return runs;
  });
  // On PGlite this runs before the scheduler of the only process that can open the database: every
  // unfinished row is a dead one.
  const scheduled = await db.query<{ job: string; slot: string; runner: string }>(
    `UPDATE scheduled_runs s SET finished_at = now(), outcome = 'failed', error = $1
     WHERE s.finished_at IS NULL ${
       pg
         ? `AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory'
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid = ${SCHED_LOCK_NS}::bigint::oid
              AND l.objid = (hashtext('sched:' || s.job)::bigint & 4294967295)::oid AND l.objsubid = 2)`
         : ''
     }
     RETURNING s.job, s.slot::text AS slot, s.runner`,
    [reason(at)],
  );
  const out: AbandonedRun[] = [
    ...imports.map((r) => ({ kind: 'import' as const, id: r.id, what: `${r.file} by ${r.actor}` })),
    ...crm.map((r) => ({ kind: 'crm-sync' as const, id: r.id, what: `${r.connector} sync by ${r.actor}` })),
    ...scheduled.map((r) => ({
      kind: 'scheduled' as const,
      id: `${r.job}@${r.slot}`,
      what: `on ${r.runner}`,
    })),
  ];
  for (const r of out)
    log.warn(
      { run_kind: r.kind, run_id: r.id, what: r.what },
      'abandoned run marked failed: its process died',
    );
  return out;
}
