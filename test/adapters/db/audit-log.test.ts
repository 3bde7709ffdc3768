import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../../src/adapters/db/client.ts';
import { makeRepositories } from '../../../src/adapters/db/repositories.ts';
import type { AuditEntry } from '../../../src/app/incidents/ports.ts';
import { backends, silentLog } from '../../support/db.ts';

/**
 * The audit log is append-only and hash-chained in the database (migrations/0002: trigger
 * audit_log_chain, function audit_row_hash). These tests append through the application's own path
 * (`incidents.transaction(tx => tx.audit(…))`), then tamper as a superuser would (switching the
 * append-only trigger off), and check that `auditLog(db).verify()` names the first broken row.
 */

const AT = Date.parse('2026-11-02T16:00:00.123Z');

const entry = (i: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: `U${i}`,
  action: 'incident.acknowledge',
  targetType: 'incident',
  targetId: String(i),
  before: { state: 'detected', n: i },
  after: { state: 'acknowledged', n: i, note: 'ünïcode ✓' },
  atMs: AT + i,
  ...over,
});

type ChainRow = { id: string; prev_hash: string; hash: string; target_id: string };

describe.each(backends)('audit log on $name', (backend) => {
  let db: Db;
  let url: string | undefined;
  let dispose: () => Promise<void>;
  let repos: ReturnType<typeof makeRepositories>;

  const append = async (from: number, count: number, over: Partial<AuditEntry> = {}) => {
    for (let i = from; i < from + count; i++)
      await repos.incidents.transaction((tx) => tx.audit(entry(i, over)));
  };
  const chain = () =>
    db.query<ChainRow>(
      'SELECT a.id::text AS id, a.prev_hash, a.hash, a.target_id FROM audit_log a ORDER BY a.id',
    );
  /** The id of the n-th row (1-based) in chain order. */
  const nth = async (n: number) => {
    const [r] = await db.query<{ id: string }>(
      'SELECT a.id::text AS id FROM audit_log a ORDER BY a.id OFFSET $1 LIMIT 1',
      [n - 1],
    );
    return r!.id;
  };
  /** What someone with superuser rights could do behind the application's back. */
  const behindTheBack = (statement: string) =>
    db.exec(
      `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update; ${statement};
       ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;`,
    );
  const verify = () => repos.audit.verify();

  beforeAll(async () => {
    ({ db, url, dispose } = await backend.open());
    repos = makeRepositories(db);
  });
  afterAll(async () => dispose());
  beforeEach(async () => {
    await db.exec(`RESET TIME ZONE;
      ALTER TABLE audit_log DISABLE TRIGGER USER; DELETE FROM audit_log; ALTER TABLE audit_log ENABLE TRIGGER USER;`);
  });

  it('verifies an empty log as ok with 0 rows', async () => {
    expect(await verify()).toEqual({ rows: 0, ok: true });
  });

  it('chains each append to the one before it, in id order, starting from genesis', async () => {
    await append(1, 6);
    const rows = await chain();
    expect(rows).toHaveLength(6);
    expect(rows[0]!.prev_hash).toBe('genesis');
    for (let i = 1; i < rows.length; i++) {
      expect(BigInt(rows[i]!.id)).toBeGreaterThan(BigInt(rows[i - 1]!.id));
      expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    }
    // Appends land in the order they were made, and every hash is a distinct SHA-256 hex digest.
    expect(rows.map((r) => r.target_id)).toEqual(['1', '2', '3', '4', '5', '6']);
    for (const r of rows) expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(6);
  });

  it('ignores id, prev_hash and hash supplied by the writer: the trigger sets them', async () => {
    await append(1, 1);
    await db.query(
      `INSERT INTO audit_log (id, at, actor, action, target_type, target_id, before, after, prev_hash, hash)
       VALUES (1000000, now(), 'mallory', 'x', 't', 'forged', NULL, NULL, 'genesis', 'deadbeef')`,
    );
    const rows = await chain();
    expect(rows[1]).toMatchObject({ target_id: 'forged', prev_hash: rows[0]!.hash });
    expect(rows[1]!.id).not.toBe('1000000');
    expect(rows[1]!.hash).not.toBe('deadbeef');
    expect(await verify()).toEqual({ rows: 2, ok: true });
  });

  it('verifies an untouched log of N rows as ok', async () => {
    await append(1, 25);
    expect(await verify()).toEqual({ rows: 25, ok: true });
  });

  it('walks the chain in numeric id order across a digit boundary (9 → 10, 99 → 100)', async () => {
    // Regression: verify() once sorted by its text output column `id`, so '10' came before '8'.
    await db.query(`SELECT setval('audit_log_id_seq', 7)`);
    await append(1, 5);
    expect((await chain()).map((r) => r.id)).toEqual(['8', '9', '10', '11', '12']);
    expect(await verify()).toEqual({ rows: 5, ok: true });
    await db.query(`SELECT setval('audit_log_id_seq', 97)`);
    await append(6, 5);
    expect(await verify()).toEqual({ rows: 10, ok: true });
  });

  it('rejects UPDATE, DELETE and TRUNCATE as append-only', async () => {
    await append(1, 3);
    const id = await nth(2);
    await expect(db.query(`UPDATE audit_log SET actor = 'mallory' WHERE id = $1`, [id])).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query('DELETE FROM audit_log WHERE id = $1', [id])).rejects.toThrow(/append-only/);
    await expect(db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    // A bulk UPDATE is refused as a whole, not row by row up to the first.
    await expect(db.query(`UPDATE audit_log SET actor = 'mallory'`)).rejects.toThrow(/append-only/);
    expect(await db.query(`SELECT 1 FROM audit_log WHERE actor = 'mallory'`)).toHaveLength(0);
    expect(await verify()).toEqual({ rows: 3, ok: true });
  });

  it('names a row changed behind the back as the first bad row, not the rows after it', async () => {
    await append(1, 6);
    const third = await nth(3);
    await behindTheBack(`UPDATE audit_log SET actor = 'mallory' WHERE id = ${third}`);
    const v = await verify();
    expect(v.ok).toBe(false);
    expect(v.firstBad?.id).toBe(third);
    expect(v.firstBad?.reason).toMatch(/content does not match its hash/);
    expect(v.rows).toBe(3);
  });

  it('names the next row when a row is deleted behind the back', async () => {
    await append(1, 6);
    const [third, fourth] = [await nth(3), await nth(4)];
    await behindTheBack(`DELETE FROM audit_log WHERE id = ${third}`);
    const v = await verify();
    expect(v.ok).toBe(false);
    expect(v.firstBad?.id).toBe(fourth);
    expect(v.firstBad?.reason).toMatch(/does not link to the row before it/);
    expect(v.rows).toBe(3);
  });

  it('detects a deleted first row (the chain no longer starts at genesis)', async () => {
    await append(1, 3);
    const [first, second] = [await nth(1), await nth(2)];
    await behindTheBack(`DELETE FROM audit_log WHERE id = ${first}`);
    expect(await verify()).toMatchObject({ ok: false, rows: 1, firstBad: { id: second } });
  });

  it('detects a changed before or after jsonb', async () => {
    await append(1, 5);
    const second = await nth(2);
    await behindTheBack(
      `UPDATE audit_log SET after = jsonb_set(after, '{state}', '"resolved"') WHERE id = ${second}`,
    );
    expect(await verify()).toMatchObject({ ok: false, rows: 2, firstBad: { id: second } });

    await db.exec(
      'ALTER TABLE audit_log DISABLE TRIGGER USER; DELETE FROM audit_log; ALTER TABLE audit_log ENABLE TRIGGER USER;',
    );
    await append(1, 5);
    const fourth = await nth(4);
    // Even a change that leaves the JSON "equivalent" to a reader (a number's type) is a change.
    await behindTheBack(
      `UPDATE audit_log SET before = '{"state": "detected", "n": "4"}' WHERE id = ${fourth}`,
    );
    expect(await verify()).toMatchObject({ ok: false, rows: 4, firstBad: { id: fourth } });
  });

  it('detects a row whose hash was recomputed to match its changed content (the next link breaks)', async () => {
    await append(1, 5);
    const [second, third] = [await nth(2), await nth(3)];
    await behindTheBack(
      `UPDATE audit_log SET actor = 'mallory',
         hash = audit_row_hash(prev_hash, at, 'mallory', action, target_type, target_id, before, after)
       WHERE id = ${second}`,
    );
    expect(await verify()).toMatchObject({ ok: false, rows: 3, firstBad: { id: third } });
  });

  it('hashes the same whatever the session TimeZone', async () => {
    await append(1, 2);
    if (backend.name === 'pglite') {
      // One connection: the setting applies to everything after it until reset.
      await db.exec(`SET TIME ZONE 'Asia/Tokyo'`);
      await append(3, 2);
      expect(await verify()).toEqual({ rows: 4, ok: true });
      await db.exec('RESET TIME ZONE');
    } else {
      // A second pool whose every connection starts in Tokyo time (a startup parameter).
      const tokyo = await openDb({ url: `${url}?TimeZone=Asia%2FTokyo`, pgliteDir: '' }, silentLog);
      try {
        const [tz] = await tokyo.query<{ tz: string }>(`SELECT current_setting('TimeZone') AS tz`);
        expect(tz!.tz).toBe('Asia/Tokyo');
        await makeRepositories(tokyo).incidents.transaction((tx) => tx.audit(entry(3)));
        await makeRepositories(tokyo).incidents.transaction((tx) => tx.audit(entry(4)));
        expect(await makeRepositories(tokyo).audit.verify()).toEqual({ rows: 4, ok: true });
      } finally {
        await tokyo.close();
      }
    }
    // Rows appended in either zone verify in the other.
    await append(5, 1);
    expect(await verify()).toEqual({ rows: 5, ok: true });
    // The function itself, on one connection, before and after switching zone.
    const hashes = await db.session(async (s) => {
      const hash = async () =>
        (
          await s.query<{ h: string }>(
            `SELECT audit_row_hash('p', '2026-11-02T16:00:00.123456Z', 'a', 'b', 'c', 'd', NULL, '{"x": 1}') AS h`,
          )
        )[0]!.h;
      const utc = await hash();
      await s.exec(`SET TIME ZONE 'Asia/Tokyo'`);
      const tokyo = await hash();
      await s.exec('RESET TIME ZONE');
      return { utc, tokyo };
    });
    expect(hashes.tokyo).toBe(hashes.utc);
  });

  it('keeps one chain under 50 concurrent appending transactions', async () => {
    // On PostgreSQL these run on a pool of 10 connections and interleave: each waits a random moment
    // before and after its insert, so commit order and start order differ. The trigger's advisory lock
    // (held to commit) and its drawing the id only once the lock is held must still make one chain whose
    // id order is its link order. PGlite (one connection) serializes them; it runs for parity.
    const sleep = () => new Promise((r) => setTimeout(r, Math.random() * 5));
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        repos.incidents.transaction(async (tx) => {
          await sleep();
          await tx.audit(entry(i + 1));
          await sleep();
        }),
      ),
    );
    const rows = await chain();
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((r) => r.target_id)).size).toBe(50);
    expect(rows[0]!.prev_hash).toBe('genesis');
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    expect(await verify()).toEqual({ rows: 50, ok: true });
  });

  it('pages through more than 5,000 rows and finds a tamper past the first page', async () => {
    // One statement: the row trigger chains each of the 5,200 rows to the one before it.
    await db.query(
      `INSERT INTO audit_log (at, actor, action, target_type, target_id, before, after, prev_hash, hash)
       SELECT now(), 'a', 'x', 't', g::text, NULL, NULL, '', '' FROM generate_series(1, 5200) g`,
    );
    await append(5201, 1);
    expect(await verify()).toEqual({ rows: 5201, ok: true });

    const row5100 = await nth(5100);
    await behindTheBack(`UPDATE audit_log SET target_id = 'changed' WHERE id = ${row5100}`);
    expect(await verify()).toMatchObject({ ok: false, rows: 5100, firstBad: { id: row5100 } });
  });

  it('detects text moved between neighbouring fields, and tells SQL NULL from JSON null', async () => {
    await append(1, 1, { actor: 'alice', action: 'ack\nx', before: undefined });
    const id = await nth(1);
    await behindTheBack(
      `UPDATE audit_log SET actor = E'alice\\nack', action = 'x', before = 'null'::jsonb WHERE id = ${id}`,
    );
    expect(await verify()).toMatchObject({ ok: false, firstBad: { id } });
  });

  it('refuses appends outside READ COMMITTED, whose older snapshot could fork the chain', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        await tx.query(
          `INSERT INTO audit_log (at, actor, action, target_type, target_id, prev_hash, hash)
           VALUES (now(), 'a', 'x', 't', '1', '', '')`,
        );
      }),
    ).rejects.toThrow(/READ COMMITTED/);
  });
});
