/**
 * The commerce ledger (DOMAIN.md §8, issue 12): what store and payment deliveries say about money, in
 * integer cents with an ISO 4217 currency on every amount. No floats on the money path.
 *
 * Entries are never edited by a later fact about them: a refund or a dispute is an entry of its own, linked
 * to its sale, so any past day's net revenue can be recomputed. Only an entry's own status moves forward
 * (a sale PENDING → CLEARED or VOIDED, a dispute DISPUTED → WON or LOST), with the instant it settled.
 */

export type EntryKind = 'sale' | 'refund' | 'dispute' | 'payout';
export type SaleStatus = 'PENDING' | 'CLEARED' | 'VOIDED';
export type DisputeStatus = 'DISPUTED' | 'WON' | 'LOST';
/** Refunds and payouts are facts with no later state: POSTED. */
export type EntryStatus = SaleStatus | DisputeStatus | 'POSTED';

/** The sources with a dedicated route; a generic source is any other lowercase name. */
export const KNOWN_SOURCES = ['shopify', 'stripe', 'shopier'] as const;

/** Customer emails arrive already replaced by `pii:<hex>` (redact.ts): the parser returns them as sent. */
export type LedgerChange =
  | {
      kind: 'sale';
      externalId: string;
      status: SaleStatus;
      /** Positive cents. */
      amountCents: number;
      currency: string;
      /** When the order was placed, or (a sale that clears now) when it was paid. */
      atMs: number;
      /** The email field as it appears in the stored body (a `pii:` token), or null. */
      customer: string | null;
      /** Revenue stream for the breakdown (a product type, a channel); '' when the delivery names none. */
      stream: string;
      items: number;
    }
  | {
      kind: 'refund';
      externalId: string;
      saleExternalId: string | null;
      amountCents: number;
      currency: string;
      atMs: number;
    }
  | {
      kind: 'dispute';
      externalId: string;
      saleExternalId: string | null;
      status: DisputeStatus;
      amountCents: number;
      currency: string;
      atMs: number;
    }
  | { kind: 'payout'; externalId: string; amountCents: number; currency: string; atMs: number };

/**
 * A parsed delivery: the changes it states (possibly none: a topic we take but that moves no money, said in
 * `note`), or why it could not be read. A failure keeps the delivery for `leak webhooks replay`.
 */
export type ParseResult =
  | { ok: true; changes: LedgerChange[]; note?: string }
  | { ok: false; reason: string };

/**
 * One mapping per source: the delivery's topic (Shopify's X-Shopify-Topic, Stripe's event type), its parsed
 * body, and when we received it: the instant a change counts at when the payload states none (a Shopier
 * payment, a generic event without `occurred_at`). Pure: a replay passes the stored received time again.
 */
export type DeliveryParser = (topic: string, body: unknown, receivedAtMs: number) => ParseResult;

/** A stored entry as the signals read it. */
export interface LedgerEntry {
  source: string;
  kind: EntryKind;
  externalId: string;
  status: EntryStatus;
  amountCents: number;
  currency: string;
  occurredAtMs: number;
  /** A sale: when it cleared; a dispute: when it closed (won or lost); otherwise null. */
  settledAtMs: number | null;
  stream: string;
}

/**
 * What an entry adds to net revenue, and the instant it counts at (DOMAIN.md §8, issue 12): a cleared sale
 * +amount when it cleared; a refund −amount when it was made; a lost dispute −amount when it closed. A
 * pending, voided or won entry, an open dispute and a payout move no revenue.
 */
export function netEffect(e: LedgerEntry): { cents: number; atMs: number } | null {
  switch (e.kind) {
    case 'sale':
      return e.status === 'CLEARED' ? { cents: e.amountCents, atMs: e.settledAtMs ?? e.occurredAtMs } : null;
    case 'refund':
      return { cents: -e.amountCents, atMs: e.occurredAtMs };
    case 'dispute':
      return e.status === 'LOST' ? { cents: -e.amountCents, atMs: e.settledAtMs ?? e.occurredAtMs } : null;
    case 'payout':
      return null;
  }
}

/**
 * Net revenue and ledger activity of one source and currency in one 15-minute bucket (every real time zone
 * offset is a multiple of 15 minutes, so local days are whole buckets). The database sums entries into
 * these; the signals (dnr.ts, dip.ts, no-signal.ts) read nothing else.
 */
export interface NetBucket {
  source: string;
  currency: string;
  /** Start of the bucket, epoch ms, a multiple of BUCKET_MS. */
  startMs: number;
  /** Signed net cents counted in the bucket (netEffect). */
  netCents: number;
  /** Ledger events of any kind that occurred in the bucket (a payout counts: the source is alive). */
  events: number;
}

export const BUCKET_MS = 15 * 60_000;

/** An ISO 4217 code as we store it: three uppercase letters. */
export const normalizeCurrency = (c: unknown): string | null =>
  typeof c === 'string' && /^[A-Za-z]{3}$/.test(c.trim()) ? c.trim().toUpperCase() : null;
