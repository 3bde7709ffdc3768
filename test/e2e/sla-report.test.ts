import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goldRepository } from '../../src/adapters/db/gold-repository.ts';
import { limitViolations } from '../../src/adapters/slack/blocks/limits.ts';
import type { KnownBlock } from '../../src/adapters/slack/blocks/types.ts';
import { sketchOps } from '../../src/adapters/telemetry/sketch-ops.ts';
import type { SlaDefinition } from '../../src/domain/sla/definition.ts';
import { isoWeekContaining, lastCompleteWeek } from '../../src/domain/sla/report.ts';
import { snapshotOf } from '../../src/domain/sla/snapshot.ts';
import { DAY_MS } from '../../src/shared/time.ts';
import { availabilityFrom, snapshotAudit } from '../domain/sla/openslo-fixtures.ts';
import type { RecordedCall } from '../support/fake-slack.ts';
import { type Harness, startHarness } from './harness.ts';
import { eventually, incidentChannels } from './incident-helpers.ts';

/**
 * The weekly SLA report end to end: `/sla report` on the real app (signed requests, acknowledged within
 * 3 s, answered on the response_url, the chart uploaded through the fake Slack's external upload), and the
 * Monday post fired twice, posted once.
 */
const week = lastCompleteWeek(Date.now());

const CHECKOUT = availabilityFrom(week.startMs - 30 * DAY_MS);
const SEARCH: SlaDefinition = {
  ...CHECKOUT,
  id: 'search-latency',
  service: 'search',
  name: 'Search latency',
};

const headerOf = (blocks: unknown[]) =>
  ((blocks as KnownBlock[]).find((b) => b.type === 'header') as { text: { text: string } } | undefined)?.text
    .text;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.services.repos.slas.apply([{ open: CHECKOUT }, { open: SEARCH }]);
  const gold = goldRepository(h.services.db, sketchOps);
  for (let d = 0; d < 7; d++) {
    const day = { dayMs: week.startMs + d * DAY_MS, total: 10_000, errors: d === 3 ? 30 : 2, badMinutes: 0 };
    for (const def of [CHECKOUT, SEARCH])
      await gold.insertSnapshot(snapshotOf(def, day, 0), snapshotAudit(def.id, week.startMs));
  }
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

