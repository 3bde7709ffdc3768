import type { LedgerStore, LedgerWrite } from '../../app/commerce/ports.ts';
import { BUCKET_MS, type LedgerEntry } from '../../domain/commerce/ledger.ts';
import type { Db, Row, Sql } from './client.ts';
import { epochMs, iso } from './instants.ts';

/**
 * The ledger (migrations/0007). One statement per change, idempotent on (source, kind, external id): a
 * repeated fact changes nothing; only an entry's own status moves forward (a sale PENDING → CLEARED or
 * VOIDED, a dispute DISPUTED → WON or LOST), stamping when it settled. A refund or a dispute is a row of
 * its own, so the sale it concerns is never edited and past days recompute. A refund's amount may grow
 * under the same id (Stripe's cumulative `amount_refunded` when the event lists no refunds).
 */
const UPSERT = `
INSERT INTO ledger_entries AS l (source, kind, external_id, sale_external_id, status, amount_cents, currency,
  customer_hash, stream, items, occurred_at, settled_at, delivery_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (source, kind, external_id) DO UPDATE SET
  status = CASE WHEN l.status IN ('PENDING', 'DISPUTED') THEN EXCLUDED.status ELSE l.status END,
  amount_cents = CASE WHEN l.status = 'PENDING' OR l.kind = 'refund' THEN EXCLUDED.amount_cents
                      ELSE l.amount_cents END,
  currency = CASE WHEN l.status = 'PENDING' THEN EXCLUDED.currency ELSE l.currency END,
  settled_at = CASE WHEN l.status IN ('PENDING', 'DISPUTED') AND EXCLUDED.status IN ('CLEARED', 'WON', 'LOST')
                    THEN $14::timestamptz ELSE l.settled_at END,
  customer_hash = coalesce(l.customer_hash, EXCLUDED.customer_hash),
  stream = CASE WHEN l.stream = '' THEN EXCLUDED.stream ELSE l.stream END,
  updated_at = now()
WHERE (l.status IN ('PENDING', 'DISPUTED') AND EXCLUDED.status <> l.status)
   OR (l.status = 'PENDING' AND EXCLUDED.amount_cents <> l.amount_cents)
   OR (l.kind = 'refund' AND EXCLUDED.amount_cents <> l.amount_cents)
RETURNING id`;

const SETTLED = new Set(['CLEARED', 'WON', 'LOST']);

function upsertParams(source: string, w: LedgerWrite, deliveryId: string | null): unknown[] {
  const status = w.kind === 'sale' || w.kind === 'dispute' ? w.status : 'POSTED';
  const sale = w.kind === 'sale' ? w : null;
  const link = w.kind === 'refund' || w.kind === 'dispute' ? w.saleExternalId : null;
  // Settled at first sight: when the fact happened. Settled later (a pending order paid): when we learned
  // it for a sale (orders carry no paid-at instant), when the dispute closed for a dispute.
  const settledNow = SETTLED.has(status) ? iso(w.atMs) : null;
  const settledLater = iso(w.kind === 'sale' ? w.knownAtMs : w.atMs);
  return [
    source,
    w.kind,
    w.externalId,
    link,
    status,
    w.amountCents,
    w.currency,
    sale?.customerHash ?? null,
    sale?.stream ?? '',
    sale?.items ?? 0,
    iso(w.atMs),
    settledNow,
    deliveryId,
    settledLater,
  ];
}

/** Writes a batch of changes in the caller's transaction; returns how many rows were new or moved. */
export async function writeLedger(
  tx: Sql,
  source: string,
  writes: readonly LedgerWrite[],
  deliveryId: string | null,
): Promise<number> {
  // Sent without waiting for each answer: postgres.js pipelines the statements of a transaction over its
  // one connection, and the server runs them in order, so two changes to one order still apply in order.
  const results = await Promise.all(writes.map((w) => tx.query(UPSERT, upsertParams(source, w, deliveryId))));
  return results.reduce((n, rows) => n + rows.length, 0);
}

