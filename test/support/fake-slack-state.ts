/**
 * The stateful part of the fake Slack (test/support/fake-slack.ts): one workspace's channels, messages,
 * pins, user groups and App Home views, answering Web API methods the way Slack does, errors included, so
 * adapter tests can assert what ended up in Slack rather than which calls were made.
 *
 * Deliberately lenient in one place: a message may be posted to any channel id (an alerts channel from the
 * config, a user id for a DM) without creating it first, so e2e tests need no seeding for channels the bot
 * only posts to. Methods that change a channel itself (setTopic, invite, info) need a known channel.
 */
import { type Message, messageMethods } from './fake-slack-messages.ts';
import {
  type Answer,
  FAKE_BOT,
  fail,
  flag,
  type Handler,
  pageOf,
  str,
  structured,
} from './fake-slack-wire.ts';

export interface FakeChannel {
  id: string;
  name: string;
  topic: string;
  members: string[];
  creator: string;
  created: number;
  archived: boolean;
}

// Slack's own rules for channel names: lowercase letters, digits, hyphens and underscores, at most 80.
const NAME_MAX = 80;
const NAME_CHARS = /^[a-z0-9_-]+$/;
// SLACK.md: conversations.invite takes at most 100 users a call; the fake holds callers to that.
const INVITE_MAX = 100;
// Slack's documented topic limit.
const TOPIC_MAX = 250;

export class FakeWorkspace {
  readonly byId = new Map<string, FakeChannel>();
  readonly messagesByChannel = new Map<string, Message[]>();
  readonly pinsByChannel = new Map<string, Set<string>>();
  readonly usergroups = new Map<string, string[]>();
  readonly viewsByUser = new Map<string, unknown>();
  readonly ephemerals: Array<{ channel: string; user: string; text: string; ts: string }> = [];
  readonly dms = new Map<string, string>();
  private channelSeq = 0;
  private tsSeq = 0;

  readonly methods: Record<string, Handler>;

  constructor(permalinkBase: string) {
    this.methods = { ...this.channelMethods(), ...messageMethods(this, permalinkBase) };
  }