describe('/sla report', () => {
  it('acknowledges at once, answers with the report, and shares the chart in the channel', async () => {
    const res = await h.slash('/sla', 'report checkout', { channelId: 'CREVOPS' });
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeLessThan(3000);
    expect(JSON.parse(res.body).text).toContain('Building the SLA report');

    const answer = await h.fake.waitFor((c) => c.kind === 'response' && c.name === res.responseId, 10_000);
    const body = answer.body as { response_type: string; text: string; blocks: unknown[] };
    expect(body.response_type).toBe('ephemeral');
    expect(headerOf(body.blocks)).toBe(`SLA report ${week.label} · checkout`);
    const json = JSON.stringify(body.blocks);
    expect(json).toContain('Checkout availability');
    expect(json).not.toContain('Search latency');
    // 42 bad of 70 000 = 99.94% against 99.9%, written as the War Room writes a share (floored, 3 decimals).
    expect(json).toContain('*99.940%* against 99.9%: *met*');
    expect(json).toContain('The daily attainment chart is shared in this channel.');
    expect(limitViolations({ text: body.text, blocks: body.blocks as KnownBlock[] })).toEqual([]);

    // The external upload: URL, bytes, completion into the command's channel.
    const names = h.fake.calls.map((c: RecordedCall) => `${c.kind}:${c.name}`);
    const i = names.indexOf('api:files.getUploadURLExternal');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(names.slice(i, i + 3)).toEqual([
      'api:files.getUploadURLExternal',
      expect.stringMatching(/^upload:F/),
      'api:files.completeUploadExternal',
    ]);
    const files = h.fake.files();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({
      filename: `sla-attainment-${week.label}-checkout.png`,
      title: `SLA attainment ${week.label} (checkout)`,
      channel: 'CREVOPS',
    });
    expect(files[0]!.initialComment).toContain(`Daily SLA attainment, ${week.label}`);
    expect([...files[0]!.bytes!.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });

  it('a chart that cannot be shared does not cost the report', async () => {
    h.fake.failNext('files.completeUploadExternal', { error: 'not_in_channel' });
    const res = await h.slash('/sla', `report ${week.label}`, { channelId: 'CPRIVATE' });
    const answer = await h.fake.waitFor((c) => c.kind === 'response' && c.name === res.responseId, 10_000);
    const json = JSON.stringify((answer.body as { blocks: unknown[] }).blocks);
    expect(json).toContain('Search latency');
    expect(json).toContain('invite the bot to this channel');
  });

  it.each([
    ['', undefined],
    ['help', undefined],
    ['bogus', 'Unknown subcommand `bogus`'],
    ['report 2026-W54', '2026 has weeks W01 to W53, not W54'],
    ['report checkout search', 'give one service at most'],
  ])('`/sla %s` answers usage at once', async (text, problem) => {
    const res = await h.slash('/sla', text);
    const body = JSON.parse(res.body) as { text: string };
    expect(body.text).toContain('/sla report [service] [week]');
    if (problem) expect(body.text).toContain(problem);
  });

  it('a week not started yet is refused on the response_url', async () => {
    const res = await h.slash('/sla', 'report 2999-W01');
    const answer = await h.fake.waitFor((c) => c.kind === 'response' && c.name === res.responseId, 10_000);
    expect(JSON.stringify(answer.body)).toContain('2999-W01 has not started yet');
  });
});

describe('the Monday post', () => {
  it('fired twice (a restart, another replica), posted once with its chart, a failed upload retried', async () => {
    const key = `sla-report:${week.label}:CALERTS`;
    // The chart's first upload fails (Slack 503): the job is retried, the message is not posted again.
    h.fake.failNext('files.completeUploadExternal', { status: 503 });
    expect(await h.running.fire('sla-report')).toBe('ran');
    // Within 30 minutes of Monday 00:00 UTC the job waits for Gold's nightly run; the test does not.
    await h.services.db.query('UPDATE jobs SET run_after = now() WHERE key = $1', [key]);
    await h.settle();
    await sleep(2_300); // the retry's backoff (2 s); also puts the second fire in another slot
    await h.settle();
    // A second fire: the scheduler runs it, the outbox key refuses a second job.
    expect(await h.running.fire('sla-report')).toBe('ran');
    await h.settle();
    expect(
      h.fake.calls.filter((c) => c.name === 'files.completeUploadExternal').length,
    ).toBeGreaterThanOrEqual(2);

    const posts = h.fake
      .messages('CALERTS')
      .filter((m) => (m.metadata as { event_payload?: { key?: string } } | null)?.event_payload?.key === key);
    expect(posts).toHaveLength(1);
    expect(headerOf(posts[0]!.blocks)).toBe(`SLA report ${week.label}`);
    expect(limitViolations({ text: posts[0]!.text, blocks: posts[0]!.blocks as KnownBlock[] })).toEqual([]);
    const charts = h.fake.files().filter((f) => f.channel === 'CALERTS');
    expect(charts).toHaveLength(1);
    expect(charts[0]!.filename).toBe(`sla-attainment-${week.label}.png`);
    const jobs = await h.services.db.query<{ state: string }>('SELECT state FROM jobs WHERE key = $1', [key]);
    expect(jobs).toEqual([{ state: 'done' }]);
  });
});

describe('/sla report for the week in progress, while its SLA burns', () => {
  const now = Date.now();
  const minute = Math.floor(now / 60_000) * 60_000;
  const thisWeek = isoWeekContaining(now);

  it('reads today from Silver, and quotes the burn and attainment the War Room and App Home quote', async () => {
    // 60 checkout requests this minute, 6 failing: Silver minutes only, nothing of this week in Gold.
    const { token } = await h.services.repos.tokens.create('checkout-service');
    const events = Array.from({ length: 60 }, (_, k) => ({
      service: 'checkout',
      name: CHECKOUT.metric,
      time: minute + k * 10,
      duration_ms: 40,
      ok: k % 10 !== 0,
    }));
    const ingest = await fetch(`${h.baseUrl}/api/telemetry/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(events),
    });
    expect(ingest.status).toBe(200);
    // The per-minute evaluation pages: 10% bad against a 0.1% budget is a burn of 100×. (The on-call
    // group is known, so the incident channel gets its invites and War Room.)
    h.fake.setUsergroup('SONCALL', ['UON1']);
    expect(await h.running.fire('sla-burn', minute)).toBe('ran');
    await h.settle();
    const channel = incidentChannels(h.fake).find((c) => c.name.endsWith('sla-burn-checkout-availability'))!;
    const room = h.fake.messages(channel.id).find((m) => m.ts === h.fake.pins(channel.id)[0])!;
    const quoted = /burn ([\d,.]+×) \(1h\/5m\) · ([\d.]+%) good in the last 1h/.exec(room.text);
    expect(quoted?.slice(1)).toEqual(['100.0×', '90.00%']);
    const [, burn, share] = quoted!;

    const res = await h.slash('/sla', `report checkout ${thisWeek.label}`, { channelId: 'CREVOPS' });
    const answer = await h.fake.waitFor((c) => c.kind === 'response' && c.name === res.responseId, 10_000);
    const body = answer.body as { text: string; blocks: KnownBlock[] };
    const json = JSON.stringify(body.blocks);
    expect(headerOf(body.blocks)).toBe(`SLA report ${thisWeek.label} · checkout`);
    expect(json).not.toContain('No events this week');
    expect(json).toContain(`*${share}* against 99.9%: *breached*`);
    expect(json).toContain(`week burn ${burn}`);
    expect(json).toContain('incidents 1 (1 open)');
    expect(json).toContain('live, not yet in Gold');
    expect(limitViolations({ text: body.text, blocks: body.blocks })).toEqual([]);

    // App Home lists the open SLA incident with the same figures.
    await h.event({
      type: 'app_home_opened',
      user: 'UHOME',
      channel: 'D0HOME',
      tab: 'home',
      event_ts: '1.2',
    });
    await eventually(() => h.fake.views('UHOME') !== undefined, 5_000, 'views.publish');
    const home = JSON.stringify(h.fake.views('UHOME'));
    expect(home).toContain(`burn ${burn} (1h/5m) · ${share} good in the last 1h`);
  });
});
