import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepositories } from '../../src/adapters/db/repositories.ts';
import { type CliTarget, openCliTarget, runLeak } from '../support/cli.ts';
import { backends } from '../support/db.ts';

/**
 * `leak audit verify` through the real entry point, in-process. On PGlite the CLI and the test take turns
 * on one on-disk directory (PGlite is single-process: the test opens it only while the CLI has it
 * closed); on PostgreSQL (when DATABASE_URL is set) the CLI gets the URL of a fresh database the test
 * also holds a pool on.
 */

describe.each(backends.map((b) => b.name))('leak audit verify on %s', (name) => {
  let target: CliTarget;
  const leak = (args: string[]) => runLeak(args, target.env);
  const append = (count: number) =>
    target.withDb(async (db) => {
      const repos = makeRepositories(db);
      for (let i = 1; i <= count; i++)
        await repos.incidents.transaction((tx) =>
          tx.audit({
            actor: `U${i}`,
            action: 'incident.acknowledge',
            targetType: 'incident',
            targetId: String(i),
            before: { state: 'detected' },
            after: { state: 'acknowledged' },
            atMs: Date.parse('2026-11-02T16:00:00Z') + i,
          }),
        );
    });

  beforeAll(async () => {
    target = await openCliTarget(name, 'leak-audit');
  });
  afterAll(async () => target.dispose());

  it('is listed in --help, has its own help, and rejects a missing or unknown subcommand with 64', async () => {
    expect((await leak(['--help'])).out).toMatch(/leak audit verify \[--json\]/);
    const help = await leak(['audit', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--json/);
    const none = await leak(['audit']);
    expect(none.code).toBe(64);
    expect(none.err).toMatch(/expected a subcommand: verify/);
    const unknown = await leak(['audit', 'fix']);
    expect(unknown.code).toBe(64);
    expect(unknown.err).toMatch(/unknown subcommand 'fix'/);
    expect((await leak(['audit', 'verify', 'now'])).code).toBe(64);
  });

  it('reports an empty log (a fresh, migrated database) as intact', async () => {
    const r = await leak(['audit', 'verify']);
    expect(r).toEqual({ code: 0, out: 'audit log ok: 0 rows, chain intact\n', err: '' });
  });

  it('reports an untouched log as intact, in text and as JSON', async () => {
    // 12 rows: ids cross from one digit to two, which once broke the walk order.
    await append(12);
    const r = await leak(['audit', 'verify']);
    expect(r).toEqual({ code: 0, out: 'audit log ok: 12 rows, chain intact\n', err: '' });
    const j = await leak(['audit', 'verify', '--json']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.out)).toEqual({ rows: 12, ok: true });
  });

  it('names the first row changed behind the back on stderr and exits 1', async () => {
    const third = await target.withDb(async (db) => {
      const [row] = await db.query<{ id: string }>(
        'SELECT a.id::text AS id FROM audit_log a ORDER BY a.id OFFSET 2 LIMIT 1',
      );
      await db.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
        UPDATE audit_log SET actor = 'mallory' WHERE id = ${row!.id};
        ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;`);
      return row!.id;
    });
    const r = await leak(['audit', 'verify']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      `audit log BROKEN at row ${third}: its content does not match its hash (the row was changed) (3 rows checked)\n`,
    );
    const j = await leak(['audit', 'verify', '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out)).toMatchObject({ rows: 3, ok: false, firstBad: { id: third } });
  });
});
