import { describe, expect, it } from 'vitest';
import { approveFix } from '../../../src/app/fixes/approve.ts';
import { rollBackFix } from '../../../src/app/fixes/rollback.ts';
import { buildOpp, buildRecord, daysAgo } from '../../domain/build.ts';
import { backends } from '../../support/db.ts';
import { drain, drainUntilSettled, jobStates, posted } from '../incidents/delivery-support.ts';
import { makeDue, type World } from '../incidents/setup.ts';
import { insertCustomRun, previewIssue, seed, slackCtx, unownedOpp, useWorld } from './support.ts';

/**
 * Rollback tells the people the fix told (issue 10 item 3): the owners DMed and the manager channel posted
 * to when the fix applied get one short correction each when it is rolled back, by hand or by the
 * regression guard; people whose notification never left are not told anything.
 */

/** A $50,000 deal Priya Shah (UPRIYA in the owner map) let go cold: the rescue DMs her and posts in CMGR. */
const staleDeal = () => [
  buildOpp({ id: 'cold', owner: 'Priya Shah', valueCents: 5_000_000, lastTouchAtMs: daysAgo(30) }),
];

const notices = (w: World) => posted(w, 'fix_rollback_notice');
const notifies = (w: World) => posted(w, 'fix_notify');

async function applyRescue(t: ReturnType<typeof useWorld>) {
  await seed(t.w, staleDeal());
  const run = await previewIssue(t.deps, 'cold_STALE_OPP');
  // The incident's channel, War Room and the preview are out: what the apply queues is all that is left.
  await drainUntilSettled(t.w);
  const out = await approveFix(t.deps, slackCtx('UAPPROVER'), run.id);
  expect(out.outcome).toBe('applied');
  return out.run;
}

describe.each(backends)('rollback corrections on $name', (backend) => {
  const t = useWorld(backend);

  it('sends one correction to each owner DMed and channel posted to, once however often clicked', async () => {
    const { w, deps } = t;
    const run = await applyRescue(t);
    await drainUntilSettled(w);
    expect(
      notifies(w)
        .map((m) => m.channel)
        .sort(),
    ).toEqual(['CMGR', 'D-UPRIYA']);

    const [a, b] = await Promise.all([
      rollBackFix(deps, slackCtx('UAPPROVER'), run.id),
      rollBackFix(deps, slackCtx('UAPPROVER'), run.id),
    ]);
    expect([a.outcome, b.outcome].sort()).toEqual(['already', 'rolled_back']);
    expect((await rollBackFix(deps, slackCtx('UAPPROVER'), run.id)).outcome).toBe('already');
    await drainUntilSettled(w);

    const sent = notices(w);
    expect(sent.map((m) => [m.channel, m.key]).sort()).toEqual([
      ['CMGR', `fix-rollback-notice:${run.id}:CMGR`],
      ['D-UPRIYA', `fix-rollback-notice:${run.id}:UPRIYA`],
    ]);
    for (const m of sent)
      expect(m.message).toEqual({
        kind: 'fix_rollback_notice',
        runId: run.id,
        title: run.plan.title,
        recordIds: ['cold'],
      });
    // The rescue task the DM spoke of is cancelled, so "nothing to do" is true.
    expect(await w.db.query('SELECT status FROM crm_tasks')).toEqual([{ status: 'cancelled' }]);
    expect(await w.repos.jobs.stats()).toMatchObject({ pending: 0, failed: 0 });
  });

  it('tells nobody when the fix is rolled back before its notifications left', async () => {
    const { w, deps } = t;
    const run = await applyRescue(t);
    expect((await rollBackFix(deps, slackCtx('UAPPROVER'), run.id)).outcome).toBe('rolled_back');
    await drainUntilSettled(w);
    expect(notifies(w)).toEqual([]);
    expect(notices(w)).toEqual([]);
  });

  it('a notification being sent during the rollback is followed by its correction, not overtaken', async () => {
    const { w, deps } = t;
    const run = await applyRescue(t);
    // A worker holds both notifications (claimed, not yet sent) when the approver rolls back.
    const held = await w.repos.jobs.claim(10, 60_000);
    expect(held.filter((j) => j.kind === 'fix.notify')).toHaveLength(2);
    expect((await rollBackFix(deps, slackCtx('UAPPROVER'), run.id)).outcome).toBe('rolled_back');
    // The corrections wait while the originals are in flight.
    await makeDue(w.db);
    await drain(w);
    expect(notices(w)).toEqual([]);
    expect((await jobStates(w)).filter((j) => j.key.startsWith('fix-rollback-notice:'))).toHaveLength(2);
    // The holder's lease lapses; the originals go out (as a crashed worker's would), then the corrections.
    await w.db.query(
      `UPDATE jobs SET locked_until = now() - interval '1 second' WHERE locked_until IS NOT NULL`,
    );
    await drainUntilSettled(w);
    const order = w.chat.messages.map((m) => `${m.message.kind}@${m.channel}`);
    for (const to of ['D-UPRIYA', 'CMGR'])
      expect(order.indexOf(`fix_notify@${to}`)).toBeLessThan(order.indexOf(`fix_rollback_notice@${to}`));
    expect(notices(w)).toHaveLength(2);
  });

  it('a notification that failed for good is not corrected', async () => {
    const { w, deps } = t;
    const run = await applyRescue(t);
    await w.db.query(
      `UPDATE jobs SET state = 'failed', last_error = 'channel_not_found'
      WHERE key LIKE $1 AND payload->>'channel' = 'CMGR'`,
      [`fix:${run.id}:notify:%`],
    );
    await drainUntilSettled(w);
    expect((await rollBackFix(deps, slackCtx('UAPPROVER'), run.id)).outcome).toBe('rolled_back');
    await drainUntilSettled(w);
    expect(notices(w).map((m) => m.channel)).toEqual(['D-UPRIYA']);
  });

  it('the regression guard rollback corrects what went out between apply and guard', async () => {
    const { w, deps } = t;
    const incidentId = (await seed(w, [...unownedOpp(), buildRecord({ id: 'own', company: 'Own Co' })]))!;
    const { run } = await insertCustomRun(w, deps, incidentId, {
      version: 1,
      id: 'bad',
      title: 'Tell the managers, then blank the owner',
      steps: [
        { type: 'notify', to: 'CMGR', text: 'Owner of {name} changes now.' },
        { type: 'set_field', field: 'owner', value: '', only_if_empty: false },
      ],
      verify: { kind: 'field_present', field: 'owner' },
    });
    // The worker is nudged when the apply commits; here it delivers before the guard reads the records.
    const guarded = {
      ...deps,
      fixes: {
        ...deps.fixes,
        loadScope: async (ids: readonly string[]) => {
          await drainUntilSettled(w);
          return deps.fixes.loadScope(ids);
        },
      },
    };
    const out = await approveFix(guarded, slackCtx('UAPPROVER'), run.id);
    expect(out.outcome).toBe('rolled_back');
    await drainUntilSettled(w);
    expect(notifies(w).map((m) => m.channel)).toEqual(['CMGR']);
    expect(notices(w).map((m) => [m.channel, m.key])).toEqual([
      ['CMGR', `fix-rollback-notice:${run.id}:CMGR`],
    ]);
  });
});
