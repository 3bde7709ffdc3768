import { describe, expect, it } from 'vitest';
import type { ParseResult } from '../../../src/domain/commerce/ledger.ts';
import { parseShopify } from '../../../src/domain/commerce/shopify.ts';
import {
  RECEIVED_MS,
  shopifyLineItem,
  shopifyOrder,
  shopifyRefund,
  shopifyTransaction,
  T_ORDER_MS,
} from './payloads.ts';

const parse = (topic: string, body: unknown): ParseResult => parseShopify(topic, body, RECEIVED_MS);
const changes = (r: ParseResult) => (r.ok ? r.changes : r.reason);
const reason = (r: ParseResult) => (r.ok ? `ok: ${JSON.stringify(r.changes)}` : r.reason);

describe('parseShopify: orders', () => {
  it('maps a paid orders/create to a CLEARED sale with the order id, total, email and items', () => {
    expect(parse('orders/create', shopifyOrder())).toEqual({
      ok: true,
      changes: [
        {
          kind: 'sale',
          externalId: '5940139491234',
          status: 'CLEARED',
          amountCents: 5999,
          currency: 'USD',
          atMs: T_ORDER_MS,
          customer: 'jon@example.com',
          stream: 'web',
          items: 2,
        },
      ],
    });
  });

  it.each([
    ['pending', 'PENDING'],
    ['authorized', 'PENDING'],
    ['partially_paid', 'PENDING'],
    ['paid', 'CLEARED'],
    ['partially_refunded', 'CLEARED'],
    ['refunded', 'CLEARED'],
    ['voided', 'VOIDED'],
    [null, 'PENDING'],
  ])('financial_status %j → %s on every order topic but a cancel', (fs, status) => {
    for (const topic of ['orders/create', 'orders/paid', 'orders/updated']) {
      const r = parse(topic, shopifyOrder({ financial_status: fs }));
      expect(r.ok && r.changes[0]?.kind === 'sale' && r.changes[0].status).toBe(status);
    }
  });

  it.each([
    ['pending', 'VOIDED'],
    ['authorized', 'VOIDED'],
    ['voided', 'VOIDED'],
    ['paid', 'CLEARED'],
    ['refunded', 'CLEARED'],
  ])('orders/cancelled with financial_status %s → %s (the money back comes as a refund)', (fs, status) => {
    const r = parse(
      'orders/cancelled',
      shopifyOrder({ financial_status: fs, cancelled_at: '2024-11-11T08:00:00-05:00' }),
    );
    expect(r.ok && r.changes[0]?.kind === 'sale' && r.changes[0].status).toBe(status);
  });

  it('dates the sale at processed_at, else created_at, else when received', () => {
    const at = (o: Record<string, unknown>) => {
      const r = parse('orders/paid', shopifyOrder(o));
      return r.ok ? r.changes[0]?.atMs : r.reason;
    };
    expect(at({ processed_at: '2024-11-10T16:00:00+01:00', created_at: '2024-11-09T00:00:00Z' })).toBe(
      Date.UTC(2024, 10, 10, 15, 0, 0),
    );
    expect(at({ processed_at: null, created_at: '2024-11-09T00:00:00Z' })).toBe(Date.UTC(2024, 10, 9));
    expect(at({ processed_at: null, created_at: null })).toBe(RECEIVED_MS);
    expect(at({ processed_at: '10/11/2024' })).toBe(
      'processed_at "10/11/2024" is not an ISO-8601 time with a zone',
    );
  });

  it('takes contact_email when email is empty, and no customer when neither is sent', () => {
    const customer = (o: Record<string, unknown>) => {
      const r = parse('orders/create', shopifyOrder(o));
      return r.ok && r.changes[0]?.kind === 'sale' ? r.changes[0].customer : r;
    };
    expect(customer({ email: '', contact_email: 'pii:ab12' })).toBe('pii:ab12');
    expect(customer({ email: null, contact_email: null })).toBeNull();
    expect(customer({ email: 'pii:cd34', contact_email: 'pii:ab12' })).toBe('pii:cd34');
  });

  it('names the stream after the first line item product type, else the source, and sums quantities', () => {
    const sale = (o: Record<string, unknown>) => {
      const r = parse('orders/create', shopifyOrder(o));
      return r.ok && r.changes[0]?.kind === 'sale' ? [r.changes[0].stream, r.changes[0].items] : r;
    };
    const lines = [shopifyLineItem({ product_type: 'Books', quantity: 2 }), shopifyLineItem({ quantity: 3 })];
    expect(sale({ line_items: lines })).toEqual(['Books', 5]);
    expect(sale({ line_items: [], source_name: 'pos' })).toEqual(['pos', 0]);
    expect(sale({ line_items: undefined, source_name: undefined })).toEqual(['', 0]);
    expect(sale({ line_items: [shopifyLineItem({ quantity: 'lots' })] })).toEqual(['web', 0]);
  });

  it('reads JPY and KWD totals in their own minor units', () => {
    const cents = (total: string, currency: string) => {
      const r = parse('orders/paid', shopifyOrder({ total_price: total, currency }));
      return r.ok ? r.changes[0]?.amountCents : r.reason;
    };
    expect(cents('1500', 'JPY')).toBe(1500);
    expect(cents('12.500', 'KWD')).toBe(12500);
    expect(cents('0.00', 'USD')).toBe(0);
    expect(cents('12.5', 'JPY')).toBe(
      'total_price "12.5" is not a decimal amount with at most 0 decimals of JPY',
    );
  });

  it('reads the id from admin_graphql_api_id when id is missing or past 2^53 (rounded by JSON.parse)', () => {
    const body = JSON.parse(
      '{"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508","total_price":"1.00","currency":"USD"}',
    );
    expect(changes(parse('orders/create', body))).toMatchObject([{ externalId: '820982911946154508' }]);
    expect(changes(parse('orders/create', shopifyOrder({ id: undefined })))).toMatchObject([
      { externalId: '5940139491234' },
    ]);
    expect(reason(parse('orders/create', { ...body, admin_graphql_api_id: null }))).toBe(
      'id 820982911946154500 is past 2^53: JSON numbers that large arrive rounded',
    );
  });

  it.each([
    [{ id: null, admin_graphql_api_id: null }, 'id is missing'],
    [{ id: true }, 'id true is not an id'],
    [{ total_price: 'abc' }, 'total_price "abc" is not a decimal amount with at most 2 decimals of USD'],
    [{ total_price: '-5.00' }, 'total_price "-5.00" is not a decimal amount with at most 2 decimals of USD'],
    [{ total_price: undefined }, 'total_price is missing'],
    [{ currency: 'US Dollar' }, 'currency "US Dollar" is not a currency code'],
    [{ currency: null }, 'currency is missing'],
  ])('fails an order with %j: %s', (overrides, why) => {
    expect(parse('orders/create', shopifyOrder(overrides))).toEqual({ ok: false, reason: why });
  });

  it('fails a body that is not an object', () => {
    expect(parse('orders/create', [shopifyOrder()])).toEqual({
      ok: false,
      reason: 'the orders/create body is not a JSON object',
    });
  });
});

