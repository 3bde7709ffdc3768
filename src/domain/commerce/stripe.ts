import { show } from '../zod-issues.ts';
import { minorUnits } from './amounts.ts';
import {
  fail,
  firstText,
  isObj,
  type Obj,
  type Read,
  readCurrency,
  readId,
  readMinor,
  readUnixSeconds,
  streamOf,
  untracked,
} from './fields.ts';
import type { DeliveryParser, DisputeStatus, LedgerChange, ParseResult, SaleStatus } from './ledger.ts';

/**
 * Stripe Events (`{ id, type, created, data: { object } }`): the topic is the event type (the body's
 * `type` when the route passed none). Amounts are integers already in Stripe's minor units, converted to
 * ISO 4217 minor units where the two differ (fromStripe).
 */

type Handler = (object: Obj, eventAtMs: number) => ParseResult;

/** A Map, not an object literal: an event type such as "constructor" must not find a prototype member. */
const HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['charge.succeeded', (ch, at) => saleOf(ch, false, at)],
  ['charge.captured', (ch, at) => saleOf(ch, true, at)],
  ['charge.refunded', refundsOf],
  ['charge.dispute.created', (d, at) => disputeOf(d, 'DISPUTED', readUnixSeconds(d.created, 'created', at))],
  ['charge.dispute.closed', closedDisputeOf],
  ['payout.paid', payoutOf],
]);

/** Stripe Event → the sale, refunds, dispute or payout it states; other event types are not tracked. */
export const parseStripe: DeliveryParser = (topic, body, receivedAtMs) => {
  const type = topic.trim() || (isObj(body) && typeof body.type === 'string' ? body.type.trim() : '');
  const handler = HANDLERS.get(type);
  if (handler === undefined) return untracked(type);
  if (!isObj(body)) return fail(`the ${type} body is not a JSON object`);
  const object = isObj(body.data) ? body.data.object : undefined;
  if (!isObj(object)) return fail('data.object is missing');
  const created = readUnixSeconds(body.created, 'created', receivedAtMs);
  return created.ok ? handler(object, created.value) : created;
};

/** Stripe's zero-decimal currencies (stripe.com/docs/currencies#zero-decimal). */
const STRIPE_ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);

/**
 * Stripe minor units → ISO 4217 minor units. They agree except where Stripe keeps its own exponent:
 * ISK is two-decimal in Stripe for backwards compatibility (always ending in 00) but zero-decimal in ISO;
 * MGA is zero-decimal in Stripe but two-decimal in ISO. One store's ISK must add up with another's.
 */
function fromStripe(v: unknown, currency: string, field: string): Read<number> {
  const amount = readMinor(v, field);
  if (!amount.ok) return amount;
  const stripeExp = currency === 'ISK' ? 2 : STRIPE_ZERO_DECIMAL.has(currency) ? 0 : minorUnits(currency);
  const diff = minorUnits(currency) - stripeExp;
  if (diff === 0) return amount;
  if (diff > 0) {
    const minor = amount.value * 10 ** diff;
    return Number.isSafeInteger(minor)
      ? { ok: true, value: minor }
      : fail(`${field} ${amount.value} is too large`);
  }
  const unit = 10 ** -diff;
  return amount.value % unit === 0
    ? { ok: true, value: amount.value / unit }
    : fail(`${field} ${amount.value} is not a whole amount of ${currency} (Stripe sends it in 1/${unit})`);
}

/** The id and ISO amount shared by every object: `id`, `currency`, then `amountField` in that currency. */
function money(o: Obj, amountField: string): Read<{ id: string; currency: string; cents: number }> {
  const id = readId(o.id, 'id');
  if (!id.ok) return id;
  const currency = readCurrency(o.currency, 'currency');
  if (!currency.ok) return currency;
  const cents = fromStripe(o[amountField], currency.value, amountField);
  if (!cents.ok) return cents;
  return { ok: true, value: { id: id.value, currency: currency.value, cents: cents.value } };
}

/**
 * A charge as a sale. charge.succeeded: CLEARED at the charge's `created`, or PENDING while it is only
 * authorised (`captured: false`). charge.captured (an authorisation captured later): CLEARED at the
 * event's time, when it was captured. A captured charge counts what was captured (`amount_captured`, less
 * than `amount` after a partial capture).
 */
function saleOf(ch: Obj, captureEvent: boolean, eventAtMs: number): ParseResult {
  const status: SaleStatus = !captureEvent && ch.captured === false ? 'PENDING' : 'CLEARED';
  const useCaptured =
    status === 'CLEARED' && typeof ch.amount_captured === 'number' && ch.amount_captured > 0;
  const m = money(ch, useCaptured ? 'amount_captured' : 'amount');
  if (!m.ok) return m;
  const at = captureEvent
    ? { ok: true as const, value: eventAtMs }
    : readUnixSeconds(ch.created, 'created', eventAtMs);
  if (!at.ok) return at;
  const billing = isObj(ch.billing_details) ? ch.billing_details : {};
  const metadata = isObj(ch.metadata) ? ch.metadata : {};
  const sale: LedgerChange = {
    kind: 'sale',
    externalId: m.value.id,
    status,
    amountCents: m.value.cents,
    currency: m.value.currency,
    atMs: at.value,
    customer: firstText(billing.email, ch.receipt_email),
    stream: streamOf(metadata.stream),
    items: 1,
  };
  return { ok: true, changes: [sale] };
}

