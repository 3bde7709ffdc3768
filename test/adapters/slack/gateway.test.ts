import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createChatGateway, toDeliveryError } from '../../../src/adapters/slack/gateway.ts';
import type { ChatGateway, OutboundMessage } from '../../../src/app/outbox/ports.ts';
import type { Incident } from '../../../src/domain/incidents/incident.ts';
import { FAKE_BOT, type FakeSlack } from '../../support/fake-slack.ts';
import { failure, gatewayDepsOn, useFakeSlack } from './gateway-support.ts';

const TOKEN = 'xoxb-gateway-test-secret-token';
// The gateway only hands the incident to the injected renderers, so a partial one is enough here.
const incident = { id: 'inc-1', title: 'Revenue leak: Unassigned owner', severity: 2 } as Incident;
const warRoom: OutboundMessage = { kind: 'war_room', incident };

let fake: FakeSlack;
let gateway: ChatGateway;
const logs: string[] = [];

const log = pino({ level: 'debug' }, { write: (s: string) => void logs.push(s) });
const gatewayDeps = () =>
  gatewayDepsOn(fake, {
    token: TOKEN,
    log,
    render: (m: OutboundMessage) => ({
      text: `${m.kind}: ${'incident' in m ? m.incident.title : ''}`,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${m.kind}*` } }],
    }),
    topic: (i: Incident) => `SEV-${i.severity} · ${i.title}`,
  });

useFakeSlack((f) => {
  fake = f;
  gateway = createChatGateway(gatewayDeps());
});

const callsOf = (method: string) => fake.calls.filter((c) => c.kind === 'api' && c.name === method);

describe('channels', () => {
  it('creates a public channel, and answers name_taken for a taken name', async () => {
    const created = await gateway.createChannel('inc-0001-revenue');
    expect(created.ok).toBe(true);
    expect(callsOf('conversations.create')[0]!.body).toMatchObject({
      name: 'inc-0001-revenue',
      is_private: 'false',
    });
    expect(fake.channels()).toEqual([
      expect.objectContaining({ name: 'inc-0001-revenue', creator: FAKE_BOT.user_id }),
    ]);
    expect(await gateway.createChannel('inc-0001-revenue')).toEqual({ ok: false, reason: 'name_taken' });
  });

  it('creates a private channel when configured to', async () => {
    const privateGateway = createChatGateway({ ...gatewayDeps(), privateChannels: true });
    expect((await privateGateway.createChannel('inc-0002-revenue')).ok).toBe(true);
    expect(callsOf('conversations.create')[0]!.body).toMatchObject({ is_private: 'true' });
  });

  it('refuses an invalid name for good', async () => {
    const err = await failure(gateway.createChannel('Incident 1'));
    expect(err).toMatchObject({ code: 'invalid_name_specials', permanent: true });
  });

  it('finds a channel the bot created, not a same-named one someone else created', async () => {
    fake.seedChannel({ name: 'inc-0002-revenue', creator: 'UOTHER' });
    expect(await gateway.findOwnChannel('inc-0002-revenue')).toBeNull();
    const created = await gateway.createChannel('inc-0003-revenue');
    expect(await gateway.findOwnChannel('inc-0003-revenue')).toBe(created.ok ? created.channelId : 'none');
    // Who the bot is is asked once, then remembered.
    expect(callsOf('auth.test')).toHaveLength(1);
  });

  it('follows list cursors to a channel on a later page', async () => {
    for (let i = 0; i < 450; i++) fake.seedChannel({ name: `other-${i}`, creator: 'UOTHER' });
    const created = await gateway.createChannel('inc-0004-revenue');
    expect(await gateway.findOwnChannel('inc-0004-revenue')).toBe(created.ok ? created.channelId : 'none');
    expect(callsOf('conversations.list').map((c) => c.body['limit'])).toEqual(['200', '200', '200']);
    expect(callsOf('conversations.list')[0]!.body).toMatchObject({
      types: 'public_channel',
      exclude_archived: 'true',
    });
  });

  it('sets the rendered topic and returns it', async () => {
    const id = fake.seedChannel({ name: 'inc-topic' });
    expect(await gateway.setTopic(id, incident)).toBe('SEV-2 · Revenue leak: Unassigned owner');
    expect(fake.channels()[0]!.topic).toBe('SEV-2 · Revenue leak: Unassigned owner');
  });

  it('cuts a topic longer than Slack accepts instead of failing for good', async () => {
    const id = fake.seedChannel({ name: 'inc-long' });
    const topic = await gateway.setTopic(id, { ...incident, title: 'x'.repeat(400) });
    expect(topic).toHaveLength(250);
    expect(fake.channels()[0]!.topic).toBe(topic);
  });

  it('opens a DM and returns its channel id', async () => {
    const dm = await gateway.openDm('U0000AAA');
    expect(dm).toMatch(/^D/);
    expect(await gateway.openDm('U0000AAA')).toBe(dm);
  });
});

describe('people', () => {
  it('lists a user group, and refuses an unknown one for good', async () => {
    fake.setUsergroup('S123', ['U1', 'U2']);
    expect(await gateway.usergroupMembers('S123')).toEqual(['U1', 'U2']);
    expect(await failure(gateway.usergroupMembers('S999'))).toMatchObject({
      code: 'no_such_subteam',
      permanent: true,
    });
  });

  it('invites 250 users in 3 calls of at most 100, never the bot itself', async () => {
    const id = fake.seedChannel({ name: 'inc-invite' });
    const users = Array.from({ length: 250 }, (_, i) => `U${String(i).padStart(6, '0')}`);
    await gateway.invite(id, [FAKE_BOT.user_id, ...users, users[0]!]);
    const sent = callsOf('conversations.invite').map((c) => String(c.body['users']).split(','));
    expect(sent.map((u) => u.length)).toEqual([100, 100, 50]);
    expect(sent.flat()).not.toContain(FAKE_BOT.user_id);
    expect(callsOf('conversations.invite')[0]!.body['force']).toBe('true');
    expect(fake.channels()[0]!.members).toEqual([FAKE_BOT.user_id, ...users]);
  });

  it('treats users already in the channel as invited, and makes no call for nobody', async () => {
    const id = fake.seedChannel({ name: 'inc-again', members: [FAKE_BOT.user_id, 'U1'] });
    await gateway.invite(id, ['U1']);
    await gateway.invite(id, []);
    await gateway.invite(id, [FAKE_BOT.user_id]);
    expect(callsOf('conversations.invite')).toHaveLength(1);
  });
});

describe('messages', () => {
  it('posts with the key in metadata, without unfurling', async () => {
    const id = fake.seedChannel({ name: 'inc-post' });
    const { ts } = await gateway.post(id, warRoom, 'war_room:inc-1');
    expect(callsOf('chat.postMessage')[0]!.body['unfurl_links']).toBe('false');
    expect(fake.messages(id)).toEqual([
      expect.objectContaining({
        ts,
        text: 'war_room: Revenue leak: Unassigned owner',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*war_room*' } }],
        metadata: { event_type: 'revenue_leak_sre', event_payload: { key: 'war_room:inc-1' } },
      }),
    ]);
  });

  it('finds its own message by key, and nothing for another key', async () => {
    const id = fake.seedChannel({ name: 'inc-find' });
    const { ts } = await gateway.post(id, warRoom, 'war_room:inc-1');
    await gateway.post(id, { kind: 'announce', incident }, 'announce:inc-1');
    expect(await gateway.findPosted(id, 'war_room:inc-1')).toBe(ts);
    expect(await gateway.findPosted(id, 'war_room:inc-2')).toBeNull();
  });

  it('does not take a message someone else posted with our key for ours', async () => {
    fake.reply('conversations.history', {
      ok: true,
      messages: [
        {
          ts: '1700000000.000100',
          user: 'UOTHER',
          metadata: { event_type: 'revenue_leak_sre', event_payload: { key: 'war_room:inc-1' } },
        },
      ],
    });
    expect(await gateway.findPosted('C1', 'war_room:inc-1')).toBeNull();
  });

  it('updates a message in place, and refuses an unknown one for good', async () => {
    const id = fake.seedChannel({ name: 'inc-update' });
    const { ts } = await gateway.post(id, warRoom, 'k');
    await gateway.update(id, ts, { kind: 'alert', incident, event: 'resolved' });
    expect(fake.messages(id)[0]).toMatchObject({
      ts,
      text: 'alert: Revenue leak: Unassigned owner',
      edits: 1,
    });
    const err = await failure(gateway.update(id, '1600000000.000100', warRoom));
    expect(err).toMatchObject({ code: 'message_not_found', permanent: true });
  });

  it('pins, and pinning again is fine', async () => {
    const id = fake.seedChannel({ name: 'inc-pin' });
    const { ts } = await gateway.post(id, warRoom, 'k');
    await gateway.pin(id, ts);
    await gateway.pin(id, ts);
    expect(fake.pins(id)).toEqual([ts]);
  });
});

describe('failures', () => {
  it('turns a 429 into rate_limited with Retry-After, without sleeping or retrying', async () => {
    const id = fake.seedChannel({ name: 'inc-429' });
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const t0 = performance.now();
    const err = await failure(gateway.post(id, warRoom, 'k'));
    expect(err).toMatchObject({ code: 'rate_limited', retryAfterMs: 7000, permanent: false });
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(callsOf('chat.postMessage')).toHaveLength(1);
    expect(fake.messages(id)).toEqual([]);
  });

  it('still says rate_limited when a 429 carries no usable Retry-After', async () => {
    fake.failNext('conversations.open', { status: 429 });
    const err = await failure(gateway.openDm('U1'));
    expect(err).toMatchObject({ code: 'rate_limited', retryAfterMs: undefined, permanent: false });
    expect(callsOf('conversations.open')).toHaveLength(1);
  });

  it('turns a 503 into a transient http_503, once', async () => {
    fake.failNext('usergroups.users.list', { status: 503 });
    const err = await failure(gateway.usergroupMembers('S123'));
    expect(err).toMatchObject({ code: 'http_503', permanent: false });
    expect(callsOf('usergroups.users.list')).toHaveLength(1);
  });

  it('fails every call during an outage, and recovers after it', async () => {
    fake.setUsergroup('S1', ['U1']);
    fake.outage(300);
    expect(await failure(gateway.usergroupMembers('S1'))).toMatchObject({ code: 'http_503' });
    await new Promise((r) => setTimeout(r, 350));
    expect(await gateway.usergroupMembers('S1')).toEqual(['U1']);
  });

  it('says channel_not_found is permanent and internal_error is not', async () => {
    expect(await failure(gateway.setTopic('C404', incident))).toMatchObject({
      code: 'channel_not_found',
      permanent: true,
    });
    fake.failNext('conversations.open', { error: 'internal_error' });
    expect(await failure(gateway.openDm('U1'))).toMatchObject({ code: 'internal_error', permanent: false });
  });

  it('finds a posted message by key after its response was lost', async () => {
    const id = fake.seedChannel({ name: 'inc-lost' });
    fake.dropResponseOnce('chat.postMessage');
    const err = await failure(gateway.post(id, warRoom, 'war_room:inc-1'));
    expect(err).toMatchObject({ code: 'network', permanent: false });
    const stored = fake.messages(id);
    expect(stored).toHaveLength(1);
    expect(await gateway.findPosted(id, 'war_room:inc-1')).toBe(stored[0]!.ts);
  });

  it('never writes the token to the log', async () => {
    fake.failNext('conversations.open', { status: 500 });
    await failure(gateway.openDm('U1'));
    expect(logs.join('\n')).toContain('slack call failed');
    expect(logs.join('\n')).not.toContain(TOKEN);
  });
});

describe('toDeliveryError', () => {
  const platform = (error: string) => ({ code: 'slack_webapi_platform_error', data: { ok: false, error } });
  it.each([
    ['invalid_auth', true],
    ['missing_scope', true],
    ['is_archived', true],
    ['invalid_name_maxlength', true],
    ['ratelimited', false],
    ['fatal_error', false],
    ['service_unavailable', false],
    ['request_timeout', false],
  ])('%s is permanent: %s', (error, permanent) => {
    expect(toDeliveryError(platform(error))).toMatchObject({ code: error, permanent });
  });

  it('keeps a Retry-After that came with a platform error', () => {
    const e = {
      ...platform('ratelimited'),
      data: { error: 'ratelimited', response_metadata: { retryAfter: 3 } },
    };
    expect(toDeliveryError(e)).toMatchObject({ code: 'ratelimited', retryAfterMs: 3000 });
  });
});
