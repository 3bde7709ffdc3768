import type { RunCoordinator, RunOnceOutcome } from '../../app/schedule/ports.ts';
import { maskSecrets } from '../log/logger.ts';
import type { Db, Sql } from './client.ts';
import { iso } from './instants.ts';

/**
 * "One fire runs once" across replicas, with two guards, because each covers a race the other misses:
 *
 * 1. A session-level advisory lock per job, held for the whole run: while replica A's run of `scan` is
 *    still going, replica B's fire (same slot or a later one) gets 'busy' instead of starting a second,
 *    overlapping run. A lock alone is not enough: a fast run on A can finish and release the lock before
 *    B's timer (a few ms late, or delayed by a busy event loop) fires for the same slot.
 * 2. A row per (job, slot) in scheduled_runs, claimed with INSERT … ON CONFLICT DO NOTHING (the primary
 *    key decides, never "check then insert"): that late B finds the slot taken and gets
 *    'claimed_elsewhere'. The row also records who ran it, when, and how it ended.
 *
 * The lock is taken before the claim, so a replica that cannot run never claims a slot it will not run.
 *
 * The lock key is the two-int form (namespace, hashtext(job)): that keyspace is apart from the one-bigint
 * keys (the migration lock), so a job can never collide with those. Two job names hashing alike would
 * only make one of them wait for the other ('busy'), never run twice.
 *
 * Connections:
 * - PostgreSQL: session-level advisory locks belong to the connection that took them, so the run keeps a
 *   reserved connection (db.session) from lock to unlock, while `fn` itself uses the pool's other
 *   connections. Each job that is running therefore holds one pool connection. If that connection drops
 *   mid-run the server releases the lock; the slot row still stops a second run of the same slot.
 * - PGlite: one connection and one process. db.session() is exclusive there, and `fn`'s own
 *   db.transaction() calls would queue behind the session that is awaiting `fn`: a deadlock. So PGlite
 *   takes no advisory lock (it would have nothing to exclude: nothing else can open the database) and a
 *   per-Db in-process set of running jobs gives the same 'busy' answer; the slot claim is the same SQL.
 */
const LOCK_NAMESPACE = 0x5c4ed; // arbitrary constant: "sched"; the advisory-lock class for job runs

/** Error texts are stored for operators: bounded, and with secrets masked like log lines. */
const MAX_ERROR_CHARS = 2000;

const runningOnPglite = new WeakMap<Db, Set<string>>();

const slotIso = (slotMs: number): string => iso(Math.floor(slotMs / 1000) * 1000);

async function claim(sql: Sql, job: string, slot: string, runner: string): Promise<boolean> {
  const rows = await sql.query(
    `INSERT INTO scheduled_runs (job, slot, runner) VALUES ($1, $2::timestamptz, $3)
     ON CONFLICT DO NOTHING RETURNING job`,
    [job, slot, runner],
  );
  return rows.length === 1;
}

async function finish(sql: Sql, job: string, slot: string, error: unknown | undefined): Promise<void> {
  const text =
    error === undefined
      ? null
      : maskSecrets(error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_CHARS);
  await sql.query(
    `UPDATE scheduled_runs SET finished_at = now(), outcome = $3, error = $4
     WHERE job = $1 AND slot = $2::timestamptz`,
    [job, slot, error === undefined ? 'ok' : 'failed', text],
  );
}

/** Claims the slot, runs `fn`, records the outcome; `fn`'s error is rethrown after it is recorded. */
async function claimAndRun(
  sql: Sql,
  job: string,
  slot: string,
  runner: string,
  fn: () => Promise<void>,
): Promise<RunOnceOutcome> {
  if (!(await claim(sql, job, slot, runner))) return 'claimed_elsewhere';
  let failure: { error: unknown } | undefined;
  try {
    await fn();
  } catch (e) {
    failure = { error: e };
  }
  await finish(sql, job, slot, failure ? (failure.error ?? new Error('job failed')) : undefined);
  if (failure) throw failure.error;
  return 'ran';
}

/** `runner` names this replica in scheduled_runs (host:pid). */
export function dbRunCoordinator(db: Db, runner: string): RunCoordinator {
  return {
    async runOnce(job, slotMs, fn) {
      const slot = slotIso(slotMs);

      if (db.kind === 'pglite') {
        // Checked and marked before any await, so two concurrent calls cannot both pass.
        const running = runningOnPglite.get(db) ?? new Set<string>();
        runningOnPglite.set(db, running);
        if (running.has(job)) return 'busy';
        running.add(job);
        try {
          return await claimAndRun(db, job, slot, runner, fn);
        } finally {
          running.delete(job);
        }
      }

      return db.session(async (s) => {
        const [got] = await s.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
          LOCK_NAMESPACE,
          `sched:${job}`,
        ]);
        if (!got?.ok) return 'busy';
        try {
          return await claimAndRun(s, job, slot, runner, fn);
        } finally {
          await s.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, `sched:${job}`]);
        }
      });
    },
  };
}
