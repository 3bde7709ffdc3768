import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { ACTIONS } from '../../src/adapters/slack/blocks/ids.ts';
import type { FunnelRecord } from '../../src/domain/records/record.ts';
import { DAY_MS } from '../../src/shared/time.ts';
import { buildRecord } from '../support/builders.ts';
import type { FakeSlack } from '../support/fake-slack.ts';
import type { Message } from '../support/fake-slack-messages.ts';
import type { Harness } from './harness.ts';

/**
 * Shared pieces of the incident e2e suites: records that burn (and the same records fixed), readers of
 * what ended up in the fake Slack, and Slack-shaped payloads for buttons and reactions.
 */

/** An open $200,000 opportunity nobody owns: UNASSIGNED_OWNER at full value, burn 4× → SEV-1, PAGE. */
export function burningRecords(now = Date.now()): FunnelRecord[] {
  return [
    buildRecord(
      {
        id: 'big',
        type: 'opp',
        name: 'Initech renewal',
        owner: '',
        stage: 'Proposal',
        nextStep: 'Send proposal',
        valueCents: 20_000_000,
        createdAtMs: now - 20 * DAY_MS,
      },
      now,
    ),
  ];
}

/** The same records after someone took ownership: nothing leaks. */
export const fixedRecords = (now = Date.now()): FunnelRecord[] =>
  burningRecords(now).map((r) => ({ ...r, owner: 'alice', lastTouchAtMs: now - 60_000 }));

export const incidentChannels = (fake: FakeSlack) => fake.channels().filter((c) => c.name.startsWith('inc-'));

const actionIds = (m: Message): string[] =>
  (m.blocks as Array<{ type: string; elements?: Array<{ action_id?: string }> }>)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b.elements ?? []).map((e) => e.action_id ?? ''));

/** War Room messages: the only ones carrying a Rescan button. */
export const warRooms = (fake: FakeSlack, channel: string): Message[] =>
  fake.messages(channel).filter((m) => actionIds(m).includes(ACTIONS.rescan));

export const hasAction = (m: Message, actionId: string): boolean => actionIds(m).includes(actionId);

/** The value of a button in a message (the incident id). */
export function buttonValue(m: Message, actionId: string): string {
  const blocks = m.blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>;
  const value = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId)?.value;
  if (value === undefined) throw new Error(`no ${actionId} button in message ${m.ts}`);
  return value;
}

/** Exactly one incident channel, with exactly one War Room in it. */
export function theIncident(fake: FakeSlack): { channel: string; warRoom: Message; incidentId: string } {
  const channels = incidentChannels(fake);
  expect(channels).toHaveLength(1);
  const channel = channels[0]!.id;
  const rooms = warRooms(fake, channel);
  expect(rooms).toHaveLength(1);
  return { channel, warRoom: rooms[0]!, incidentId: buttonValue(rooms[0]!, ACTIONS.rescan) };
}

/** Channels (and DMs) the bot posted to with chat.postMessage, in order of first post. */
export const postedChannels = (fake: FakeSlack): string[] => [
  ...new Set(
    fake.calls
      .filter((c) => c.kind === 'api' && c.name === 'chat.postMessage')
      .map((c) => String(c.body['channel'])),
  ),
];

/** A button click on a message, shaped as Slack sends `block_actions`. */
export function buttonClick(
  fake: FakeSlack,
  o: { actionId: string; value: string; userId: string; channel: string; messageTs: string },
): { payload: object; responseId: string } {
  const responseId = randomBytes(6).toString('hex');
  const payload = {
    type: 'block_actions',
    team: { id: 'T0001', domain: 'testteam' },
    user: { id: o.userId, username: o.userId.toLowerCase(), name: o.userId.toLowerCase(), team_id: 'T0001' },
    api_app_id: 'A0001',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: o.messageTs, channel_id: o.channel, is_ephemeral: false },
    trigger_id: `${Date.now()}.${randomBytes(4).toString('hex')}`,
    channel: { id: o.channel, name: 'incident' },
    message: { type: 'message', ts: o.messageTs, text: 'War room' },
    response_url: fake.responseUrl(responseId),
    actions: [
      {
        type: 'button',
        action_id: o.actionId,
        block_id: 'incident-actions',
        text: { type: 'plain_text', text: 'Button' },
        value: o.value,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
  return { payload, responseId };
}

/** What the app answered on a response_url, in order. */
export const responses = (fake: FakeSlack, responseId: string) =>
  fake.calls
    .filter((c) => c.kind === 'response' && c.name === responseId)
    .map(
      (c) =>
        c.body as { text: string; response_type?: string; replace_original?: boolean; blocks?: unknown[] },
    );

/** Waits until `n` answers arrived on a response_url, and returns them. */
export async function answers(h: Harness, responseId: string, n = 1, timeoutMs = 5_000) {
  const until = Date.now() + timeoutMs;
  while (responses(h.fake, responseId).length < n) {
    if (Date.now() > until)
      throw new Error(`expected ${n} answers on ${responseId}, got ${responses(h.fake, responseId).length}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return responses(h.fake, responseId);
}

/** `/leak <text>` typed in a channel; returns the (last) answer on its response_url. */
export async function leak(h: Harness, text: string, o: { channelId?: string; userId?: string } = {}) {
  const res = await h.slash('/leak', text, o);
  expect(res.status).toBe(200);
  const [answer] = await answers(h, res.responseId);
  return answer!;
}

/** The `/leak timeline` answer in a channel, as one string of its text and blocks. */
export async function timelineIn(h: Harness, channelId: string): Promise<string> {
  const answer = await leak(h, 'timeline', { channelId });
  return `${answer.text}\n${JSON.stringify(answer.blocks)}`;
}

export const occurrences = (haystack: string, needle: string): number => haystack.split(needle).length - 1;

/** Posts a message as a person would (as `user` when given), straight to the fake Web API; returns its ts. */
export async function postAsUser(
  fake: FakeSlack,
  channel: string,
  text: string,
  threadTs?: string,
  user?: string,
): Promise<string> {
  const res = await fetch(`${fake.apiUrl}chat.postMessage`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      channel,
      text,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      ...(user ? { user } : {}),
    }).toString(),
  });
  const body = (await res.json()) as { ok: boolean; ts: string };
  expect(body.ok).toBe(true);
  return body.ts;
}

/** Polls until `cond` holds (log lines, deliveries the worker makes on its own). */
export async function eventually(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'condition',
) {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const logged = (h: Harness, msg: string) =>
  h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === msg);
