import {
  addMinor,
  countOf,
  fail,
  firstText,
  isObj,
  type Obj,
  pick,
  readCurrency,
  readDecimal,
  readId,
  readIsoInstant,
  streamOf,
  untracked,
} from './fields.ts';
import type { DeliveryParser, LedgerChange, ParseResult, SaleStatus } from './ledger.ts';

/**
 * Shopify Admin REST webhooks (DOMAIN.md §8): the topic is the X-Shopify-Topic header, the body the order
 * (orders/create, orders/paid, orders/updated, orders/cancelled) or the refund (refunds/create).
 *
 * Every order topic carries the whole order, so each maps to the same sale (idempotent on the order id);
 * only its status differs. A refund is never read off an order's `financial_status`: refunds/create
 * states it, with its own id, so the sale of a refunded order stays CLEARED and the refund subtracts.
 */

const ORDER_TOPICS = new Set(['orders/create', 'orders/paid', 'orders/updated', 'orders/cancelled']);
const REFUND_TOPIC = 'refunds/create';

/** Money was taken: the sale counts. (partially_refunded/refunded: the refunds arrive on their own.) */
const PAID_STATUSES = new Set(['paid', 'partially_refunded', 'refunded']);

/** Shopify topic + order or refund body → the sale or refund it states. */
export const parseShopify: DeliveryParser = (topic, body, receivedAtMs) => {
  const t = topic.trim().toLowerCase();
  if (!ORDER_TOPICS.has(t) && t !== REFUND_TOPIC) return untracked(topic);
  if (!isObj(body)) return fail(`the ${t} body is not a JSON object`);
  return t === REFUND_TOPIC
    ? refundOf(body, receivedAtMs)
    : orderOf(body, t === 'orders/cancelled', receivedAtMs);
};

/**
 * The sale's status from `financial_status`: paid (or since refunded) → CLEARED, voided → VOIDED,
 * anything else (pending, authorized, partially_paid) → PENDING. A cancelled order that never cleared
 * is VOIDED; a cancelled paid order stays CLEARED (the money back comes as refunds/create).
 */
function shopifySaleStatus(financialStatus: unknown, cancelled: boolean): SaleStatus {
  const fs = typeof financialStatus === 'string' ? financialStatus.trim().toLowerCase() : '';
  if (PAID_STATUSES.has(fs)) return 'CLEARED';
  if (fs === 'voided' || cancelled) return 'VOIDED';
  return 'PENDING';
}

/**
 * The order id: `id`, or the digits of `admin_graphql_api_id` (`gid://shopify/Order/123`) when `id` is
 * absent or a number past 2^53, which JSON.parse has already rounded (Shopify's own sample payloads use
 * such ids); the GraphQL id is a string, so its digits are exact.
 */
function orderIdOf(o: Obj): unknown {
  const gid =
    typeof o.admin_graphql_api_id === 'string' ? /\/(\d+)$/.exec(o.admin_graphql_api_id)?.[1] : undefined;
  const unsafe = typeof o.id === 'number' && !Number.isSafeInteger(o.id);
  return (unsafe || o.id === undefined || o.id === null) && gid !== undefined ? gid : o.id;
}

function orderOf(o: Obj, cancelled: boolean, receivedAtMs: number): ParseResult {
  const id = readId(orderIdOf(o), 'id');
  if (!id.ok) return id;
  const currency = readCurrency(o.currency, 'currency');
  if (!currency.ok) return currency;
  const amount = readDecimal(o.total_price, currency.value, 'total_price');
  if (!amount.ok) return amount;
  const when = pick(o, 'processed_at', 'created_at');
  const at = readIsoInstant(when.value, when.field, receivedAtMs);
  if (!at.ok) return at;
  const lines = Array.isArray(o.line_items) ? o.line_items.filter(isObj) : [];
  const sale: LedgerChange = {
    kind: 'sale',
    externalId: id.value,
    status: shopifySaleStatus(o.financial_status, cancelled),
    amountCents: amount.value,
    currency: currency.value,
    atMs: at.value,
    customer: firstText(o.email, o.contact_email),
    stream: streamOf(lines[0]?.product_type, o.source_name),
    items: lines.reduce((n, line) => n + countOf(line.quantity, 0), 0),
  };
  return { ok: true, changes: [sale] };
}

/**
 * A refund: the money that went back is the sum of its successful refund transactions (all in one
 * currency). A refund with none (a restock or a line-item return with no money moved) changes nothing.
 */
function refundOf(r: Obj, receivedAtMs: number): ParseResult {
  const id = readId(r.id, 'id');
  if (!id.ok) return id;
  const orderId = readId(r.order_id, 'order_id');
  if (!orderId.ok) return orderId;
  const when = pick(r, 'processed_at', 'created_at');
  const at = readIsoInstant(when.value, when.field, receivedAtMs);
  if (!at.ok) return at;
  const money = refundedMoney(r.transactions);
  if (!money.ok) return money;
  if (money.currency === null || money.cents === 0) {
    return {
      ok: true,
      changes: [],
      note: `refund ${id.value} moved no money (no successful refund transaction)`,
    };
  }
  const refund: LedgerChange = {
    kind: 'refund',
    externalId: id.value,
    saleExternalId: orderId.value,
    amountCents: money.cents,
    currency: money.currency,
    atMs: at.value,
  };
  return { ok: true, changes: [refund] };
}

type Money = { ok: true; cents: number; currency: string | null } | { ok: false; reason: string };

/** Sum of `transactions` with kind "refund" and status "success"; failed or pending ones moved nothing. */
function refundedMoney(transactions: unknown): Money {
  let cents = 0;
  let currency: string | null = null;
  const list = Array.isArray(transactions) ? transactions : [];
  for (const [i, tx] of list.entries()) {
    if (!isObj(tx) || tx.kind !== 'refund' || tx.status !== 'success') continue;
    const c = readCurrency(tx.currency, `transactions[${i}].currency`);
    if (!c.ok) return c;
    if (currency !== null && c.value !== currency) {
      return fail(
        `transactions[${i}].currency ${c.value} differs from ${currency} of an earlier refund transaction`,
      );
    }
    currency = c.value;
    const amount = readDecimal(tx.amount, c.value, `transactions[${i}].amount`);
    if (!amount.ok) return amount;
    const sum = addMinor(cents, amount.value);
    if (sum === null) return fail('the refund transactions sum past the largest exact amount');
    cents = sum;
  }
  return { ok: true, cents, currency };
}
