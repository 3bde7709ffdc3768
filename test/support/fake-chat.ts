import { type ChatGateway, DeliveryError, type OutboundMessage } from '../../src/app/outbox/ports.ts';
import { type Incident, revenueFigures } from '../../src/domain/incidents/incident.ts';

/**
 * An in-memory ChatGateway for use-case tests: a tiny Slack workspace (channels, messages, pins, groups)
 * with scripted faults. The Slack adapter itself is tested against the HTTP fake (fake-slack.ts).
 */
export interface ChatMessage {
  channel: string;
  ts: string;
  message: OutboundMessage;
  key: string;
  edits: number;
}

type Fault = DeliveryError | 'lost_response';

export class FakeChat implements ChatGateway {
  readonly channels = new Map<
    string,
    { id: string; name: string; topic: string; members: Set<string>; creator: string }
  >();
  readonly messages: ChatMessage[] = [];
  readonly pins = new Set<string>();
  readonly groups = new Map<string, string[]>();
  readonly calls: string[] = [];
  #faults = new Map<string, Fault[]>();
  #ts = 1_700_000_000_000;
  #outage = 0;

  /**
   * The next `times` calls of `method` fail with `fault`. 'lost_response' means the call took effect in
   * Slack but its answer never came back (it throws `network` afterwards), whichever the method.
   */
  failNext(method: keyof ChatGateway, fault: Fault, times = 1): void {
    this.#faults.set(method, [...(this.#faults.get(method) ?? []), ...Array(times).fill(fault)]);
  }
  /** The next `calls` calls of any method fail with a 503, as in a Slack outage. */
  outage(calls: number): void {
    this.#outage = calls;
  }

  #enter(method: string): Fault | undefined {
    this.calls.push(method);
    if (this.#outage > 0) {
      this.#outage--;
      throw new DeliveryError('http_503');
    }
    const f = this.#faults.get(method)?.shift();
    if (f instanceof DeliveryError) throw f;
    return f;
  }
  /**
   * After the effect: a scripted lost response. (Only post honoured it before, so 'lost_response' on any
   * other method silently succeeded and a test scripting it exercised nothing.)
   */
  #leave(fault: Fault | undefined): void {
    if (fault === 'lost_response') throw new DeliveryError('network');
  }

  /**
   * `creator` other than the bot ('UBOT') makes a channel someone else owns, which findOwnChannel must not
   * adopt (as the Slack adapter checks `creator`); before, every channel here counted as the bot's.
   */
  async createChannel(name: string, creator = 'UBOT') {
    const fault = this.#enter('createChannel');
    if ([...this.channels.values()].some((c) => c.name === name))
      return { ok: false as const, reason: 'name_taken' as const };
    const id = `C${this.channels.size + 1}`;
    this.channels.set(id, { id, name, topic: '', members: new Set(), creator });
    this.#leave(fault);
    return { ok: true as const, channelId: id };
  }
  async findOwnChannel(name: string) {
    this.#leave(this.#enter('findOwnChannel'));
    return [...this.channels.values()].find((c) => c.name === name && c.creator === 'UBOT')?.id ?? null;
  }
  async setTopic(channelId: string, incident: Incident) {
    const fault = this.#enter('setTopic');
    const topic = topicOf(incident);
    this.channels.get(channelId)!.topic = topic;
    this.#leave(fault);
    return topic;
  }
  async usergroupMembers(groupId: string) {
    this.#leave(this.#enter('usergroupMembers'));
    return this.groups.get(groupId) ?? [];
  }
  async invite(channelId: string, userIds: readonly string[]) {
    const fault = this.#enter('invite');
    for (const u of userIds) this.channels.get(channelId)!.members.add(u);
    this.#leave(fault);
  }
  async post(channel: string, message: OutboundMessage, key: string) {
    const fault = this.#enter('post');
    const ts = String(++this.#ts);
    this.messages.push({ channel, ts, message, key, edits: 0 });
    this.#leave(fault);
    return { ts };
  }
  async findPosted(channel: string, key: string) {
    this.#leave(this.#enter('findPosted'));
    return this.messages.find((m) => m.channel === channel && m.key === key)?.ts ?? null;
  }
  async update(channel: string, ts: string, message: OutboundMessage) {
    const fault = this.#enter('update');
    const m = this.messages.find((x) => x.channel === channel && x.ts === ts);
    if (!m) throw new DeliveryError('message_not_found', { permanent: true });
    m.message = message;
    m.edits++;
    this.#leave(fault);
  }
  async pin(channel: string, ts: string) {
    const fault = this.#enter('pin');
    this.pins.add(`${channel}:${ts}`);
    this.#leave(fault);
  }
  async openDm(userId: string) {
    this.#leave(this.#enter('openDm'));
    return `D-${userId}`;
  }

  in(channel: string): ChatMessage[] {
    return this.messages.filter((m) => m.channel === channel);
  }
}

export const topicOf = (i: Incident): string =>
  `SEV-${i.severity} · $${Math.round((revenueFigures(i)?.atRiskCents ?? 0) / 100)} at risk · ${i.paging}`;