describe('parseShopify: refunds/create', () => {
  it('states one refund of the successful refund transactions, linked to its order', () => {
    expect(parse('refunds/create', shopifyRefund())).toEqual({
      ok: true,
      changes: [
        {
          kind: 'refund',
          externalId: '1019512324234',
          saleExternalId: '5940139491234',
          amountCents: 3000,
          currency: 'USD',
          atMs: Date.UTC(2024, 10, 12, 14, 15, 0),
        },
      ],
    });
  });

  it('adds up several successful transactions and skips failed, pending and non-refund ones', () => {
    const transactions = [
      shopifyTransaction({ amount: '10.10' }),
      shopifyTransaction({ amount: '0.20' }),
      shopifyTransaction({ amount: '99.00', status: 'failure' }),
      shopifyTransaction({ amount: '99.00', status: 'pending' }),
      shopifyTransaction({ amount: '99.00', kind: 'suggested_refund' }),
      'noise',
    ];
    expect(changes(parse('refunds/create', shopifyRefund({ transactions })))).toMatchObject([
      { amountCents: 1030 },
    ]);
  });

  it('moves no money for a restock-only refund, and says so', () => {
    for (const transactions of [[], undefined, [shopifyTransaction({ status: 'failure' })]]) {
      expect(parse('refunds/create', shopifyRefund({ transactions }))).toEqual({
        ok: true,
        changes: [],
        note: 'refund 1019512324234 moved no money (no successful refund transaction)',
      });
    }
  });

  it.each([
    [{ order_id: null }, 'order_id is missing'],
    [{ id: '' }, 'id is missing'],
    [
      { transactions: [shopifyTransaction({ amount: '3.001' })] },
      'transactions[0].amount "3.001" is not a decimal amount with at most 2 decimals of USD',
    ],
    [{ transactions: [shopifyTransaction({ currency: undefined })] }, 'transactions[0].currency is missing'],
    [
      { transactions: [shopifyTransaction(), shopifyTransaction({ currency: 'EUR' })] },
      'transactions[1].currency EUR differs from USD of an earlier refund transaction',
    ],
  ])('fails a refund with %j: %s', (overrides, why) => {
    expect(parse('refunds/create', shopifyRefund(overrides))).toEqual({ ok: false, reason: why });
  });
});

describe('parseShopify: other topics', () => {
  it.each(['orders/fulfilled', 'products/update', 'app/uninstalled', ''])('%j is not tracked', (topic) => {
    const r = parse(topic, shopifyOrder());
    expect(r).toEqual({ ok: true, changes: [], note: `topic ${topic || '(none)'} is not tracked` });
  });

  it('reads the topic header case-insensitively', () => {
    expect(changes(parse('Orders/Paid', shopifyOrder()))).toHaveLength(1);
  });
});
