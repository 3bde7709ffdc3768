import { describe, expect, it } from 'vitest';
import { approveFix } from '../../../src/app/fixes/approve.ts';
import { backends } from '../../support/db.ts';
import { drainUntilSettled, posted } from '../incidents/delivery-support.ts';
import { previewIssue, seed, slackCtx, unownedOpp, useWorld } from './support.ts';

describe.each(backends)('fix messages on $name', (backend) => {
  const t = useWorld(backend);

  it('posts the preview once and updates it in place as the fix moves on', async () => {
    const { w, deps } = t;
    await seed(w, unownedOpp());
    // The incident channel first: previews are posted only there (preview-channel.test.ts).
    await drainUntilSettled(w);
    const run = await previewIssue(deps, 'big_UNASSIGNED_OWNER');
    await drainUntilSettled(w);
    const previews = posted(w, 'fix_preview');
    expect(previews).toHaveLength(1);
    expect((await w.repos.fixes.get(run.id))!).toMatchObject({ channelId: previews[0]!.channel });
    await approveFix(deps, slackCtx('UAPPROVER'), run.id);
    await drainUntilSettled(w);
    expect(posted(w, 'fix_preview')).toHaveLength(1);
    expect(posted(w, 'fix_preview')[0]!.edits).toBeGreaterThan(0);
  });

  it('still posts the preview when the fix is approved before the preview was delivered', async () => {
    const { w, deps } = t;
    await seed(w, unownedOpp());
    await drainUntilSettled(w);
    const run = await previewIssue(deps, 'big_UNASSIGNED_OWNER');
    expect((await approveFix(deps, slackCtx('UAPPROVER'), run.id)).outcome).toBe('applied');
    await drainUntilSettled(w);
    const previews = posted(w, 'fix_preview');
    expect(previews).toHaveLength(1);
    expect((await w.repos.fixes.get(run.id))!).toMatchObject({ channelId: previews[0]!.channel });
  });
});
