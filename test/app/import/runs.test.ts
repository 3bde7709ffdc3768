import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { dbRunCoordinator } from '../../../src/adapters/db/coordinator.ts';
import { encodeRecordLine } from '../../../src/adapters/db/copy.ts';
import {
  importRunRepository,
  listImportRuns,
  recoverAbandonedRuns,
  startRun,
} from '../../../src/adapters/db/import-runs-repository.ts';
import { RECORDS_WRITE_LOCK, recordRepository } from '../../../src/adapters/db/records-repository.ts';
import type { ImportRunResult } from '../../../src/app/records/ports.ts';
import { buildRecord } from '../../support/builders.ts';
import { backends, deferred, silentLog, twoProcesses } from '../../support/db.ts';

/**
 * Issue 17, the database side: an import applied all at once under the records import lock, run leases,
 * and the recovery of runs whose process died (import runs and the scheduler's runs), on PGlite and on
 * PostgreSQL. The whole-process behaviour (SIGKILL) is in test/cli/crash-*.test.ts.
 */
const run = (file: string) => ({ file, dryRun: false, actor: 'cli:test', startedAtMs: Date.UTC(2026, 0, 5) });
const done = (over: Partial<ImportRunResult> = {}): ImportRunResult => ({
  total: 2,
  imported: 2,
  rejected: [],
  finishedAtMs: Date.UTC(2026, 0, 5, 0, 1),
  ...over,
});
const lines = (...ids: string[]) => ids.map((id) => encodeRecordLine(buildRecord({ id }))).join('');

