import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availabilityFrom } from '../domain/sla/openslo-fixtures.ts';
import { type Harness, startHarness } from './harness.ts';
import { incidentChannels } from './incident-helpers.ts';

/**
 * Burn-rate alerting in the running app (issue 5): telemetry over HTTP, the `sla-burn` job, and what Slack
 * (the local fake) shows afterwards: the SLA's own incident channel with its War Room and page. Then the
 * janitor's tag-cardinality alert in the admins' channel, once.
 */
describe('an SLA burning in the running app', () => {
  let h: Harness;
  let token: string;
  const MIN = 60_000;
  const now = Date.now();
  const minute = Math.floor(now / MIN) * MIN;

  beforeAll(async () => {
    h = await startHarness({ env: { TAG_CARDINALITY_LIMIT: '3' }, usergroups: { SONCALL: ['UON1'] } });
    ({ token } = await h.services.repos.tokens.create('checkout-service'));
    await h.services.repos.slas.apply([{ open: { ...availabilityFrom(now - 2 * 60 * MIN), metric: 'pay' } }]);
  });
  afterAll(async () => h?.stop());

  const send = async (events: unknown[]) => {
    const res = await fetch(`${h.baseUrl}/api/telemetry/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(events),
    });
    expect(res.status).toBe(200);
  };

  it('pages through its own incident channel after an outage, once', async () => {
    // An hour of healthy checkouts, 20 a minute, then the last two minutes all failing.
    const events = [];
    for (let m = 59; m >= 0; m--)
      for (let k = 0; k < 20; k++) {
        const failing = m < 2;
        events.push({
          service: 'checkout',
          name: 'pay',
          time: minute - m * MIN + k * 100,
          duration_ms: 40,
          ok: !failing,
          ...(failing
            ? { level: 'ERROR', message: `card processor timeout ${k}`, trace_id: `t${m}-${k}` }
            : {}),
          attributes: { route: `/pay/${k % 2}` },
        });
      }
    await send(events);
    expect(await h.running.fire('sla-burn', minute)).toBe('ran');
    await h.settle();

    const ours = incidentChannels(h.fake);
    expect(ours.map((c) => c.name)).toEqual([
      expect.stringMatching(/^inc-\d{8}-\d+-sla-burn-checkout-availability$/),
    ]);
    const channel = ours[0]!.id;
    expect(ours[0]!.topic).toMatch(/^SEV-[12] · SLA burn 1h\/5m · PAGE$/);
    // The War Room is the pinned message (an SLA's has no Rescan button).
    const pinned = h.fake.pins(channel);
    expect(pinned).toHaveLength(1);
    const room = h.fake.messages(channel).find((m) => m.ts === pinned[0])!;
    expect(room.text).toContain('SLA burn: Checkout availability');
    expect(JSON.stringify(room.blocks)).toContain('card processor timeout');
    expect(h.fake.messages(channel).filter((m) => m.text.includes('<!subteam^SONCALL>'))).toHaveLength(1);
    const cited = await h.services.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM bronze_events WHERE incident_id IS NOT NULL',
    );
    expect(cited[0]!.n).toBe(5);

    // The next minute still burns: the same incident is updated, nothing new is created or paged.
    expect(await h.running.fire('sla-burn', minute + MIN)).toBe('ran');
    await h.settle();
    expect(incidentChannels(h.fake)).toHaveLength(1);
    expect(h.fake.messages(channel).filter((m) => m.text.includes('<!subteam^SONCALL>'))).toHaveLength(1);
  });

  it('the janitor tells the admins once when a metric exceeds the tag combination limit', async () => {
    await send(
      Array.from({ length: 6 }, (_, k) => ({
        service: 'search',
        name: 'query',
        time: now,
        duration_ms: 5,
        ok: true,
        attributes: { user: `u${k}` },
      })),
    );
    await h.running.fire('sla-burn', minute + 2 * MIN);
    expect(await h.running.fire('telemetry-janitor', minute + 3 * MIN)).toBe('ran');
    expect(await h.running.fire('telemetry-janitor', minute + 4 * MIN)).toBe('ran');
    await h.settle();
    const alerts = h.fake.messages('CALERTS').filter((m) => m.text.includes('Tag cardinality'));
    expect(alerts).toHaveLength(1);
    expect(JSON.stringify(alerts[0]!.blocks)).toContain('query');
  });
});
