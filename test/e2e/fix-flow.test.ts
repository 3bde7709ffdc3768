import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIX_ACTIONS } from '../../src/adapters/slack/blocks/ids.ts';
import {
  auditRows,
  clickFix,
  coldDeal,
  FIX_ENV,
  fixableFunnel,
  fixPreviews,
  hasFixButton,
  ownerOf,
  replyTo,
  runIdOf,
  shown,
} from './fix-helpers.ts';
import { type Harness, startHarness } from './harness.ts';
import {
  burningRecords,
  buttonClick,
  buttonValue,
  leak,
  occurrences,
  postedChannels,
  theIncident,
  timelineIn,
  warRooms,
} from './incident-helpers.ts';

/**
 * A fix from preview to rollback, through the real app over HTTP: the War Room's Preview button plans it and
 * the outbox posts the diff in the incident channel; a stranger is refused, an approver applies it (once,
 * however often clicked), rolls it back, and rejects a second preview. The preview message is edited in place
 * at every step; each click gets an ephemeral answer. Sequential by design, like incident-flow.
 */
let h: Harness;
let channel: string;
let firstRun: string;
let secondRun: string;
/** Preview messages by run id: a decided preview has no buttons left to read its run id from. */
const previewTs = new Map<string, string>();

beforeAll(async () => {
  h = await startHarness({ records: fixableFunnel(), env: { ...FIX_ENV } });
  h.fake.setUsergroup('SONCALL', ['UON1']);
});
afterAll(async () => {
  await h?.stop();
});

/** Clicks the War Room's Preview fix button as URESP; returns the answer text. */
async function previewFromWarRoom(): Promise<string> {
  const room = warRooms(h.fake, channel)[0]!;
  const value = buttonValue(room, FIX_ACTIONS.preview);
  expect(value).toBe('bulk:UNASSIGNED_OWNER');
  const res = await clickFix(h, { action: 'preview', value, userId: 'URESP', channel, messageTs: room.ts });
  expect(res.status).toBe(200);
  const [answer] = await replyTo(h, res.responseId);
  return answer!.text;
}

const click = (action: keyof typeof FIX_ACTIONS, runId: string, userId: string) =>
  clickFix(h, { action, value: runId, userId, channel, messageTs: previewTs.get(runId)! });

