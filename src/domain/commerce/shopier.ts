import { parseIsoInstant } from '../../shared/time.ts';
import { show } from '../zod-issues.ts';
import {
  fail,
  firstText,
  isObj,
  pick,
  type Read,
  readCurrency,
  readDecimal,
  readId,
  streamOf,
} from './fields.ts';
import type { DeliveryParser, LedgerChange } from './ledger.ts';

/**
 * Shopier payment notifications (DOMAIN.md §8). Shopier has one kind of delivery, so the topic is not
 * read. Integrations send the fields as JSON or as form fields turned into strings, hence the leniency:
 * `price` as text or number, `currency` as a code or Shopier's numeric one.
 */

/** Shopier's numeric currency codes (its API's `currency` 0, 1, 2). */
const NUMERIC_CURRENCIES: ReadonlyMap<string, string> = new Map([
  ['0', 'TRY'],
  ['1', 'USD'],
  ['2', 'EUR'],
]);

/** `currency` as sent: absent → USD (DOMAIN.md §8), 0/1/2 → TRY/USD/EUR, else a three-letter code. */
function shopierCurrency(v: unknown): Read<string> {
  if (v === undefined || v === null || v === '') return { ok: true, value: 'USD' };
  const numeric =
    typeof v === 'number' || typeof v === 'string' ? NUMERIC_CURRENCIES.get(String(v).trim()) : undefined;
  if (numeric !== undefined) return { ok: true, value: numeric };
  const code = readCurrency(v, 'currency');
  return code.ok ? code : fail(`currency ${show(v)} is not a currency code nor Shopier's 0, 1 or 2`);
}

/**
 * When the payment was made: `created_at` or `date` when it is an ISO-8601 time with a zone; otherwise
 * (absent, or a local time with no zone, which cannot be placed without the shop's zone) when we received
 * it, which a payment notification follows within seconds.
 */
function paidAt(o: Record<string, unknown>, receivedAtMs: number): number {
  const when = pick(o, 'created_at', 'date');
  const ms = typeof when.value === 'string' ? parseIsoInstant(when.value.trim()) : null;
  return ms ?? receivedAtMs;
}

/**
 * A Shopier payment → one sale: `payment_id` (or `id`), `buyer_email` (or `email`), `price` in the
 * currency's major units, CLEARED when `status` is "success" and PENDING otherwise, `product_name` as
 * the stream, one item.
 */
export const parseShopier: DeliveryParser = (_topic, body, receivedAtMs) => {
  if (!isObj(body)) return fail('the body is not a JSON object');
  const idField = pick(body, 'payment_id', 'id');
  const id = readId(idField.value, idField.field);
  if (!id.ok) return id;
  const currency = shopierCurrency(body.currency);
  if (!currency.ok) return currency;
  const amount = readDecimal(body.price, currency.value, 'price');
  if (!amount.ok) return amount;
  const status = typeof body.status === 'string' && body.status.trim().toLowerCase() === 'success';
  const sale: LedgerChange = {
    kind: 'sale',
    externalId: id.value,
    status: status ? 'CLEARED' : 'PENDING',
    amountCents: amount.value,
    currency: currency.value,
    atMs: paidAt(body, receivedAtMs),
    customer: firstText(body.buyer_email, body.email),
    stream: streamOf(body.product_name),
    items: 1,
  };
  return { ok: true, changes: [sale] };
};
