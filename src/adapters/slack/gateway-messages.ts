import type { OutboundMessage } from '../../app/outbox/ports.ts';
import type { GatewayContext } from './gateway-context.ts';

/** The gateway's message verbs: post (recognisably ours), find a lost post again, update, pin, open a DM. */

/** Marks our messages so findPosted can recognise one whose post response was lost. */
export const METADATA_EVENT_TYPE = 'revenue_leak_sre';
// findPosted looks this far back: our messages in an incident channel are few and recent.
const HISTORY_LIMIT = 100;

export async function post(
  ctx: GatewayContext,
  channelId: string,
  message: OutboundMessage,
  key: string,
): Promise<{ ts: string }> {
  const r = await ctx.must('chat.postMessage', () =>
    ctx.deps.client.chat.postMessage({
      channel: channelId,
      ...ctx.content(message),
      metadata: { event_type: METADATA_EVENT_TYPE, event_payload: { key } },
      unfurl_links: false,
    }),
  );
  return { ts: ctx.field('chat.postMessage', r.ts) };
}

export async function findPosted(
  ctx: GatewayContext,
  channelId: string,
  key: string,
): Promise<string | null> {
  const { userId, botId } = await ctx.identity();
  const r = await ctx.must('conversations.history', () =>
    ctx.deps.client.conversations.history({
      channel: channelId,
      limit: HISTORY_LIMIT,
      include_all_metadata: true,
    }),
  );
  const found = r.messages?.find((m) => {
    const payload = m.metadata?.event_payload as { key?: unknown } | undefined;
    const ours = (botId !== '' && m.bot_id === botId) || m.user === userId;
    return ours && m.metadata?.event_type === METADATA_EVENT_TYPE && payload?.key === key;
  });
  return found?.ts ?? null;
}

export async function update(
  ctx: GatewayContext,
  channelId: string,
  ts: string,
  message: OutboundMessage,
): Promise<void> {
  await ctx.must('chat.update', () =>
    ctx.deps.client.chat.update({ channel: channelId, ts, ...ctx.content(message) }),
  );
}

export async function pin(ctx: GatewayContext, channelId: string, ts: string): Promise<void> {
  await ctx.call('pins.add', () => ctx.deps.client.pins.add({ channel: channelId, timestamp: ts }), [
    'already_pinned',
  ]);
}

export async function openDm(ctx: GatewayContext, userId: string): Promise<string> {
  const r = await ctx.must('conversations.open', () => ctx.deps.client.conversations.open({ users: userId }));
  return ctx.field('conversations.open', r.channel?.id);
}
