import type { ChatGateway, OutboundMessage } from '../../app/outbox/ports.ts';
import type { Incident } from '../../domain/incidents/incident.ts';
import { blocksToText } from './blocks-text.ts';

export interface TerminalChatDeps {
  out: NodeJS.WritableStream;
  color: boolean;
  /** The Slack renderers, injected by the entry point (adapters do not import each other). */
  render: (m: OutboundMessage) => { text: string; blocks: unknown[] };
  topic: (i: Incident) => string;
}

/**
 * A ChatGateway that prints what the delivery worker would send to Slack: `leak demo` runs the real
 * incident flow (outbox, worker, renderers) offline, and shows each Web API call with its message.
 */
export function terminalChat(deps: TerminalChatDeps): ChatGateway {
  const { out, color } = deps;
  const channels = new Map<string, string>();
  let ts = 0;
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++ts).padStart(6, '0')}`;
  const dim = (s: string) => (color ? `\u001b[2m${s}\u001b[22m` : s);
  const call = (method: string, detail: string) => out.write(`${dim(`→ ${method}`)} ${detail}\n`);
  const nameOf = (id: string) =>
    channels.has(id) ? `#${channels.get(id)}` : id.startsWith('D') ? `DM ${id}` : `#${id}`;
  const show = (m: OutboundMessage) => {
    const { blocks } = deps.render(m);
    const body = blocksToText(blocks as never, { color });
    out.write(`${body.replace(/^/gm, '    ')}\n\n`);
  };
  return {
    async createChannel(name) {
      const id = `C${String(channels.size + 1).padStart(8, '0')}`;
      channels.set(id, name);
      call('conversations.create', `#${name}`);
      return { ok: true, channelId: id };
    },
    async findOwnChannel() {
      return null;
    },
    async setTopic(channelId, incident) {
      const topic = deps.topic(incident);
      call('conversations.setTopic', `${nameOf(channelId)} “${topic}”`);
      return topic;
    },
    async usergroupMembers(groupId) {
      call('usergroups.users.list', `${groupId} (offline: no members to list)`);
      return [];
    },
    async invite(channelId, userIds) {
      if (userIds.length > 0) call('conversations.invite', `${nameOf(channelId)} ${userIds.join(', ')}`);
    },
    async post(channelId, message) {
      call('chat.postMessage', `${nameOf(channelId)} (${message.kind.replace('_', ' ')})`);
      show(message);
      return { ts: nextTs() };
    },
    async findPosted() {
      return null;
    },
    async update(channelId, messageTs, message) {
      call('chat.update', `${nameOf(channelId)} ${messageTs} (${message.kind.replace('_', ' ')})`);
      show(message);
    },
    async pin(channelId, messageTs) {
      call('pins.add', `${nameOf(channelId)} ${messageTs}`);
    },
    async openDm(userId) {
      call('conversations.open', userId);
      return `D${userId}`;
    },
  };
}
