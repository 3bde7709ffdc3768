import { beforeEach, describe, expect, it } from 'vitest';
import { makeRepositories } from '../../../src/adapters/db/repositories.ts';
import type { DeliveryDeps } from '../../../src/app/delivery/handlers.ts';
import { acknowledge } from '../../../src/app/incidents/acknowledge.ts';
import { jobKeys } from '../../../src/app/incidents/effects.ts';
import { repeatDuePages } from '../../../src/app/incidents/pager.ts';
import { LEASE_MS } from '../../../src/app/outbox/deliver.ts';
import { DeliveryError } from '../../../src/app/outbox/ports.ts';
import { channelName, DEFAULT_INCIDENT_POLICY } from '../../../src/domain/incidents/incident.ts';
import { backends, silentLog } from '../../support/db.ts';
import { topicOf } from '../../support/fake-chat.ts';
import {
  calls,
  declareBurning,
  drain,
  drainUntilSettled,
  expectDeliveredOnce,
  jobStates,
  posted,
} from './delivery-support.ts';
import { makeDue, slackCtx, systemCtx, TARGETS, useIncidentWorld, type World } from './setup.ts';

describe.each(backends)('incident delivery under faults on $name', (backend) => {
  const world = useIncidentWorld(backend);
  let w: World;
  beforeEach(() => {
    w = world.w;
  });

  it('waits out a 429 Retry-After by the database clock, then posts once', async () => {
    const i = await declareBurning(w);
    w.chat.failNext('post', new DeliveryError('rate_limited', { retryAfterMs: 30_000 }));
    await drain(w);

    const pending = await w.db.query<{ key: string; wait: number; last_error: string }>(
      `SELECT key, extract(epoch FROM run_after - now())::float8 AS wait, last_error
       FROM jobs WHERE state = 'pending'`,
    );
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ key: jobKeys.channel(i.id), last_error: 'rate_limited' });
    expect(Number(pending[0]!.wait)).toBeGreaterThan(25);
    expect(Number(pending[0]!.wait)).toBeLessThanOrEqual(31);
    expect(posted(w, 'war_room')).toHaveLength(0);
    expect(new Set(w.chat.messages.map((m) => m.key)).size).toBe(w.chat.messages.length);
    // Not due yet: another drain leaves it alone.
    await drain(w);
    expect(posted(w, 'war_room')).toHaveLength(0);

    await makeDue(w.db);
    await drain(w);
    await expectDeliveredOnce(w, i.id);
  });

  it('takes the next name when the channel name is taken', async () => {
    const i = await declareBurning(w);
    const taken = channelName(i.openedAtMs, i.id, i.title);
    const squatter = await w.chat.createChannel(taken, 'UHUMAN');
    expect(squatter.ok).toBe(true);
    await drain(w);

    const { channel, name } = await expectDeliveredOnce(w, i.id, 1);
    expect(name).toBe(`${taken}-2`);
    expect(name).toBe(channelName(i.openedAtMs, i.id, i.title, 2));
    expect(channel).not.toBe(squatter.ok && squatter.channelId);
    expect([...w.chat.channels.values()].filter((c) => c.name.startsWith(taken))).toHaveLength(2);
  });

  it('adopts the channel a lost create made instead of making a second one', async () => {
    const i = await declareBurning(w);
    w.chat.failNext('createChannel', 'lost_response');
    await drain(w);
    expect(w.chat.channels.size).toBe(1);
    expect((await w.repos.incidents.slackState(i.id)).channelId).toBeNull();

    await makeDue(w.db);
    await drain(w);
    const { name } = await expectDeliveredOnce(w, i.id);
    expect(name).toBe(channelName(i.openedAtMs, i.id, i.title));
    expect(calls(w, 'createChannel')).toBe(1);
  });

  it('adopts its own lost "-2" channel, never a same-named channel someone else owns', async () => {
    const i = await declareBurning(w);
    const taken = channelName(i.openedAtMs, i.id, i.title);
    await w.chat.createChannel(taken, 'UHUMAN');
    // The first name is refused, the second is created but its answer is lost.
    w.chat.failNext('createChannel', 'lost_response', 2);
    await drain(w);
    expect(w.chat.channels.size).toBe(2);

    await makeDue(w.db);
    await drain(w);
    const { name } = await expectDeliveredOnce(w, i.id, 1);
    expect(name).toBe(`${taken}-2`);
    expect([...w.chat.channels.values()].find((c) => c.name === taken)!.members.size).toBe(0);
  });

  it('rides out a Slack outage: every message exactly once, no job failed', async () => {
    const i = await declareBurning(w);
    w.chat.outage(40);
    const rounds = await drainUntilSettled(w);
    expect(rounds).toBeGreaterThan(1);
    await expectDeliveredOnce(w, i.id);
    expect(calls(w, 'createChannel')).toBeGreaterThanOrEqual(1);
    expect(await w.repos.jobs.stats()).toEqual({ pending: 0, done: 2, failed: 0 });
  });

  it('finds a post whose response was lost instead of posting it again', async () => {
    const i = await declareBurning(w);
    w.chat.failNext('post', 'lost_response');
    await drain(w);
    // The War Room exists in Slack, but the worker never heard its ts.
    expect(posted(w, 'war_room')).toHaveLength(1);
    expect((await w.repos.incidents.slackState(i.id)).warRoomTs).toBeNull();
    expect((await jobStates(w)).find((j) => j.key === jobKeys.channel(i.id))).toMatchObject({
      state: 'pending',
      last_error: 'network',
    });

    await makeDue(w.db);
    await drain(w);
    await expectDeliveredOnce(w, i.id);
    expect((await w.repos.incidents.slackState(i.id)).warRoomTs).toBe(posted(w, 'war_room')[0]!.ts);
  });

  it('delivers everything once after a crash between commit and delivery', async () => {
    const i = await declareBurning(w);
    // The process dies here: the incident and its jobs are committed, nothing reached Slack.
    expect(w.chat.calls).toHaveLength(0);
    // A new process: fresh repositories and worker over the same database (and the same Slack).
    const repos = makeRepositories(w.db);
    const restarted: DeliveryDeps = {
      store: repos.incidents,
      fixes: repos.fixes,
      jobs: repos.jobs,
      chat: w.chat,
      targets: TARGETS,
      policy: DEFAULT_INCIDENT_POLICY,
      topicOf,
      log: silentLog,
    };
    await drain(w, restarted);
    await expectDeliveredOnce(w, i.id);
  });

  it.each([
    ['a network error', 'network', (w: World) => w.chat.failNext('pin', new DeliveryError('network'))],
    [
      'a bug (not a DeliveryError)',
      'unexpected',
      (w: World) => {
        const pin = w.chat.pin.bind(w.chat);
        w.chat.pin = async () => {
          w.chat.pin = pin;
          throw new TypeError('boom');
        };
      },
    ],
  ] as const)(
    'resumes channel setup after %s mid-way without redoing finished steps',
    async (_, code, crash) => {
      const i = await declareBurning(w);
      crash(w);
      await drain(w);
      expect(posted(w, 'war_room')).toHaveLength(1);
      expect(await w.repos.incidents.slackState(i.id)).toMatchObject({ invited: true, pinned: false });
      expect((await jobStates(w)).find((j) => j.key === jobKeys.channel(i.id))).toMatchObject({
        state: 'pending',
        last_error: code,
      });

      await makeDue(w.db);
      await drain(w);
      await expectDeliveredOnce(w, i.id);
      expect(calls(w, 'createChannel')).toBe(1);
      expect(calls(w, 'invite')).toBe(1);
      expect(calls(w, 'setTopic')).toBe(1);
      // War Room, announcement, page, DM.
      expect(calls(w, 'post')).toBe(4);
    },
  );

  it('fails a job on a permanent error and does not retry it', async () => {
    const i = await declareBurning(w);
    w.chat.failNext('setTopic', new DeliveryError('channel_not_found', { permanent: true }));
    await drain(w);

    expect((await jobStates(w)).find((j) => j.key === jobKeys.channel(i.id))).toMatchObject({
      state: 'failed',
      attempts: 1,
      last_error: 'channel_not_found',
    });
    expect(await w.repos.jobs.stats()).toEqual({ pending: 0, done: 1, failed: 1 });
    const before = w.chat.calls.length;
    await makeDue(w.db);
    await drain(w);
    expect(w.chat.calls.length).toBe(before);
    expect(calls(w, 'setTopic')).toBe(1);
    expect(posted(w, 'war_room')).toHaveLength(0);
  });

  it('still pages, in the alerts channel, when the incident channel cannot be created', async () => {
    await declareBurning(w);
    w.chat.failNext('createChannel', new DeliveryError('restricted_action', { permanent: true }));
    await drain(w);
    const pages = posted(w, 'page');
    expect(pages).toHaveLength(1);
    expect(pages[0]!.channel).toBe('CALERTS');
    expect(await w.repos.jobs.stats()).toEqual({ pending: 0, done: 1, failed: 1 });
  });

  it('announces in an alerts channel the bot cannot read, after a retry', async () => {
    await declareBurning(w);
    w.chat.failNext('post', new DeliveryError('rate_limited', { retryAfterMs: 0 }));
    w.chat.failNext('findPosted', new DeliveryError('not_in_channel', { permanent: true }), 5);
    await drain(w);
    await makeDue(w.db);
    await drain(w);
    expect(posted(w, 'announce', 'CALERTS')).toHaveLength(1);
    expect(await w.repos.jobs.stats()).toMatchObject({ pending: 0, failed: 0 });
  });

  it('picks a job up again once the lease of a worker that died lapses, and delivers it once', async () => {
    const i = await declareBurning(w);
    const held = await w.repos.jobs.claim(20, LEASE_MS);
    expect(held.map((j) => j.kind)).toEqual(['incident.channel', 'incident.page']);
    // The worker that claimed them died: while its lease holds, nobody else touches them.
    await drain(w);
    expect(w.chat.calls).toHaveLength(0);

    await w.db.query("UPDATE jobs SET locked_until = now() - interval '1 second'");
    await drain(w);
    await expectDeliveredOnce(w, i.id);
    expect((await jobStates(w)).map((j) => j.attempts)).toEqual([2, 2]);
  });

  it('drops a repeat page that was still queued when someone acknowledged', async () => {
    const i = await declareBurning(w);
    await drain(w);
    const pages = posted(w, 'page').length;
    w.clock.advance(15 * 60_000);
    expect(await repeatDuePages(w.deps, systemCtx)).toBe(1);
    await acknowledge(w.deps, slackCtx('U1'), i.id);
    await drain(w);
    expect(posted(w, 'page')).toHaveLength(pages);
    expect(await w.repos.jobs.stats()).toMatchObject({ pending: 0, failed: 0 });
  });
});
