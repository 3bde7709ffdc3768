import { describe, expect, it } from 'vitest';
import { ledgerStore } from '../../../src/adapters/db/ledger-repository.ts';
import { webhookStore } from '../../../src/adapters/db/webhook-repository.ts';
import { parsePending, receiveDelivery } from '../../../src/app/commerce/intake.ts';
import type { LedgerWrite } from '../../../src/app/commerce/ports.ts';
import { type WatchDeps, watchRevenue } from '../../../src/app/commerce/watch.ts';
import { commerceFigures } from '../../../src/domain/incidents/incident.ts';
import { DAY_MS, MINUTE_MS } from '../../../src/shared/time.ts';
import { backends, testCtx } from '../../support/db.ts';
import { drain, posted } from '../incidents/delivery-support.ts';
import { useIncidentWorld, type World } from '../incidents/setup.ts';

/**
 * The revenue watch as the third incident source, over a real database: a dip pages once through the shared
 * transitions (channel, page, timeline, audit) and resolves when revenue recovers; a quiet Sunday like past
 * Sundays pages nobody; a source gone silent warns, then pages, and resolves on its next event; a source
 * whose deliveries all fail to parse is silent with the parse error as evidence.
 */

const HOUR_MS = 60 * MINUTE_MS;
// Tuesday 2026-12-01 18:00 UTC; the revenue day is UTC.
const TUESDAY_18H = Date.parse('2026-12-01T18:00:00Z');
const SUNDAY_18H = Date.parse('2026-11-29T18:00:00Z');

const sale = (id: string, atMs: number, cents: number): LedgerWrite => ({
  kind: 'sale',
  externalId: id,
  status: 'CLEARED',
  amountCents: cents,
  currency: 'USD',
  atMs,
  customerHash: null,
  stream: '',
  items: 1,
  knownAtMs: atMs,
});

/** One sale per hour at `cents` for every hour of [fromMs, toMs); `centsOn(day)` may vary it by weekday. */
function hourly(
  source: string,
  fromMs: number,
  toMs: number,
  centsAt: (ms: number) => number,
): LedgerWrite[] {
  const out: LedgerWrite[] = [];
  for (let t = fromMs; t < toMs; t += HOUR_MS)
    out.push(sale(`${source}-${t}`, t + 5 * MINUTE_MS, centsAt(t)));
  return out;
}

function watchDeps(w: World): WatchDeps {
  return {
    ledger: ledgerStore(w.db),
    deliveries: webhookStore(w.db),
    incident: w.deps,
    settings: { timezone: 'UTC', dipThreshold: 0.2, dipMinCents: 1000 },
  };
}

const setNow = (w: World, ms: number) => w.clock.advance(ms - w.clock.now());

