import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepositories } from '../../src/adapters/db/repositories.ts';
import { type CliTarget, openCliTarget, runLeak } from '../support/cli.ts';
import { backends } from '../support/db.ts';

/**
 * `leak tokens create|list|revoke` through the real entry point, in-process. On PGlite the CLI and the
 * test take turns on one on-disk directory (PGlite is single-process); on PostgreSQL (when DATABASE_URL is
 * set) the CLI gets the URL of a fresh database the test also holds a pool on.
 */

describe.each(backends.map((b) => b.name))('leak tokens on %s', (name) => {
  let target: CliTarget;
  const leak = (args: string[]) => runLeak(args, target.env);

  beforeAll(async () => {
    target = await openCliTarget(name, 'leak-tokens');
  });
  afterAll(async () => target.dispose());

  it('is listed in --help, has its own help, and rejects bad usage with 64', async () => {
    expect((await leak(['--help'])).out).toMatch(/leak tokens create <name>/);
    const help = await leak(['tokens', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/cannot be shown again/);
    const none = await leak(['tokens']);
    expect(none.code).toBe(64);
    expect(none.err).toMatch(/expected a subcommand: create, list or revoke/);
    expect((await leak(['tokens', 'rotate'])).err).toMatch(/unknown subcommand 'rotate'/);
    expect((await leak(['tokens', 'create'])).code).toBe(64);
    expect((await leak(['tokens', 'revoke'])).code).toBe(64);
    expect((await leak(['tokens', 'list', 'extra'])).code).toBe(64);
  });

  it('lists nothing on a fresh database', async () => {
    const r = await leak(['tokens', 'list']);
    expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/No ingest tokens/) });
  });

  it('create prints the token once on stdout with a warning; only its hash is stored', async () => {
    const r = await leak(['tokens', 'create', 'checkout-service']);
    expect(r.code).toBe(0);
    const token = r.out.trim();
    expect(token).toMatch(/^lrs_[A-Za-z0-9_-]{43}$/);
    expect(r.out).toBe(`${token}\n`);
    expect(r.err).toMatch(/Created ingest token 1 'checkout-service' \(prefix lrs_\S{4}\)/);
    expect(r.err).toMatch(/cannot be shown again/);

    const stored = await target.withDb(async (db) => {
      const rows = await db.query<{ token_hash: string }>('SELECT * FROM ingest_tokens');
      const verified = await makeRepositories(db).tokens.verify(token);
      return { rows, verified, dump: JSON.stringify(rows) };
    });
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]!.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(stored.dump).not.toContain(token);
    expect(stored.verified).toEqual({ id: '1', name: 'checkout-service' });

    // list shows the prefix, never the token or its hash.
    const list = await leak(['tokens', 'list']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^ID\s+NAME\s+PREFIX\s+CREATED\s+REVOKED\n/);
    expect(list.out).toMatch(
      new RegExp(
        `^1\\s+checkout-service\\s+${token.slice(0, 8)}\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:]{8}Z\\s+-$`,
        'm',
      ),
    );
    expect(list.out).not.toContain(token.slice(8, 16));
    expect(list.out).not.toContain(stored.rows[0]!.token_hash);
    const json = JSON.parse((await leak(['tokens', 'list', '--json'])).out);
    expect(json).toEqual([
      {
        id: '1',
        name: 'checkout-service',
        prefix: token.slice(0, 8),
        createdAtMs: expect.any(Number),
        revokedAtMs: null,
      },
    ]);
  });

  it('revoke by id or prefix stops the token verifying; a second revoke exits 1', async () => {
    const second = (await leak(['tokens', 'create', 'payments'])).out.trim();
    expect((await leak(['tokens', 'revoke', second.slice(0, 8)])).code).toBe(0);
    const first = await leak(['tokens', 'revoke', '1']);
    expect(first).toEqual({ code: 0, out: 'Revoked ingest token 1.\n', err: '' });
    const again = await leak(['tokens', 'revoke', '1']);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/no active token with id or prefix '1'/);

    const verified = await target.withDb((db) => makeRepositories(db).tokens.verify(second));
    expect(verified).toBeNull();
    const list = await leak(['tokens', 'list']);
    expect(list.out.match(/Z\s+\d{4}-\d\d-\d\dT[\d:]{8}Z$/gm)).toHaveLength(2);
  });

  it('an empty name is a readable validation error with exit 1', async () => {
    const r = await leak(['tokens', 'create', '  ']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/token name must be 1 to 100 characters/);
  });
});
