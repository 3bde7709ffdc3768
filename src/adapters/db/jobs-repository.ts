import type { Job, JobQueue } from '../../app/outbox/ports.ts';
import type { Db, Row } from './client.ts';

// The row's kind and payload were written together by a typed enqueue, so they match as one Job member.
const toJob = (r: Row): Job =>
  ({
    id: r['id'] as string,
    kind: r['kind'] as Job['kind'],
    key: r['key'] as string,
    incidentId: r['incident_id'] as string,
    payload: (typeof r['payload'] === 'string' ? JSON.parse(r['payload']) : r['payload']) as Job['payload'],
    attempts: Number(r['attempts']),
    generation: Number(r['generation']),
    progress: (typeof r['progress'] === 'string'
      ? JSON.parse(r['progress'])
      : r['progress']) as Job['progress'],
  }) as Job;

/**
 * Settling a job (complete, retry, fail) is guarded by its attempt count: a worker whose lease lapsed,
 * and whose job another worker has claimed since, can no longer settle it.
 *
 * The outbox as a work queue. A claim is a lease (`locked_until`), not a held transaction: delivery talks
 * to Slack for seconds, and a worker that dies mid-delivery simply lets the lease lapse, after which
 * another claim picks the job up again (its progress says what is already done).
 */
export function jobQueue(db: Db): JobQueue {
  return {
    async claim(limit, leaseMs) {
      const rows = await db.query(
        `UPDATE jobs SET locked_until = now() + make_interval(secs => $2::float8 / 1000), attempts = attempts + 1
         WHERE id IN (
           SELECT id FROM jobs
           WHERE state = 'pending' AND run_after <= now() AND (locked_until IS NULL OR locked_until < now())
           ORDER BY run_after, id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id::text AS id, kind, key, incident_id::text AS incident_id, payload, attempts, generation,
                   progress`,
        [limit, leaseMs],
      );
      return rows.map(toJob).sort((a, b) => Number(a.id) - Number(b.id));
    },
    async renew(job, leaseMs) {
      // The attempt count is the claim's token: another worker's claim since would have raised it.
      const rows = await db.query(
        `UPDATE jobs SET locked_until = now() + make_interval(secs => $3::float8 / 1000)
         WHERE id = $1 AND attempts = $2 AND state = 'pending' RETURNING id`,
        [job.id, job.attempts, leaseMs],
      );
      return rows.length === 1;
    },
    async complete(job) {
      // A job re-armed while it ran (generation moved) stays pending: the newer state still needs sending.
      await db.query(
        `UPDATE jobs SET state = CASE WHEN generation = $2 THEN 'done' ELSE 'pending' END,
           done_at = CASE WHEN generation = $2 THEN now() END, locked_until = NULL, last_error = NULL,
           attempts = CASE WHEN generation = $2 THEN attempts ELSE 0 END
         WHERE id = $1 AND attempts = $3`,
        [job.id, job.generation, job.attempts],
      );
    },
    async saveProgress(job, progress) {
      await db.query('UPDATE jobs SET progress = progress || $2::jsonb WHERE id = $1', [
        job.id,
        JSON.stringify(progress),
      ]);
    },
    async retry(job, delayMs, error) {
      await db.query(
        `UPDATE jobs SET run_after = now() + make_interval(secs => $2::float8 / 1000), locked_until = NULL,
           last_error = $3 WHERE id = $1 AND state = 'pending' AND attempts = $4`,
        [job.id, delayMs, error, job.attempts],
      );
    },
    async fail(job, error) {
      await db.query(
        `UPDATE jobs SET state = CASE WHEN generation = $2 THEN 'failed' ELSE 'pending' END, locked_until = NULL,
           last_error = $3 WHERE id = $1 AND state = 'pending' AND attempts = $4`,
        [job.id, job.generation, error, job.attempts],
      );
    },
    async purgeDone(olderThanMs) {
      const rows = await db.query(
        `DELETE FROM jobs WHERE state = 'done' AND done_at < now() - make_interval(secs => $1::float8 / 1000)
         RETURNING id`,
        [olderThanMs],
      );
      return rows.length;
    },
    async stateOf(key) {
      const [r] = await db.query<{ state: 'pending' | 'done' | 'failed' }>(
        'SELECT state FROM jobs WHERE key = $1',
        [key],
      );
      return r?.state ?? null;
    },
    async stats() {
      const rows = await db.query<{ state: 'pending' | 'done' | 'failed'; n: number }>(
        'SELECT state, count(*)::int AS n FROM jobs GROUP BY state',
      );
      const out = { pending: 0, done: 0, failed: 0 };
      for (const r of rows) out[r.state] = r.n;
      return out;
    },
  };
}

/**
 * The outbox's figures in one read. A job waits from its creation, or from when it fell due if it was
 * queued for later and never tried yet (a weekly report waiting for its day's data); a job queued for
 * later does not wait yet. A job re-armed under its natural key after it was delivered counts from its
 * first creation until it is delivered again (the table keeps no "pending since"), so a scrape in that
 * moment can read a large age once; alert on the age held over minutes, not on one sample.
 */
export async function readOutboxFigures(db: Db): Promise<{
  pending: number;
  done: number;
  failed: number;
  oldestPendingAgeSeconds: number;
}> {
  const [r] = await db.query<{ pending: number; done: number; failed: number; oldest: number }>(
    `SELECT count(*) FILTER (WHERE state = 'pending')::int AS pending,
            count(*) FILTER (WHERE state = 'done')::int AS done,
            count(*) FILTER (WHERE state = 'failed')::int AS failed,
            coalesce(extract(epoch FROM now() - min(
              CASE WHEN attempts = 0 THEN greatest(created_at, run_after) ELSE created_at END
            ) FILTER (WHERE state = 'pending' AND (attempts > 0 OR run_after <= now()))), 0)::float8 AS oldest
       FROM jobs`,
  );
  return {
    pending: Number(r?.pending ?? 0),
    done: Number(r?.done ?? 0),
    failed: Number(r?.failed ?? 0),
    oldestPendingAgeSeconds: Math.max(0, Number(r?.oldest ?? 0)),
  };
}
