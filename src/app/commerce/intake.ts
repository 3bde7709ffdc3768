import type { DeliveryParser, LedgerChange } from '../../domain/commerce/ledger.ts';
import { parserFor } from '../../domain/commerce/parsers.ts';
import { customerHashOf, redactEmails } from '../../domain/commerce/redact.ts';
import type { Clock, Ctx } from '../context.ts';
import type { LedgerWrite, ParseOutcome, StoredDelivery, WebhookStore } from './ports.ts';

/**
 * Webhook intake (issue 12): permissive after authentication. The route has checked the sender's
 * signature or token; here the delivery is stored raw (emails replaced by their keyed hash first: the raw
 * store holds no address) and the route answers 2xx only once that write is durable. Parsing happens after,
 * in batches (`parsePending`), so a slow or failing mapping never costs a sender its delivery: what does not
 * parse is kept with its reason for `leak webhooks replay`.
 */
export interface IntakeDeps {
  deliveries: WebhookStore;
  clock: Clock;
  /** The keyed email hash (PII_HASH_KEY), the same as funnel contacts', so a buyer matches a contact. */
  hashEmail: (email: string) => string;
  /** Called after a new delivery is stored: the server runs the parser soon. */
  onReceived?: () => void;
  /** The mapping of each source (domain/commerce/parsers.ts); tests swap in a broken one and its fix. */
  parserFor?: (source: string) => DeliveryParser;
}

export interface IncomingDelivery {
  source: string;
  topic: string;
  deliveryId: string;
  contentType: string | null;
  /** The body as received, decoded as UTF-8 (the signature was checked on its bytes). */
  body: string;
}

export interface IntakeOutcome {
  id: string;
  duplicate: boolean;
  status: StoredDelivery['status'];
}

export async function receiveDelivery(
  deps: IntakeDeps,
  ctx: Ctx,
  d: IncomingDelivery,
): Promise<IntakeOutcome> {
  const body = redactEmails(d.body, deps.hashEmail);
  const { delivery, duplicate } = await deps.deliveries.receive({
    ...d,
    body,
    receivedAtMs: deps.clock.now(),
  });
  if (duplicate) ctx.log.info({ source: d.source, delivery_id: delivery.id }, 'webhook delivery repeated');
  else deps.onReceived?.();
  return { id: delivery.id, duplicate, status: delivery.status };
}

/** A parsed change as the ledger stores it: the customer reduced to its hash. */
export function toWrite(c: LedgerChange, knownAtMs: number, hashEmail: (e: string) => string): LedgerWrite {
  if (c.kind !== 'sale') return { ...c, knownAtMs };
  const { customer, ...rest } = c;
  return { ...rest, customerHash: customerHashOf(customer, hashEmail), knownAtMs };
}

/** One stored delivery → what it means for the ledger (pure apart from the hash). */
export function parseDelivery(
  d: StoredDelivery,
  hashEmail: (e: string) => string,
  parsers: (source: string) => DeliveryParser = parserFor,
): ParseOutcome {
  let json: unknown;
  try {
    json = JSON.parse(d.body);
  } catch (e) {
    // The parser's own message quotes the body; the stored reason names only where it broke.
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    return {
      id: d.id,
      status: 'failed',
      error: `the body is not JSON${at ? ` (broken at character ${at})` : ''}`,
    };
  }
  const result = parsers(d.source)(d.topic, json, d.receivedAtMs);
  if (!result.ok) return { id: d.id, status: 'failed', error: result.reason };
  if (result.changes.length === 0)
    return { id: d.id, status: 'ignored', note: result.note ?? 'the delivery moves no money' };
  return {
    id: d.id,
    status: 'parsed',
    writes: result.changes.map((c) => toWrite(c, d.receivedAtMs, hashEmail)),
  };
}

export interface ParseCounts {
  parsed: number;
  ignored: number;
  failed: number;
}

const BATCH = 200;

/**
 * Parses every delivery still waiting, a batch per transaction (its ledger writes and the deliveries'
 * statuses commit together, so a crash re-parses the batch and the idempotent ledger absorbs it).
 */
export async function parsePending(deps: IntakeDeps, ctx: Ctx): Promise<ParseCounts> {
  const counts: ParseCounts = { parsed: 0, ignored: 0, failed: 0 };
  for (;;) {
    const outcomes = await deps.deliveries.processPending(BATCH, deps.clock.now(), (d) =>
      parseDelivery(d, deps.hashEmail, deps.parserFor),
    );
    for (const o of outcomes) {
      counts[o.status] += 1;
      if (o.status === 'failed')
        ctx.log.warn({ delivery_id: o.id, reason: o.error }, 'webhook delivery did not parse');
    }
    if (outcomes.length < BATCH) return counts;
  }
}

/**
 * `leak webhooks replay <id>`: a failed (or ignored) delivery is parsed again from its stored body, after a
 * mapping fix. Its ledger changes are idempotent, so replaying one that half-applied cannot count twice.
 */
export async function replayDelivery(
  deps: IntakeDeps,
  ctx: Ctx,
  id: string,
): Promise<{ delivery: StoredDelivery | null; outcome: StoredDelivery['status'] | 'not_replayable' }> {
  const requeued = await deps.deliveries.requeue(id);
  if (requeued === null) return { delivery: await deps.deliveries.get(id), outcome: 'not_replayable' };
  await parsePending(deps, ctx);
  const after = await deps.deliveries.get(id);
  ctx.log.info({ delivery_id: id, status: after?.status }, 'webhook delivery replayed');
  return { delivery: after, outcome: after?.status ?? 'not_replayable' };
}
