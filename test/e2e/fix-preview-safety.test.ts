import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunnelRecord } from '../../src/domain/records/record.ts';
import { DAY_MS } from '../../src/shared/time.ts';
import { buildRecord } from '../support/builders.ts';
import { clickFix, coldDeal, FIX_ENV, fixPreviews, replyTo, runIdOf, shown } from './fix-helpers.ts';
import { type Harness, startHarness } from './harness.ts';
import { burningRecords, leak, theIncident } from './incident-helpers.ts';

/**
 * Fix packs never harm good data (issue 10 items 1, 2, 4 and 5), through the Slack surface: a preview
 * clicked in the incident channel, posted by the outbox, approved by an approver.
 * - A duplicate group holding a $500,000 Closed Won deal: the merge keeps the open opportunity (named, with
 *   why), archives the stray lead, and only links the won deal, which stays Closed Won.
 * - The rescue of cold deals keeps the rep's real next step and creates the task instead.
 * - The preview says whether four eyes applies and who can approve, and its "N DMs" is what Slack gets.
 */
const now = Date.now();
const tyrell = (id: string, o: Partial<FunnelRecord>): FunnelRecord =>
  buildRecord({ id, domain: 'tyrell.example', company: 'Tyrell', ...o }, now);

const records: FunnelRecord[] = [
  ...burningRecords(now),
  tyrell('won', {
    type: 'opp',
    name: 'Tyrell AI',
    stage: 'Closed Won',
    owner: 'Dave',
    nextStep: 'Onboarding',
    valueCents: 50_000_000,
    createdAtMs: now - 90 * DAY_MS,
    lastTouchAtMs: now - 70 * DAY_MS,
  }),
  tyrell('dup-opp', {
    type: 'opp',
    name: 'Tyrell expansion',
    stage: 'Negotiation',
    owner: 'Priya Shah',
    nextStep: 'Pricing call',
    valueCents: 4_000_000,
    createdAtMs: now - 30 * DAY_MS,
    lastTouchAtMs: now - DAY_MS,
  }),
  tyrell('dup-lead', {
    name: 'Roy',
    valueCents: 0,
    createdAtMs: now - 60 * 60_000,
    lastTouchAtMs: now - 60_000,
  }),
  coldDeal(now),
  { ...coldDeal(now), id: 'cold-bob', owner: 'Bob', domain: 'bob.example', nextStep: 'Contract review' },
];

let h: Harness;
let channel: string;
let warRoomTs: string;
beforeAll(async () => {
  h = await startHarness({
    records,
    env: { ...FIX_ENV, FIX_MANAGER_CHANNEL: 'CMANAGERS' },
    usergroups: { SONCALL: ['UON1'] },
  });
  h.fake.seedChannel({ id: 'CMANAGERS', name: 'sales-managers' });
  await leak(h, 'scan');
  await h.settle();
  ({ channel } = theIncident(h.fake));
  warRoomTs = theIncident(h.fake).warRoom.ts;
});
afterAll(async () => {
  await h?.stop();
});

/** Clicks Fix with `value` as `userId` and returns the preview message the outbox posted. */
async function preview(value: string, userId: string) {
  const before = new Set(fixPreviews(h.fake, channel).map((m) => m.ts));
  const at = { userId, channel, messageTs: warRoomTs };
  await replyTo(h, (await clickFix(h, { action: 'preview', value, ...at })).responseId);
  await h.settle();
  const posted = fixPreviews(h.fake, channel).filter((m) => !before.has(m.ts));
  expect(posted).toHaveLength(1);
  return posted[0]!;
}

async function approve(message: { ts: string }, runId: string) {
  const at = { userId: 'UAPPROVER', channel, messageTs: message.ts, value: runId };
  const [answer] = await replyTo(h, (await clickFix(h, { action: 'approve', ...at })).responseId);
  await h.settle();
  return answer!.text;
}

const recordRow = async (id: string) =>
  (
    await h.services.db.query<{ stage: string; next_step: string; notes: string }>(
      'SELECT stage, next_step, notes FROM records WHERE id = $1',
      [id],
    )
  )[0]!;

describe('fix previews never harm good data', () => {
  it('a duplicate group with a Closed Won deal: the won deal is never planned for archiving, and the survivor is named', async () => {
    const m = await preview('dup-lead_DUPLICATE_SUSPECT', 'UAPPROVER');
    const text = shown(m);
    expect(text).toContain('kept dup-opp: open opportunity over lead dup-lead · linked, never archived: won');
    expect(text).toContain('# dup-lead\\n- stage: New\\n+ stage: Archived');
    expect(text).not.toContain('# won');
    expect(text).toContain(
      '1 closed record of a duplicate domain is never archived, only linked on the survivor: won',
    );

    expect(await approve(m, runIdOf(m))).toContain('Applied fix');
    expect(await recordRow('won')).toMatchObject({ stage: 'Closed Won' });
    expect(await recordRow('dup-lead')).toMatchObject({ stage: 'Archived' });
    expect((await recordRow('dup-opp')).notes).toContain('[linked won] Closed Won record of the same domain');
  });

  it('the stale-deal rescue keeps real next steps, states four eyes and approvers, and its DM count is what Slack gets', async () => {
    const m = await preview('bulk:STALE_OPP', 'URESP');
    const text = shown(m);
    expect(text).toContain("`cold` next_step kept: 'Send proposal' (task created instead)");
    expect(text).toContain("`cold-bob` next_step kept: 'Contract review' (task created instead)");
    expect(text).not.toContain('- next_step: Send proposal');
    expect(text).toContain('so whoever asked for it (<@URESP>) may not approve it.');
    expect(text).toContain(':key: Who can approve: <@UAPPROVER>');
    // Priya Shah is mapped to a Slack user, Bob is not: one DM, both deals reach the manager channel.
    expect(text).toContain(
      ':speech_balloon: 3 Slack messages (1 DM, 2 to <#CMANAGERS>) · 1 owner not mapped to Slack, no DM: Bob',
    );

    expect(await approve(m, runIdOf(m))).toContain('Applied fix');
    const posts = h.fake.calls.filter((c) => c.kind === 'api' && c.name === 'chat.postMessage');
    const said = (needle: string) => posts.filter((c) => String(c.body['text']).includes(needle));
    expect(said('Deal going cold')).toHaveLength(1);
    expect(said('Deal at risk').map((c) => c.body['channel'])).toEqual(['CMANAGERS', 'CMANAGERS']);
    expect(await recordRow('cold')).toMatchObject({ next_step: 'Send proposal' });
    expect(await recordRow('cold-bob')).toMatchObject({ next_step: 'Contract review' });
    const tasks = await h.services.db.query<{ record_id: string }>(
      "SELECT record_id FROM crm_tasks WHERE title LIKE 'Rescue:%' ORDER BY record_id",
    );
    expect(tasks.map((t) => t.record_id)).toEqual(['cold', 'cold-bob']);
  });
});
