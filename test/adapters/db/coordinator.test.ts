import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { dbRunCoordinator } from '../../../src/adapters/db/coordinator.ts';
import { backends, deferred, twoProcesses } from '../../support/db.ts';

const MIN = 60_000;
let nextSlot = Date.UTC(2025, 0, 6, 9, 0, 0);
/** A fresh slot per test, so tests sharing a database never see each other's claims. */
const freshSlot = () => (nextSlot += 10 * MIN);

describe.each(backends)('run coordinator on $name', (backend) => {
  /** `other` is a second process's handle: its own pool on PostgreSQL; the same handle on PGlite. */
  const handles = twoProcesses(backend, { beforeAll, afterAll });
  let db: Db;
  let other: Db;
  beforeAll(() => {
    ({ db, other } = handles);
  });

  const replicas = () => [dbRunCoordinator(db, 'host-a:1'), dbRunCoordinator(other, 'host-b:2')] as const;
  const rowsOf = (job: string) =>
    db.query<{ runner: string; outcome: string | null; error: string | null; finished: boolean }>(
      `SELECT runner, outcome, error, finished_at IS NOT NULL AS finished
       FROM scheduled_runs WHERE job = $1 ORDER BY slot`,
      [job],
    );

  it('two replicas firing the same slot run it once, and record who ran it', async () => {
    const [a, b] = replicas();
    const slot = freshSlot();
    let runs = 0;
    const fn = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 50));
    };
    // B's timer fires a few hundred ms later: the same slot after truncation to the second.
    const outcomes = await Promise.all([a.runOnce('scan', slot, fn), b.runOnce('scan', slot + 400, fn)]);
    expect(runs).toBe(1);
    expect(outcomes.filter((o) => o === 'ran')).toHaveLength(1);
    // The other either met the lock ('busy') or, if A had already finished, the claimed slot.
    expect(outcomes.filter((o) => o !== 'ran')[0]).toMatch(/^(busy|claimed_elsewhere)$/);
    expect(await rowsOf('scan')).toEqual([
      { runner: outcomes[0] === 'ran' ? 'host-a:1' : 'host-b:2', outcome: 'ok', error: null, finished: true },
    ]);
  });

  it('a slot already run is not run again, by either replica', async () => {
    const [a, b] = replicas();
    const slot = freshSlot();
    let runs = 0;
    const fn = async () => void runs++;
    expect(await a.runOnce('digest', slot, fn)).toBe('ran');
    // A fast run finished before the slower replica's timer fired: the slot row stops it.
    expect(await b.runOnce('digest', slot, fn)).toBe('claimed_elsewhere');
    expect(await a.runOnce('digest', slot + 999, fn)).toBe('claimed_elsewhere');
    expect(runs).toBe(1);
    expect(await b.runOnce('digest', slot + MIN, fn)).toBe('ran');
    expect(runs).toBe(2);
  });

  it("a run still going on one replica makes the other's fire busy, even for a later slot", async () => {
    // PostgreSQL: replica B holds its own pool, so this is the advisory lock across connections.
    // PGlite: one process, one connection: the in-process guard gives the same answer.
    const [a, b] = replicas();
    const slot = freshSlot();
    const gate = deferred();
    const started = deferred();
    const running = a.runOnce('pager', slot, async () => {
      started.resolve();
      await gate.promise;
    });
    await started.promise;
    let ranOnB = false;
    const onB = async () => {
      ranOnB = true;
    };
    expect(await b.runOnce('pager', slot + MIN, onB)).toBe('busy');
    // Other jobs are not held up by it.
    expect(await b.runOnce('other-job', slot, async () => {})).toBe('ran');
    gate.resolve();
    expect(await running).toBe('ran');
    expect(ranOnB).toBe(false);
    // The lock was released with the run: the busy slot was not claimed and can run now.
    expect(await b.runOnce('pager', slot + MIN, onB)).toBe('ran');
    expect(ranOnB).toBe(true);
  });

  it('records a failure with its error, rethrows it, and releases the lock', async () => {
    const [a, b] = replicas();
    const slot = freshSlot();
    await expect(
      a.runOnce('nightly', slot, async () => {
        throw new Error('export failed at postgres://user:pw@db/x');
      }),
    ).rejects.toThrow(/export failed/);
    expect(await rowsOf('nightly')).toEqual([
      { runner: 'host-a:1', outcome: 'failed', error: 'export failed at [redacted]', finished: true },
    ]);
    // The failed slot stays claimed (no retry storm); the next slot runs.
    expect(await b.runOnce('nightly', slot, async () => {})).toBe('claimed_elsewhere');
    expect(await b.runOnce('nightly', slot + MIN, async () => {})).toBe('ran');
  });

  it('lets the job use the same database while it runs (no self-deadlock on PGlite)', async () => {
    const [a] = replicas();
    const slot = freshSlot();
    const outcome = await a.runOnce('writer', slot, async () => {
      await db.transaction(async (tx) => {
        await tx.query('SELECT 1');
      });
      await db.session(async (s) => s.query('SELECT 1'));
    });
    expect(outcome).toBe('ran');
    expect(await rowsOf('writer')).toMatchObject([{ outcome: 'ok' }]);
  });
});