describe.each(backends)('import runs on $name', (backend) => {
  /** `other` is a second process's handle: its own pool on PostgreSQL; the same handle on PGlite. */
  const handles = twoProcesses(backend, { beforeAll, afterAll });
  let db: Db;
  let other: Db;
  beforeAll(() => {
    ({ db, other } = handles);
  });

  const statusOf = async (id: string) => (await listImportRuns(db, 1000)).find((r) => r.id === id);
  const ids = async () =>
    (await db.query<{ id: string }>('SELECT id FROM records ORDER BY id')).map((r) => r.id);

  it('an import is applied at its commit, with its run, and holds the lock until then', async () => {
    const records = recordRepository(db);
    const imp = await records.beginImport!(run('a.csv'));
    await imp.write(lines('a1', 'a2'), 2);
    if (backend.name === 'postgres') expect(await ids()).not.toContain('a1'); // not visible yet
    await expect(recordRepository(other).beginImport!(run('b.csv'))).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(
        new RegExp(
          `^run ${imp.runId} \\(a\\.csv, by cli:test, since 2026-01-05T00:00:00\\.000Z\\) holds the import lock`,
        ),
      ),
    });
    await imp.commit(done());
    expect(await ids()).toEqual(expect.arrayContaining(['a1', 'a2']));
    expect(await statusOf(imp.runId)).toMatchObject({ status: 'succeeded', imported: 2, total: 2 });
    // Released: the next import starts.
    const next = await recordRepository(other).beginImport!(run('c.csv'));
    await next.commit(done({ total: 0, imported: 0 }));
  });

  it('an aborted import leaves no row and its run failed, nothing imported', async () => {
    const imp = await recordRepository(db).beginImport!(run('d.csv'));
    await imp.write(lines('d1'), 1);
    await imp.write(lines('d2'), 1);
    await imp.abort(done({ imported: 2, error: 'the file could not be read' }));
    expect(await ids()).not.toContain('d1');
    expect(await statusOf(imp.runId)).toMatchObject({
      status: 'failed',
      imported: 0,
      error: 'the file could not be read',
    });
  });

  it('a run whose lease is gone is failed at recovery; a live one is left alone', async () => {
    const live = await startRun(db, run('live.csv'), { importLock: false });
    // A run left `running` by a process that died: its row, no lease.
    const [dead] = await db.query<{ id: string }>(
      `INSERT INTO import_runs (file, dry_run, actor, started_at) VALUES ('dead.csv', false, 'cli:gone', now())
       RETURNING id::text AS id`,
    );
    const found = await recoverAbandonedRuns(other, silentLog);
    expect(found).toEqual([{ kind: 'import', id: dead!.id, what: 'dead.csv by cli:gone' }]);
    expect(await statusOf(dead!.id)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^abandoned: the process running it stopped before it finished/),
    });
    expect(await statusOf(live.runId)).toMatchObject({ status: 'running' });
    await importRunRepository(db).finish(live.runId, done());
    await live.release();
    expect(await statusOf(live.runId)).toMatchObject({ status: 'succeeded' });
  });

  // PostgreSQL: on PGlite nothing else can write while the import's transaction holds its one connection.
  it.runIf(backend.name === 'postgres')(
    'a CRM page written during an import waits for its commit, then applies on top',
    async () => {
      const imp = await recordRepository(db).beginImport!(run('race.csv'));
      expect(await imp.write(lines('race1', 'race2'), 2)).toBe(2);
      // race3 is not the import's: only the records write lock can hold this page back. race1 is.
      let pageDone = false;
      const page = recordRepository(other)
        .upsertMany([buildRecord({ id: 'race3', owner: 'Other' })])
        .then((n) => {
          pageDone = true;
          return n;
        });
      const overlapping = recordRepository(other).upsertMany([buildRecord({ id: 'race1', owner: 'Other' })]);
      await new Promise((r) => setTimeout(r, 150));
      expect(pageDone).toBe(false);
      await imp.commit(done());
      expect(await page).toBe(1);
      expect(await overlapping).toBe(1);
      const rows = await db.query<{ id: string; owner: string }>(
        `SELECT id, owner FROM records WHERE id LIKE 'race%' ORDER BY id`,
      );
      expect(rows).toEqual([
        { id: 'race1', owner: 'Other' },
        { id: 'race2', owner: 'alice' },
        { id: 'race3', owner: 'Other' },
      ]);
      expect(await statusOf(imp.runId)).toMatchObject({ status: 'succeeded' });
    },
  );

  it.runIf(backend.name === 'postgres')(
    'an import waits for a CRM page in flight, then writes its values over the ids that page inserted',
    async () => {
      const gate = deferred();
      const locked = deferred();
      // A CRM page mid-transaction: it holds the lock shared and has inserted one of the file's new ids.
      const writer = other.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock_shared($1, $2)', [...RECORDS_WRITE_LOCK]);
        await tx.query(
          `INSERT INTO records (id, type, created_at, value_cents, owner) VALUES ('wait1', 'lead', now(), 0, 'Other')`,
        );
        locked.resolve();
        await gate.promise;
      });
      await locked.promise;
      let begun = false;
      const starting = recordRepository(db).beginImport!(run('wait.csv')).then((imp) => {
        begun = true;
        return imp;
      });
      await new Promise((r) => setTimeout(r, 150));
      expect(begun).toBe(false);
      gate.resolve();
      await writer;
      const imp = await starting;
      expect(await imp.write(lines('wait1', 'wait2'), 2)).toBe(2);
      await imp.commit(done());
      const rows = await db.query<{ id: string; owner: string }>(
        `SELECT id, owner FROM records WHERE id LIKE 'wait%' ORDER BY id`,
      );
      expect(rows).toEqual([
        { id: 'wait1', owner: 'alice' },
        { id: 'wait2', owner: 'alice' },
      ]);
    },
  );

  // PostgreSQL: on PGlite nothing else can write while the import's transaction holds its one connection.
  it.runIf(backend.name === 'postgres')(
    'an import whose run was failed meanwhile (its lease lost) does not commit',
    async () => {
      const imp = await recordRepository(db).beginImport!(run('e.csv'));
      await imp.write(lines('e1'), 1);
      // What recovery does to a run whose lease it believes lost.
      await other.query(`UPDATE import_runs SET status = 'failed', error = 'lost' WHERE id = $1`, [
        imp.runId,
      ]);
      await expect(imp.commit(done({ total: 1, imported: 1 }))).rejects.toThrow(
        /was marked failed while it ran/,
      );
      expect(await ids()).not.toContain('e1');
      expect(await statusOf(imp.runId)).toMatchObject({ status: 'failed', error: 'lost' });
    },
  );

  it.runIf(backend.name === 'postgres')(
    'a scheduled run still going is left alone; one whose process died is failed',
    async () => {
      const gate = deferred();
      const started = deferred();
      const going = dbRunCoordinator(db, 'host-a:1').runOnce(
        'scheduled-scan',
        Date.UTC(2026, 0, 5, 9),
        async () => {
          started.resolve();
          await gate.promise;
        },
      );
      await started.promise;
      await db.query(
        `INSERT INTO scheduled_runs (job, slot, runner) VALUES ('pager', '2026-01-05T09:00:00Z', 'host-b:2')`,
      );
      const found = await recoverAbandonedRuns(other, silentLog);
      expect(found).toEqual([
        { kind: 'scheduled', id: expect.stringMatching(/^pager@2026-01-05 09:00:00/), what: 'on host-b:2' },
      ]);
      gate.resolve();
      expect(await going).toBe('ran');
      const rows = await db.query<{ job: string; outcome: string }>(
        'SELECT job, outcome FROM scheduled_runs ORDER BY job',
      );
      expect(rows).toEqual([
        { job: 'pager', outcome: 'failed' },
        { job: 'scheduled-scan', outcome: 'ok' },
      ]);
    },
  );

  it.runIf(backend.name === 'pglite')(
    'on PGlite (one process) every unfinished scheduled run found at start is a dead one',
    async () => {
      await db.query(
        `INSERT INTO scheduled_runs (job, slot, runner) VALUES ('pager', '2026-01-06T09:00:00Z', 'host-b:2')`,
      );
      const found = await recoverAbandonedRuns(db, silentLog);
      expect(found).toEqual([
        { kind: 'scheduled', id: expect.stringMatching(/^pager@2026-01-06 09:00:00/), what: 'on host-b:2' },
      ]);
    },
  );
});
