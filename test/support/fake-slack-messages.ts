/**
 * Messages in the fake Slack workspace: posting, editing, reading history, pins. Split from
 * fake-slack-state.ts (channels, groups, views) to keep each file readable.
 */
import {
  type Answer,
  FAKE_APP_ID,
  FAKE_BOT,
  fail,
  flag,
  type Handler,
  pageOf,
  str,
  structured,
} from './fake-slack-wire.ts';

export interface Message {
  ts: string;
  channel: string;
  text: string;
  blocks: unknown[];
  /** As posted (`{ event_type, event_payload }`), or null. */
  metadata: unknown;
  user: string;
  bot_id: string;
  thread_ts?: string;
  /** How many times chat.update replaced it. */
  edits: number;
}

/** What the message methods need from the workspace (fake-slack-state.ts). */
export interface MessageStore {
  readonly messagesByChannel: Map<string, Message[]>;
  readonly pinsByChannel: Map<string, Set<string>>;
  readonly ephemerals: Array<{ channel: string; user: string; text: string; ts: string }>;
  readonly byId: ReadonlyMap<string, { archived: boolean }>;
  knows(channel: string): boolean;
  nextTs(): string;
}

// Slack's documented limits: 50 blocks per message, 40,000 characters of text (truncated beyond 4,000
// for display, but only 40,000 is an error).
const MAX_BLOCKS = 50;
const MAX_TEXT = 40_000;

type Content = { text?: string; blocks?: unknown[]; metadata?: unknown };

/** The content fields of a post or an update, or the error Slack would answer. */
function contentOf(body: Record<string, unknown>): Content | Answer {
  const out: Content = {};
  const blocks = structured(body, 'blocks');
  if (blocks.bad || (blocks.value !== undefined && !Array.isArray(blocks.value)))
    return fail('invalid_blocks');
  if (Array.isArray(blocks.value)) {
    if (blocks.value.length > MAX_BLOCKS) return fail('invalid_blocks');
    out.blocks = blocks.value;
  }
  const text = str(body, 'text');
  if (text !== undefined) {
    if (text.length > MAX_TEXT) return fail('msg_too_long');
    out.text = text;
  }
  const metadata = structured(body, 'metadata');
  if (metadata.bad) return fail('invalid_metadata_format');
  if (metadata.value !== undefined) {
    const m = metadata.value as { event_type?: unknown; event_payload?: unknown };
    if (typeof m.event_type !== 'string' || typeof m.event_payload !== 'object' || m.event_payload === null)
      return fail('invalid_metadata_format');
    out.metadata = metadata.value;
  }
  return out;
}

const isAnswer = (x: Content | Answer): x is Answer => 'ok' in x;

function messageJson(m: Message, withMetadata: boolean) {
  return {
    type: 'message',
    ts: m.ts,
    text: m.text,
    user: m.user,
    ...(m.bot_id === '' ? {} : { bot_id: m.bot_id }),
    app_id: FAKE_APP_ID,
    team: FAKE_BOT.team_id,
    blocks: m.blocks,
    ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
    ...(m.edits > 0 ? { edited: { user: m.user, ts: m.ts } } : {}),
    ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
  };
}

export function messageMethods(ws: MessageStore, permalinkBase: string): Record<string, Handler> {
  const find = (body: Record<string, unknown>, tsField: string): Message | undefined =>
    ws.messagesByChannel.get(str(body, 'channel') ?? '')?.find((m) => m.ts === str(body, tsField));

  return {
    'chat.postMessage': (body) => {
      const channel = str(body, 'channel');
      if (!channel) return fail('channel_not_found');
      if (ws.byId.get(channel)?.archived) return fail('is_archived');
      const content = contentOf(body);
      if (isAnswer(content)) return content;
      if (!content.text && !content.blocks?.length) return fail('no_text');
      const threadTs = str(body, 'thread_ts');
      // Slack takes the author from the token; the fake has none, so a test posting as a person names them
      // in `user` (a person's message carries no bot_id).
      const person = str(body, 'user');
      const message: Message = {
        ts: ws.nextTs(),
        channel,
        text: content.text ?? '',
        blocks: content.blocks ?? [],
        metadata: content.metadata ?? null,
        user: person ?? FAKE_BOT.user_id,
        bot_id: person === undefined ? FAKE_BOT.bot_id : '',
        ...(threadTs ? { thread_ts: threadTs } : {}),
        edits: 0,
      };
      const list = ws.messagesByChannel.get(channel) ?? [];
      list.push(message);
      ws.messagesByChannel.set(channel, list);
      return { ok: true, channel, ts: message.ts, message: messageJson(message, true) };
    },
    'chat.update': (body) => {
      const message = find(body, 'ts');
      if (!message) return fail('message_not_found');
      const content = contentOf(body);
      if (isAnswer(content)) return content;
      if (content.text !== undefined) message.text = content.text;
      if (content.blocks !== undefined) message.blocks = content.blocks;
      // Slack keeps the existing metadata when an update does not send any.
      if (content.metadata !== undefined) message.metadata = content.metadata;
      message.edits++;
      return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
    },
    'conversations.history': (body) => {
      const channel = str(body, 'channel') ?? '';
      if (!ws.knows(channel)) return fail('channel_not_found');
      // Thread replies stay out of history, as in Slack; newest first.
      const top = (ws.messagesByChannel.get(channel) ?? []).filter(
        (m) => !m.thread_ts || m.thread_ts === m.ts,
      );
      const paged = pageOf([...top].reverse(), body, 100);
      if (!paged) return fail('invalid_cursor');
      const withMetadata = flag(body, 'include_all_metadata');
      return {
        ok: true,
        messages: paged.page.map((m) => messageJson(m, withMetadata)),
        has_more: paged.next !== '',
        response_metadata: { next_cursor: paged.next },
      };
    },
    'conversations.replies': (body) => {
      const parent = find(body, 'ts');
      if (!parent) return fail('thread_not_found');
      const thread = ws.messagesByChannel.get(parent.channel)!.filter((m) => m.thread_ts === parent.ts);
      const withMetadata = flag(body, 'include_all_metadata');
      return {
        ok: true,
        messages: [parent, ...thread.filter((m) => m !== parent)].map((m) => messageJson(m, withMetadata)),
        has_more: false,
      };
    },
    'chat.postEphemeral': (body) => {
      const channel = str(body, 'channel');
      const user = str(body, 'user');
      if (!channel) return fail('channel_not_found');
      if (!user) return fail('user_not_in_channel');
      const ts = ws.nextTs();
      ws.ephemerals.push({ channel, user, text: str(body, 'text') ?? '', ts });
      return { ok: true, message_ts: ts };
    },
    'chat.getPermalink': (body) => {
      const message = find(body, 'message_ts');
      if (!message) return fail('message_not_found');
      return {
        ok: true,
        channel: message.channel,
        permalink: `${permalinkBase}/archives/${message.channel}/p${message.ts.replace('.', '')}`,
      };
    },
    'pins.add': (body) => {
      if (!str(body, 'timestamp')) return fail('no_item_specified');
      const message = find(body, 'timestamp');
      if (!message) return fail('message_not_found');
      const pins = ws.pinsByChannel.get(message.channel) ?? new Set<string>();
      if (pins.has(message.ts)) return fail('already_pinned');
      pins.add(message.ts);
      ws.pinsByChannel.set(message.channel, pins);
      return { ok: true };
    },
  };
}
