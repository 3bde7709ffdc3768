import { describe, expect, it } from 'vitest';
import type { ParseResult } from '../../../src/domain/commerce/ledger.ts';
import { parseStripe } from '../../../src/domain/commerce/stripe.ts';
import {
  RECEIVED_MS,
  stripeCharge,
  stripeDispute,
  stripeEvent,
  stripePayout,
  stripeRefund,
  stripeRefundedCharge,
  T_ORDER_MS,
  T_ORDER_S,
} from './payloads.ts';

const parse = (body: unknown, topic = ''): ParseResult => parseStripe(topic, body, RECEIVED_MS);
const changes = (r: ParseResult) => (r.ok ? r.changes : r.reason);
const DAY_MS = 86_400_000;
const EVENT_MS = (T_ORDER_S + 5) * 1000;

describe('parseStripe: charges', () => {
  it('maps charge.succeeded to a CLEARED sale in the charge currency, uppercased', () => {
    expect(parse(stripeEvent('charge.succeeded', stripeCharge()))).toEqual({
      ok: true,
      changes: [
        {
          kind: 'sale',
          externalId: 'ch_3QJbKcLkdIwHu7ix1Mq2Rs3T',
          status: 'CLEARED',
          amountCents: 5999,
          currency: 'USD',
          atMs: T_ORDER_MS,
          customer: 'jenny.rosen@example.com',
          stream: 'books',
          items: 1,
        },
      ],
    });
  });

  it('takes the topic from the route, else from the body type', () => {
    const body = stripeEvent('charge.succeeded', stripeCharge());
    expect(changes(parse(body, 'charge.succeeded'))).toHaveLength(1);
    expect(parse({ ...body, type: undefined }, '')).toEqual({
      ok: true,
      changes: [],
      note: 'topic (none) is not tracked',
    });
  });

  it('falls back to receipt_email and to no stream', () => {
    const charge = stripeCharge({ billing_details: { email: null }, receipt_email: 'pii:9f', metadata: {} });
    expect(changes(parse(stripeEvent('charge.succeeded', charge)))).toMatchObject([
      { customer: 'pii:9f', stream: '' },
    ]);
    const bare = stripeCharge({ billing_details: undefined, receipt_email: null, metadata: undefined });
    expect(changes(parse(stripeEvent('charge.succeeded', bare)))).toMatchObject([
      { customer: null, stream: '' },
    ]);
  });

  it('keeps an authorised but uncaptured charge PENDING, and clears it on charge.captured at capture time', () => {
    const auth = stripeCharge({ captured: false, amount_captured: 0 });
    expect(changes(parse(stripeEvent('charge.succeeded', auth)))).toMatchObject([
      { status: 'PENDING', amountCents: 5999, atMs: T_ORDER_MS },
    ]);
    const captured = stripeCharge({ captured: true, amount_captured: 4000 });
    const event = stripeEvent('charge.captured', captured, { created: T_ORDER_S + 3600 });
    expect(changes(parse(event))).toMatchObject([
      {
        externalId: 'ch_3QJbKcLkdIwHu7ix1Mq2Rs3T',
        status: 'CLEARED',
        amountCents: 4000,
        atMs: T_ORDER_MS + 3_600_000,
      },
    ]);
  });

  it('converts Stripe minor units to ISO ones: JPY and KWD as is, ISK and MGA where Stripe differs', () => {
    const cents = (amount: number, currency: string) => {
      const charge = stripeCharge({ amount, amount_captured: amount, currency });
      const r = parse(stripeEvent('charge.succeeded', charge));
      return r.ok ? [r.changes[0]?.amountCents, r.changes[0]?.currency] : r.reason;
    };
    expect(cents(1500, 'jpy')).toEqual([1500, 'JPY']);
    expect(cents(12_340, 'kwd')).toEqual([12_340, 'KWD']);
    expect(cents(150_000, 'isk')).toEqual([1500, 'ISK']);
    expect(cents(150_050, 'isk')).toBe(
      'amount_captured 150050 is not a whole amount of ISK (Stripe sends it in 1/100)',
    );
    expect(cents(1000, 'mga')).toEqual([100_000, 'MGA']);
  });

  it.each([
    [{ id: undefined }, 'id is missing'],
    [{ amount: 59.99, amount_captured: 0 }, 'amount 59.99 is not a whole non-negative amount in minor units'],
    [
      { amount: '5999', amount_captured: null },
      'amount "5999" is not a whole non-negative amount in minor units',
    ],
    [{ currency: 'usdollar' }, 'currency "usdollar" is not a currency code'],
    [{ created: '2024-11-10' }, 'created "2024-11-10" is not a time in unix seconds'],
  ])('fails a charge with %j: %s', (overrides, why) => {
    expect(parse(stripeEvent('charge.succeeded', stripeCharge(overrides)))).toEqual({
      ok: false,
      reason: why,
    });
  });

  it('fails an event without data.object, or a body that is not an object', () => {
    expect(parse({ ...stripeEvent('charge.succeeded', {}), data: {} })).toEqual({
      ok: false,
      reason: 'data.object is missing',
    });
    expect(parse('charge.succeeded', 'charge.succeeded')).toEqual({
      ok: false,
      reason: 'the charge.succeeded body is not a JSON object',
    });
  });
});

