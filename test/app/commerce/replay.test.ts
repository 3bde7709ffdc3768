import { describe, expect, it } from 'vitest';
import { ledgerStore } from '../../../src/adapters/db/ledger-repository.ts';
import { webhookStore } from '../../../src/adapters/db/webhook-repository.ts';
import {
  type IntakeDeps,
  parsePending,
  receiveDelivery,
  replayDelivery,
} from '../../../src/app/commerce/intake.ts';
import type { DeliveryParser } from '../../../src/domain/commerce/ledger.ts';
import { parserFor } from '../../../src/domain/commerce/parsers.ts';
import { hashPii } from '../../../src/shared/pii.ts';
import { backends, testCtx } from '../../support/db.ts';
import { useIncidentWorld } from '../incidents/setup.ts';

/**
 * A delivery the mapping could not read is kept with its raw body and its reason; once the mapping is
 * fixed, `replay` books it, exactly once, however often it is replayed or redelivered.
 */
const ORDER =
  '{"id": 77, "email": "Kim@Example.org", "total_price": "1.234,50", "currency": "EUR", "financial_status": "paid"}';

const KEY = 'replay-test-key-0123456789abcdef0123';

/** A mapping that cannot read "1.234,50" (a European decimal), and its fix that can. */
const broken: (source: string) => DeliveryParser = parserFor;
const fixed: (source: string) => DeliveryParser = (source) => (topic, body, at) =>
  parserFor(source)(
    topic,
    {
      ...(body as object),
      total_price: String((body as { total_price: string }).total_price)
        .replace('.', '')
        .replace(',', '.'),
    },
    at,
  );

describe.each(backends)('webhook replay on $name', (backend) => {
  const ref = useIncidentWorld(backend);

  it('keeps the raw body and reason of a failed delivery, and replays it cleanly once the mapping is fixed', async () => {
    const { w } = ref;
    const deps: IntakeDeps = {
      deliveries: webhookStore(w.db),
      clock: w.clock,
      hashEmail: (e) => hashPii(KEY, e),
      parserFor: broken,
    };
    const d = {
      source: 'shopify',
      topic: 'orders/paid',
      deliveryId: 'wh-77',
      contentType: 'application/json',
      body: ORDER,
    };
    const { id } = await receiveDelivery(deps, testCtx(), d);
    expect(await parsePending(deps, testCtx())).toEqual({ parsed: 0, ignored: 0, failed: 1 });
    const failed = (await deps.deliveries.get(id))!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/total_price "1\.234,50"/);
    expect(failed.body).not.toContain('Kim@Example.org');

    // The same mapping again: still failed, nothing booked.
    expect((await replayDelivery(deps, testCtx(), id)).outcome).toBe('failed');
    const ledger = ledgerStore(w.db);
    expect(await ledger.entries(0, Date.now() * 2)).toEqual([]);

    const fixedDeps = { ...deps, parserFor: fixed };
    expect((await replayDelivery(fixedDeps, testCtx(), id)).outcome).toBe('parsed');
    // A parsed delivery is not replayable, and the sender's retry of it is a duplicate: one sale, once.
    expect((await replayDelivery(fixedDeps, testCtx(), id)).outcome).toBe('not_replayable');
    expect((await receiveDelivery(fixedDeps, testCtx(), d)).duplicate).toBe(true);
    await parsePending(fixedDeps, testCtx());
    const entries = await ledger.entries(0, Date.now() * 2);
    expect(entries).toMatchObject([
      { kind: 'sale', externalId: '77', amountCents: 123_450, currency: 'EUR', status: 'CLEARED' },
    ]);
    const [row] = await w.db.query<{ customer_hash: string }>('SELECT customer_hash FROM ledger_entries');
    expect(row!.customer_hash).toBe(hashPii(KEY, 'kim@example.org'));
  });
});
