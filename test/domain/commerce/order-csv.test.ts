import { describe, expect, it } from 'vitest';
import type { LedgerChange } from '../../../src/domain/commerce/ledger.ts';
import {
  type MappedOrder,
  type OrderCsvLayout,
  OrderCsvMapper,
  parseOrderTime,
  readOrderCsvHeader,
} from '../../../src/domain/commerce/order-csv.ts';

/** A trimmed Shopify order export header, in Shopify's column order (any order is read). */
const SHOPIFY_HEADER = [
  'Name',
  'Email',
  'Financial Status',
  'Paid at',
  'Currency',
  'Total',
  'Created at',
  'Lineitem quantity',
  'Lineitem name',
  'Billing Name',
  'Cancelled at',
  'Refunded Amount',
  'Id',
  'Source',
];
const GENERIC_HEADER = ['id', 'occurred_at', 'amount', 'currency', 'status', 'email', 'stream'];

const utc = (iso: string): number => Date.parse(iso);

function layoutOf(header: string[]): OrderCsvLayout {
  const h = readOrderCsvHeader(header);
  if (!h.ok) throw new Error(h.reason);
  return h.layout;
}

/** A Shopify row from named cells (the rest blank), in SHOPIFY_HEADER's order. */
const shopifyRow = (cells: Record<string, string>): string[] => SHOPIFY_HEADER.map((h) => cells[h] ?? '');

/** The first row of a paid order; `o` overrides cells. */
const order = (o: Record<string, string> = {}): string[] =>
  shopifyRow({
    Name: '#1001',
    Email: 'Ann@Example.com',
    'Financial Status': 'paid',
    'Paid at': '2024-11-08 10:00:00 +0000',
    Currency: 'USD',
    Total: '34.98',
    'Created at': '2024-11-08 09:58:12 +0000',
    'Lineitem quantity': '2',
    'Lineitem name': 'Crew Tee',
    'Refunded Amount': '0.00',
    Id: '5940139491001',
    Source: 'web',
    ...o,
  });
const lineItem = (o: Record<string, string> = {}): string[] =>
  shopifyRow({ Name: '#1001', 'Lineitem quantity': '1', 'Lineitem name': 'Mug', ...o });

/** Runs rows (data rows from line 2) through a mapper, as the backfill does. */
function mapAll(
  header: string[],
  rows: Array<string[] | { fields: string[]; error: string }>,
): MappedOrder[] {
  const mapper = new OrderCsvMapper(layoutOf(header));
  const out = rows.flatMap((r, i) =>
    mapper.push(Array.isArray(r) ? { line: i + 2, fields: r } : { line: i + 2, ...r }),
  );
  return [...out, ...mapper.end()];
}

const sale = (o: Partial<Extract<LedgerChange, { kind: 'sale' }>>): LedgerChange => ({
  kind: 'sale',
  externalId: '5940139491001',
  status: 'CLEARED',
  amountCents: 3498,
  currency: 'USD',
  atMs: utc('2024-11-08T10:00:00Z'),
  customer: 'Ann@Example.com',
  stream: 'web',
  items: 2,
  ...o,
});

describe('readOrderCsvHeader', () => {
  it("recognises Shopify's export and the generic CSV, whatever the case, padding and column order", () => {
    expect(layoutOf(SHOPIFY_HEADER).format).toBe('shopify');
    expect(layoutOf([...SHOPIFY_HEADER].reverse().map((h) => ` ${h.toUpperCase()} `)).format).toBe('shopify');
    expect(layoutOf(GENERIC_HEADER).format).toBe('generic');
    expect(layoutOf(['status', 'currency', 'amount', 'occurred_at', 'id']).columns['email']).toBe(-1);
  });

  it('names the columns each layout misses', () => {
    expect(readOrderCsvHeader(['Name', 'Financial Status', 'Total', 'Currency', 'amount'])).toEqual({
      ok: false,
      reason:
        "the header is neither Shopify's order export (missing Id, Created at) nor the generic order CSV " +
        'id,occurred_at,amount,currency,status[,email][,stream] (missing id, occurred_at, status)',
    });
  });
});

