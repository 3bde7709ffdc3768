import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/adapters/slack/blocks/ids.ts';
import type { Message } from '../support/fake-slack-messages.ts';
import { type Harness, startHarness } from './harness.ts';
import {
  answers,
  burningRecords,
  buttonClick,
  eventually,
  hasAction,
  leak,
  logged,
  postAsUser,
  theIncident,
  timelineIn,
  warRooms,
} from './incident-helpers.ts';

/**
 * One incident seen on every surface at once (issue 10 items 8–11), through the real app over HTTP: a
 * backfill scan while it is open, a :stopwatch: note someone else wrote, Acknowledge clicked on the page,
 * then a hand resolve while the leak still burns. The steps build on each other (sequential by design).
 */
let h: Harness;
let channel: string;
let incidentId: string;
let dmChannel: string;

beforeAll(async () => {
  h = await startHarness({ records: burningRecords(), usergroups: { SONCALL: ['UON1', 'UON2'] } });
});
afterAll(async () => {
  await h?.stop();
});

/** The one page the bot posted in a channel (or DM): its outbox key, in the message metadata, says so. */
const pageIn = (c: string): Message => {
  const keyOf = (m: Message) =>
    String((m.metadata as { event_payload?: { key?: unknown } } | null)?.event_payload?.key ?? '');
  const found = h.fake.messages(c).filter((m) => keyOf(m).startsWith('page:'));
  expect(found).toHaveLength(1);
  return found[0]!;
};
const thePage = () => pageIn(channel);
const theDm = () => pageIn(dmChannel);
const shown = (m: { text: string; blocks: unknown[] }) => `${m.text}\n${JSON.stringify(m.blocks)}`;
/**
 * A status view without its "Latest activity" list: that is the timeline, whose PAGED entry rightly says
 * a PAGE went out. What must not say PAGE is the state shown now.
 */
const nowShown = (m: { text?: string; blocks: unknown[] }) =>
  shown({
    text: m.text ?? '',
    blocks: (m.blocks as Array<{ text?: { text?: string } }>).filter(
      (b) => !b.text?.text?.startsWith('*Latest activity*'),
    ),
  });

async function clickOn(m: Message, actionId: string, userId: string) {
  const c = buttonClick(h.fake, { actionId, value: incidentId, userId, channel: m.channel, messageTs: m.ts });
  expect((await h.action(c.payload)).status).toBe(200);
  await answers(h, c.responseId);
  await h.settle();
}

describe('one incident, every surface', () => {
  it('is declared: a page in its channel and a DM to the commander, each with Acknowledge', async () => {
    expect((await leak(h, 'scan')).text).toContain('SEV-1');
    await h.settle();
    ({ channel, incidentId } = theIncident(h.fake));
    const dms = h.fake.calls.filter(
      (c) => c.name === 'chat.postMessage' && String(c.body['channel']).startsWith('D'),
    );
    dmChannel = String(dms[0]!.body['channel']);
    expect(thePage().text).toContain('<!subteam^SONCALL>');
    for (const m of [thePage(), theDm()]) expect(hasAction(m, ACTIONS.ack)).toBe(true);
  });

  it('a backfill says what it is and names the incident open now, which it leaves alone', async () => {
    const asOf = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const answer = await leak(h, `scan as-of ${asOf}`);
    const s = shown(answer as { text: string; blocks: unknown[] });
    expect(answer.text).toMatch(/^Backfill as of /);
    expect(s).toContain('backfill: totals stored, findings unchanged');
    expect(s).not.toMatch(/\d+ new · \d+ cleared/);
    expect(s).not.toContain('Nothing is leaking');
    expect(s).toContain(`Incident #${incidentId} is open now (SEV-1 · DETECTED), unchanged by this backfill`);
    await h.settle();
    expect(warRooms(h.fake, channel)[0]!.text).toContain('DETECTED');
  });

  it('a :stopwatch: note credits the author of the message, and names who copied it', async () => {
    const ts = await postAsUser(h.fake, channel, 'Finance approved the credit note', undefined, 'UAUTHOR');
    await h.event({
      type: 'reaction_added',
      user: 'UON2',
      reaction: 'stopwatch',
      item_user: 'UAUTHOR',
      item: { type: 'message', channel, ts },
      event_ts: `${Date.now() / 1000}`,
    });
    await eventually(() => logged(h, 'stopwatch reaction noted').length === 1, 5_000, 'the note');
    expect(await timelineIn(h, channel)).toContain(
      '*Note* · <@UAUTHOR> (copied by <@UON2>) · “Finance approved the credit note”',
    );
  });

  it('Acknowledge clicked on the page: the page and the DM lose their button and say who', async () => {
    await clickOn(thePage(), ACTIONS.ack, 'UON1');
    for (const m of [thePage(), theDm()]) {
      expect(hasAction(m, ACTIONS.ack)).toBe(false);
      expect(shown(m)).toContain('Acknowledged by <@UON1>');
      expect(m.edits).toBeGreaterThan(0);
    }
    expect(hasAction(warRooms(h.fake, channel)[0]!, ACTIONS.ack)).toBe(false);
  });

  it('Resolve by hand while it still burns: War Room, topic, App Home and /leak status show no PAGE', async () => {
    const room = warRooms(h.fake, channel)[0]!;
    await clickOn(room, ACTIONS.resolve, 'UON2');

    // The War Room as the last chat.update left it.
    const update = h.fake.calls.filter((c) => c.name === 'chat.update' && c.body['ts'] === room.ts).at(-1)!;
    const roomNow = { text: String(update.body['text']), blocks: update.body['blocksParsed'] as unknown[] };
    expect(roomNow.text).toContain('RESOLVED');
    expect(shown(roomNow)).not.toMatch(/PAGE|WARN/);

    const topics = h.fake.calls.filter((c) => c.name === 'conversations.setTopic');
    const topic = String(topics.at(-1)!.body['topic']);
    expect(topic).toMatch(/^RESOLVED · SEV-1 · /);
    expect(topic).not.toContain('PAGE');
    expect(h.fake.channels().find((c) => c.id === channel)?.topic).toBe(topic);

    await h.event({ type: 'app_home_opened', user: 'UON1', channel: 'D0HOME', tab: 'home', event_ts: '1.2' });
    await eventually(() => h.fake.views('UON1') !== undefined, 5_000, 'views.publish');
    const home = nowShown(h.fake.views('UON1') as { blocks: unknown[] });
    expect(home).not.toContain('All clear');
    expect(home).not.toContain('PAGE');
    expect(home).toContain('resolved by hand, still burning: the next scan will reopen it');
    expect(home).toContain('*Paging*\\n— resolved by hand');

    const status = nowShown((await leak(h, 'status')) as { text: string; blocks: unknown[] });
    expect(status).not.toMatch(/PAGE|All clear/);
    expect(status).toContain('resolved by hand, still burning: the next scan will reopen it');

    // The page and the DM went out as pages; now they say it is resolved, with no button.
    for (const m of [thePage(), theDm()]) {
      expect(hasAction(m, ACTIONS.ack)).toBe(false);
      expect(shown(m)).toContain('Resolved by <@UON2>');
    }
  });
});
