import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revopsWrites } from '../../src/adapters/db/revops-writes.ts';
import { REVOPS_ACTIONS } from '../../src/adapters/slack/blocks/ids.ts';
import { limitViolations } from '../../src/adapters/slack/blocks/limits.ts';
import type { KnownBlock } from '../../src/adapters/slack/blocks/types.ts';
import { lastCompleteDigestWeek } from '../../src/app/revops/view-period.ts';
import { seedRevops } from '../support/revops-report.ts';
import { type Harness, startHarness } from './harness.ts';
import { buttonClick, eventually } from './incident-helpers.ts';

/**
 * RevOps end to end: `/revops` on the real app (signed requests, acknowledged within 3 s, answered on the
 * response_url, the chart uploaded through the fake Slack's external upload), an insight's button, the
 * App Home's "This week", and the Monday digest fired twice and posted once with its three charts. The
 * data is the small set of test/support/revops-report.ts around the week just ended (UTC).
 */
const week = lastCompleteDigestWeek(Date.now(), 'UTC');
const headerOf = (blocks: unknown[]) =>
  ((blocks as KnownBlock[]).find((b) => b.type === 'header') as { text: { text: string } } | undefined)?.text
    .text;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { DIGEST_CHANNEL: 'CREVOPS' } });
  h.fake.seedChannel({ id: 'CREVOPS', name: 'revops' });
  await seedRevops(revopsWrites(h.services.db), week.fromMs);
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

const answerTo = async (responseId: string) =>
  (await h.fake.waitFor((c) => c.kind === 'response' && c.name === responseId, 10_000)).body as {
    response_type: string;
    text: string;
    blocks: KnownBlock[];
  };

describe('/revops', () => {
  it('acknowledges at once, answers the pipeline view, and shares its chart in the channel', async () => {
    const res = await h.slash('/revops', 'pipeline last week', { channelId: 'CREVOPS' });
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeLessThan(3_000);
    expect(JSON.parse(res.body)).toMatchObject({
      response_type: 'ephemeral',
      text: ':bar_chart: Building the pipeline view…',
    });
    const body = await answerTo(res.responseId);
    expect(body.response_type).toBe('ephemeral');
    expect(headerOf(body.blocks)).toBe(':bar_chart: Pipeline');
    const json = JSON.stringify(body.blocks);
    expect(json).toContain(`last week ${week.label} (${week.span})`);
    expect(json).toContain('*Open pipeline*\\n*$185,000*');
    expect(json).toContain('Stuck deals: 1 worth $120,000');
    expect(json).toContain('The chart is shared in this channel.');
    expect(limitViolations(body)).toEqual([]);

    const files = h.fake.files().filter((f) => f.channel === 'CREVOPS');
    expect(files.map((f) => f.filename)).toContain(
      `revops-pipeline-${week.monday}-${new Date(week.toMs - 86_400_000).toISOString().slice(0, 10)}.png`,
    );
    expect([...files.at(-1)!.bytes!.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('a mistake is answered in the acknowledgement with usage', async () => {
    const res = await h.slash('/revops', 'pipeline segment XL');
    const ack = JSON.parse(res.body) as { text: string };
    expect(ack.text).toContain('`XL` is not a segment: use SMB, MM, ENT.');
    expect(ack.text).toContain('/revops pipeline [period] [filters]');
  });

  it("an insight's button opens its view for the clicker, over the same period, without a chart", async () => {
    const res = await h.slash('/revops', 'insights last week', { channelId: 'CREVOPS' });
    const body = await answerTo(res.responseId);
    const withButton = body.blocks.filter((b) => b.type === 'section' && 'accessory' in b) as {
      accessory: { action_id: string; value: string; text: { text: string } };
    }[];
    const stuck = withButton.find((b) => b.accessory.text.text === 'Show pipeline');
    expect(stuck, JSON.stringify(body.blocks)).toBeDefined();
    const uploads = h.fake.files().length;
    const c = buttonClick(h.fake, {
      actionId: stuck!.accessory.action_id,
      value: stuck!.accessory.value,
      userId: 'U0002',
      channel: 'CREVOPS',
      messageTs: '1700000000.000100',
    });
    expect(stuck!.accessory.action_id.startsWith(REVOPS_ACTIONS.show)).toBe(true);
    expect((await h.action(c.payload)).status).toBe(200);
    const view = await answerTo(c.responseId);
    expect(view).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(view.blocks)).toContain('*Open pipeline*\\n*$185,000*');
    expect(h.fake.files().length).toBe(uploads);
  });

  it('the App Home shows "This week" once RevOps data exists', async () => {
    await h.event({ type: 'app_home_opened', user: 'UREV', channel: 'D0HOME', tab: 'home', event_ts: '1.2' });
    await eventually(() => h.fake.views('UREV') !== undefined, 5_000, 'views.publish');
    const home = JSON.stringify(h.fake.views('UREV'));
    expect(home).toContain('*:calendar: This week*');
    expect(home).toContain('*Open pipeline* $185,000');
  });
});

describe('the Monday digest', () => {
  it('fired twice (a restart, another replica), posted once with its three charts', async () => {
    const key = `revops-digest:${week.label}:CREVOPS`;
    expect(await h.running.fire('revops-digest')).toBe('ran');
    await h.settle();
    expect(await h.running.fire('revops-digest', Date.now() + 1_000)).toBe('ran');
    await h.settle();

    const posts = h.fake
      .messages('CREVOPS')
      .filter((m) => (m.metadata as { event_payload?: { key?: string } } | null)?.event_payload?.key === key);
    expect(posts).toHaveLength(1);
    expect(headerOf(posts[0]!.blocks)).toBe(`:calendar: RevOps weekly digest · ${week.label}`);
    expect(JSON.stringify(posts[0]!.blocks)).toContain('*Open pipeline* $185,000');
    expect(limitViolations({ text: posts[0]!.text, blocks: posts[0]!.blocks as KnownBlock[] })).toEqual([]);
    const charts = h.fake
      .files()
      .filter((f) => f.channel === 'CREVOPS' && f.title?.includes(`, week ${week.label}`))
      .map((f) => f.filename.split('-')[1]);
    expect(charts).toEqual(['pipeline', 'mrr', 'channels']);
    const jobs = await h.services.db.query<{ state: string }>('SELECT state FROM jobs WHERE key = $1', [key]);
    expect(jobs).toEqual([{ state: 'done' }]);
  });
});
