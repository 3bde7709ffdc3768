import { expect } from 'vitest';
import { createDeliveryWorker } from '../../../src/app/delivery/handlers.ts';
import type { OutboundMessage } from '../../../src/app/outbox/ports.ts';
import type { Incident } from '../../../src/domain/incidents/incident.ts';
import { silentLog } from '../../support/db.ts';
import type { ChatMessage } from '../../support/fake-chat.ts';
import { burning, makeDue, type World } from './setup.ts';

/** Delivers until nothing is due, as the worker does on shutdown and in the demo. */
export const drain = (w: World, delivery = w.delivery) =>
  createDeliveryWorker(delivery, { pollMs: 60_000, log: silentLog }).drain();

/** Loads the burning fixture and scans: a SEV-1 PAGE incident with its channel and page jobs committed. */
export async function declareBurning(w: World): Promise<Incident> {
  await w.load(burning());
  const out = await w.scan();
  expect(out.incident.action).toBe('declared');
  return out.incident.incident!;
}

/** How often the FakeChat saw `method` called (faulted calls included). */
export const calls = (w: World, method: string) => w.chat.calls.filter((c) => c === method).length;

export const posted = (w: World, kind: OutboundMessage['kind'], channel?: string): ChatMessage[] =>
  w.chat.messages.filter((m) => m.message.kind === kind && (channel === undefined || m.channel === channel));

export const jobStates = async (w: World) =>
  w.db.query<{ key: string; state: string; attempts: number; last_error: string | null }>(
    'SELECT key, state, attempts, last_error FROM jobs ORDER BY id',
  );

/** Rounds of makeDue + drain until the outbox holds nothing pending (a test does not wait out backoffs). */
export async function drainUntilSettled(w: World, maxRounds = 100): Promise<number> {
  for (let round = 1; round <= maxRounds; round++) {
    await makeDue(w.db);
    await drain(w);
    if ((await w.repos.jobs.stats()).pending === 0) return round;
  }
  throw new Error(`outbox still pending after ${maxRounds} rounds: ${JSON.stringify(await jobStates(w))}`);
}

/**
 * The whole Slack side of a declared SEV-1, each piece exactly once: one channel (stored on the incident),
 * one pinned War Room, one announcement, one page in the channel, one DM to the commander, and an outbox
 * with nothing pending or failed.
 */
export async function expectDeliveredOnce(w: World, id: string, foreignChannels = 0) {
  const s = await w.repos.incidents.slackState(id);
  // Every channel in the workspace is the incident's, apart from ones a test created beforehand.
  expect(w.chat.channels.size).toBe(1 + foreignChannels);
  const channel = s.channelId!;
  expect(w.chat.channels.get(channel)?.name).toBe(s.channelName);
  expect(s).toMatchObject({ invited: true, pinned: true });
  const warRooms = posted(w, 'war_room');
  expect(warRooms).toHaveLength(1);
  expect(warRooms[0]).toMatchObject({ channel, ts: s.warRoomTs, key: `warroom:${id}` });
  expect(w.chat.pins).toEqual(new Set([`${channel}:${s.warRoomTs}`]));
  const announces = posted(w, 'announce');
  expect(announces).toHaveLength(1);
  expect(announces[0]).toMatchObject({ channel: 'CALERTS', ts: s.announcedTs });
  expect(posted(w, 'page')).toHaveLength(1);
  expect(posted(w, 'page')[0]!.channel).toBe(channel);
  expect(posted(w, 'page_dm')).toHaveLength(1);
  expect(posted(w, 'page_dm')[0]!.channel).toBe('D-UCOMMANDER');
  expect(new Set(w.chat.messages.map((m) => m.key)).size).toBe(w.chat.messages.length);
  expect(await w.repos.jobs.stats()).toMatchObject({ pending: 0, failed: 0 });
  return { channel, name: s.channelName! };
}