describe('parseStripe: charge.refunded', () => {
  it('states one refund per succeeded or pending refund listed, each with its own id and time', () => {
    const refunds = [
      stripeRefund(),
      stripeRefund({ id: 're_2', amount: 500, status: 'pending', created: T_ORDER_S + 2 * 86_400 }),
      stripeRefund({ id: 're_3', amount: 700, status: 'failed' }),
      stripeRefund({ id: 're_4', amount: 800, status: 'canceled' }),
    ];
    expect(parse(stripeEvent('charge.refunded', stripeRefundedCharge(refunds)))).toEqual({
      ok: true,
      changes: [
        {
          kind: 'refund',
          externalId: 're_3QJbKcLkdIwHu7ix1Ab2Cd3E',
          saleExternalId: 'ch_3QJbKcLkdIwHu7ix1Mq2Rs3T',
          amountCents: 1000,
          currency: 'USD',
          atMs: T_ORDER_MS + DAY_MS,
        },
        {
          kind: 'refund',
          externalId: 're_2',
          saleExternalId: 'ch_3QJbKcLkdIwHu7ix1Mq2Rs3T',
          amountCents: 500,
          currency: 'USD',
          atMs: T_ORDER_MS + 2 * DAY_MS,
        },
      ],
    });
  });

  it('says when the embedded list has more pages than the event carries', () => {
    const charge = stripeRefundedCharge([stripeRefund()]);
    (charge.refunds as Record<string, unknown>).has_more = true;
    const r = parse(stripeEvent('charge.refunded', charge));
    expect(r.ok && [r.changes.length, r.note]).toEqual([
      1,
      'refunds.data has more pages than the event carries: only the refunds listed were read',
    ]);
  });

  it('states the cumulative amount_refunded as <charge>:total when the charge omits its refunds', () => {
    const charge = stripeCharge({ amount_refunded: 2500, refunded: false });
    expect(parse(stripeEvent('charge.refunded', charge))).toEqual({
      ok: true,
      changes: [
        {
          kind: 'refund',
          externalId: 'ch_3QJbKcLkdIwHu7ix1Mq2Rs3T:total',
          saleExternalId: 'ch_3QJbKcLkdIwHu7ix1Mq2Rs3T',
          amountCents: 2500,
          currency: 'USD',
          atMs: EVENT_MS,
        },
      ],
    });
    const none = parse(stripeEvent('charge.refunded', stripeCharge({ amount_refunded: 0 })));
    expect(none).toEqual({ ok: true, changes: [], note: 'amount_refunded is 0' });
  });

  it('names the refund in the list that cannot be read', () => {
    const charge = stripeRefundedCharge([stripeRefund(), stripeRefund({ id: 're_bad', amount: -1 })]);
    expect(parse(stripeEvent('charge.refunded', charge))).toEqual({
      ok: false,
      reason: 'refunds.data[1].amount -1 is not a whole non-negative amount in minor units',
    });
  });
});

describe('parseStripe: disputes and payouts', () => {
  it('opens a DISPUTED dispute linked to its charge at the dispute time', () => {
    expect(parse(stripeEvent('charge.dispute.created', stripeDispute()))).toEqual({
      ok: true,
      changes: [
        {
          kind: 'dispute',
          externalId: 'dp_1QJcLmLkdIwHu7ixQwErTyUi',
          saleExternalId: 'ch_3QJbKcLkdIwHu7ix1Mq2Rs3T',
          status: 'DISPUTED',
          amountCents: 5999,
          currency: 'USD',
          atMs: T_ORDER_MS + 3 * DAY_MS,
        },
      ],
    });
  });

  it('links an expanded charge object by its id', () => {
    const dispute = stripeDispute({ charge: stripeCharge() });
    expect(changes(parse(stripeEvent('charge.dispute.created', dispute)))).toMatchObject([
      { saleExternalId: 'ch_3QJbKcLkdIwHu7ix1Mq2Rs3T' },
    ]);
  });

  it.each([
    ['won', 'WON'],
    ['warning_closed', 'WON'],
    ['lost', 'LOST'],
  ])('closes a dispute with status %s as %s at the event time', (status, closed) => {
    const event = stripeEvent('charge.dispute.closed', stripeDispute({ status }), {
      created: T_ORDER_S + 40 * 86_400,
    });
    expect(changes(parse(event))).toMatchObject([{ status: closed, atMs: T_ORDER_MS + 40 * DAY_MS }]);
  });

  it('fails a closed dispute whose status is not a closing one', () => {
    const event = stripeEvent('charge.dispute.closed', stripeDispute({ status: 'under_review' }));
    expect(parse(event)).toEqual({
      ok: false,
      reason: 'status "under_review" is not a closed dispute status',
    });
  });

  it('states a paid payout at its arrival date, else its creation', () => {
    expect(parse(stripeEvent('payout.paid', stripePayout()))).toEqual({
      ok: true,
      changes: [
        {
          kind: 'payout',
          externalId: 'po_1QJdNoLkdIwHu7ixZxCvBnMa',
          amountCents: 120_000,
          currency: 'USD',
          atMs: T_ORDER_MS + 2 * DAY_MS,
        },
      ],
    });
    const noArrival = stripePayout({ arrival_date: null });
    expect(changes(parse(stripeEvent('payout.paid', noArrival)))).toMatchObject([
      { atMs: T_ORDER_MS + DAY_MS },
    ]);
  });

  it.each(['payment_intent.succeeded', 'charge.failed', 'customer.created', 'constructor', 'toString'])(
    '%s is not tracked',
    (type) => {
      expect(parse(stripeEvent(type, stripeCharge()))).toEqual({
        ok: true,
        changes: [],
        note: `topic ${type} is not tracked`,
      });
    },
  );
});
