import { parseIsoInstant } from '../../shared/time.ts';
import { decimalToMinor, minorUnits } from './amounts.ts';
import { countOf, streamOf } from './fields.ts';
import { type LedgerChange, normalizeCurrency, type SaleStatus } from './ledger.ts';

/**
 * `leak revenue import`: a store's order export → ledger changes (issue 12), pure. Two layouts:
 *
 * - Shopify's order export (Orders → Export, "Plain CSV file"): one row per line item. The first row of an
 *   order holds its totals; the rows after it repeat `Name` (and sometimes `Id`) with an empty `Total` and
 *   add line items. Times read "2024-05-01 10:00:00 +0000" (ISO-8601 is accepted too).
 * - A generic CSV, one sale per row: `id,occurred_at,amount,currency,status[,email][,stream]`.
 *
 * What an order becomes (the same rules as the Shopify webhook mapping, shopify.ts):
 * - a sale, idempotent on the order id (Shopify's numeric `Id`, the id its webhooks carry, so a backfill and
 *   live deliveries describe the same entry): CLEARED when the order was paid (paid, partially_refunded,
 *   refunded) — it counts at `Paid at` (the instant it settled), or `Created at` when the export leaves
 *   `Paid at` blank —; VOIDED when voided or expired, or cancelled before being paid; PENDING otherwise.
 * - a refund `<id>:refund-export` of `Refunded Amount` when it is above zero. The export does not say when
 *   the money went back. Chosen: `Cancelled at` when the order was cancelled (a cancelled paid order is
 *   refunded as it is cancelled), else `Paid at`, the earliest it can have happened: the backfill then
 *   never invents a drop on a later day it knows nothing about; it nets the refund against the sale's day.
 *   A refund stated by a refunds/create webhook has an id of its own, so a store that sent those webhooks
 *   too would count both: backfill the days before the webhooks were set up.
 *
 * Emails are returned as written (the caller hashes them before storing). Money is exact (amounts.ts).
 */

export type OrderCsvFormat = 'shopify' | 'generic';

/** A CSV record: its 1-based physical line, its fields, and the parser's complaint if it is malformed. */
export type OrderCsvRow = { line: number; fields: readonly string[]; error?: string };

export interface OrderCsvLayout {
  format: OrderCsvFormat;
  /** Index of each known column (lowercased name), -1 when the file has none. */
  columns: Readonly<Record<string, number>>;
  width: number;
}

/** One order of the file: its changes (and the instant its sale became known), or why it was refused. */
export type MappedOrder =
  | ({ ok: true } & Order & { line: number })
  | { ok: false; line: number; reason: string };

/** An order's ledger changes and when its sale became known (the repository's settled-at of a later clear). */
export type Order = { orderId: string; changes: LedgerChange[]; knownAtMs: number };

/** Shopify's column names as it writes them; matched case-insensitively. */
const SHOPIFY_REQUIRED = ['Name', 'Id', 'Financial Status', 'Currency', 'Total', 'Created at'];
const SHOPIFY_OPTIONAL = [
  'Email',
  'Paid at',
  'Cancelled at',
  'Refunded Amount',
  'Lineitem quantity',
  'Source',
];
const GENERIC_REQUIRED = ['id', 'occurred_at', 'amount', 'currency', 'status'];
const GENERIC_OPTIONAL = ['email', 'stream'];

/** The header → which layout the file has, or what each layout misses. */
export function readOrderCsvHeader(
  fields: readonly string[],
): { ok: true; layout: OrderCsvLayout } | { ok: false; reason: string } {
  const names = fields.map((f) => f.trim().toLowerCase());
  const layout = (format: OrderCsvFormat, wanted: string[]): OrderCsvLayout => ({
    format,
    columns: Object.fromEntries(wanted.map((w) => [w.toLowerCase(), names.indexOf(w.toLowerCase())])),
    width: fields.length,
  });
  const missing = (required: string[]) => required.filter((r) => !names.includes(r.toLowerCase()));
  const shopify = missing(SHOPIFY_REQUIRED);
  if (shopify.length === 0)
    return { ok: true, layout: layout('shopify', [...SHOPIFY_REQUIRED, ...SHOPIFY_OPTIONAL]) };
  const generic = missing(GENERIC_REQUIRED);
  if (generic.length === 0)
    return { ok: true, layout: layout('generic', [...GENERIC_REQUIRED, ...GENERIC_OPTIONAL]) };
  return {
    ok: false,
    reason:
      `the header is neither Shopify's order export (missing ${shopify.join(', ')}) nor the generic order ` +
      `CSV id,occurred_at,amount,currency,status[,email][,stream] (missing ${generic.join(', ')})`,
  };
}

