import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerWrite } from '../../src/app/commerce/ports.ts';
import { isoWeekContaining } from '../../src/domain/sla/report.ts';
import { type Harness, startHarness } from './harness.ts';
import { incidentChannels, leak } from './incident-helpers.ts';

/**
 * The commerce revenue watch in the running app (issue 12): Shopify deliveries signed as Shopify signs them
 * over HTTP, the `revenue-watch` job, and what Slack (the local fake) shows: a REVENUE_DIP incident channel
 * with its War Room and one page, `/leak revenue`, and the resolve once orders catch up.
 */
const SECRET = 'shpss_e2e_revenue_watch';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A fixed-offset zone in which it is about noon now, so the day is far from the 2-hour guard. */
function noonZone(nowMs: number): string {
  const offset = 12 - new Date(nowMs).getUTCHours();
  return offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

// Placed an hour ago: today so far counts whole quarter hours only (dip.ts), so the current one is not in it.
const order = (id: number, email: string) =>
  `{"id": ${id}, "admin_graphql_api_id": "gid://shopify/Order/${id}", "email": "${email}", "processed_at": "${new Date(Date.now() - 3_600_000).toISOString()}", "total_price": "49.90", "currency": "USD", "financial_status": "paid", "line_items": [{"quantity": 1}]}`;

describe('a revenue dip in the running app', () => {
  let h: Harness;
  const now = Date.now();
  const zone = noonZone(now);
  const offsetHours = 12 - new Date(now).getUTCHours();
  // Local midnight of today in that zone.
  const dayStart = Math.floor((now + offsetHours * HOUR) / DAY) * DAY - offsetHours * HOUR;
  let nextId = 5_000_000;

  beforeAll(async () => {
    h = await startHarness({
      env: { SHOPIFY_WEBHOOK_SECRET: SECRET, REVENUE_TIMEZONE: zone },
      usergroups: { SONCALL: ['UON1'] },
    });
    // Four weeks of $100 an hour before today, as a store-export backfill would write them.
    const history: LedgerWrite[] = [];
    for (let t = dayStart - 29 * DAY; t < dayStart; t += HOUR)
      history.push({
        kind: 'sale',
        externalId: `hist-${t}`,
        status: 'CLEARED',
        amountCents: 10_000,
        currency: 'USD',
        atMs: t,
        knownAtMs: t,
        customerHash: null,
        stream: '',
        items: 1,
      });
    await h.services.repos.ledger.writeEntries('shopify', history);
  });
  afterAll(async () => h?.stop());

  const deliver = async (n: number) => {
    for (let k = 0; k < n; k++) {
      const id = nextId++;
      const body = order(id, `buyer${id}@example.com`);
      const res = await fetch(`${h.baseUrl}/webhooks/shopify`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/create',
          'x-shopify-webhook-id': `wh-${id}`,
          'x-shopify-hmac-sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
        },
        body,
      });
      expect(res.status).toBe(202);
    }
  };

  it('pages a dip once through its own channel, shows it in /leak revenue, and resolves on recovery', async () => {
    await deliver(2);
    expect(await h.running.fire('revenue-watch')).toBe('ran');
    await h.settle();
    const rooms = incidentChannels(h.fake).filter((c) => c.name.includes('revenue-dip-shopify-usd'));
    expect(rooms).toHaveLength(1);
    const channel = rooms[0]!.id;
    const pages = () => h.fake.messages(channel).filter((m) => JSON.stringify(m).includes('SONCALL'));
    expect(pages()).toHaveLength(1);
    const room = JSON.stringify(h.fake.messages(channel));
    expect(room).toContain('weekday baseline');
    expect(room).toContain('$99.80');
    // No email ever reaches Slack or the raw store.
    expect(room).not.toContain('@example.com');
    const raw = await h.services.db.query<{ body: string }>('SELECT body FROM webhook_deliveries');
    expect(raw.every((r) => !r.body.includes('@example.com'))).toBe(true);

    // A second evaluation of the same dip: no second channel, no second page.
    expect(await h.running.fire('revenue-watch', Date.now() + 1_000)).toBe('ran');
    await h.settle();
    expect(incidentChannels(h.fake).filter((c) => c.name.includes('revenue-dip'))).toHaveLength(1);
    expect(pages()).toHaveLength(1);

    const answer = await leak(h, 'revenue');
    expect(JSON.stringify(answer)).toContain('$99.80');

    // The weekly report of this week carries the store's week and the dip.
    const res = await h.slash('/sla', `report ${isoWeekContaining(Date.now()).label}`);
    const report = await h.fake.waitFor((c) => c.kind === 'response' && c.name === res.responseId, 10_000);
    const text = JSON.stringify(report.body);
    expect(text).toContain('Store revenue');
    expect(text).toContain('1 revenue dip paged');

    // Orders catch up: the next evaluation resolves the incident.
    await deliver(30);
    expect(await h.running.fire('revenue-watch', Date.now() + 2_000)).toBe('ran');
    await h.settle();
    const open = await h.services.repos.incidents.listOpen();
    expect(open.filter((i) => i.dedupeKey.startsWith('commerce:dip:'))).toEqual([]);
    // Nothing the app logged carries a buyer's address.
    expect(h.logs.join('\n')).not.toContain('@example.com');
  });
});