describe('parseOrderTime', () => {
  it.each([
    ['2024-05-01 10:00:00 +0000', '2024-05-01T10:00:00Z'],
    ['2024-11-09 12:00:00 -0500', '2024-11-09T17:00:00Z'],
    ['2024-11-10 11:00:00 +09:00', '2024-11-10T02:00:00Z'],
    ['2024-11-10 11:00 UTC', '2024-11-10T11:00:00Z'],
    ['2024-11-10T11:00:00.250Z', '2024-11-10T11:00:00.250Z'],
    [' 2024-02-29 00:00:00 +0000 ', '2024-02-29T00:00:00Z'],
  ])('%s is %s', (text, iso) => expect(parseOrderTime(text)).toBe(utc(iso)));

  it.each([
    '2024-13-40 10:00:00 +0000',
    '2023-02-29 00:00:00 +0000',
    '2024-05-01 10:00:00',
    '2024-05-01',
    'yesterday',
    '',
  ])('refuses %j', (text) => expect(parseOrderTime(text)).toBeNull());
});

describe('Shopify orders', () => {
  it('a paid order is a sale CLEARED at Paid at, its line-item rows adding to its items', () => {
    const out = mapAll(SHOPIFY_HEADER, [order(), lineItem(), lineItem({ 'Lineitem quantity': '3' })]);
    expect(out).toEqual([
      {
        ok: true,
        line: 2,
        orderId: '5940139491001',
        changes: [sale({ items: 6 })],
        knownAtMs: utc('2024-11-08T10:00:00Z'),
      },
    ]);
  });

  it.each<[string, Record<string, string>, Partial<Extract<LedgerChange, { kind: 'sale' }>>]>([
    ['paid without Paid at counts at Created at', { 'Paid at': '' }, { atMs: utc('2024-11-08T09:58:12Z') }],
    [
      'pending',
      { 'Financial Status': 'pending', 'Paid at': '' },
      { status: 'PENDING', atMs: utc('2024-11-08T09:58:12Z') },
    ],
    [
      'authorized',
      { 'Financial Status': 'Authorized', 'Paid at': '' },
      { status: 'PENDING', atMs: utc('2024-11-08T09:58:12Z') },
    ],
    [
      'partially paid',
      { 'Financial Status': 'partially_paid' },
      { status: 'PENDING', atMs: utc('2024-11-08T09:58:12Z') },
    ],
    [
      'voided',
      { 'Financial Status': 'voided', 'Paid at': '' },
      { status: 'VOIDED', atMs: utc('2024-11-08T09:58:12Z') },
    ],
    [
      'expired',
      { 'Financial Status': 'expired', 'Paid at': '' },
      { status: 'VOIDED', atMs: utc('2024-11-08T09:58:12Z') },
    ],
    [
      'cancelled before payment',
      { 'Financial Status': 'pending', 'Paid at': '', 'Cancelled at': '2024-11-09 08:00:00 +0000' },
      { status: 'VOIDED', atMs: utc('2024-11-08T09:58:12Z') },
    ],
    ['no email, no source', { Email: ' ', Source: '' }, { customer: null, stream: '' }],
    ['JPY has no minor unit', { Currency: 'jpy', Total: '1200' }, { currency: 'JPY', amountCents: 1200 }],
    ['KWD has three decimals', { Currency: 'KWD', Total: '1.250' }, { currency: 'KWD', amountCents: 1250 }],
    ['money is exact', { Total: '19.99' }, { amountCents: 1999 }],
  ])('%s', (_name, cells, expected) => {
    const [o] = mapAll(SHOPIFY_HEADER, [order(cells)]);
    expect(o).toMatchObject({ ok: true, changes: [sale(expected)] });
  });

  it('a refunded amount is a refund of its own, at Paid at, or at Cancelled at when the order was cancelled', () => {
    const [partial] = mapAll(SHOPIFY_HEADER, [
      order({ 'Financial Status': 'partially_refunded', 'Refunded Amount': '20.00' }),
    ]);
    expect(partial).toMatchObject({
      ok: true,
      changes: [
        sale({}),
        {
          kind: 'refund',
          externalId: '5940139491001:refund-export',
          saleExternalId: '5940139491001',
          amountCents: 2000,
          currency: 'USD',
          atMs: utc('2024-11-08T10:00:00Z'),
        },
      ],
    });
    const [cancelled] = mapAll(SHOPIFY_HEADER, [
      order({
        'Financial Status': 'refunded',
        'Refunded Amount': '34.98',
        'Cancelled at': '2024-11-10 15:00:00 +0000',
      }),
    ]);
    // Cancelled after payment: the sale stays CLEARED and the money back is the refund.
    expect(cancelled).toMatchObject({
      ok: true,
      changes: [sale({}), { kind: 'refund', amountCents: 3498, atMs: utc('2024-11-10T15:00:00Z') }],
    });
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'a bad amount',
      { Total: '12.5.0' },
      'Total "12.5.0" is not a plain non-negative amount with at most 2 decimals of USD',
    ],
    ['a thousands separator', { Total: '1,234.00' }, 'Total "1,234.00" is not a plain non-negative amount'],
    ['a negative total', { Total: '-5.00' }, 'Total "-5.00" is not a plain non-negative amount'],
    ['too many decimals for the currency', { Currency: 'JPY', Total: '10.5' }, 'at most 0 decimals of JPY'],
    ['a missing total', { Total: '' }, 'Total is missing'],
    ['a missing currency', { Currency: '' }, 'Currency is missing'],
    ['a bad currency', { Currency: 'US$' }, 'Currency "US$" is not a currency code'],
    [
      'a bad date',
      { 'Created at': '2024-13-40 10:00:00 +0000' },
      'Created at "2024-13-40 10:00:00 +0000" is not a time',
    ],
    ['a bad Paid at', { 'Paid at': '08/11/2024' }, 'Paid at "08/11/2024" is not a time'],
    ['a missing Id', { Id: '' }, 'Id is missing'],
    [
      'an unknown status',
      { 'Financial Status': 'settled' },
      'Financial Status "settled" is not one of paid,',
    ],
    ['a refund of an unpaid order', { 'Financial Status': 'pending', 'Refunded Amount': '5.00' }, 'not paid'],
    ['a bad refunded amount', { 'Refunded Amount': 'n/a' }, 'Refunded Amount "n/a" is not'],
  ])('rejects %s with its line and reason', (_name, cells, reason) => {
    const [o] = mapAll(SHOPIFY_HEADER, [order(cells)]);
    expect(o).toEqual({ ok: false, line: 2, reason: expect.stringContaining(reason) });
  });

  it("skips a refused order's line items, keeps line numbers, and maps the orders around it", () => {
    const out = mapAll(SHOPIFY_HEADER, [
      order({ Name: '#1', Id: '1' }),
      order({ Name: '#2', Id: '2', Total: 'abc' }),
      lineItem({ Name: '#2', Id: '2' }),
      lineItem({ Name: '#2' }),
      order({ Name: '#3', Id: '3', 'Billing Name': 'Example, Ann' }),
      lineItem({ Name: '#3' }),
    ]);
    expect(out.map((o) => [o.line, o.ok])).toEqual([
      [2, true],
      [3, false],
      [6, true],
    ]);
    expect(out[2]).toMatchObject({ orderId: '3', changes: [{ items: 3 }] });
  });

  it('a row with an empty Total that belongs to no open order is refused, not added to another order', () => {
    const out = mapAll(SHOPIFY_HEADER, [order(), lineItem({ Name: '#9999' }), lineItem({ Id: '777' })]);
    expect(out).toEqual([
      expect.objectContaining({ ok: true, line: 2, changes: [sale({})] }),
      {
        ok: false,
        line: 3,
        reason: `a line-item row of order "#9999" that does not follow the order's first row`,
      },
      {
        ok: false,
        line: 4,
        reason: `a line-item row of order "#1001" that does not follow the order's first row`,
      },
    ]);
  });

  it("reports a malformed row with the CSV parser's reason and a short row with its field count", () => {
    const out = mapAll(SHOPIFY_HEADER, [
      { fields: order({ Name: '#5', Id: '5' }), error: 'unexpected text after closing quote in column 10' },
      order().slice(0, 5),
      order(),
    ]);
    expect(out).toEqual([
      { ok: false, line: 2, reason: 'unexpected text after closing quote in column 10' },
      { ok: false, line: 3, reason: 'has 5 fields, the header has 14 (an unquoted comma?)' },
      expect.objectContaining({ ok: true, line: 4 }),
    ]);
  });
});