/** Shopify's "2024-05-01 10:00:00 +0000" (also "… UTC"), or any ISO-8601 time with a zone → epoch ms. */
export function parseOrderTime(text: string): number | null {
  const t = text.trim();
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)\s*(Z|UTC|[+-]\d{2}:?\d{2})$/.exec(
    t,
  );
  if (!m) return null;
  return parseIsoInstant(`${m[1]}T${m[2]}${m[3] === 'UTC' ? 'Z' : m[3]}`);
}

/** Financial Status → whether money was taken, or the sale's status when it was not. */
const FINANCIAL: ReadonlyMap<string, 'paid' | SaleStatus> = new Map([
  ['paid', 'paid'],
  ['partially_refunded', 'paid'],
  ['refunded', 'paid'],
  ['pending', 'PENDING'],
  ['authorized', 'PENDING'],
  ['partially_paid', 'PENDING'],
  ['unpaid', 'PENDING'],
  ['voided', 'VOIDED'],
  ['expired', 'VOIDED'],
]);
/** The generic CSV's statuses: those of the generic webhook delivery (generic.ts). */
const GENERIC_STATUS: ReadonlyMap<string, SaleStatus> = new Map(
  Object.entries({ paid: 'CLEARED', cleared: 'CLEARED', pending: 'PENDING', voided: 'VOIDED' } as const),
);

/** A field shown in a reason: quoted, one line, cut. */
const shown = (v: string): string => JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v);

type Read<T> = { ok: true; value: T } | { ok: false; reason: string };
const bad = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

function readMoney(text: string, currency: string, column: string): Read<number> {
  if (text === '') return bad(`${column} is missing`);
  const cents = decimalToMinor(text, currency);
  return cents === null
    ? bad(
        `${column} ${shown(text)} is not a plain non-negative amount with at most ${minorUnits(currency)} decimals of ${currency}`,
      )
    : { ok: true, value: cents };
}

/** A time column: null when blank and optional; a reason when unreadable. */
function readTime(text: string, column: string, required: boolean): Read<number | null> {
  if (text === '') return required ? bad(`${column} is missing`) : { ok: true, value: null };
  const ms = parseOrderTime(text);
  return ms === null
    ? bad(`${column} ${shown(text)} is not a time like 2024-05-01 10:00:00 +0000 or 2024-05-01T10:00:00Z`)
    : { ok: true, value: ms };
}

function readCurrencyCell(text: string, column: string): Read<string> {
  if (text === '') return bad(`${column} is missing`);
  const c = normalizeCurrency(text);
  return c === null ? bad(`${column} ${shown(text)} is not a currency code`) : { ok: true, value: c };
}

function readIdCell(id: string, column: string): Read<string> {
  if (id === '') return bad(`${column} is missing`);
  return id.length > 255 ? bad(`${column} is longer than 255 characters`) : { ok: true, value: id };
}

/** A row's cell, trimmed, by lowercase column name ('' when the file has no such column). */
type Cell = (name: string) => string;

/** The first row of a Shopify order → its sale (and refund), items so far from this row. */
export function shopifyOrder(cell: Cell): Read<Order> {
  if (cell('total') === '' && cell('financial status') === '')
    return bad(`a line-item row of order ${shown(cell('name'))} that does not follow the order's first row`);
  const id = readIdCell(cell('id'), 'Id');
  if (!id.ok) return id;
  const fsText = cell('financial status').toLowerCase();
  const financial = FINANCIAL.get(fsText);
  if (financial === undefined)
    return bad(
      `Financial Status ${shown(cell('financial status'))} is not one of ${[...FINANCIAL.keys()].join(', ')}`,
    );
  const currency = readCurrencyCell(cell('currency'), 'Currency');
  if (!currency.ok) return currency;
  const total = readMoney(cell('total'), currency.value, 'Total');
  if (!total.ok) return total;
  const times = [
    readTime(cell('created at'), 'Created at', true),
    readTime(cell('paid at'), 'Paid at', false),
    readTime(cell('cancelled at'), 'Cancelled at', false),
  ];
  for (const t of times) if (!t.ok) return t;
  const [createdMs, paidMs, cancelledMs] = times.map((t) => (t.ok ? t.value : null));
  const refundText = cell('refunded amount');
  const refunded = readMoney(refundText || '0', currency.value, 'Refunded Amount');
  if (!refunded.ok) return refunded;
  const paid = financial === 'paid';
  if (refunded.value > 0 && !paid)
    return bad(
      `Refunded Amount ${shown(refundText)} on an order that was not paid (Financial Status ${fsText})`,
    );
  // A cancelled paid order stays CLEARED: the money that went back is its refund.
  const status: SaleStatus = financial === 'paid' ? 'CLEARED' : cancelledMs !== null ? 'VOIDED' : financial;
  const saleAtMs = (paid ? paidMs : null) ?? createdMs!;
  const email = cell('email');
  const changes: LedgerChange[] = [
    {
      kind: 'sale',
      externalId: id.value,
      status,
      amountCents: total.value,
      currency: currency.value,
      atMs: saleAtMs,
      customer: email === '' ? null : email,
      stream: streamOf(cell('source')),
      items: countOf(cell('lineitem quantity'), 0),
    },
  ];
  if (refunded.value > 0)
    changes.push({
      kind: 'refund',
      externalId: `${id.value}:refund-export`,
      saleExternalId: id.value,
      amountCents: refunded.value,
      currency: currency.value,
      atMs: cancelledMs ?? saleAtMs,
    });
  return { ok: true, value: { orderId: id.value, changes, knownAtMs: saleAtMs } };
}

