import type { DeliveryEvidence } from '../../domain/commerce/figures.ts';
import type { LedgerChange, LedgerEntry, NetBucket } from '../../domain/commerce/ledger.ts';
import type { WeeklyDip } from '../../domain/commerce/weekly.ts';

/** A delivery as the intake stores it: the body already redacted (emails → `pii:<hash>`). */
export interface NewDelivery {
  source: string;
  topic: string;
  /** The sender's id of the delivery (X-Shopify-Webhook-Id, the Stripe event id, …): retries repeat it. */
  deliveryId: string;
  receivedAtMs: number;
  contentType: string | null;
  body: string;
}

export type DeliveryStatus = DeliveryEvidence['status'];

export interface StoredDelivery extends NewDelivery {
  id: string;
  status: DeliveryStatus;
  error: string | null;
  attempts: number;
  parsedAtMs: number | null;
}

/** A ledger change as stored: the customer reduced to its keyed hash, and when the change became known. */
export type LedgerWrite = (Exclude<LedgerChange, { kind: 'sale' }> | SaleWrite) & { knownAtMs: number };
type SaleWrite = Omit<Extract<LedgerChange, { kind: 'sale' }>, 'customer'> & { customerHash: string | null };

/** What parsing one claimed delivery came to. */
export type ParseOutcome =
  | { id: string; status: 'parsed'; writes: LedgerWrite[] }
  | { id: string; status: 'ignored'; note: string }
  | { id: string; status: 'failed'; error: string };

export interface WebhookStore {
  /** Stores a delivery unless (source, deliveryId) is already stored; durable when it resolves. */
  receive(d: NewDelivery): Promise<{ delivery: StoredDelivery; duplicate: boolean }>;
  get(id: string): Promise<StoredDelivery | null>;
  /**
   * Claims up to `limit` deliveries still `received` (skipping ones another worker holds), lets `parse`
   * judge them, and in the same transaction writes their ledger changes and their new status.
   */
  processPending(
    limit: number,
    atMs: number,
    parse: (d: StoredDelivery) => ParseOutcome,
  ): Promise<ParseOutcome[]>;
  /** Puts a failed (or ignored) delivery back to `received` for the next processPending; false if none. */
  requeue(id: string): Promise<StoredDelivery | null>;
  listFailed(limit: number, source?: string): Promise<StoredDelivery[]>;
  /** The source's last deliveries, newest first, without their bodies. */
  recent(source: string, limit: number): Promise<DeliveryEvidence[]>;
  /** How many deliveries of each source received at or after `sinceMs` are kept as failed. */
  failedSince(sinceMs: number): Promise<Map<string, number>>;
  /** The newest failure of the source at or after `sinceMs`, or null. */
  lastFailure(source: string, sinceMs: number): Promise<{ error: string; receivedAtMs: number } | null>;
  /** Every source that sent a delivery or has a ledger entry, with its last delivery instant. */
  sources(): Promise<Array<{ source: string; lastDeliveryAtMs: number | null }>>;
}

export interface LedgerStore {
  /** Net revenue and event counts per (source, currency, 15-minute bucket) in [fromMs, toMs). */
  buckets(fromMs: number, toMs: number): Promise<NetBucket[]>;
  /** The last ledger event (occurred_at) of every source. */
  lastEventAt(): Promise<Map<string, number>>;
  /** Entries (a backfill, `leak revenue import`) written outside any delivery; returns how many were new. */
  writeEntries(source: string, writes: LedgerWrite[]): Promise<{ written: number; unchanged: number }>;
  /** Entries whose revenue counts in [fromMs, toMs) or that occurred then (reports, `leak revenue --json`). */
  entries(fromMs: number, toMs: number): Promise<LedgerEntry[]>;
  /** REVENUE_DIP incidents opened in [fromMs, toMs) (the weekly report). */
  dipsOpenedBetween(fromMs: number, toMs: number): Promise<WeeklyDip[]>;
}
