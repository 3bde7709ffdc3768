import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, FIX_ACTIONS } from '../../src/adapters/slack/blocks/ids.ts';
import { DAY_MS } from '../../src/shared/time.ts';
import { buildRecord } from '../support/builders.ts';
import type { RecordedCall } from '../support/fake-slack.ts';
import { clickEphemeral, clickFix, FIX_ENV, fixPreviews, ownerOf, replyTo, runIdOf } from './fix-helpers.ts';
import { type Harness, startHarness } from './harness.ts';
import { answers, burningRecords, buttonClick, leak, theIncident } from './incident-helpers.ts';

/**
 * A fix preview names records, owners and dollars, so it is posted only in an incident channel (issue 10
 * item 6). Seen before: "Fix …" clicked under an ephemeral `/leak scan` answer in #general, with no
 * incident open, posted the preview publicly in #general. Now, without an incident channel the preview
 * is answered to the clicker alone, and its Approve / Reject work from there.
 */
const GENERAL = 'CGENERAL';

type Answer = { text: string; blocks?: unknown[]; response_type?: string; replace_original?: boolean };
const header = (a: Answer): string =>
  ((a.blocks ?? []) as Array<{ type: string; text?: { text?: string } }>).find((b) => b.type === 'header')
    ?.text?.text ?? '';

/** The value of the first "Fix <record>" button of a scan answer. */
function fixButtonValue(a: Answer): string {
  const blocks = (a.blocks ?? []) as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>;
  const v = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === FIX_ACTIONS.preview)?.value;
  if (v === undefined) throw new Error('no Fix button in the scan answer');
  return v;
}

const postsTo = (h: Harness, channel: string): RecordedCall[] =>
  h.fake.calls.filter((c) => c.name === 'chat.postMessage' && c.body['channel'] === channel);
/** Every fix preview the bot posted or edited through the Web API, wherever it went. */
const previewCalls = (h: Harness): RecordedCall[] =>
  h.fake.calls.filter(
    (c) =>
      (c.name === 'chat.postMessage' || c.name === 'chat.update') &&
      String(c.body['text'] ?? '').startsWith(':wrench:'),
  );

describe('Fix clicked under a scan answer in #general with no incident open', () => {
  let h: Harness;
  beforeAll(async () => {
    const now = Date.now();
    // A $1,000 deal nobody owns: a SEV-4 leak, which the test resolves by hand so no incident is open.
    const small = buildRecord(
      { id: 'small', type: 'opp', owner: '', stage: 'Proposal', nextStep: 'Call', valueCents: 100_000 },
      now,
    );
    h = await startHarness({
      records: [{ ...small, createdAtMs: now - 2 * DAY_MS }],
      env: { ...FIX_ENV },
      usergroups: { SONCALL: ['UON1'] },
    });
    h.fake.seedChannel({ id: GENERAL, name: 'general' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('answers the preview to the clicker alone, and Approve on it applies and replaces it', async () => {
    const scan = await leak(h, 'scan', { channelId: GENERAL, userId: 'UAPPROVER' });
    await h.settle();
    const [open] = await h.services.db.query<{ id: string }>(
      `SELECT id::text AS id FROM incidents WHERE state <> 'resolved'`,
    );
    const resolve = buttonClick(h.fake, {
      actionId: ACTIONS.resolve,
      value: open!.id,
      userId: 'UON1',
      channel: 'CALERTS',
      messageTs: '1.1',
    });
    await h.action(resolve.payload);
    await answers(h, resolve.responseId);
    await h.settle();
    const previewsBefore = previewCalls(h).length;

    const value = fixButtonValue(scan);
    const at = { userId: 'UAPPROVER', channel: GENERAL, messageTs: '1700000000.000100' };
    const res = await clickEphemeral(h, { action: 'preview', value, ...at });
    expect(res.status).toBe(200);
    const [preview] = (await replyTo(h, res.responseId)) as Answer[];
    expect(header(preview!)).toContain(':wrench: Fix preview');
    expect(JSON.stringify(preview!.blocks)).toContain('+ owner: Priya Shah');
    await h.settle();
    // Nothing reached #general (or any channel) but the answer to the clicker.
    expect(postsTo(h, GENERAL)).toEqual([]);
    expect(previewCalls(h)).toHaveLength(previewsBefore);

    // Approve from the ephemeral preview: Slack sends no `message`; the preview is replaced on its URL.
    const runId = runIdOf({ ...preview!, ts: at.messageTs, edits: 0 } as never);
    const approve = await clickEphemeral(h, { action: 'approve', value: runId, ...at });
    expect(approve.status).toBe(200);
    const [replaced, said] = (await answers(h, approve.responseId, 2)) as Answer[];
    expect(replaced).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expect(header(replaced!)).toContain(':wrench: Fix applied');
    expect(said).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(said!.text).toContain(`:white_check_mark: Applied fix #${runId}`);
    expect(await ownerOf(h, 'small')).toBe('Priya Shah');
    await h.settle();
    expect(postsTo(h, GENERAL)).toEqual([]);
    expect(previewCalls(h)).toHaveLength(previewsBefore);
  });
});

describe('Fix clicked under a scan answer in #general while an incident has its channel', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      records: burningRecords(),
      env: { ...FIX_ENV, INCIDENT_CHANNEL_PRIVATE: 'true' },
      usergroups: { SONCALL: ['UON1'] },
    });
    h.fake.seedChannel({ id: GENERAL, name: 'general' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('posts the preview in the incident channel and points the clicker to it', async () => {
    const scan = await leak(h, 'scan', { channelId: GENERAL, userId: 'URESP' });
    await h.settle();
    const { channel } = theIncident(h.fake);
    const res = await clickEphemeral(h, {
      action: 'preview',
      value: fixButtonValue(scan),
      userId: 'URESP',
      channel: GENERAL,
      messageTs: '1700000000.000200',
    });
    const [pointer] = await replyTo(h, res.responseId);
    await h.settle();
    const [posted] = fixPreviews(h.fake, channel);
    expect(pointer!.text).toBe(`:wrench: Preview of fix #${runIdOf(posted!)} posted in <#${channel}>.`);
    expect(postsTo(h, GENERAL)).toEqual([]);
    // The incident channel was created private (INCIDENT_CHANNEL_PRIVATE), so the preview stays there.
    const created = h.fake.calls.find((c) => c.name === 'conversations.create')!;
    expect(String(created.body['is_private'])).toBe('true');
    // Approve and Reject are on the channel's preview as before.
    const reject = await clickFix(h, {
      action: 'reject',
      value: runIdOf(posted!),
      userId: 'UAPPROVER',
      channel,
      messageTs: posted!.ts,
    });
    expect((await replyTo(h, reject.responseId))[0]!.text).toContain('You rejected fix');
  });
});
