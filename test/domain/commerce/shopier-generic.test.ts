import { describe, expect, it } from 'vitest';
import { parseGeneric } from '../../../src/domain/commerce/generic.ts';
import type { ParseResult } from '../../../src/domain/commerce/ledger.ts';
import { parserFor } from '../../../src/domain/commerce/parsers.ts';
import { parseShopier } from '../../../src/domain/commerce/shopier.ts';
import { parseShopify } from '../../../src/domain/commerce/shopify.ts';
import { parseStripe } from '../../../src/domain/commerce/stripe.ts';
import { RECEIVED_MS, shopierPayment } from './payloads.ts';

const changes = (r: ParseResult) => (r.ok ? r.changes : r.reason);

describe('parseShopier', () => {
  const parse = (body: unknown) => parseShopier('', body, RECEIVED_MS);

  it('maps a successful payment to a CLEARED sale of one item, at the time received', () => {
    expect(parse(shopierPayment())).toEqual({
      ok: true,
      changes: [
        {
          kind: 'sale',
          externalId: '387104523',
          status: 'CLEARED',
          amountCents: 14_990,
          currency: 'TRY',
          atMs: RECEIVED_MS,
          customer: 'ayse@example.com.tr',
          stream: 'Growth Playbook (e-book)',
          items: 1,
        },
      ],
    });
  });

  it.each([
    [{ currency: '0' }, 'TRY'],
    [{ currency: 1 }, 'USD'],
    [{ currency: '2' }, 'EUR'],
    [{ currency: 'try' }, 'TRY'],
    [{ currency: undefined }, 'USD'],
    [{ currency: '' }, 'USD'],
  ])('reads the currency %j as %s', (overrides, currency) => {
    expect(changes(parse(shopierPayment(overrides)))).toMatchObject([{ currency }]);
  });

  it('falls back to id and email, takes a numeric price, and leaves any other status PENDING', () => {
    const body = shopierPayment({ payment_id: undefined, id: 991, buyer_email: undefined, email: 'pii:77' });
    expect(changes(parse({ ...body, price: 149.9, status: 'failed' }))).toMatchObject([
      { externalId: '991', customer: 'pii:77', amountCents: 14_990, status: 'PENDING' },
    ]);
    expect(changes(parse(shopierPayment({ status: 'SUCCESS' })))).toMatchObject([{ status: 'CLEARED' }]);
  });

  it('dates the sale at created_at or date when it has a zone, else when received', () => {
    const at = (o: Record<string, unknown>) => {
      const r = parse(shopierPayment(o));
      return r.ok ? r.changes[0]?.atMs : r.reason;
    };
    expect(at({ created_at: '2024-11-12T10:00:00+03:00' })).toBe(Date.UTC(2024, 10, 12, 7));
    expect(at({ date: '2024-11-12T07:00:00Z' })).toBe(Date.UTC(2024, 10, 12, 7));
    expect(at({ date: '2024-11-12 10:00:00' })).toBe(RECEIVED_MS);
  });

  it.each([
    [{ payment_id: undefined }, 'payment_id is missing'],
    [{ price: '149,90' }, 'price "149,90" is not a decimal amount with at most 2 decimals of TRY'],
    [{ price: undefined }, 'price is missing'],
    [{ currency: '7' }, 'currency "7" is not a currency code nor Shopier\'s 0, 1 or 2'],
  ])('fails a payment with %j: %s', (overrides, why) => {
    expect(parse(shopierPayment(overrides))).toEqual({ ok: false, reason: why });
  });
});

