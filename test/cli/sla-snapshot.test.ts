import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { set } from '../domain/sla/openslo-fixtures.ts';
import { runLeak } from '../support/cli.ts';

/** `leak sla snapshot [--day]` through the real entry point on an on-disk PGlite directory. */

const dir = mkdtempSync(join(tmpdir(), 'leak-sla-snapshot-'));
const env = { PGLITE_DIR: join(dir, 'db'), LOG_LEVEL: 'silent' };
const leak = (args: string[]) => runLeak(args, env);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('leak sla snapshot', () => {
  it('is in the help, rejects a bad --day with 64 and an incomplete day with 1', async () => {
    expect((await leak(['--help'])).out).toMatch(/leak sla snapshot \[--day <date>\]/);
    expect((await leak(['sla', '--help'])).out).toMatch(/leak sla snapshot \[--day YYYY-MM-DD\]/);
    const bad = await leak(['sla', 'snapshot', '--day', '2026-02-30']);
    expect(bad.code).toBe(64);
    expect(bad.err).toMatch(/--day must be a date YYYY-MM-DD/);
    expect((await leak(['sla', 'list', '--day', '2026-01-01'])).code).toBe(64);
    const today = await leak(['sla', 'snapshot', '--day', day(Date.now())]);
    expect(today.code).toBe(1);
    expect(today.err).toMatch(/not a complete UTC day yet/);
  });

  it('a definition applied today has no complete day yet: nothing to snapshot', async () => {
    const file = join(dir, 'slos.yaml');
    writeFileSync(
      file,
      set()
        .map((d) => stringify(d))
        .join('---\n'),
    );
    expect((await leak(['sla', 'apply', '-f', file])).code).toBe(0);
    const run = await leak(['sla', 'snapshot']);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(/No snapshot to take/);
    const one = await leak(['sla', 'snapshot', '--day', day(Date.now() - 86_400_000), '--json']);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.out)).toEqual([]);
  });
});
