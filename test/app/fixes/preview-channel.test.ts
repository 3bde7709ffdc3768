import { describe, expect, it } from 'vitest';
import { resolveIncident } from '../../../src/app/incidents/resolve.ts';
import { backends } from '../../support/db.ts';
import { drainUntilSettled, posted } from '../incidents/delivery-support.ts';
import { jobsOf, previewIssue, seed, slackCtx, unownedOpp, useWorld } from './support.ts';

/**
 * Where a fix preview goes (issue 10 item 6): it names records, owners and dollars, so the outbox posts it
 * only in the open incident's own channel. Without one (no incident open, or one too mild for a channel, or
 * its channel not made yet) it goes nowhere public, not even the alerts channel: the run has no channel and
 * the Slack listener answers the preview to the requester alone.
 */
describe.each(backends)('where a fix preview goes on $name', (backend) => {
  const t = useWorld(backend);

  it('into the incident channel when the open incident has one', async () => {
    const { w, deps } = t;
    const incidentId = (await seed(w, unownedOpp()))!;
    await drainUntilSettled(w);
    const { channelId } = await w.repos.incidents.slackState(incidentId);
    expect(channelId).not.toBeNull();
    const run = await previewIssue(deps, 'big_UNASSIGNED_OWNER');
    expect(run.channelId).toBe(channelId);
    expect(await jobsOf(w, 'fix.message')).toEqual([
      { key: `fix:${run.id}:message`, payload: { fix_run_id: run.id, channel: channelId } },
    ]);
    await drainUntilSettled(w);
    expect(posted(w, 'fix_preview').map((m) => m.channel)).toEqual([channelId]);
  });

  it('nowhere public when no incident is open: not the alerts channel, not any channel', async () => {
    const { w, deps } = t;
    const incidentId = (await seed(w, unownedOpp()))!;
    await drainUntilSettled(w);
    await resolveIncident(w.deps, slackCtx('UONCALL1'), incidentId);
    const run = await previewIssue(deps, 'big_UNASSIGNED_OWNER');
    expect(run).toMatchObject({ incidentId: null, channelId: null });
    expect(await jobsOf(w, 'fix.message')).toEqual([]);
    await drainUntilSettled(w);
    expect(posted(w, 'fix_preview')).toEqual([]);
  });
});