describe('parseGeneric', () => {
  const parse = (body: unknown) => parseGeneric('anything', body, RECEIVED_MS);
  const sale = { id: 'ord_1001', amount_cents: 1999, currency: 'EUR', status: 'paid' };

  it('maps a documented sale, defaulting kind, time and items', () => {
    expect(parse({ ...sale, email: 'pii:aa', stream: 'subscriptions' })).toEqual({
      ok: true,
      changes: [
        {
          kind: 'sale',
          externalId: 'ord_1001',
          status: 'CLEARED',
          amountCents: 1999,
          currency: 'EUR',
          atMs: RECEIVED_MS,
          customer: 'pii:aa',
          stream: 'subscriptions',
          items: 1,
        },
      ],
    });
  });

  it.each([
    ['paid', 'CLEARED'],
    ['cleared', 'CLEARED'],
    ['Pending', 'PENDING'],
    ['voided', 'VOIDED'],
  ])('sale status %s → %s', (status, mapped) => {
    expect(changes(parse({ ...sale, status }))).toMatchObject([{ status: mapped }]);
  });

  it('maps refunds, disputes and payouts with their sale link', () => {
    const at = '2025-03-01T10:00:00Z';
    const events = [
      { id: 'r1', kind: 'refund', amount: '5.00', currency: 'EUR', sale_id: 'ord_1001', occurred_at: at },
      { id: 'd1', kind: 'dispute', amount_cents: 1999, currency: 'EUR', sale_id: 1001 },
      { id: 'd1', kind: 'dispute', amount_cents: 1999, currency: 'EUR', status: 'lost' },
      { id: 'p1', kind: 'payout', amount: 100, currency: 'JPY' },
    ];
    expect(parse({ events })).toEqual({
      ok: true,
      changes: [
        {
          kind: 'refund',
          externalId: 'r1',
          saleExternalId: 'ord_1001',
          amountCents: 500,
          currency: 'EUR',
          atMs: Date.parse(at),
        },
        {
          kind: 'dispute',
          externalId: 'd1',
          saleExternalId: '1001',
          status: 'DISPUTED',
          amountCents: 1999,
          currency: 'EUR',
          atMs: RECEIVED_MS,
        },
        {
          kind: 'dispute',
          externalId: 'd1',
          saleExternalId: null,
          status: 'LOST',
          amountCents: 1999,
          currency: 'EUR',
          atMs: RECEIVED_MS,
        },
        { kind: 'payout', externalId: 'p1', amountCents: 100, currency: 'JPY', atMs: RECEIVED_MS },
      ],
    });
  });

  it('takes amount in major units exactly, and both forms when they agree', () => {
    expect(changes(parse({ ...sale, amount_cents: undefined, amount: '19.99' }))).toMatchObject([
      { amountCents: 1999 },
    ]);
    expect(changes(parse({ ...sale, amount: 19.99 }))).toMatchObject([{ amountCents: 1999 }]);
    expect(
      changes(parse({ ...sale, currency: 'KWD', amount_cents: undefined, amount: '1.5' })),
    ).toMatchObject([{ amountCents: 1500 }]);
  });

  it.each([
    [{ id: undefined }, 'id is missing'],
    [{ kind: 'chargeback' }, 'kind "chargeback" is not sale, refund, dispute or payout'],
    [{ amount_cents: undefined }, 'amount_cents (or amount) is missing'],
    [{ amount_cents: 19.99 }, 'amount_cents 19.99 is not a whole non-negative amount in minor units'],
    [
      { amount_cents: undefined, amount: 0.1 + 0.2 },
      'amount 0.30000000000000004 is not a decimal amount with at most 2 decimals of EUR',
    ],
    [{ amount: '19.98' }, 'amount_cents 1999 and amount "19.98" disagree'],
    [{ status: undefined }, 'status is missing'],
    [{ status: 'won' }, 'status "won" is not one of paid, cleared, pending, voided'],
    [{ currency: 'euro' }, 'currency "euro" is not a currency code'],
    [{ occurred_at: '2025-03-01' }, 'occurred_at "2025-03-01" is not an ISO-8601 time with a zone'],
  ])('fails a sale with %j: %s', (overrides, why) => {
    expect(parse({ ...sale, ...overrides })).toEqual({ ok: false, reason: why });
  });

  it('reads a batch whole or not at all, naming the bad event', () => {
    expect(parse({ events: [sale, { ...sale, id: 'ord_1002', currency: 'EURO' }] })).toEqual({
      ok: false,
      reason: 'events[1]: currency "EURO" is not a currency code',
    });
    expect(parse({ events: [sale, 'x'] })).toEqual({ ok: false, reason: 'events[1]: "x" is not an object' });
    expect(parse({ events: 'all' })).toEqual({ ok: false, reason: 'events "all" is not a list' });
    expect(parse({ events: [] })).toEqual({ ok: true, changes: [], note: 'events is empty' });
    expect(parse({ events: Array.from({ length: 1001 }, () => sale) })).toEqual({
      ok: false,
      reason: 'events has 1001 entries (at most 1000)',
    });
  });
});

describe('parserFor', () => {
  it('picks the dedicated parser of a known source, else the generic one', () => {
    expect(parserFor('shopify')).toBe(parseShopify);
    expect(parserFor('stripe')).toBe(parseStripe);
    expect(parserFor('Shopier')).toBe(parseShopier);
    for (const other of ['woocommerce', 'paddle', '', 'constructor'])
      expect(parserFor(other)).toBe(parseGeneric);
  });
});
