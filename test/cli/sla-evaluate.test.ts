import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { set } from '../domain/sla/openslo-fixtures.ts';
import { type CliTarget, openCliTarget, runLeak } from '../support/cli.ts';
import { backends } from '../support/db.ts';

/**
 * `leak sla evaluate` and the burn column of `leak sla list` through the real entry point, on the real
 * clock: an hour of healthy checkout traffic, then two minutes of outage, pages.
 */
describe.each(backends.map((b) => b.name))('leak sla evaluate on %s', (name) => {
  let target: CliTarget;
  const leak = (args: string[]) => runLeak(args, target.env);

  beforeAll(async () => {
    target = await openCliTarget(name, 'leak-sla-evaluate');
  });
  afterAll(async () => target.dispose());

  it('says so when nothing is defined, then pages an outage and lists the burn', async () => {
    const empty = await leak(['sla', 'evaluate']);
    expect(empty).toMatchObject({ code: 0, err: '' });
    expect(empty.out).toMatch(/No SLA definitions in force/);

    const file = join(process.env['TMPDIR'] ?? '/tmp', `slos-${name}-${process.pid}.yaml`);
    writeFileSync(
      file,
      set()
        .map((d) => stringify(d))
        .join('---\n'),
    );
    expect((await leak(['sla', 'apply', '-f', file])).code).toBe(0);
    const quiet = await leak(['sla', 'evaluate', '--json']);
    expect(JSON.parse(quiet.out)).toEqual([
      expect.objectContaining({ slaId: 'checkout-availability', action: 'none' }),
    ]);

    // The ingest path leaves minutes pending; evaluate compacts them first.
    await target.withDb((db) =>
      db.query(
        `INSERT INTO silver_minute_pending (service, metric, tags, tags_hash, minute, count, errors)
         SELECT 'checkout', 'http.server.request', '{}'::jsonb, 'h',
                date_trunc('minute', now()) - make_interval(mins => g), 100, CASE WHEN g < 3 THEN 100 ELSE 0 END
         FROM generate_series(0, 59) g`,
      ),
    );
    const paged = await leak(['sla', 'evaluate']);
    expect(paged).toMatchObject({ code: 0, err: '' });
    expect(paged.out).toMatch(/checkout-availability\s+page\s+1h\/5m\s+[\d.]+×\s+declared #\d+/);
    expect(paged.out).toMatch(/queued in the outbox/);
    const again = await leak(['sla', 'evaluate', '--json']);
    expect(JSON.parse(again.out)[0]).toMatchObject({ action: 'page', incident: 'updated' });

    const list = await leak(['sla', 'list']);
    expect(list.out).toMatch(/BURN NOW/);
    expect(list.out).toMatch(/page [\d.]+× \(\d\d:\d\dZ\)/);
    const rows = await target.withDb((db) =>
      db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM incidents WHERE dedupe_key = 'sla:checkout-availability'`,
      ),
    );
    expect(rows[0]!.n).toBe(1);
  });
});
