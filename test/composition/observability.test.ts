import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/adapters/db/client.ts';
import { readOutboxFigures } from '../../src/adapters/db/jobs-repository.ts';
import { backends } from '../support/db.ts';

/** A job row, its instants given as seconds relative to the database's now(). */
async function job(
  db: Db,
  key: string,
  o: { state?: string; createdAgoS: number; runAfterAgoS?: number; attempts?: number },
): Promise<void> {
  await db.query(
    `INSERT INTO jobs (kind, key, state, created_at, run_after, attempts)
     VALUES ('incident.sync', $1, $2, now() - make_interval(secs => $3), now() - make_interval(secs => $4), $5)`,
    [key, o.state ?? 'pending', o.createdAgoS, o.runAfterAgoS ?? o.createdAgoS, o.attempts ?? 0],
  );
}

describe.each(backends)('readOutboxFigures on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
  });
  afterAll(() => dispose());
  beforeEach(() => db.query('DELETE FROM jobs'));

  it('an empty outbox: nothing in any state, nothing waiting', async () => {
    expect(await readOutboxFigures(db)).toEqual({
      pending: 0,
      done: 0,
      failed: 0,
      oldestPendingAgeSeconds: 0,
    });
  });

  it('counts jobs by state, and the oldest pending job waits from its creation', async () => {
    await job(db, 'done-old', { state: 'done', createdAgoS: 86_400 });
    await job(db, 'failed', { state: 'failed', createdAgoS: 3_600, attempts: 3 });
    await job(db, 'due-young', { createdAgoS: 5 });
    // Retried after failures: its run_after moved ahead, yet it has been waiting since it was made.
    await job(db, 'retrying', { createdAgoS: 600, runAfterAgoS: -60, attempts: 4 });
    const f = await readOutboxFigures(db);
    expect({ ...f, oldestPendingAgeSeconds: undefined }).toEqual({
      pending: 2,
      done: 1,
      failed: 1,
      oldestPendingAgeSeconds: undefined,
    });
    expect(f.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(600);
    expect(f.oldestPendingAgeSeconds).toBeLessThan(610);
  });

  it('a job queued for later does not wait until it falls due; then it waits from then', async () => {
    await job(db, 'later', { createdAgoS: 7_200, runAfterAgoS: -1_800 });
    expect((await readOutboxFigures(db)).oldestPendingAgeSeconds).toBe(0);
    await db.query(`UPDATE jobs SET run_after = now() - interval '30 seconds' WHERE key = 'later'`);
    const age = (await readOutboxFigures(db)).oldestPendingAgeSeconds;
    expect(age).toBeGreaterThanOrEqual(30);
    expect(age).toBeLessThan(40);
  });
});