/**
 * Net revenue per 15-minute bucket: a cleared sale counts +amount at settled_at, a refund −amount at
 * occurred_at, a lost dispute −amount at settled_at (domain/commerce/ledger.ts netEffect); every entry
 * also counts as one event of its source at occurred_at.
 */
const BUCKETS = `
SELECT source, currency, (floor(extract(epoch FROM at) * 1000 / ${BUCKET_MS}) * ${BUCKET_MS})::float8 AS start_ms,
       sum(cents)::float8 AS net, sum(events)::float8 AS events
FROM (
  SELECT source, currency, settled_at AS at, amount_cents AS cents, 0 AS events FROM ledger_entries
   WHERE kind = 'sale' AND status = 'CLEARED' AND settled_at >= $1 AND settled_at < $2
  UNION ALL
  SELECT source, currency, settled_at, -amount_cents, 0 FROM ledger_entries
   WHERE kind = 'dispute' AND status = 'LOST' AND settled_at >= $1 AND settled_at < $2
  UNION ALL
  SELECT source, currency, occurred_at, CASE WHEN kind = 'refund' THEN -amount_cents ELSE 0 END, 1
    FROM ledger_entries WHERE occurred_at >= $1 AND occurred_at < $2
) e
GROUP BY 1, 2, 3 ORDER BY 3, 1, 2`;

const toEntry = (r: Row): LedgerEntry => ({
  source: String(r['source']),
  kind: r['kind'] as LedgerEntry['kind'],
  externalId: String(r['external_id']),
  status: r['status'] as LedgerEntry['status'],
  amountCents: Number(r['amount_cents']),
  currency: String(r['currency']),
  occurredAtMs: Number(r['occurred_ms']),
  settledAtMs: r['settled_ms'] === null ? null : Number(r['settled_ms']),
  stream: String(r['stream']),
});

export function ledgerStore(db: Db): LedgerStore {
  return {
    async buckets(fromMs, toMs) {
      const rows = await db.query(BUCKETS, [iso(fromMs), iso(toMs)]);
      return rows.map((r) => ({
        source: String(r['source']),
        currency: String(r['currency']),
        startMs: Number(r['start_ms']),
        netCents: Number(r['net']),
        events: Number(r['events']),
      }));
    },

    async lastEventAt() {
      const rows = await db.query(
        `SELECT source, ${epochMs('max(occurred_at)')} AS last_ms FROM ledger_entries GROUP BY source`,
      );
      return new Map(rows.map((r) => [String(r['source']), Number(r['last_ms'])]));
    },

    writeEntries: (source, writes) =>
      db.transaction(async (tx) => {
        const written = await writeLedger(tx, source, writes, null);
        return { written, unchanged: writes.length - written };
      }),

    async entries(fromMs, toMs) {
      const rows = await db.query(
        `SELECT source, kind, external_id, status, amount_cents::float8 AS amount_cents, currency, stream,
                ${epochMs('occurred_at')} AS occurred_ms, ${epochMs('settled_at')} AS settled_ms
         FROM ledger_entries
         WHERE (occurred_at >= $1 AND occurred_at < $2) OR (settled_at >= $1 AND settled_at < $2)
         ORDER BY occurred_at, id`,
        [iso(fromMs), iso(toMs)],
      );
      return rows.map(toEntry);
    },

    async dipsOpenedBetween(fromMs, toMs) {
      const rows = await db.query(
        `SELECT title, severity, ${epochMs('opened_at')} AS opened_ms, ${epochMs('resolved_at')} AS resolved_ms
         FROM incidents WHERE dedupe_key LIKE 'commerce:dip:%' AND opened_at >= $1 AND opened_at < $2
         ORDER BY opened_at, id`,
        [iso(fromMs), iso(toMs)],
      );
      return rows.map((r) => ({
        title: String(r['title']),
        severity: Number(r['severity']),
        openedAtMs: Number(r['opened_ms']),
        resolvedAtMs: r['resolved_ms'] === null ? null : Number(r['resolved_ms']),
      }));
    },
  };
}
