import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLeak as leak } from '../support/cli.ts';

const HEADER =
  'id,type,name,email,domain,company,source,region,owner,stage,created_at,last_touch_at,next_step,value_usd,notes';

/**
 * `leak scan --as-of` older than the newest scan is a backfill (README): it stores its totals and leaves
 * findings and the incident as they are. Its output says so, and never claims nothing is leaking while an
 * incident is open.
 */
describe('leak scan, backfilling', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leak-backfill-'));
  const env = { PGLITE_DIR: join(dir, 'db'), LOG_LEVEL: 'silent' };
  const csv = join(dir, 'funnel.csv');
  // An unowned $200,000 opportunity created on 1 November: nothing existed before it.
  writeFileSync(
    csv,
    [
      HEADER,
      'o1,opp,Big Deal,buyer@acme.com,acme.com,Acme,outbound,NA,,Proposal,2026-11-01T00:00:00Z,2026-11-01T12:00:00Z,Call,200000,',
    ].join('\n'),
  );

  it('declares on the present scan; a backfill to before the leak keeps the incident and says so', async () => {
    expect((await leak(['import', csv], env)).code).toBe(0);
    const present = await leak(['scan', '--as-of', '2026-11-02T16:00:00Z'], env);
    expect(present.out).toMatch(/Incident #(\d+) \(SEV-1, PAGE, detected\) declared\./);
    const id = present.out.match(/Incident #(\d+)/)![1];

    const back = await leak(['scan', '--as-of', '2026-10-15T00:00:00Z'], env);
    expect(back.code).toBe(0);
    expect(back.out).toContain('backfill: totals stored, findings unchanged');
    expect(back.out).not.toMatch(/\d+ new, \d+ reopened, \d+ cleared/);
    expect(back.out).not.toContain('No incident: nothing is leaking');
    expect(back.out).toContain(`Incident #${id} (SEV-1, PAGE, detected) unchanged.`);

    const json = JSON.parse((await leak(['scan', '--json', '--as-of', '2026-10-15T00:00:00Z'], env)).out);
    expect(json.backfill).toBe(true);
    const now = JSON.parse((await leak(['scan', '--json', '--as-of', '2026-11-02T16:05:00Z'], env)).out);
    expect(now.backfill).toBe(false);
  });
});