const previewOf = (runId: string) => {
  const found = fixPreviews(h.fake, channel).filter((m) => m.ts === previewTs.get(runId));
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('a fix pack, end to end', () => {
  it('Preview posts exactly one diff in the incident channel, with Approve and Reject', async () => {
    expect((await leak(h, 'scan')).text).toContain('SEV-1');
    await h.settle();
    ({ channel } = theIncident(h.fake));

    const said = await previewFromWarRoom();
    await h.settle();
    const previews = fixPreviews(h.fake, channel);
    expect(previews).toHaveLength(1);
    const preview = previews[0]!;
    firstRun = runIdOf(preview);
    previewTs.set(firstRun, preview.ts);
    expect(said).toBe(`:wrench: Preview of fix #${firstRun} posted in <#${channel}>.`);
    expect(shown(preview)).toContain('- owner: (empty)');
    expect(shown(preview)).toContain('+ owner: Priya Shah');
    expect(shown(preview)).toContain('Fix preview');
    expect(hasFixButton(preview, 'approve')).toBe(true);
    expect(hasFixButton(preview, 'reject')).toBe(true);
    expect(occurrences(await timelineIn(h, channel), '*Fix previewed*')).toBe(1);
    // A dry run: nothing was written to the record.
    expect(await ownerOf(h, 'big')).toBe('');
  });

  it('Approve by someone who is not an approver is refused, changes nothing and is audited', async () => {
    const res = await click('approve', firstRun, 'UNOBODY');
    expect(res.status).toBe(200);
    const [answer] = await replyTo(h, res.responseId);
    expect(answer!.text).toContain(':lock: Only approvers can approve fixes. Approvers: <@UAPPROVER>.');
    expect(await ownerOf(h, 'big')).toBe('');
    const denied = await auditRows(h, 'fix.approve_denied');
    expect(denied).toEqual([
      { actor: 'slack:T0001:UNOBODY', target_id: firstRun, after: { denied: 'not_approver' } },
    ]);
    await h.settle();
    expect(shown(previewOf(firstRun))).toContain('Fix preview');
  });

  it('Approve clicked twice at once and again applies once, and the preview turns into "Fix applied"', async () => {
    const editsBefore = previewOf(firstRun).edits;
    const [a, b] = await Promise.all([
      click('approve', firstRun, 'UAPPROVER'),
      click('approve', firstRun, 'UAPPROVER'),
    ]);
    const c = await click('approve', firstRun, 'UAPPROVER');
    for (const r of [a, b, c]) expect(r.status).toBe(200);
    const said = [
      ...(await replyTo(h, a.responseId)),
      ...(await replyTo(h, b.responseId)),
      ...(await replyTo(h, c.responseId)),
    ].map((x) => x.text);
    expect(
      said.filter((t) => t.startsWith(`:white_check_mark: Applied fix #${firstRun}: cleared $200,000`)),
    ).toHaveLength(1);
    expect(said.filter((t) => t.includes('This fix is already applied by <@UAPPROVER>'))).toHaveLength(2);

    expect(await ownerOf(h, 'big')).toBe('Priya Shah');
    expect(await ownerOf(h, 'opp-ok')).toBe('bob');
    const timeline = await timelineIn(h, channel);
    expect(occurrences(timeline, '*Fix approved*')).toBe(1);
    expect(occurrences(timeline, '*Fix applied*')).toBe(1);
    expect((await h.services.repos.audit.verify()).ok).toBe(true);

    await h.settle();
    expect(fixPreviews(h.fake, channel)).toHaveLength(1);
    const preview = previewOf(firstRun);
    expect(preview.edits).toBeGreaterThan(editsBefore);
    expect(shown(preview)).toContain('Fix applied');
    expect(hasFixButton(preview, 'rollback')).toBe(true);
    expect(hasFixButton(preview, 'approve')).toBe(false);
    // The War Room counts what applied fixes recovered.
    expect(shown(warRooms(h.fake, channel)[0]!)).toContain('*Recovered by fixes* $200,000');
  });

  it('Roll back by someone who is not an approver is refused as a roll back, and changes nothing', async () => {
    const res = await click('rollback', firstRun, 'UNOBODY');
    const [answer] = await replyTo(h, res.responseId);
    expect(answer!.text).toBe(':lock: Only approvers can roll back fixes. Approvers: <@UAPPROVER>.');
    expect(await ownerOf(h, 'big')).toBe('Priya Shah');
    expect(await auditRows(h, 'fix.roll_back_denied')).toEqual([
      { actor: 'slack:T0001:UNOBODY', target_id: firstRun, after: { denied: 'not_approver' } },
    ]);
  });

  it('Roll back by an approver writes the old owner back and the preview says so', async () => {
    const res = await click('rollback', firstRun, 'UAPPROVER');
    const [answer] = await replyTo(h, res.responseId);
    expect(answer!.text).toBe(
      `:leftwards_arrow_with_hook: You rolled fix #${firstRun} back: 1 change reverted.`,
    );
    expect(await ownerOf(h, 'big')).toBe('');
    expect(occurrences(await timelineIn(h, channel), '*Fix rolled back*')).toBe(1);

    await h.settle();
    const preview = previewOf(firstRun);
    expect(shown(preview)).toContain('Fix rolled back');
    expect(hasFixButton(preview, 'rollback')).toBe(false);
    // A rolled-back fix recovered nothing: the War Room stops counting it.
    expect(shown(warRooms(h.fake, channel)[0]!)).not.toContain('Recovered by fixes');

    const again = await click('rollback', firstRun, 'UAPPROVER');
    expect((await replyTo(h, again.responseId))[0]!.text).toContain('This fix is already rolled back');
  });

  it('a second preview: a forged Approve is refused with 401, then Reject closes it', async () => {
    const said = await previewFromWarRoom();
    await h.settle();
    const previews = fixPreviews(h.fake, channel);
    expect(previews).toHaveLength(2);
    const second = previews.find((m) => m.ts !== previewTs.get(firstRun))!;
    secondRun = runIdOf(second);
    previewTs.set(secondRun, second.ts);
    expect(said).toBe(`:wrench: Preview of fix #${secondRun} posted in <#${channel}>.`);

    const preview = previewOf(secondRun);
    const forged = await clickFix(
      h,
      { action: 'approve', value: secondRun, userId: 'UAPPROVER', channel, messageTs: preview.ts },
      { secret: 'not-the-signing-secret' },
    );
    expect(forged.status).toBe(401);
    await h.settle();
    expect(h.fake.calls.some((x) => x.name === forged.responseId)).toBe(false);
    expect(await ownerOf(h, 'big')).toBe('');
    expect(shown(previewOf(secondRun))).toContain('Fix preview');
    expect(await auditRows(h, 'fix.approved')).toHaveLength(1);

    const res = await click('reject', secondRun, 'UAPPROVER');
    const [answer] = await replyTo(h, res.responseId);
    expect(answer!.text).toBe(`:no_entry_sign: You rejected fix #${secondRun}: nothing was changed.`);
    expect(occurrences(await timelineIn(h, channel), '*Fix rejected*')).toBe(1);
    expect(await ownerOf(h, 'big')).toBe('');

    await h.settle();
    const rejected = previewOf(secondRun);
    expect(shown(rejected)).toContain('Fix rejected');
    expect(hasFixButton(rejected, 'approve')).toBe(false);
    expect(hasFixButton(rejected, 'reject')).toBe(false);
    expect((await h.services.repos.audit.verify()).ok).toBe(true);
  });

  it('a fix button with a value this bot never made gets a notice', async () => {
    const res = await clickFix(h, {
      action: 'approve',
      value: 'DROP TABLE',
      userId: 'UAPPROVER',
      channel,
      messageTs: previewOf(firstRun).ts,
    });
    expect(res.status).toBe(200);
    expect((await replyTo(h, res.responseId))[0]!.text).toContain('not one this bot made');
  });
});

/**
 * Rollback tells the people the fix told (issue 10 item 3): the rescue of a cold deal DMs its owner and
 * posts in the manager channel; rolling it back sends each of them one correction, however often Roll back
 * is clicked or Slack retries the click.
 */
describe('rolling back a fix that told people', () => {
  let r: Harness;
  beforeAll(async () => {
    r = await startHarness({
      records: [...burningRecords(), coldDeal()],
      env: { ...FIX_ENV, FIX_MANAGER_CHANNEL: 'CMANAGERS' },
      usergroups: { SONCALL: ['UON1'] },
    });
    r.fake.seedChannel({ id: 'CMANAGERS', name: 'sales-managers' });
  });
  afterAll(async () => {
    await r?.stop();
  });

  const said = (channel: string) => r.fake.messages(channel).map((m) => m.text);

  it('sends one correction to the owner DMed and one to the manager channel', async () => {
    await leak(r, 'scan');
    await r.settle();
    const { channel, warRoom } = theIncident(r.fake);
    const at = { userId: 'UAPPROVER', channel, messageTs: warRoom.ts };
    // Each click is answered after its use case ran: wait for the answer, then for the outbox.
    await replyTo(r, (await clickFix(r, { action: 'preview', value: 'cold_STALE_OPP', ...at })).responseId);
    await r.settle();
    const preview = fixPreviews(r.fake, channel)[0]!;
    const runId = runIdOf(preview);
    const onPreview = { ...at, value: runId, messageTs: preview.ts };
    await replyTo(r, (await clickFix(r, { action: 'approve', ...onPreview })).responseId);
    await r.settle();
    // The owner's DM (opened for UPRIYA; the commander's page DM is another one).
    expect(r.fake.calls.some((c) => c.name === 'conversations.open' && c.body['users'] === 'UPRIYA')).toBe(
      true,
    );
    const dm = postedChannels(r.fake).find((c) => said(c).some((t) => t.includes('Deal going cold')))!;
    expect(said(dm)).toEqual([expect.stringContaining('Deal going cold: Umbrella upsell')]);
    expect(said('CMANAGERS')).toEqual([expect.stringContaining('Deal at risk: Umbrella upsell')]);

    // A double click and a retry of the same click: one rollback, one correction each.
    const { payload, responseId } = buttonClick(r.fake, { ...onPreview, actionId: FIX_ACTIONS.rollback });
    const [, , third] = await Promise.all([
      r.action(payload),
      r.action(payload),
      clickFix(r, { action: 'rollback', ...onPreview }),
    ]);
    const said3 = [...(await replyTo(r, responseId, 2)), ...(await replyTo(r, third.responseId))];
    expect(said3.filter((a) => a.text.startsWith(':leftwards_arrow_with_hook: You rolled fix'))).toHaveLength(
      1,
    );
    await r.settle();
    const correction = `:leftwards_arrow_with_hook: Fix #${runId} (Opportunity Rescue) was rolled back`;
    for (const to of [dm, 'CMANAGERS']) {
      expect(said(to)).toHaveLength(2);
      expect(said(to)[1]).toContain(correction);
      expect(said(to)[1]).toContain('its tasks are cancelled and there is nothing to do for `cold`');
    }
    const tasks = await r.services.db.query<{ status: string }>('SELECT status FROM crm_tasks');
    expect(tasks).toEqual([{ status: 'cancelled' }]);
  });
});
