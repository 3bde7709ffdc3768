import { beforeEach, describe, expect, it } from 'vitest';
import { deliverDue } from '../../../src/app/delivery/handlers.ts';
import { jobKeys } from '../../../src/app/incidents/effects.ts';
import { LEASE_MS } from '../../../src/app/outbox/deliver.ts';
import { channelName, type Incident, revenueFigures } from '../../../src/domain/incidents/incident.ts';
import { MINUTE_MS } from '../../../src/shared/time.ts';
import { buildOpp } from '../../domain/build.ts';
import { backends } from '../../support/db.ts';
import { calls, declareBurning, drain, expectDeliveredOnce, jobStates, posted } from './delivery-support.ts';
import { clean, useIncidentWorld, type World } from './setup.ts';

const warRoomOf = (w: World) => {
  const rooms = posted(w, 'war_room');
  expect(rooms).toHaveLength(1);
  return rooms[0]!;
};
const shown = (w: World) => (warRoomOf(w).message as { incident: Incident }).incident;

describe.each(backends)('incident delivery on $name', (backend) => {
  const world = useIncidentWorld(backend);
  let w: World;
  beforeEach(() => {
    w = world.w;
  });

  it('opens one channel with topic, members, a pinned War Room, an announcement and the page', async () => {
    const i = await declareBurning(w);
    await drain(w);

    const { channel, name } = await expectDeliveredOnce(w, i.id);
    expect(name).toMatch(new RegExp(`^inc-\\d{8}-${i.id}-revenue-unassigned-owner$`));
    expect(name).toBe(channelName(i.openedAtMs, i.id, i.title));
    const room = w.chat.channels.get(channel)!;
    expect(room.topic).toBe(w.delivery.topicOf(i));
    expect(room.topic).toMatch(/^SEV-1 · \$200000 at risk · PAGE$/);
    expect([...room.members].sort()).toEqual(['UCOMMANDER', 'UONCALL1', 'UONCALL2', 'URESP1']);
    expect(shown(w)).toMatchObject({ id: i.id, severity: 1, state: 'detected' });
    expect(posted(w, 'announce', 'CALERTS')[0]!.message).toMatchObject({
      incident: { id: i.id, channelId: channel, channelName: name },
    });
    expect(posted(w, 'page', channel)[0]!.message).toMatchObject({
      kind: 'page',
      mentions: ['SONCALL'],
      repeat: 0,
      escalated: false,
    });
    expect(posted(w, 'page_dm', 'D-UCOMMANDER')[0]!.message).toMatchObject({ repeat: 0 });
    expect(posted(w, 'alert')).toHaveLength(0);
    // Posted with the newest state: no edit straight after the post.
    expect(warRoomOf(w).edits).toBe(0);
    expect(calls(w, 'update')).toBe(0);
    expect(await w.repos.jobs.stats()).toEqual({ pending: 0, done: 2, failed: 0 });

    // A second drain finds nothing to do and calls Slack for nothing.
    const before = w.chat.calls.length;
    await drain(w);
    expect(await deliverDue(w.delivery)).toBe(0);
    expect(w.chat.calls.length).toBe(before);
    expect(w.chat.messages).toHaveLength(4);
  });

  it('updates the War Room in place on a rescan, without a second channel or message', async () => {
    const i = await declareBurning(w);
    await drain(w);
    const firstScan = revenueFigures(shown(w))!.scanId;
    expect(warRoomOf(w).edits).toBe(0);

    w.clock.advance(MINUTE_MS);
    const again = await w.scan();
    expect(again.incident.action).toBe('updated');
    await drain(w);

    const room = warRoomOf(w);
    expect(room.edits).toBe(1);
    expect(revenueFigures(shown(w))!.scanId).toBe(again.scanId);
    expect(revenueFigures(shown(w))!.scanId).not.toBe(firstScan);
    expect(revenueFigures(shown(w))!.scanAsOfMs).toBe(w.clock.now());
    expect(calls(w, 'createChannel')).toBe(1);
    expect(w.chat.channels.size).toBe(1);
    await expectDeliveredOnce(w, i.id);
    expect(await w.db.query('SELECT key, state FROM jobs WHERE key = $1', [jobKeys.sync(i.id)])).toEqual([
      { key: jobKeys.sync(i.id), state: 'done' },
    ]);
  });

  it('shows a change that committed while the War Room was being posted', async () => {
    const i = await declareBurning(w);
    let newer: Awaited<ReturnType<World['scan']>> | undefined;
    const post = w.chat.post.bind(w.chat);
    w.chat.post = async (channel, message, key) => {
      const out = await post(channel, message, key);
      if (message.kind === 'war_room' && newer === undefined) {
        // Mid-post, a rescan commits and its sync runs: it finds no War Room yet and has nothing to do.
        w.clock.advance(MINUTE_MS);
        newer = await w.scan();
        await drain(w);
        expect((await jobStates(w)).find((j) => j.key === jobKeys.sync(i.id))?.state).toBe('done');
      }
      return out;
    };
    await drain(w);

    expect(newer?.incident.action).toBe('updated');
    expect(revenueFigures(shown(w))!.scanId).toBe(newer!.scanId);
    expect(warRoomOf(w).edits).toBe(1);
    await expectDeliveredOnce(w, i.id);
  });

  it('marks the War Room resolved and posts a resolved alert on a clean scan', async () => {
    const i = await declareBurning(w);
    await drain(w);
    await w.load(clean());
    w.clock.advance(MINUTE_MS);
    expect((await w.scan()).incident.action).toBe('resolved');
    await drain(w);

    expect(shown(w)).toMatchObject({ id: i.id, state: 'resolved', severity: 5 });
    const alerts = posted(w, 'alert', 'CALERTS');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.message).toMatchObject({
      event: 'resolved',
      incident: { id: i.id, state: 'resolved' },
    });
    expect(w.chat.channels.size).toBe(1);
    expect(posted(w, 'page')).toHaveLength(1);
    expect(await w.repos.jobs.stats()).toMatchObject({ pending: 0, failed: 0 });
  });

  it('gives a SEV-4 incident no channel: a declared alert in the alerts channel and no page', async () => {
    // $1,000 unowned: burn 0.02 → SEV-4, OK paging.
    await w.load([buildOpp({ id: 'small', owner: '', valueCents: 100_000 })]);
    const out = await w.scan();
    expect(out.incident).toMatchObject({ action: 'declared', incident: { severity: 4, paging: 'OK' } });
    const id = out.incident.incident!.id;
    await drain(w);

    expect(w.chat.channels.size).toBe(0);
    expect(calls(w, 'createChannel')).toBe(0);
    const alerts = posted(w, 'alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ channel: 'CALERTS', message: { event: 'declared', incident: { id } } });
    expect(posted(w, 'page')).toHaveLength(0);
    expect(posted(w, 'page_dm')).toHaveLength(0);
    expect(w.chat.messages).toHaveLength(1);
    expect(await w.repos.jobs.stats()).toEqual({ pending: 0, done: 1, failed: 0 });
  });

  it('re-arms a sync job that changed while it ran, so the newer state is still delivered', async () => {
    const i = await declareBurning(w);
    await drain(w);
    w.clock.advance(MINUTE_MS);
    await w.scan();

    const [running] = await w.repos.jobs.claim(20, LEASE_MS);
    expect(running).toMatchObject({ key: jobKeys.sync(i.id), generation: 0 });
    // While it runs, another scan commits newer figures and re-arms the same job.
    w.clock.advance(MINUTE_MS);
    const newer = await w.scan();
    await w.repos.jobs.complete(running!);

    const [row] = await w.db.query<{ state: string; generation: number; done_at: unknown }>(
      'SELECT state, generation, done_at FROM jobs WHERE key = $1',
      [jobKeys.sync(i.id)],
    );
    expect(row).toMatchObject({ state: 'pending', generation: 1, done_at: null });

    await drain(w);
    expect(revenueFigures(shown(w))!.scanId).toBe(newer.scanId);
    expect(await w.repos.jobs.stats()).toMatchObject({ pending: 0, failed: 0 });
    await expectDeliveredOnce(w, i.id);
  });

  it('purges delivered jobs past the retention, keeping recent, pending and failed ones', async () => {
    await declareBurning(w);
    await drain(w);
    const done = (await w.repos.jobs.stats()).done;
    expect(done).toBeGreaterThan(0);
    expect(await w.repos.jobs.purgeDone(60_000)).toBe(0);
    await w.db.query("UPDATE jobs SET done_at = now() - interval '8 days' WHERE state = 'done'");
    expect(await w.repos.jobs.purgeDone(7 * 24 * 3_600_000)).toBe(done);
    expect(await w.repos.jobs.stats()).toEqual({ pending: 0, done: 0, failed: 0 });
  });
});
