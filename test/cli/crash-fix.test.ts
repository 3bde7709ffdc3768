import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/adapters/db/client.ts';
import { type CliTarget, openCliTarget } from '../support/cli.ts';
import { backends } from '../support/db.ts';
import { type Child, CRASH_ENV, leak, spawnScript } from './crash-helpers.ts';

/**
 * Issue 17: a fix apply is one transaction (app/fixes/approve.ts); this checks it against SIGKILL, on
 * PGlite and PostgreSQL. The bulk "assign an owner" fix of the demo funnel is planned, then its apply is
 * killed half-way through its writes and again once every write is done but not committed; after each
 * kill the fix is still only planned, no record, task or audit row of it exists, and the audit chain is
 * intact. Approved again, it applies whole.
 */
const DEMO = fileURLToPath(new URL('../../src/demo/northwind-funnel.csv', import.meta.url));
const CHILD = fileURLToPath(new URL('./crash-fix-child.ts', import.meta.url));
const T = 240_000;

interface Change {
  recordId: string;
  field: string;
  old: string;
  new: string;
}

/** What the fix run and everything it would write look like now. */
async function fixState(db: Db, runId: string, changes: readonly Change[]) {
  const [run] = await db.query<{ state: string; approved_by: string | null }>(
    'SELECT state, approved_by FROM fix_runs WHERE id = $1',
    [runId],
  );
  const owners = await db.query<{ id: string; owner: string }>(
    'SELECT id, owner FROM records WHERE id = ANY($1::text[]) ORDER BY id',
    [changes.map((c) => c.recordId)],
  );
  const [counts] = await db.query<{ tasks: number; audit: number }>(
    `SELECT (SELECT count(*)::int FROM crm_tasks WHERE fix_run_id = $1) AS tasks,
            (SELECT count(*)::int FROM audit_log WHERE action IN ('fix.approved', 'fix.applied')) AS audit`,
    [runId],
  );
  return { ...run!, owners: Object.fromEntries(owners.map((o) => [o.id, o.owner])), ...counts! };
}

describe.each(backends.map((b) => b.name))('a fix apply killed (%s)', (backend) => {
  let target: CliTarget;
  let env: Record<string, string>;
  let child: Child | undefined;
  let runId: string;
  let changes: Change[];

  beforeAll(async () => {
    target = await openCliTarget(backend, 'leak-crash-fix');
    env = { ...target.env, ...CRASH_ENV, FIX_OWNER_POOL: 'Priya Shah, Marcus Lee' };
    expect((await leak(['import', DEMO], env)).code).toBe(2); // 6 broken rows, by design
    const scan = await leak(['scan', '--as-of', '2026-11-02T16:00:00Z'], env);
    expect(scan.code, scan.err).toBe(0);
    const preview = spawnScript(CHILD, ['preview', 'UNASSIGNED_OWNER'], env);
    expect(await preview.exited, preview.err()).toBe(0);
    ({ id: runId, changes } = JSON.parse(preview.out()) as { id: string; changes: Change[] });
    expect(changes.length).toBeGreaterThan(1);
    expect(changes.every((c) => c.field === 'owner' && c.old === '')).toBe(true);
  }, T);

  afterAll(async () => {
    await child?.kill();
    await target?.dispose();
  });

  it.each(['records-written', 'before-commit'])(
    'killed at %s: the fix is still planned and nothing of it was written',
    async (pause) => {
      const before = await target.withDb((db) => fixState(db, runId, changes));
      expect(before).toMatchObject({ state: 'planned', approved_by: null, tasks: 0 });
      expect(Object.values(before.owners).every((o) => o === '')).toBe(true);

      child = spawnScript(CHILD, ['approve', runId, pause], env);
      await child.waitFor(new RegExp(`paused at ${pause}`));
      await child.kill();
      child = undefined;

      const restarted = await leak(['imports'], env);
      expect(restarted.code, restarted.err).toBe(0);
      expect(await target.withDb((db) => fixState(db, runId, changes))).toEqual(before);
      const verify = await leak(['audit', 'verify'], env);
      expect(verify.code, verify.err).toBe(0);
    },
    T,
  );

  it(
    'approved again after the kills, it applies whole',
    async () => {
      const approve = spawnScript(CHILD, ['approve', runId], env);
      expect(await approve.exited, approve.err()).toBe(0);
      expect(JSON.parse(approve.out())).toMatchObject({ outcome: 'applied', state: 'applied' });
      const after = await target.withDb((db) => fixState(db, runId, changes));
      expect(after).toMatchObject({ state: 'applied', approved_by: 'cli:crash-test' });
      expect(after.owners).toEqual(Object.fromEntries(changes.map((c) => [c.recordId, c.new])));
      expect(after.audit).toBeGreaterThanOrEqual(2);
    },
    T,
  );
});