const COUNTED_REFUNDS = new Set(['succeeded', 'pending']);

/**
 * charge.refunded: one refund per succeeded or pending refund in `refunds.data` (idempotent on the
 * refund id in storage, so the same refund in a later event is not counted twice).
 *
 * API versions from 2022-11-15 omit `refunds` from the charge. Then only the cumulative `amount_refunded`
 * is known, stated as one refund with the id `<charge id>:total`: storage must keep the LATEST amount (and
 * time) for that id rather than ignore the repeat, so a second partial refund raises the total instead of
 * being lost or added twice.
 */
function refundsOf(ch: Obj, eventAtMs: number): ParseResult {
  const refunds = isObj(ch.refunds) && Array.isArray(ch.refunds.data) ? ch.refunds.data : null;
  if (refunds === null) return totalRefundOf(ch, eventAtMs);
  const chargeId = readId(ch.id, 'id');
  if (!chargeId.ok) return chargeId;
  const changes: LedgerChange[] = [];
  for (const [i, r] of refunds.entries()) {
    if (!isObj(r)) return fail(`refunds.data[${i}] is not an object`);
    if (!COUNTED_REFUNDS.has(String(r.status))) continue;
    const m = money({ ...r, currency: r.currency ?? ch.currency }, 'amount');
    if (!m.ok) return fail(`refunds.data[${i}].${m.reason}`);
    const at = readUnixSeconds(r.created, `refunds.data[${i}].created`, eventAtMs);
    if (!at.ok) return at;
    const { id, cents, currency } = m.value;
    changes.push({
      kind: 'refund',
      externalId: id,
      saleExternalId: chargeId.value,
      amountCents: cents,
      currency,
      atMs: at.value,
    });
  }
  // The charge embeds the first page of its refunds only (10); a later page is not in the event.
  const truncated = isObj(ch.refunds) && ch.refunds.has_more === true;
  const note = truncated
    ? 'refunds.data has more pages than the event carries: only the refunds listed were read'
    : changes.length === 0
      ? 'no succeeded or pending refund in refunds.data'
      : undefined;
  return note === undefined ? { ok: true, changes } : { ok: true, changes, note };
}

/** The cumulative refund of a charge whose event omits the refunds list (see refundsOf). */
function totalRefundOf(ch: Obj, eventAtMs: number): ParseResult {
  const m = money(ch, 'amount_refunded');
  if (!m.ok) return m;
  if (m.value.cents === 0) return { ok: true, changes: [], note: 'amount_refunded is 0' };
  const { id, cents, currency } = m.value;
  return {
    ok: true,
    changes: [
      {
        kind: 'refund',
        externalId: `${id}:total`,
        saleExternalId: id,
        amountCents: cents,
        currency,
        atMs: eventAtMs,
      },
    ],
  };
}

function disputeOf(d: Obj, status: DisputeStatus, at: Read<number>): ParseResult {
  if (!at.ok) return at;
  const m = money(d, 'amount');
  if (!m.ok) return m;
  // `charge` is the charge's id, or the charge itself when the endpoint expands it.
  const charge = isObj(d.charge) ? d.charge.id : d.charge;
  const dispute: LedgerChange = {
    kind: 'dispute',
    externalId: m.value.id,
    saleExternalId: typeof charge === 'string' && charge !== '' ? charge : null,
    status,
    amountCents: m.value.cents,
    currency: m.value.currency,
    atMs: at.value,
  };
  return { ok: true, changes: [dispute] };
}

/** How a closed dispute ended: `warning_closed` is an inquiry that closed without becoming a chargeback. */
const CLOSED: ReadonlyMap<unknown, DisputeStatus> = new Map([
  ['won', 'WON'],
  ['warning_closed', 'WON'],
  ['lost', 'LOST'],
]);

/** charge.dispute.closed: WON or LOST, at the event's time (when it closed). */
function closedDisputeOf(d: Obj, eventAtMs: number): ParseResult {
  const status = CLOSED.get(d.status);
  if (status === undefined) return fail(`status ${show(d.status)} is not a closed dispute status`);
  return disputeOf(d, status, { ok: true, value: eventAtMs });
}

/** payout.paid: the money reached the bank (`arrival_date`, else the payout's `created`). */
function payoutOf(p: Obj, eventAtMs: number): ParseResult {
  const m = money(p, 'amount');
  if (!m.ok) return m;
  const field = p.arrival_date !== undefined && p.arrival_date !== null ? 'arrival_date' : 'created';
  const at = readUnixSeconds(p[field], field, eventAtMs);
  if (!at.ok) return at;
  const { id, cents, currency } = m.value;
  return {
    ok: true,
    changes: [{ kind: 'payout', externalId: id, amountCents: cents, currency, atMs: at.value }],
  };
}