  /** Strictly increasing message timestamps, 100 µs apart, so ordering by ts is ordering by post time. */
  nextTs(): string {
    const micros = ++this.tsSeq * 100;
    return `${1_700_000_000 + Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  seedChannel(o: {
    name: string;
    /** A fixed id (e.g. the ALERTS_CHANNEL a config names); generated otherwise. */
    id?: string;
    creator?: string;
    members?: string[];
    topic?: string;
    archived?: boolean;
  }) {
    const id = o.id ?? `C${String(++this.channelSeq).padStart(8, '0')}`;
    const creator = o.creator ?? FAKE_BOT.user_id;
    const channel: FakeChannel = {
      id,
      name: o.name,
      topic: o.topic ?? '',
      members: o.members ?? [creator],
      creator,
      created: Math.floor(Date.now() / 1000),
      archived: o.archived ?? false,
    };
    this.byId.set(id, channel);
    return channel;
  }

  /** Created or seeded channels, DMs opened, and any channel something was posted to. */
  knows(channel: string): boolean {
    return (
      this.byId.has(channel) ||
      [...this.dms.values()].includes(channel) ||
      this.messagesByChannel.has(channel)
    );
  }

  private channelJson(c: FakeChannel) {
    return {
      id: c.id,
      name: c.name,
      is_channel: true,
      is_private: false,
      is_archived: c.archived,
      is_member: c.members.includes(FAKE_BOT.user_id),
      created: c.created,
      creator: c.creator,
      topic: { value: c.topic, creator: c.topic ? FAKE_BOT.user_id : '', last_set: c.topic ? c.created : 0 },
      num_members: c.members.length,
    };
  }

  /** The channel a method acts on, or the error Slack answers when it cannot. */
  private channelFor(
    body: Record<string, unknown>,
  ): { c: FakeChannel; error?: never } | { c?: never; error: Answer } {
    const c = this.byId.get(str(body, 'channel') ?? '');
    if (!c) return { error: fail('channel_not_found') };
    if (c.archived) return { error: fail('is_archived') };
    return { c };
  }

  private channelMethods = (): Record<string, Handler> => ({
    'conversations.create': (body) => {
      const name = str(body, 'name') ?? '';
      if (name === '') return fail('invalid_name_required');
      if (name.length > NAME_MAX) return fail('invalid_name_maxlength');
      if (!NAME_CHARS.test(name)) return fail('invalid_name_specials');
      if (/^[-_]+$/.test(name)) return fail('invalid_name_punctuation');
      if ([...this.byId.values()].some((c) => c.name === name)) return fail('name_taken');
      return { ok: true, channel: this.channelJson(this.seedChannel({ name })) };
    },
    'conversations.list': (body) => {
      const types = (str(body, 'types') ?? 'public_channel').split(',');
      if (!types.includes('public_channel'))
        return { ok: true, channels: [], response_metadata: { next_cursor: '' } };
      const all = [...this.byId.values()].filter((c) => !(flag(body, 'exclude_archived') && c.archived));
      const paged = pageOf(all, body, 100);
      if (!paged) return fail('invalid_cursor');
      return {
        ok: true,
        channels: paged.page.map((c) => this.channelJson(c)),
        response_metadata: { next_cursor: paged.next },
      };
    },
    'conversations.info': (body) => {
      const c = this.byId.get(str(body, 'channel') ?? '');
      return c ? { ok: true, channel: this.channelJson(c) } : fail('channel_not_found');
    },
    'conversations.setTopic': (body) => {
      const { c, error } = this.channelFor(body);
      if (error) return error;
      const topic = str(body, 'topic') ?? '';
      if (topic.length > TOPIC_MAX) return fail('too_long');
      if (!c.members.includes(FAKE_BOT.user_id)) return fail('not_in_channel');
      c.topic = topic;
      return { ok: true, channel: this.channelJson(c) };
    },
    'conversations.invite': (body) => {
      const { c, error } = this.channelFor(body);
      if (error) return error;
      const users = (str(body, 'users') ?? '').split(',').filter((u) => u !== '');
      if (users.length === 0) return fail('no_user');
      if (users.length > INVITE_MAX) return fail('too_many_users');
      const errors: Array<{ user: string; ok: false; error: string }> = [];
      let added = 0;
      for (const user of users) {
        const error =
          user === FAKE_BOT.user_id
            ? 'cant_invite_self'
            : c.members.includes(user)
              ? 'already_in_channel'
              : /^[UW][A-Z0-9]+$/.test(user)
                ? null
                : 'user_not_found';
        if (error) errors.push({ user, ok: false, error });
        else {
          c.members.push(user);
          added++;
        }
      }
      // With force, Slack invites the valid users and lists the rest; it fails only when nobody was added.
      if (added === 0) return fail(errors[0]!.error, { errors });
      return { ok: true, channel: this.channelJson(c), ...(errors.length ? { errors } : {}) };
    },
    'conversations.open': (body) => {
      const users = (str(body, 'users') ?? '').split(',').filter((u) => u !== '');
      if (users.length === 0) return fail('users_list_not_supplied');
      const key = [...users].sort().join(',');
      let id = this.dms.get(key);
      if (!id) {
        id = `${users.length === 1 ? 'D' : 'G'}${String(this.dms.size + 1).padStart(8, '0')}`;
        this.dms.set(key, id);
      }
      return { ok: true, channel: { id } };
    },
    'usergroups.users.list': (body) => {
      const users = this.usergroups.get(str(body, 'usergroup') ?? '');
      return users ? { ok: true, users: [...users] } : fail('no_such_subteam');
    },
    'views.publish': (body) => {
      const userId = str(body, 'user_id');
      const view = structured(body, 'view');
      if (!userId) return fail('invalid_arguments');
      if (view.bad || !view.value) return fail('invalid_arguments');
      this.viewsByUser.set(userId, view.value);
      return { ok: true, view: { id: `V${userId}`, ...(view.value as object) } };
    },
  });

  channels() {
    return [...this.byId.values()].map((c) => ({
      id: c.id,
      name: c.name,
      topic: c.topic,
      members: [...c.members],
      creator: c.creator,
      archived: c.archived,
    }));
  }
}
