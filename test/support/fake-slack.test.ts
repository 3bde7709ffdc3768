import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_BOT, type FakeSlack, startFakeSlack } from './fake-slack.ts';

/**
 * The fake's own behaviour, where it copies Slack: tests of the bot are only as good as this. Calls go
 * over HTTP as the WebClient sends them (form-encoded, structured fields as JSON strings).
 */
let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack();
});
beforeEach(() => fake.reset());
afterAll(() => fake.close());

async function api(method: string, fields: Record<string, unknown> = {}) {
  const form = new URLSearchParams(
    Object.entries(fields).map(([k, v]): [string, string] => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  );
  const res = await fetch(`${fake.apiUrl}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: JSON.parse(text) };
}

describe('fake Slack workspace', () => {
  it('answers ok for methods it does not model, and a reply() override wins over its state', async () => {
    expect((await api('reactions.add', { name: 'eyes' })).body).toEqual({ ok: true });
    fake.reply('conversations.create', { ok: true, channel: { id: 'CFIXED' } });
    expect((await api('conversations.create', { name: 'x' })).body.channel.id).toBe('CFIXED');
    expect(fake.channels()).toEqual([]);
  });

  it('validates channel names like Slack', async () => {
    expect((await api('conversations.create', { name: 'a'.repeat(81) })).body.error).toBe(
      'invalid_name_maxlength',
    );
    expect((await api('conversations.create', { name: 'Has Space' })).body.error).toBe(
      'invalid_name_specials',
    );
    expect((await api('conversations.create', { name: 'ok-name_1' })).body.ok).toBe(true);
    expect((await api('conversations.create', { name: 'ok-name_1' })).body.error).toBe('name_taken');
  });

  it('pages conversations.list with cursors', async () => {
    for (const name of ['a', 'b', 'c']) fake.seedChannel({ name });
    const first = (await api('conversations.list', { limit: 2 })).body;
    expect(first.channels.map((c: { name: string }) => c.name)).toEqual(['a', 'b']);
    const second = (
      await api('conversations.list', { limit: 2, cursor: first.response_metadata.next_cursor })
    ).body;
    expect(second.channels.map((c: { name: string }) => c.name)).toEqual(['c']);
    expect(second.response_metadata.next_cursor).toBe('');
    expect((await api('conversations.list', { cursor: 'bogus' })).body.error).toBe('invalid_cursor');
  });

  it('answers already_in_channel only when every user already is a member', async () => {
    const channel = fake.seedChannel({ name: 'inv', members: [FAKE_BOT.user_id, 'U1'] });
    const partial = (await api('conversations.invite', { channel, users: 'U1,U2', force: true })).body;
    expect(partial).toMatchObject({ ok: true, errors: [{ user: 'U1', error: 'already_in_channel' }] });
    expect((await api('conversations.invite', { channel, users: 'U1,U2' })).body.error).toBe(
      'already_in_channel',
    );
    expect(fake.channels()[0]!.members).toEqual([FAKE_BOT.user_id, 'U1', 'U2']);
  });

  it('stores messages with increasing ts, lists them newest first, metadata only when asked', async () => {
    const channel = fake.seedChannel({ name: 'msgs' });
    const metadata = { event_type: 't', event_payload: { key: 'k1' } };
    const a = (await api('chat.postMessage', { channel, text: 'one', metadata })).body.ts as string;
    const b = (await api('chat.postMessage', { channel, text: 'two', blocks: [{ type: 'divider' }] })).body
      .ts;
    expect(Number(b)).toBeGreaterThan(Number(a));
    const plain = (await api('conversations.history', { channel })).body.messages;
    expect(plain.map((m: { text: string }) => m.text)).toEqual(['two', 'one']);
    expect(plain[1].metadata).toBeUndefined();
    const rich = (await api('conversations.history', { channel, include_all_metadata: true })).body.messages;
    expect(rich[1]).toMatchObject({ metadata, user: FAKE_BOT.user_id, bot_id: FAKE_BOT.bot_id });
    expect(fake.messages(channel).map((m) => m.text)).toEqual(['one', 'two']);
    expect(fake.messages(channel)[1]!.blocks).toEqual([{ type: 'divider' }]);
  });

  it('updates known messages only, counting edits', async () => {
    const channel = fake.seedChannel({ name: 'upd' });
    const ts = (await api('chat.postMessage', { channel, text: 'v1' })).body.ts;
    expect((await api('chat.update', { channel, ts, text: 'v2' })).body.ok).toBe(true);
    expect(fake.messages(channel)[0]).toMatchObject({ text: 'v2', edits: 1 });
    expect((await api('chat.update', { channel, ts: '1.000001', text: 'v3' })).body.error).toBe(
      'message_not_found',
    );
    expect((await api('chat.postMessage', { channel, blocks: '[{' })).body.error).toBe('invalid_blocks');
    expect((await api('chat.postMessage', { channel })).body.error).toBe('no_text');
  });

  it('pins once, links to messages, and keeps the last App Home view per user', async () => {
    const channel = fake.seedChannel({ name: 'pin' });
    const ts = (await api('chat.postMessage', { channel, text: 'x' })).body.ts as string;
    expect((await api('pins.add', { channel, timestamp: ts })).body.ok).toBe(true);
    expect((await api('pins.add', { channel, timestamp: ts })).body.error).toBe('already_pinned');
    expect(fake.pins(channel)).toEqual([ts]);
    const link = (await api('chat.getPermalink', { channel, message_ts: ts })).body.permalink;
    expect(link).toContain(`/archives/${channel}/p${ts.replace('.', '')}`);
    await api('views.publish', { user_id: 'U1', view: { type: 'home', blocks: [] } });
    await api('views.publish', { user_id: 'U1', view: { type: 'home', blocks: [{ type: 'divider' }] } });
    expect(fake.views('U1')).toEqual({ type: 'home', blocks: [{ type: 'divider' }] });
  });
});

describe('fake Slack faults', () => {
  it('fails the next calls as told, then answers normally', async () => {
    fake.failNext('usergroups.users.list', { status: 429, retryAfter: 7 }, 2);
    fake.setUsergroup('S1', ['U1']);
    expect(await api('usergroups.users.list', { usergroup: 'S1' })).toMatchObject({
      status: 429,
      retryAfter: '7',
    });
    expect((await api('usergroups.users.list', { usergroup: 'S1' })).status).toBe(429);
    expect((await api('usergroups.users.list', { usergroup: 'S1' })).body.users).toEqual(['U1']);
    fake.failNext('usergroups.users.list', { error: 'internal_error' });
    expect(await api('usergroups.users.list', { usergroup: 'S1' })).toMatchObject({
      status: 200,
      body: { ok: false, error: 'internal_error' },
    });
  });

  it('fails everything but auth.test during an outage', async () => {
    fake.outage(60_000, 429);
    expect((await api('auth.test')).body.ok).toBe(true);
    const res = await api('chat.postMessage', { channel: 'C1', text: 'x' });
    expect(res.status).toBe(429);
    expect(Number(res.retryAfter)).toBeGreaterThan(50);
    expect(fake.messages('C1')).toEqual([]);
  });

  it('loses one response but keeps its effect', async () => {
    const channel = fake.seedChannel({ name: 'lost' });
    fake.dropResponseOnce('chat.postMessage');
    await expect(api('chat.postMessage', { channel, text: 'x' })).rejects.toThrow();
    expect(fake.messages(channel)).toHaveLength(1);
    expect((await api('chat.postMessage', { channel, text: 'y' })).body.ok).toBe(true);
  });
});
