import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';
import {
  burningRecords,
  eventually,
  incidentChannels,
  leak,
  logged,
  postedChannels,
  theIncident,
  warRooms,
} from './incident-helpers.ts';

/**
 * What Slack does to deliveries (rate limits, taken names, outages), against the real app: every side
 * effect still arrives, exactly once. Each case runs on its own app, database and fake Slack.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const boot = async () => {
  h = await startHarness({ records: burningRecords(), usergroups: { SONCALL: ['UON1', 'UON2'] } });
  return h;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Each case boots its own app (a WASM Postgres on PGlite) and then waits out real retry delays. */
const SLOW = 90_000;

/** Everything a SEV-1 declaration sends, each exactly once. */
function expectDeliveredOnce(app: Harness) {
  const { channel, warRoom } = theIncident(app.fake);
  expect(app.fake.pins(channel)).toEqual([warRoom.ts]);
  expect(app.fake.messages(channel).filter((m) => m.text.includes('<!subteam^SONCALL>'))).toHaveLength(1);
  expect(app.fake.messages('CALERTS').filter((m) => m.text.includes(`<#${channel}>`))).toHaveLength(1);
  const dms = postedChannels(app.fake).filter((c) => c.startsWith('D'));
  expect(dms).toHaveLength(1);
  expect(app.fake.messages(dms[0]!)).toHaveLength(1);
  return channel;
}

describe('delivery faults', () => {
  it(
    'a 429 on the War Room post waits out Retry-After, then posts it once',
    async () => {
      const app = await boot();
      app.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
      await leak(app, 'scan');
      await app.settle();
      const limited = app.fake.calls.filter((c) => c.name === 'chat.postMessage');
      expect(limited.length).toBeGreaterThanOrEqual(1);
      const deferred = logged(app, 'delivery deferred');
      expect(deferred[0]).toMatchObject({ kind: 'incident.channel', retry_in_ms: 1000 });

      // The page waits for the channel job (it retries every 2 s), so give the whole outbox time to drain.
      await sleep(1_100);
      await eventually(
        async () => {
          await app.settle();
          return (await app.services.repos.jobs.stats()).pending === 0;
        },
        10_000,
        'the outbox to drain',
      );
      expectDeliveredOnce(app);
    },
    SLOW,
  );

  it(
    'a taken channel name moves on to the next name (…-2)',
    async () => {
      const app = await boot();
      app.fake.failNext('conversations.create', { error: 'name_taken' });
      await leak(app, 'scan');
      await app.settle();
      const creates = app.fake.calls
        .filter((c) => c.name === 'conversations.create')
        .map((c) => c.body['name']);
      expect(creates).toHaveLength(2);
      expect(creates[1]).toBe(`${creates[0]}-2`);
      const channels = incidentChannels(app.fake);
      expect(channels).toHaveLength(1);
      expect(channels[0]!.name).toMatch(/^inc-\d{8}-\d+-.+-2$/);
      expectDeliveredOnce(app);
    },
    SLOW,
  );

  it(
    'a Slack outage delays everything and loses nothing; afterwards each effect arrives once',
    async () => {
      const app = await boot();
      app.fake.outage(1_500);
      await leak(app, 'scan');
      for (let i = 0; i < 3; i++) {
        await app.running.drain();
        await sleep(100);
      }
      // During the outage: nothing delivered, nothing given up on.
      expect(incidentChannels(app.fake)).toHaveLength(0);
      expect(app.fake.messages('CALERTS')).toHaveLength(0);
      expect((await app.services.repos.jobs.stats()).failed).toBe(0);
      expect(logged(app, 'delivery failed permanently')).toHaveLength(0);

      // Retry delays are seconds: keep draining until every effect is out, then check nothing doubled.
      await eventually(
        async () => {
          await app.running.drain();
          const [room] = incidentChannels(app.fake).map((c) => warRooms(app.fake, c.id).length);
          return room === 1 && postedChannels(app.fake).some((c) => c.startsWith('D'));
        },
        12_000,
        'deliveries after the outage',
      );
      await app.settle();
      expectDeliveredOnce(app);
      expect(await app.services.repos.jobs.stats()).toMatchObject({ failed: 0, pending: 0 });
    },
    SLOW,
  );
});