describe('generic CSV', () => {
  const row = (o: Partial<Record<(typeof GENERIC_HEADER)[number], string>> = {}): string[] => {
    const cells: Record<string, string> = {
      id: 'ord_1',
      occurred_at: '2024-11-09T10:00:00Z',
      amount: '19.99',
      currency: 'eur',
      status: 'paid',
      email: 'buyer@example.com',
      stream: 'subscriptions',
      ...o,
    };
    return GENERIC_HEADER.map((h) => cells[h]!);
  };

  it('maps each row to one sale, statuses as the generic webhook delivery', () => {
    const out = mapAll(GENERIC_HEADER, [
      row(),
      row({ id: 'ord_2', status: 'Pending', email: '', stream: '' }),
      row({ id: 'ord_3', status: 'voided' }),
      row({ id: 'ord_4', status: 'cleared', occurred_at: '2024-11-10 09:00:00 +0100' }),
    ]);
    expect(out.map((o) => (o.ok ? o.changes[0] : o))).toEqual([
      sale({
        externalId: 'ord_1',
        amountCents: 1999,
        currency: 'EUR',
        atMs: utc('2024-11-09T10:00:00Z'),
        customer: 'buyer@example.com',
        stream: 'subscriptions',
        items: 1,
      }),
      sale({
        externalId: 'ord_2',
        status: 'PENDING',
        amountCents: 1999,
        currency: 'EUR',
        atMs: utc('2024-11-09T10:00:00Z'),
        customer: null,
        stream: '',
        items: 1,
      }),
      expect.objectContaining({ externalId: 'ord_3', status: 'VOIDED' }),
      expect.objectContaining({ externalId: 'ord_4', status: 'CLEARED', atMs: utc('2024-11-10T08:00:00Z') }),
    ]);
    expect(out[0]).toMatchObject({ ok: true, line: 2, knownAtMs: utc('2024-11-09T10:00:00Z') });
  });

  it.each<[string, Record<string, string>, string]>([
    ['a negative amount', { amount: '-5.00' }, 'amount "-5.00" is not a plain non-negative amount'],
    ['a missing currency', { currency: '' }, 'currency is missing'],
    ['a bad date', { occurred_at: 'yesterday' }, 'occurred_at "yesterday" is not a time'],
    ['a missing date', { occurred_at: '' }, 'occurred_at is missing'],
    [
      'an unknown status',
      { status: 'refunded' },
      'status "refunded" is not one of paid, cleared, pending, voided',
    ],
  ])('rejects %s', (_name, cells, reason) => {
    expect(mapAll(GENERIC_HEADER, [row(cells)])).toEqual([
      { ok: false, line: 2, reason: expect.stringContaining(reason) },
    ]);
  });
});
