import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/adapters/slack/blocks/ids.ts';
import { type Harness, startHarness } from './harness.ts';
import {
  answers,
  burningRecords,
  buttonClick,
  eventually,
  fixedRecords,
  hasAction,
  incidentChannels,
  leak,
  logged,
  occurrences,
  postAsUser,
  postedChannels,
  theIncident,
  timelineIn,
  warRooms,
} from './incident-helpers.ts';

/**
 * One revenue incident from detection to resolution, through the real app over HTTP: `/leak scan` declares
 * it, the outbox builds its channel and War Room, people click, type and react, and a clean scan resolves
 * it. Each step builds on the previous one (the suite is sequential by design).
 */
let h: Harness;
let channel: string;
let incidentId: string;

beforeAll(async () => {
  h = await startHarness({ records: burningRecords() });
  h.fake.setUsergroup('SONCALL', ['UON1', 'UON2']);
});
afterAll(async () => {
  await h?.stop();
});

const click = async (actionId: string, userId: string, value = incidentId) => {
  const room = warRooms(h.fake, channel)[0]!;
  const c = buttonClick(h.fake, { actionId, value, userId, channel, messageTs: room.ts });
  const res = await h.action(c.payload);
  return { ...res, responseId: c.responseId };
};

describe('a SEV-1 revenue incident, end to end', () => {
  it('/leak scan declares it; the outbox opens one channel with a pinned War Room, announces and pages', async () => {
    const answer = await leak(h, 'scan');
    expect(answer.text).toContain('SEV-1');
    await h.settle();

    const ours = incidentChannels(h.fake);
    expect(ours).toHaveLength(1);
    const inc = ours[0]!;
    expect(inc.topic.startsWith('SEV-1 ·')).toBe(true);
    expect(inc.members).toEqual(expect.arrayContaining(['UON1', 'UON2', 'URESP', 'UCMDR']));

    ({ channel, incidentId } = theIncident(h.fake));
    const room = warRooms(h.fake, channel)[0]!;
    expect(h.fake.pins(channel)).toEqual([room.ts]);
    expect(room.text).toContain('SEV-1');

    const announces = h.fake.messages('CALERTS').filter((m) => m.text.includes(`<#${channel}>`));
    expect(announces).toHaveLength(1);
    const pages = h.fake.messages(channel).filter((m) => m.text.includes('<!subteam^SONCALL>'));
    expect(pages).toHaveLength(1);
    const dms = postedChannels(h.fake).filter((c) => c.startsWith('D'));
    expect(dms).toHaveLength(1);
    const dmCall = h.fake.calls.find((c) => c.name === 'conversations.open');
    expect(dmCall?.body['users']).toBe('UCMDR');
    expect(h.fake.messages(dms[0]!)).toHaveLength(1);
  });

  it('Rescan re-runs the scan, answers the clicker, and edits the same War Room', async () => {
    const editsBefore = warRooms(h.fake, channel)[0]!.edits;
    const res = await click(ACTIONS.rescan, 'UON1');
    expect(res.status).toBe(200);
    const [working, summary] = await answers(h, res.responseId, 2);
    expect(working!.text).toContain('Rescanning');
    expect(summary!.text).toContain('SEV-1');
    for (const a of [working!, summary!])
      expect(a).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    await h.settle();

    expect(incidentChannels(h.fake)).toHaveLength(1);
    const rooms = warRooms(h.fake, channel);
    expect(rooms).toHaveLength(1);
    expect(rooms[0]!.edits).toBeGreaterThan(editsBefore);
  });

  it('Acknowledge clicked twice at once and retried: one ACKNOWLEDGED, and the button goes', async () => {
    const room = warRooms(h.fake, channel)[0]!;
    const first = buttonClick(h.fake, {
      actionId: ACTIONS.ack,
      value: incidentId,
      userId: 'UON1',
      channel,
      messageTs: room.ts,
    });
    const second = buttonClick(h.fake, {
      actionId: ACTIONS.ack,
      value: incidentId,
      userId: 'UON2',
      channel,
      messageTs: room.ts,
    });
    const results = await Promise.all([h.action(first.payload), h.action(second.payload)]);
    const retried = await h.action(first.payload);
    for (const r of [...results, retried]) {
      expect(r.status).toBe(200);
      expect(r.body).toBe('');
    }
    const said = [
      ...(await answers(h, first.responseId, 2)),
      ...(await answers(h, second.responseId, 1)),
    ].map((a) => a.text);
    expect(
      said.filter((t) => t.includes(`You acknowledged incident #${incidentId}; pages stop.`)),
    ).toHaveLength(1);
    expect(said.filter((t) => /Already acknowledged by <@UON[12]>/.test(t))).toHaveLength(2);

    expect(occurrences(await timelineIn(h, channel), '*Acknowledged*')).toBe(1);
    await h.settle();
    const after = warRooms(h.fake, channel)[0]!;
    expect(after.text).toContain('ACKNOWLEDGED');
    expect(hasAction(after, ACTIONS.ack)).toBe(false);
  });

  it('/leak note adds a NOTE in the incident channel, and is refused elsewhere', async () => {
    const added = await leak(h, 'note called the AE', { channelId: channel, userId: 'UON1' });
    expect(added.text).toBe(`:memo: Note added to the timeline of incident #${incidentId}.`);
    expect(await timelineIn(h, channel)).toContain('“called the AE”');

    const refused = await leak(h, 'note called the AE', { channelId: 'C0001' });
    expect(refused.text).toMatch(/^Not found: this channel is not an incident channel/);
  });

  it('a :stopwatch: reaction copies the message into the timeline once, retries and duplicates included', async () => {
    const ts = await postAsUser(h.fake, channel, 'Customer says the invoice bounced');
    const event = {
      type: 'reaction_added',
      user: 'UON2',
      reaction: 'stopwatch',
      item_user: 'UON2',
      item: { type: 'message', channel, ts },
      event_ts: `${Date.now() / 1000}`,
    };
    expect((await h.event(event)).status).toBe(200);
    expect((await h.event(event, { retryNum: 1 })).status).toBe(200);
    await eventually(() => logged(h, 'stopwatch reaction noted').length === 2, 5_000, 'both deliveries');
    expect(logged(h, 'stopwatch reaction noted').map((l) => l['added'])).toEqual(
      expect.arrayContaining([true, false]),
    );
    expect(occurrences(await timelineIn(h, channel), 'Customer says the invoice bounced')).toBe(1);

    // A reply in a thread is not in the channel's history: it is read from its thread.
    const reply = await postAsUser(h.fake, channel, 'AE confirms a new PO is coming', ts);
    await h.event({ ...event, item: { type: 'message', channel, ts: reply } });
    await eventually(() => logged(h, 'stopwatch reaction noted').length === 3, 5_000, 'the thread reply');
    expect(await timelineIn(h, channel)).toContain('AE confirms a new PO is coming');

    // Other reactions, and a stopwatch outside an incident channel, change nothing and say nothing.
    const elsewhere = await postAsUser(h.fake, 'CALERTS', 'not an incident');
    await h.event({ ...event, reaction: 'eyes' });
    await h.event({ ...event, item: { type: 'message', channel: 'CALERTS', ts: elsewhere } });
    await eventually(() => logged(h, 'stopwatch reaction ignored').length === 1, 5_000, 'the ignored one');
    expect(h.fake.ephemerals()).toEqual([]);
  });

  it('opening the App Home publishes the status with the incident in it', async () => {
    await h.event({ type: 'app_home_opened', user: 'UON1', channel: 'D0HOME', tab: 'home', event_ts: '1.2' });
    await eventually(() => h.fake.views('UON1') !== undefined, 5_000, 'views.publish');
    const home = JSON.stringify(h.fake.views('UON1'));
    expect(home).toContain('Open incidents (1)');
    expect(home).toContain(`<#${channel}>`);
    expect(home).toContain('ACKNOWLEDGED');
  });

  it('a forged Resolve click is refused with 401 and changes nothing', async () => {
    const room = warRooms(h.fake, channel)[0]!;
    const c = buttonClick(h.fake, {
      actionId: ACTIONS.resolve,
      value: incidentId,
      userId: 'UON1',
      channel,
      messageTs: room.ts,
    });
    const res = await h.action(c.payload, { secret: 'not-the-signing-secret' });
    expect(res.status).toBe(401);
    await h.settle();
    expect(warRooms(h.fake, channel)[0]!.text).toContain('ACKNOWLEDGED');
    expect(h.fake.calls.some((x) => x.name === c.responseId)).toBe(false);
  });

  it('a button with a value this bot never made gets a notice, not an error', async () => {
    const res = await click(ACTIONS.resolve, 'UON1', 'DROP TABLE');
    expect(res.status).toBe(200);
    const [notice] = await answers(h, res.responseId);
    expect(notice!.text).toContain('not one this bot made');
  });

  it('a clean scan resolves it: the War Room shows RESOLVED and the alerts channel says so', async () => {
    await h.seed(fixedRecords());
    expect((await leak(h, 'scan')).text).toContain('no open revenue leaks');
    await h.settle();

    const room = warRooms(h.fake, channel)[0]!;
    expect(room.text).toContain('RESOLVED');
    expect(hasAction(room, ACTIONS.resolve)).toBe(false);
    expect(h.fake.messages('CALERTS').filter((m) => m.text.includes('Resolved'))).toHaveLength(1);
    expect(incidentChannels(h.fake)).toHaveLength(1);

    const late = await click(ACTIONS.resolve, 'UON2');
    const [answer] = await answers(h, late.responseId);
    expect(answer!.text).toContain(`Incident #${incidentId} is already resolved by <@U0001>.`);
  });
});
