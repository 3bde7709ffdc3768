import { expect } from 'vitest';
import { FIX_ACTIONS } from '../../src/adapters/slack/blocks/ids.ts';
import type { FunnelRecord } from '../../src/domain/records/record.ts';
import { DAY_MS } from '../../src/shared/time.ts';
import { buildRecord } from '../support/builders.ts';
import type { FakeSlack } from '../support/fake-slack.ts';
import type { Message } from '../support/fake-slack-messages.ts';
import type { Harness } from './harness.ts';
import { answers, burningRecords, buttonClick, hasAction } from './incident-helpers.ts';

/** Approvers, the owner pool and its Slack map, as the fix e2e suite configures them. */
export const FIX_ENV = {
  FIX_APPROVERS: 'UAPPROVER',
  FIX_OWNER_POOL: 'Priya Shah,Marcus Lee',
  FIX_OWNER_SLACK: 'Priya Shah=UPRIYA',
} as const;

/** The $200,000 unowned opportunity (burningRecords) beside owned, healthy records that must stay as they are. */
export function fixableFunnel(now = Date.now()): FunnelRecord[] {
  return [
    ...burningRecords(now),
    buildRecord(
      { id: 'lead-ok', owner: 'alice', createdAtMs: now - 30 * 60_000, lastTouchAtMs: now - 60_000 },
      now,
    ),
    buildRecord(
      {
        id: 'opp-ok',
        type: 'opp',
        name: 'Globex expansion',
        owner: 'bob',
        stage: 'Negotiation',
        valueCents: 5_000_000,
        createdAtMs: now - 10 * DAY_MS,
        lastTouchAtMs: now - 3_600_000,
      },
      now,
    ),
  ];
}

/** A $50,000 deal Priya Shah (UPRIYA) let go cold 30 days ago: its rescue DMs her and tells the managers. */
export const coldDeal = (now = Date.now()): FunnelRecord =>
  buildRecord(
    {
      id: 'cold',
      type: 'opp',
      name: 'Umbrella upsell',
      company: 'Umbrella',
      domain: 'umbrella.example',
      owner: 'Priya Shah',
      stage: 'Proposal',
      nextStep: 'Send proposal',
      valueCents: 5_000_000,
      createdAtMs: now - 60 * DAY_MS,
      lastTouchAtMs: now - 30 * DAY_MS,
    },
    now,
  );

const headerText = (m: Message): string | null => {
  const header = (m.blocks as Array<{ type: string; text?: { text?: string } }>).find(
    (b) => b.type === 'header',
  );
  return header?.text?.text ?? null;
};

/** Fix preview messages in a channel (their header reads ":wrench: Fix preview: …", ":wrench: Fix applied: …"). */
export const fixPreviews = (fake: FakeSlack, channel: string): Message[] =>
  fake.messages(channel).filter((m) => headerText(m)?.startsWith(':wrench:') === true);

/** A message as one string (text and blocks), for `toContain`. */
export const shown = (m: Message): string => `${m.text}\n${JSON.stringify(m.blocks)}`;

/** The fix run id a preview message carries on its buttons (Approve while planned, Roll back once applied). */
export function runIdOf(m: Message): string {
  const blocks = m.blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>;
  const ids = new Set<string>([FIX_ACTIONS.approve, FIX_ACTIONS.reject, FIX_ACTIONS.rollback]);
  const value = blocks.flatMap((b) => b.elements ?? []).find((e) => ids.has(e.action_id ?? ''))?.value;
  if (value === undefined) throw new Error(`no fix button in message ${m.ts}`);
  return value;
}

export const hasFixButton = (m: Message, action: keyof typeof FIX_ACTIONS): boolean =>
  hasAction(m, FIX_ACTIONS[action]);

/** Clicks a fix button on a message as `userId`; resolves with the HTTP answer and the first ephemeral reply. */
export async function clickFix(
  h: Harness,
  o: { action: keyof typeof FIX_ACTIONS; value: string; userId: string; channel: string; messageTs: string },
  sign: Parameters<Harness['action']>[1] = {},
) {
  const c = buttonClick(h.fake, { ...o, actionId: FIX_ACTIONS[o.action] });
  const res = await h.action(c.payload, sign);
  return { ...res, responseId: c.responseId };
}

/**
 * A click on a button of an ephemeral message (a `/leak scan` answer, a private fix preview), shaped as
 * Slack sends it: `container.is_ephemeral` and no `message` (an ephemeral message cannot be fetched or
 * edited with chat.update; only its response_url replaces it).
 */
export async function clickEphemeral(
  h: Harness,
  o: { action: keyof typeof FIX_ACTIONS; value: string; userId: string; channel: string; messageTs: string },
) {
  const c = buttonClick(h.fake, { ...o, actionId: FIX_ACTIONS[o.action] });
  const { message: _message, ...payload } = c.payload as Record<string, unknown>;
  const container = { type: 'message', message_ts: o.messageTs, channel_id: o.channel, is_ephemeral: true };
  const res = await h.action({ ...payload, container });
  return { ...res, responseId: c.responseId };
}

/** A click's first answer on its response_url, checked to be ephemeral and to leave the message alone. */
export async function replyTo(h: Harness, responseId: string, n = 1) {
  const said = await answers(h, responseId, n);
  for (const a of said) expect(a).toMatchObject({ response_type: 'ephemeral', replace_original: false });
  return said;
}

export async function ownerOf(h: Harness, recordId: string): Promise<string> {
  const [r] = await h.services.db.query<{ owner: string }>('SELECT owner FROM records WHERE id = $1', [
    recordId,
  ]);
  if (!r) throw new Error(`no record ${recordId}`);
  return r.owner;
}

export const auditRows = (h: Harness, action: string) =>
  h.services.db.query<{ actor: string; target_id: string; after: unknown }>(
    'SELECT actor, target_id, after FROM audit_log WHERE action = $1 ORDER BY id',
    [action],
  );
