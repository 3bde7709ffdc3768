import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { makeRepositories } from '../../../src/adapters/db/repositories.ts';
import type { IngestTokens } from '../../../src/app/telemetry/ports.ts';
import { backends } from '../../support/db.ts';

/**
 * Ingest tokens (tokens-repository.ts) and the parts of migrations/0004 that are behaviour rather than
 * shape (schema-mirror.test.ts covers the shape): Gold's immutability triggers and
 * ensure_bronze_partition().
 */
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe.each(backends)('ingest tokens on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let tokens: IngestTokens;

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    tokens = makeRepositories(db).tokens;
  });
  afterAll(async () => dispose());

  it('creates a token that verifies, and stores only its SHA-256', async () => {
    const made = await tokens.create('  checkout-service  ');
    expect(made.token).toMatch(/^lrs_[A-Za-z0-9_-]{43}$/);
    expect(made.prefix).toBe(made.token.slice(0, 8));
    expect(await tokens.verify(made.token)).toEqual({ id: made.id, name: 'checkout-service' });

    const rows = await db.query<Record<string, unknown>>('SELECT * FROM ingest_tokens WHERE id = $1', [
      made.id,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!['token_hash']).toBe(sha256(made.token));
    // The clear token is in no column of the table.
    const dump = JSON.stringify(await db.query('SELECT * FROM ingest_tokens'));
    expect(dump).not.toContain(made.token);
    expect(dump).not.toContain(made.token.slice(4));
  });

  it('refuses unknown, altered and empty tokens', async () => {
    const made = await tokens.create('altered');
    const last = made.token.at(-1) === 'A' ? 'B' : 'A';
    expect(await tokens.verify(`${made.token.slice(0, -1)}${last}`)).toBeNull();
    expect(await tokens.verify(made.token.slice(4))).toBeNull();
    expect(await tokens.verify('')).toBeNull();
    expect(await tokens.verify(sha256(made.token))).toBeNull();
    await expect(tokens.create('   ')).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('revokes by id and by prefix; a revoked token never verifies again', async () => {
    const a = await tokens.create('by-id');
    const b = await tokens.create('by-prefix');
    expect(await tokens.revoke(a.id)).toBe(true);
    expect(await tokens.revoke(a.id)).toBe(false);
    expect(await tokens.verify(a.token)).toBeNull();
    expect(await tokens.verify(b.token)).not.toBeNull();

    expect(await tokens.revoke(b.prefix)).toBe(true);
    expect(await tokens.verify(b.token)).toBeNull();
    expect(await tokens.revoke(b.prefix)).toBe(false);
    expect(await tokens.revoke('lrs_none')).toBe(false);
    expect(await tokens.revoke('999999')).toBe(false);

    const listed = await tokens.list();
    const byId = new Map(listed.map((t) => [t.id, t]));
    expect(byId.get(a.id)).toMatchObject({
      name: 'by-id',
      prefix: a.prefix,
      revokedAtMs: expect.any(Number),
    });
    expect(byId.get(b.id)!.revokedAtMs).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(a.token);
    expect(Object.keys(listed[0]!).sort()).toEqual(['createdAtMs', 'id', 'name', 'prefix', 'revokedAtMs']);
  });

  it('refuses to guess when two active tokens share a prefix', async () => {
    // Prefixes are 8 characters (4 random): make a collision on purpose rather than wait for one.
    await db.query(
      "INSERT INTO ingest_tokens (name, token_hash, prefix) VALUES ('twin1', 'h1', 'lrs_twin'), ('twin2', 'h2', 'lrs_twin')",
    );
    await expect(tokens.revoke('lrs_twin')).rejects.toMatchObject({ code: 'CONFLICT' });
    const twins = (await tokens.list()).filter((t) => t.prefix === 'lrs_twin');
    expect(twins.map((t) => t.revokedAtMs)).toEqual([null, null]);
  });
});

describe.each(backends)('telemetry tables (migrations/0004) on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
  });
  afterAll(async () => dispose());

  it('keeps Gold snapshots immutable: UPDATE, DELETE and TRUNCATE are rejected', async () => {
    await db.query(
      `INSERT INTO sla_definitions (id, version, service, metric, name, indicator, target, window_days,
                                    active_from, definition)
       VALUES ('checkout-availability', 1, 'checkout', 'availability', 'Checkout availability', '{}', 99.9, 30,
               '2026-11-01T00:00:00Z', '{}')`,
    );
    await db.query(
      `INSERT INTO gold_snapshots (sla_id, sla_version, day, total, errors, uptime_pct, budget_burn)
       VALUES ('checkout-availability', 1, '2026-11-02', 1000, 1, 99.9, 0.03)`,
    );
    await expect(db.query('UPDATE gold_snapshots SET errors = 0')).rejects.toThrow(/immutable: UPDATE/);
    await expect(db.query('DELETE FROM gold_snapshots')).rejects.toThrow(/immutable: DELETE/);
    await expect(db.query('TRUNCATE gold_snapshots')).rejects.toThrow(/immutable: TRUNCATE/);
    // One snapshot per definition and day: a rerun cannot add a second.
    await expect(
      db.query(
        `INSERT INTO gold_snapshots (sla_id, sla_version, day, total, errors, uptime_pct, budget_burn)
         VALUES ('checkout-availability', 1, '2026-11-02', 5, 5, 0, 1)`,
      ),
    ).rejects.toThrow(/unique|duplicate/i);
    expect(await db.query('SELECT total::int AS total, errors::int AS errors FROM gold_snapshots')).toEqual([
      { total: 1000, errors: 1 },
    ]);
  });

  it('ensure_bronze_partition is idempotent and bounds the UTC day; days without one are refused', async () => {
    const first = await db.query<{ part: string }>("SELECT ensure_bronze_partition('2026-11-02') AS part");
    const again = await db.query<{ part: string }>("SELECT ensure_bronze_partition('2026-11-02') AS part");
    expect(first).toEqual([{ part: 'bronze_events_20261102' }]);
    expect(again).toEqual(first);
    const parts = await db.query<{ relname: string }>(
      "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'bronze_events'::regclass",
    );
    expect(parts.map((p) => p.relname)).toEqual(['bronze_events_20261102']);

    // The day is UTC whatever the session's zone: both ends of 2026-11-02 UTC land in the partition.
    await db.transaction(async (tx) => {
      await tx.query("SET LOCAL TimeZone = 'Asia/Tokyo'");
      await tx.query("SELECT ensure_bronze_partition('2026-11-02')");
      await tx.query(
        `INSERT INTO bronze_events (time, service, name, level, ok)
         VALUES ('2026-11-02T00:00:00Z', 'checkout', 'POST /pay', 'ERROR', false),
                ('2026-11-02T23:59:59.999Z', 'checkout', 'POST /pay', 'ERROR', false)`,
      );
    });
    const counted = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM bronze_events_20261102');
    expect(counted).toEqual([{ n: 2 }]);

    // No default partition: a row for a day that has none is refused, not parked somewhere.
    await expect(
      db.query(
        "INSERT INTO bronze_events (time, service, name) VALUES ('2026-11-03T00:00:00Z', 'checkout', 'x')",
      ),
    ).rejects.toThrow(/no partition/);
  });
});
