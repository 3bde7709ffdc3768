import { show } from '../zod-issues.ts';
import {
  countOf,
  fail,
  firstText,
  isObj,
  type Obj,
  type Read,
  readCurrency,
  readDecimal,
  readId,
  readIsoInstant,
  readMinor,
  streamOf,
} from './fields.ts';
import type { DeliveryParser, DisputeStatus, EntryKind, LedgerChange, SaleStatus } from './ledger.ts';

/**
 * The generic delivery: the documented shape for any sender without a dedicated mapping (a source name
 * other than shopify, stripe or shopier). The topic is not read; `kind` says what the event is.
 *
 * ```jsonc
 * {
 *   "id": "ord_1001",                      // required: the sender's id, unique per source and kind
 *   "kind": "sale",                        // sale (default) | refund | dispute | payout
 *   "amount_cents": 1999,                  // integer minor units of the currency (yen for JPY, fils for KWD)
 *   "amount": "19.99",                     // …or a decimal in major units; a string keeps it exact
 *   "currency": "EUR",                     // required, ISO 4217
 *   "status": "paid",                      // sale (required): paid | cleared | pending | voided
 *                                          // dispute: disputed (default) | won | lost; others: not read
 *   "email": "buyer@example.com",          // sale, optional: replaced by its keyed hash on arrival
 *   "occurred_at": "2025-03-01T10:00:00Z", // optional, ISO-8601 with a zone; default: when received
 *   "sale_id": "ord_1001",                 // refund or dispute, optional: the sale it is about
 *   "stream": "subscriptions",             // sale, optional: the revenue stream for the breakdown
 *   "items": 2                             // sale, optional: default 1
 * }
 * ```
 *
 * A batch is `{ "events": [ …events of the shape above… ] }` (at most 1,000). The batch is read whole or
 * not at all: one bad event fails the delivery with `events[i]: <reason>`, so a replay after the fix
 * cannot apply half of it twice. A sale or dispute with the same id again moves its status forward.
 */
export const parseGeneric: DeliveryParser = (_topic, body, receivedAtMs) => {
  if (!isObj(body)) return fail('the body is not a JSON object');
  if (!('events' in body)) {
    const change = eventOf(body, receivedAtMs);
    return change.ok ? { ok: true, changes: [change.value] } : change;
  }
  if (!Array.isArray(body.events)) return fail(`events ${show(body.events)} is not a list`);
  if (body.events.length > MAX_BATCH)
    return fail(`events has ${body.events.length} entries (at most ${MAX_BATCH})`);
  const changes: LedgerChange[] = [];
  for (const [i, e] of body.events.entries()) {
    const change = isObj(e) ? eventOf(e, receivedAtMs) : fail(`${show(e)} is not an object`);
    if (!change.ok) return fail(`events[${i}]: ${change.reason}`);
    changes.push(change.value);
  }
  return changes.length === 0 ? { ok: true, changes, note: 'events is empty' } : { ok: true, changes };
};

/** A bound on one delivery's work; a sender with more splits them. */
const MAX_BATCH = 1000;

const KINDS: ReadonlySet<unknown> = new Set<EntryKind>(['sale', 'refund', 'dispute', 'payout']);
const isKind = (k: unknown): k is EntryKind => KINDS.has(k);
const SALE_STATUSES: ReadonlyMap<string, SaleStatus> = new Map([
  ['paid', 'CLEARED'],
  ['cleared', 'CLEARED'],
  ['pending', 'PENDING'],
  ['voided', 'VOIDED'],
]);
const DISPUTE_STATUSES: ReadonlyMap<string, DisputeStatus> = new Map([
  ['disputed', 'DISPUTED'],
  ['won', 'WON'],
  ['lost', 'LOST'],
]);

/** `status` looked up in `table` (case-insensitive); `fallback` when absent, null when required. */
function statusOf<S>(v: unknown, table: ReadonlyMap<string, S>, fallback: S | null): Read<S> {
  if (v === undefined || v === null || v === '') {
    return fallback === null ? fail('status is missing') : { ok: true, value: fallback };
  }
  const s = typeof v === 'string' ? table.get(v.trim().toLowerCase()) : undefined;
  return s === undefined
    ? fail(`status ${show(v)} is not one of ${[...table.keys()].join(', ')}`)
    : { ok: true, value: s };
}

/** `amount_cents` or `amount` (both may be sent; then they must agree). */
function amountOf(e: Obj, currency: string): Read<number> {
  const hasCents = e.amount_cents !== undefined && e.amount_cents !== null;
  const hasAmount = e.amount !== undefined && e.amount !== null;
  if (!hasCents && !hasAmount) return fail('amount_cents (or amount) is missing');
  const cents = hasCents ? readMinor(e.amount_cents, 'amount_cents') : null;
  if (cents !== null && !cents.ok) return cents;
  const decimal = hasAmount ? readDecimal(e.amount, currency, 'amount') : null;
  if (decimal !== null && !decimal.ok) return decimal;
  if (cents !== null && decimal !== null && cents.value !== decimal.value) {
    return fail(`amount_cents ${cents.value} and amount ${show(e.amount)} disagree`);
  }
  return (cents ?? decimal)!;
}

/** `sale_id`: null when absent, else an id. */
const saleIdOf = (v: unknown): Read<string | null> =>
  v === undefined || v === null || v === '' ? { ok: true, value: null } : readId(v, 'sale_id');

/** One event of the documented shape → its ledger change. */
function eventOf(e: Obj, receivedAtMs: number): Read<LedgerChange> {
  const kind = e.kind === undefined || e.kind === null ? 'sale' : e.kind;
  if (!isKind(kind)) return fail(`kind ${show(e.kind)} is not sale, refund, dispute or payout`);
  const id = readId(e.id, 'id');
  if (!id.ok) return id;
  const currency = readCurrency(e.currency, 'currency');
  if (!currency.ok) return currency;
  const amount = amountOf(e, currency.value);
  if (!amount.ok) return amount;
  const at = readIsoInstant(e.occurred_at, 'occurred_at', receivedAtMs);
  if (!at.ok) return at;
  const base = { externalId: id.value, amountCents: amount.value, currency: currency.value, atMs: at.value };
  if (kind === 'payout') return { ok: true, value: { kind, ...base } };
  if (kind === 'sale') {
    const status = statusOf(e.status, SALE_STATUSES, null);
    if (!status.ok) return status;
    const sale = {
      kind,
      ...base,
      status: status.value,
      customer: firstText(e.email),
      stream: streamOf(e.stream),
    };
    return { ok: true, value: { ...sale, items: countOf(e.items, 1) } };
  }
  const saleId = saleIdOf(e.sale_id);
  if (!saleId.ok) return saleId;
  if (kind === 'refund') return { ok: true, value: { kind, ...base, saleExternalId: saleId.value } };
  const status = statusOf(e.status, DISPUTE_STATUSES, 'DISPUTED');
  if (!status.ok) return status;
  return {
    ok: true,
    value: { kind: 'dispute', ...base, saleExternalId: saleId.value, status: status.value },
  };
}
