import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitViolations } from '../../src/adapters/slack/blocks/limits.ts';
import type { KnownBlock } from '../../src/adapters/slack/blocks/types.ts';
import { REVOPS_STUCK_DEDUPE_KEY } from '../../src/domain/revops/leak.ts';
import { type Harness, startHarness } from './harness.ts';
import { incidentChannels } from './incident-helpers.ts';

/**
 * The pipeline watch in the running app (issue 14): deals stuck over REVOPS_LEAK_BUDGET_USD, the
 * `revops-watch` job, and what Slack (the local fake) shows: the stuck-deals incident's own channel with a
 * War Room that says what it is, within Slack's limits, and one page however often the job fires; and
 * `/revops insights` naming the incident the stuck-deals insight feeds.
 */
const DAY = 86_400_000;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    env: { REVOPS_LEAK_BUDGET_USD: '500000' },
    usergroups: { SONCALL: ['UON1'] },
  });
  const at = (days: number) => new Date(Date.now() - days * DAY).toISOString();
  await h.services.db.query(
    `INSERT INTO revops_deals (deal_id, account, segment, owner, stage, amount_cents, created_at,
       last_stage_change, probability) VALUES
     ('W1', 'Acme <!channel>', 'ENT', 'Dana', 'Negotiation', 40000000, $1, $2, 0.6),
     ('W2', 'Globex', 'MM', 'Luis', 'Demo', 30000000, $1, $3, 0.3)`,
    [at(200), at(90), at(60)],
  );
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

describe('stuck deals over the leak budget', () => {
  it('open their own room once, with a War Room that says what it is, and the insight names it', async () => {
    expect(await h.running.fire('revops-watch')).toBe('ran');
    await h.settle();
    const rooms = incidentChannels(h.fake).filter((c) =>
      c.name.endsWith('-stuck-deals-over-the-leak-budget'),
    );
    expect(rooms).toHaveLength(1);
    const channel = rooms[0]!.id;
    const room = h.fake.messages(channel).find((m) => m.text.includes('Stuck deals over the leak budget ·'));
    expect(room, JSON.stringify(h.fake.messages(channel))).toBeDefined();
    expect(room!.text).toBe(
      'SEV-2 · Stuck deals over the leak budget · DETECTED: 2 deals worth $700,000 stuck over 45 days ' +
        '(budget $500,000), 1.4× the budget',
    );
    expect(limitViolations({ text: room!.text, blocks: room!.blocks as KnownBlock[] })).toEqual([]);
    const blocks = JSON.stringify(room!.blocks);
    expect(blocks).toContain('Acme &lt;!channel&gt;');
    expect(blocks).not.toContain('<!channel>');
    const pages = () => h.fake.messages(channel).filter((m) => JSON.stringify(m).includes('SONCALL'));
    expect(pages()).toHaveLength(1);

    // Fired again (a restart, another replica, the next day): the same incident, no second page.
    expect(await h.running.fire('revops-watch', Date.now() + 1_000)).toBe('ran');
    await h.settle();
    expect(incidentChannels(h.fake).filter((c) => c.name.includes('stuck-deals'))).toHaveLength(1);
    expect(pages()).toHaveLength(1);
    const open = await h.services.repos.incidents.listOpen();
    const incident = open.find((i) => i.dedupeKey === REVOPS_STUCK_DEDUPE_KEY)!;

    const res = await h.slash('/revops', 'insights 30d');
    const answer = await h.fake.waitFor((c) => c.kind === 'response' && c.name === res.responseId, 10_000);
    const body = answer.body as { text: string; blocks: KnownBlock[] };
    expect(limitViolations(body)).toEqual([]);
    expect(JSON.stringify(body.blocks)).toContain(
      `Crosses the leak budget ($700,000 at risk) → feeds open incident #${incident.id} (SEV-2, DETECTED) in <#${channel}>`,
    );
  });
});