describe.each(backends)('revenue watch on $name', (backend) => {
  const ref = useIncidentWorld(backend);

  it('pages once on a dip under the weekday baseline, naming both numbers, and resolves on recovery', async () => {
    const { w } = ref;
    const ledger = ledgerStore(w.db);
    const dayStart = TUESDAY_18H - 18 * HOUR_MS;
    // Four weeks of $100 an hour, then today only two sales by 18:00.
    await ledger.writeEntries(
      'shopify',
      hourly('shopify', dayStart - 29 * DAY_MS, dayStart, () => 10_000),
    );
    await ledger.writeEntries('shopify', [
      sale('t1', dayStart + HOUR_MS, 10_000),
      sale('t2', dayStart + 2 * HOUR_MS, 10_000),
    ]);
    setNow(w, TUESDAY_18H);

    const first = await watchRevenue(watchDeps(w), testCtx());
    const dip = first.find((o) => o.signal === 'REVENUE_DIP')!;
    expect(dip).toMatchObject({ source: 'shopify', currency: 'USD', firing: true, incident: 'declared' });
    const incident = (await w.repos.incidents.get(dip.incidentId!))!;
    expect(incident).toMatchObject({ severity: 1, paging: 'PAGE', title: 'Revenue dip: shopify USD' });
    const f = commerceFigures(incident)!;
    expect(f.dip).toMatchObject({
      comparison: 'weekday_hour',
      todayCents: 20_000,
      weekdayBaselineCents: 180_000,
    });
    expect(f.series).toHaveLength(7);
    await drain(w);
    expect(posted(w, 'page')).toHaveLength(1);

    // The next evaluation finds the same dip: no second incident, no second page.
    w.clock.advance(5 * MINUTE_MS);
    expect(
      (await watchRevenue(watchDeps(w), testCtx())).find((o) => o.signal === 'REVENUE_DIP')!.incident,
    ).toBe('updated');
    await drain(w);
    expect(posted(w, 'page')).toHaveLength(1);

    // Orders catch up: the dip resolves, on the timeline and in the audit log.
    await ledger.writeEntries(
      'shopify',
      hourly('shopify', dayStart + 3 * HOUR_MS, dayStart + 18 * HOUR_MS, () => 10_000),
    );
    w.clock.advance(5 * MINUTE_MS);
    const after = await watchRevenue(watchDeps(w), testCtx());
    expect(after.find((o) => o.signal === 'REVENUE_DIP')!.incident).toBe('resolved');
    const kinds = (await w.repos.incidents.timeline(incident.id, 50)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['DETECTED', 'RESOLVED']));
  });

  it('does not page on a quiet Sunday that is like past Sundays, though it is far below Saturday', async () => {
    const { w } = ref;
    const ledger = ledgerStore(w.db);
    const dayStart = SUNDAY_18H - 18 * HOUR_MS;
    const weekday = (ms: number) => new Date(ms).getUTCDay();
    await ledger.writeEntries(
      'shopify',
      hourly('shopify', dayStart - 29 * DAY_MS, dayStart + 18 * HOUR_MS, (t) =>
        weekday(t) === 0 ? 2_000 : 20_000,
      ),
    );
    setNow(w, SUNDAY_18H);
    const out = await watchRevenue(watchDeps(w), testCtx());
    expect(out.find((o) => o.signal === 'REVENUE_DIP')).toMatchObject({ firing: false, incident: 'none' });
    expect(await w.repos.incidents.listOpen()).toEqual([]);
  });

  it('warns on a silent source past its usual gap, pages past twice it, resolves on its next event', async () => {
    const { w } = ref;
    const ledger = ledgerStore(w.db);
    const lastMs = TUESDAY_18H - 30 * HOUR_MS;
    await ledger.writeEntries(
      'pos',
      hourly('pos', lastMs - 10 * DAY_MS, lastMs, () => 500),
    );
    // The till sends webhooks (its last one 30 h ago); a source only ever backfilled is not watched.
    setNow(w, lastMs);
    const intake = { deliveries: webhookStore(w.db), clock: w.clock, hashEmail: (e: string) => e };
    const body = JSON.stringify({ id: 'last', amount: '5.00', currency: 'USD', status: 'paid' });
    await receiveDelivery(intake, testCtx(), {
      source: 'pos',
      topic: '',
      deliveryId: 'd-last',
      contentType: null,
      body,
    });
    await parsePending(intake, testCtx());
    await ledger.writeEntries(
      'export',
      hourly('export', lastMs - 60 * DAY_MS, lastMs - 50 * DAY_MS, () => 500),
    );
    setNow(w, TUESDAY_18H);
    const first = await watchRevenue(watchDeps(w), testCtx());
    expect(first.filter((o) => o.signal === 'NO_SIGNAL').map((o) => o.source)).toEqual(['pos']);
    const warn = first.find((o) => o.signal === 'NO_SIGNAL')!;
    expect(warn).toMatchObject({ source: 'pos', firing: true, incident: 'declared' });
    expect(await w.repos.incidents.get(warn.incidentId!)).toMatchObject({ severity: 3, paging: 'WARN' });

    setNow(w, lastMs + 49 * HOUR_MS);
    const page = (await watchRevenue(watchDeps(w), testCtx())).find((o) => o.signal === 'NO_SIGNAL')!;
    expect(page.incident).toBe('updated');
    expect(await w.repos.incidents.get(warn.incidentId!)).toMatchObject({ severity: 2, paging: 'PAGE' });

    await ledger.writeEntries('pos', [sale('back', w.clock.now() - MINUTE_MS, 500)]);
    const back = (await watchRevenue(watchDeps(w), testCtx())).find((o) => o.signal === 'NO_SIGNAL')!;
    expect(back.incident).toBe('resolved');
  });

  it('counts a source whose deliveries all fail to parse as silent, with the parse error as evidence', async () => {
    const { w } = ref;
    setNow(w, TUESDAY_18H);
    const intake = {
      deliveries: webhookStore(w.db),
      clock: w.clock,
      hashEmail: (e: string) => e.length.toString(16),
    };
    await receiveDelivery(intake, testCtx(), {
      source: 'shopier',
      topic: '',
      deliveryId: 'd1',
      contentType: 'application/json',
      body: '{"payment_id": "p1", "status": "success"}',
    });
    expect((await parsePending(intake, testCtx())).failed).toBe(1);
    const out = (await watchRevenue(watchDeps(w), testCtx())).find((o) => o.source === 'shopier')!;
    expect(out).toMatchObject({ signal: 'NO_SIGNAL', firing: true, incident: 'declared' });
    const f = commerceFigures((await w.repos.incidents.get(out.incidentId!))!)!;
    expect(f.noSignal?.parseError).toMatch(/price/);
    expect(f.lastDeliveries[0]).toMatchObject({ status: 'failed' });
  });
});
