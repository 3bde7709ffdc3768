import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/adapters/db/client.ts';
import { type CliTarget, openCliTarget } from '../support/cli.ts';
import { csvFile, csvLine } from '../support/csv.ts';
import { backends } from '../support/db.ts';
import { type Child, CRASH_ENV, leak, leakStoppedAt } from './crash-helpers.ts';

/**
 * Issue 17: `leak import` killed with SIGKILL at each point of its run, on PGlite and on PostgreSQL. The
 * funnel holds the old export (A); the killed import loads the new one (B: every old record changed, plus
 * new ones). After the kill, a new process (the restart) must find the run failed — never `running` — and
 * the records exactly as A left them, and a scan must price A. Killed after its commit, the import is
 * there whole. On PostgreSQL, while the killed import still waits at its point, a scan from another
 * process sees A only and a second import is refused.
 *
 * 35,000 rows in B: two batches of the import's 25,000, so `import:batch@1` is a kill between batches.
 */
const OLD_IDS = 30_000;
const NEW_IDS = 5_000;
const T = 240_000;

const rows = (ids: string[], o: { value: string; owner: string }) =>
  ids.map((id) => csvLine({ id, value_usd: o.value, owner: o.owner, email: `${id}@example.com` }));
const oldIds = Array.from({ length: OLD_IDS }, (_, i) => `R${i}`);
const newIds = Array.from({ length: NEW_IDS }, (_, i) => `N${i}`);

/** What the funnel holds, in three numbers that tell A from B from any mix of them. */
const stateOf = async (db: Db) =>
  (
    await db.query<{ n: number; cents: number; bob: number }>(
      `SELECT count(*)::int AS n, COALESCE(sum(value_cents), 0)::float8 AS cents,
              count(*) FILTER (WHERE owner = 'Bob')::int AS bob FROM records`,
    )
  )[0];
const A_STATE = { n: OLD_IDS, cents: OLD_IDS * 10_000, bob: 0 };
const B_STATE = { n: OLD_IDS + NEW_IDS, cents: (OLD_IDS + NEW_IDS) * 20_000, bob: OLD_IDS + NEW_IDS };

interface Run {
  id: string;
  status: string;
  error: string | null;
  file: string;
}

describe.each(backends.map((b) => b.name))('leak import killed (%s)', (backend) => {
  let target: CliTarget;
  let env: Record<string, string>;
  let dir: string;
  let fileA: string;
  let fileB: string;
  let child: Child | undefined;

  beforeAll(async () => {
    target = await openCliTarget(backend, 'leak-crash-import');
    env = { ...target.env, ...CRASH_ENV };
    dir = mkdtempSync(join(tmpdir(), 'leak-crash-files-'));
    fileA = join(dir, 'a.csv');
    fileB = join(dir, 'b.csv');
    writeFileSync(fileA, csvFile(...rows(oldIds, { value: '100', owner: 'Alice' })));
    writeFileSync(fileB, csvFile(...rows([...oldIds, ...newIds], { value: '200', owner: 'Bob' })));
    const first = await leak(['import', fileA], env);
    expect(first.code, first.err).toBe(0);
    expect(await target.withDb(stateOf)).toEqual(A_STATE);
  }, T);

  afterAll(async () => {
    await child?.kill();
    await target?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `leak imports --json` in a new process (the restart): the runs, newest first, and its stderr. */
  const restart = async () => {
    const r = await leak(['imports', '--json'], env);
    expect(r.code, r.err).toBe(0);
    return { runs: JSON.parse(r.out) as Run[], err: r.err };
  };

  const scanRecords = async () => {
    const r = await leak(['scan', '--json'], env);
    expect(r.code, r.err).toBe(0);
    return (JSON.parse(r.out) as { records: number }).records;
  };

  it.each(['import:started', 'import:batch@1', 'import:before-commit'])(
    'killed at %s: no record changed, the run is failed at the next start, a scan prices the old funnel',
    async (point) => {
      child = await leakStoppedAt(['import', fileB], env, point);
      if (backend === 'postgres') {
        // The import is alive and holds the lock: others see its run running, and none of its rows.
        const during = await restart();
        expect(during.runs[0]).toMatchObject({ file: fileB, status: 'running' });
        expect(await scanRecords()).toBe(OLD_IDS);
        const second = await leak(['import', fileA], env);
        expect(second.code).toBe(1);
        expect(second.err).toMatch(
          new RegExp(
            `run ${during.runs[0]!.id} \\(.*b\\.csv.*\\) holds the import lock: one import runs at a time`,
          ),
        );
      }
      await child.kill();
      child = undefined;

      const after = await restart();
      expect(after.runs.filter((r) => r.status === 'running')).toEqual([]);
      expect(after.runs[0]).toMatchObject({ file: fileB, status: 'failed' });
      expect(after.runs[0]!.error).toMatch(/^abandoned: the process running it stopped before it finished/);
      expect(after.err).toContain('abandoned run marked failed: its process died');
      expect(await target.withDb(stateOf)).toEqual(A_STATE);
      expect(await scanRecords()).toBe(OLD_IDS);
    },
    T,
  );

  it(
    'killed right after its commit: the whole import is there and its run succeeded',
    async () => {
      child = await leakStoppedAt(['import', fileB], env, 'import:committed');
      await child.kill();
      child = undefined;
      const after = await restart();
      expect(after.runs[0]).toMatchObject({ file: fileB, status: 'succeeded', error: null });
      expect(after.runs.filter((r) => r.status === 'running')).toEqual([]);
      expect(await target.withDb(stateOf)).toEqual(B_STATE);
      expect(await scanRecords()).toBe(OLD_IDS + NEW_IDS);
    },
    T,
  );

  it(
    'every stored scan priced one whole export: the old one or the new one, never a mix',
    async () => {
      const again = await leak(['import', fileA], env);
      expect(again.code, again.err).toBe(0);
      const counts = await target.withDb((db) =>
        db.query<{ n: number }>('SELECT records_count AS n FROM scans ORDER BY id'),
      );
      expect(counts.length).toBeGreaterThan(0);
      for (const c of counts) expect([OLD_IDS, OLD_IDS + NEW_IDS]).toContain(c.n);
      // A rerun of A after B: every B-only record stays (upsert by id), every old one is A's again.
      expect(await target.withDb(stateOf)).toEqual({
        n: OLD_IDS + NEW_IDS,
        cents: OLD_IDS * 10_000 + NEW_IDS * 20_000,
        bob: NEW_IDS,
      });
    },
    T,
  );
});
