import { describe, expect, it } from 'vitest';
import { approveFix } from '../../../src/app/fixes/approve.ts';
import { planFor, previewFix } from '../../../src/app/fixes/preview.ts';
import { notifySummary } from '../../../src/domain/fixpacks/notifications.ts';
import { buildOpp, daysAgo } from '../../domain/build.ts';
import { backends } from '../../support/db.ts';
import { fixDeps, jobsOf, seed, slackCtx, unownedOpp, useWorld } from './support.ts';

/**
 * The preview use case's output carries what the preview states besides the diff (issue 10 items 4 and
 * 5): whether four eyes applies and who can approve, from the approval policy; and Slack message counts
 * that match what the apply really queues.
 */
const cold = (id: string, owner: string) =>
  buildOpp({ id, owner, stage: 'Proposal', valueCents: 500_000, lastTouchAtMs: daysAgo(20) });

describe.each(backends)('the preview use case on $name', (backend) => {
  const t = useWorld(backend);

  it('states whether four eyes applies and who can approve, and stores it with the run', async () => {
    const { w } = t;
    await seed(w, unownedOpp());
    const strict = fixDeps(w, { fourEyesCents: 1_000_000 });
    const run = await previewFix(strict, slackCtx('UREQ'), {
      kind: 'issue',
      issueId: 'big_UNASSIGNED_OWNER',
    });
    expect(run.plan.approval).toEqual({
      fourEyes: true,
      fourEyesRecords: 10,
      fourEyesCents: 1_000_000,
      approverUsers: ['UAPPROVER'],
      approverGroup: 'SAPPROVERS',
    });
    expect((await w.repos.fixes.get(run.id))?.plan.approval).toEqual(run.plan.approval);

    const lax = fixDeps(w, { approverUsers: [], approverGroup: null, fourEyesCents: 100_000_000 });
    const { plan } = await planFor(
      lax,
      { kind: 'issue', issueId: 'big_UNASSIGNED_OWNER' },
      { reserveRoundRobin: false },
    );
    expect(plan.approval).toMatchObject({ fourEyes: false, approverUsers: [], approverGroup: null });
  });

  it('counts the DMs the apply really sends, and unmapped owners once each', async () => {
    const { w, deps } = t;
    // Priya Shah is mapped to UPRIYA; Bob is not. Three cold deals of Priya's, two of Bob's.
    await seed(w, [
      cold('p1', 'Priya Shah'),
      cold('p2', 'Priya Shah'),
      cold('p3', 'Priya Shah'),
      cold('b1', 'Bob'),
      cold('b2', 'Bob'),
    ]);
    const run = await previewFix(deps, slackCtx('UREQ'), { kind: 'bulk', issueType: 'STALE_OPP' });
    const said = notifySummary(run.plan.effects);
    expect(said).toMatchObject({ dms: 3, dmUsers: 1, unmappedOwners: ['Bob'], messages: 3 });

    expect((await approveFix(deps, slackCtx('UAPPROVER'), run.id)).outcome).toBe('applied');
    const queued = await jobsOf(w, 'fix.notify');
    expect(queued.filter((j) => j.payload['dm'] === true)).toHaveLength(said.dms);
    expect(queued).toHaveLength(said.messages);
  });
});
