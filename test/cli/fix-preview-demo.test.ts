/**
 * Issue 10 items 1 and 2, as reported, through the real `leak` command line on the original demo CSV
 * (../shared/fixtures/revenue-leak-sre/demo_funnel.csv; the suite is skipped without it):
 * - `leak fix preview 110_DUPLICATE_SUSPECT` planned `stage: Closed Won → Archived` for the $500,000 won deal,
 *   merged into a $0 unassigned lead. A closed deal is no longer a duplicate suspect, and no merge archives it.
 * - the stale-deal rescue replaced "Contract review" and "Demo scheduled" with "Rescue sequence initiated".
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliTarget, openCliTarget, runLeak } from '../support/cli.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = path.resolve(repoRoot, '../shared/fixtures/revenue-leak-sre/demo_funnel.csv');

describe.skipIf(!existsSync(FIXTURE))('leak fix preview on the original demo funnel', () => {
  let target: CliTarget;
  let env: Record<string, string>;
  beforeAll(async () => {
    target = await openCliTarget('pglite', 'leak-fix-demo');
    env = { ...target.env, FIX_APPROVERS: 'UAPPROVER', FIX_FOUR_EYES_RECORDS: '3' };
    expect((await runLeak(['import', FIXTURE], env)).code).toBe(0);
    // Two days after the fidelity suite's instant: 108 (touched 10-20) and 114 (10-15) are stale by then.
    expect((await runLeak(['scan', '--as-of', '2023-10-29T00:00:00Z'], env)).code).toBe(0);
  });
  afterAll(async () => target?.dispose());

  it('the Closed Won deal is no duplicate suspect: there is nothing to merge it into', async () => {
    const r = await runLeak(['fix', 'preview', '110_DUPLICATE_SUSPECT'], env);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/issue 110_DUPLICATE_SUSPECT is not open/);
  });

  it('the bulk merge names each survivor and why, and never touches 110', async () => {
    const r = await runLeak(['fix', 'preview', '--bulk', 'DUPLICATE_SUSPECT'], env);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      'weyland.yutani: kept 105: most recent touch (touched 2023-10-25 11:05) over 104 (created 2023-10-24 10:00, never touched)',
    );
    expect(r.out).toContain(
      'aperture.sci: kept 117: most recent touch (touched 2023-10-25 14:10) over 115 (created 2023-10-21 08:00, never touched)',
    );
    expect(r.out).toContain('# 104\n- stage: New\n+ stage: Archived');
    expect(r.out).not.toContain('# 110');
    expect(r.out).not.toContain('Closed Won');
    expect(r.out).toContain('four eyes: 4 records / $6,480 is over 3 records or $25,000');
    expect(r.out).toContain('who can approve: UAPPROVER');
  });

  it('the stale-deal rescue keeps real next steps and creates the task instead', async () => {
    const r = await runLeak(['fix', 'preview', '--bulk', 'STALE_OPP'], env);
    expect(r.code).toBe(0);
    expect(r.out).toContain("# 108 next_step kept: 'Demo scheduled' (task created instead)");
    expect(r.out).toContain("# 114 next_step kept: 'Contract review' (task created instead)");
    expect(r.out).not.toMatch(/- next_step: (Demo scheduled|Contract review)/);
    // An empty next step is still filled.
    expect(r.out).toContain('# 103\n- next_step: (empty)\n+ next_step: Rescue sequence initiated');
    expect(r.out).toMatch(/task for Alice on 108: Rescue: re-engage Initech Upgrade/);
  });
});