/** One generic row → its sale. */
export function genericSale(cell: Cell): Read<Order> {
  const id = readIdCell(cell('id'), 'id');
  if (!id.ok) return id;
  const status = GENERIC_STATUS.get(cell('status').toLowerCase());
  if (status === undefined)
    return bad(`status ${shown(cell('status'))} is not one of ${[...GENERIC_STATUS.keys()].join(', ')}`);
  const currency = readCurrencyCell(cell('currency'), 'currency');
  if (!currency.ok) return currency;
  const amount = readMoney(cell('amount'), currency.value, 'amount');
  if (!amount.ok) return amount;
  const at = readTime(cell('occurred_at'), 'occurred_at', true);
  if (!at.ok) return at;
  const email = cell('email');
  const sale: LedgerChange = {
    kind: 'sale',
    externalId: id.value,
    status,
    amountCents: amount.value,
    currency: currency.value,
    atMs: at.value!,
    customer: email === '' ? null : email,
    stream: streamOf(cell('stream')),
    items: 1,
  };
  return { ok: true, value: { orderId: id.value, changes: [sale], knownAtMs: at.value! } };
}

/** The Shopify order whose line items may follow; `mapped` null when its first row was refused. */
type OpenOrder = { name: string; id: string; mapped: Extract<MappedOrder, { ok: true }> | null };

/**
 * Rows in file order (header excluded) → orders. An order is emitted when the row after its last line
 * item arrives, or at `end()`, so a Shopify order's line items may span any number of rows (and reads).
 */
export class OrderCsvMapper {
  readonly #layout: OrderCsvLayout;
  #open: OpenOrder | null = null;

  constructor(layout: OrderCsvLayout) {
    this.#layout = layout;
  }

  push(row: OrderCsvRow): MappedOrder[] {
    const { columns, format, width } = this.#layout;
    const cell: Cell = (name) => (row.fields[columns[name] ?? -1] ?? '').trim();
    const open = this.#open;
    const lineItem =
      format === 'shopify' &&
      open !== null &&
      cell('name') === open.name &&
      cell('total') === '' &&
      (cell('id') === '' || cell('id') === open.id);
    if (lineItem) {
      if (row.error !== undefined) return [{ ok: false, line: row.line, reason: row.error }];
      if (open.mapped) addItems(open.mapped, countOf(cell('lineitem quantity'), 0));
      return [];
    }
    const out = this.end();
    const read =
      row.error !== undefined
        ? bad(row.error)
        : row.fields.length !== width
          ? bad(`has ${row.fields.length} fields, the header has ${width} (an unquoted comma?)`)
          : (format === 'shopify' ? shopifyOrder : genericSale)(cell);
    if (!read.ok) out.push({ ok: false, line: row.line, reason: read.reason });
    const order = read.ok ? { ok: true as const, line: row.line, ...read.value } : null;
    if (format === 'shopify') this.#open = { name: cell('name'), id: cell('id'), mapped: order };
    else if (order) out.push(order);
    return out;
  }

  /** The order still open (the last of the file), if it was good. */
  end(): MappedOrder[] {
    const open = this.#open;
    this.#open = null;
    return open?.mapped ? [open.mapped] : [];
  }
}

function addItems(order: Extract<MappedOrder, { ok: true }>, n: number): void {
  const sale = order.changes[0];
  if (sale?.kind === 'sale') sale.items += n;
}
