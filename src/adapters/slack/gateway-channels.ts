import type { WebAPICallResult } from '@slack/web-api';
import type { ChatGateway } from '../../app/outbox/ports.ts';
import type { Incident } from '../../domain/incidents/incident.ts';
import type { GatewayContext } from './gateway-context.ts';

/** The gateway's channel verbs: create or adopt an incident channel, set its topic, invite its people. */

// SLACK.md: conversations.invite takes at most 100 users a call.
const INVITE_CHUNK = 100;
// conversations.list pages of 200 (Slack recommends ≤ 200); 10 pages covers a 2,000-channel workspace
// without letting a huge one turn an adoption check into minutes of Tier 2 calls.
const LIST_PAGE = 200;
const LIST_MAX_PAGES = 10;
// Slack rejects topics over 250 characters (`too_long`), which no retry fixes; cut instead.
const TOPIC_MAX = 250;

export async function createChannel(
  ctx: GatewayContext,
  name: string,
): ReturnType<ChatGateway['createChannel']> {
  const { client, privateChannels } = ctx.deps;
  const r = await ctx.call(
    'conversations.create',
    () => client.conversations.create({ name, is_private: privateChannels === true }),
    ['name_taken'],
  );
  if (!r) return { ok: false, reason: 'name_taken' };
  return { ok: true, channelId: ctx.field('conversations.create', r.channel?.id) };
}

export async function findOwnChannel(ctx: GatewayContext, name: string): Promise<string | null> {
  const { client, privateChannels, log } = ctx.deps;
  const { userId } = await ctx.identity();
  let cursor: string | undefined;
  for (let page = 0; page < LIST_MAX_PAGES; page++) {
    const r = await ctx.must('conversations.list', () =>
      client.conversations.list({
        types: privateChannels === true ? 'private_channel' : 'public_channel',
        exclude_archived: true,
        limit: LIST_PAGE,
        ...(cursor ? { cursor } : {}),
      }),
    );
    // Only a channel this bot created: adopting someone else's same-named channel would post an
    // incident into a conversation that is not ours.
    const own = r.channels?.find((c) => c.name === name && c.creator === userId);
    if (own?.id) return own.id;
    cursor = r.response_metadata?.next_cursor;
    if (!cursor) return null;
  }
  log.warn({ name, pages: LIST_MAX_PAGES }, 'channel search stopped at the page limit');
  return null;
}

export async function setTopic(ctx: GatewayContext, channelId: string, incident: Incident): Promise<string> {
  const full = ctx.deps.topic(incident);
  const topic = full.length > TOPIC_MAX ? `${full.slice(0, TOPIC_MAX - 1)}…` : full;
  await ctx.must('conversations.setTopic', () =>
    ctx.deps.client.conversations.setTopic({ channel: channelId, topic }),
  );
  return topic;
}

export async function usergroupMembers(ctx: GatewayContext, groupId: string): Promise<string[]> {
  const r = await ctx.must('usergroups.users.list', () =>
    ctx.deps.client.usergroups.users.list({ usergroup: groupId }),
  );
  return r.users ?? [];
}

export async function invite(
  ctx: GatewayContext,
  channelId: string,
  userIds: readonly string[],
): Promise<void> {
  if (userIds.length === 0) return;
  const { client, log } = ctx.deps;
  // The bot is in the channel it created; inviting itself is an error, so it is left out up front.
  const { userId } = await ctx.identity();
  const users = [...new Set(userIds)].filter((u) => u !== userId);
  for (let i = 0; i < users.length; i += INVITE_CHUNK) {
    const chunk = users.slice(i, i + INVITE_CHUNK);
    const r = await ctx.call(
      'conversations.invite',
      () => client.conversations.invite({ channel: channelId, users: chunk.join(','), force: true }),
      ['already_in_channel', 'cant_invite_self'],
    );
    // With force, Slack invites the valid users and lists the others; those are reported, not retried.
    const errors = (r as (WebAPICallResult & { errors?: Array<{ error?: string }> }) | undefined)?.errors;
    const refused = errors?.filter((e) => e.error !== 'already_in_channel' && e.error !== 'cant_invite_self');
    if (refused?.length)
      log.warn(
        { channel_id: channelId, refused: refused.length, codes: refused.map((e) => e.error) },
        'some users not invited',
      );
  }
}
