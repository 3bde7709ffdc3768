import type { NewDelivery, ParseOutcome, StoredDelivery, WebhookStore } from '../../app/commerce/ports.ts';
import type { DeliveryEvidence } from '../../domain/commerce/figures.ts';
import type { Db, Row, Sql } from './client.ts';
import { epochMs, iso } from './instants.ts';
import { writeLedger } from './ledger-repository.ts';

/**
 * Raw webhook deliveries (migrations/0007): stored before anything is parsed, one row per sender delivery
 * id, then claimed in batches by the parser (FOR UPDATE SKIP LOCKED, so replicas share the work) and marked
 * with what became of them in the transaction that writes their ledger changes.
 */

const COLUMNS = `id::text AS id, source, topic, delivery_id, ${epochMs('received_at')} AS received_ms,
  content_type, body, status, error, attempts, ${epochMs('parsed_at')} AS parsed_ms`;

const toDelivery = (r: Row): StoredDelivery => ({
  id: String(r['id']),
  source: String(r['source']),
  topic: String(r['topic']),
  deliveryId: String(r['delivery_id']),
  receivedAtMs: Number(r['received_ms']),
  contentType: (r['content_type'] as string | null) ?? null,
  body: String(r['body']),
  status: r['status'] as StoredDelivery['status'],
  error: (r['error'] as string | null) ?? null,
  attempts: Number(r['attempts']),
  parsedAtMs: r['parsed_ms'] === null ? null : Number(r['parsed_ms']),
});

const toEvidence = (r: Row): DeliveryEvidence => ({
  id: String(r['id']),
  topic: String(r['topic']),
  receivedAtMs: Number(r['received_ms']),
  status: r['status'] as DeliveryEvidence['status'],
  error: (r['error'] as string | null) ?? null,
});

export function webhookStore(db: Db): WebhookStore {
  return { ...deliveryWrites(db), ...deliveryReads(db) };
}

/** Storing, claiming for parsing and requeueing for replay. */
function deliveryWrites(db: Db): Pick<WebhookStore, 'receive' | 'processPending' | 'requeue'> {
  return {
    async receive(d: NewDelivery) {
      const inserted = await db.query(
        `INSERT INTO webhook_deliveries (source, topic, delivery_id, received_at, content_type, body)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (source, delivery_id) DO NOTHING
         RETURNING ${COLUMNS}`,
        [d.source, d.topic, d.deliveryId, iso(d.receivedAtMs), d.contentType, d.body],
      );
      if (inserted[0]) return { delivery: toDelivery(inserted[0]), duplicate: false };
      const [existing] = await db.query(
        `SELECT ${COLUMNS} FROM webhook_deliveries WHERE source = $1 AND delivery_id = $2`,
        [d.source, d.deliveryId],
      );
      return { delivery: toDelivery(existing!), duplicate: true };
    },

    processPending: (limit, atMs, parse) =>
      db.transaction(async (tx) => {
        const claimed = await tx.query(
          `SELECT ${COLUMNS} FROM webhook_deliveries WHERE status = 'received'
           ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [limit],
        );
        const outcomes = claimed.map((r) => {
          const d = toDelivery(r);
          try {
            return parse(d);
          } catch (e) {
            return { id: d.id, status: 'failed', error: `parser error: ${String(e)}` } satisfies ParseOutcome;
          }
        });
        await writeOutcomes(tx, claimed, outcomes, atMs);
        return outcomes;
      }),

    async requeue(id) {
      if (!/^\d{1,18}$/.test(id)) return null;
      const [row] = await db.query(
        `UPDATE webhook_deliveries SET status = 'received', error = NULL
         WHERE id = $1 AND status IN ('failed', 'ignored') RETURNING ${COLUMNS}`,
        [id],
      );
      return row ? toDelivery(row) : null;
    },
  };
}

/** What the watch, the view and `leak webhooks` read; never a body except by id. */
function deliveryReads(db: Db): Omit<WebhookStore, 'receive' | 'processPending' | 'requeue'> {
  return {
    async get(id) {
      if (!/^\d{1,18}$/.test(id)) return null;
      const [row] = await db.query(`SELECT ${COLUMNS} FROM webhook_deliveries WHERE id = $1`, [id]);
      return row ? toDelivery(row) : null;
    },

    async listFailed(limit, source) {
      const rows = await db.query(
        `SELECT ${COLUMNS} FROM webhook_deliveries WHERE status = 'failed' AND ($2::text IS NULL OR source = $2)
         ORDER BY received_at DESC, id DESC LIMIT $1`,
        [limit, source ?? null],
      );
      return rows.map(toDelivery);
    },

    async recent(source, limit) {
      const rows = await db.query(
        `SELECT id::text AS id, topic, ${epochMs('received_at')} AS received_ms, status, error
         FROM webhook_deliveries WHERE source = $1 ORDER BY received_at DESC, id DESC LIMIT $2`,
        [source, limit],
      );
      return rows.map(toEvidence);
    },

    async failedSince(sinceMs) {
      const rows = await db.query(
        `SELECT source, count(*)::int AS n FROM webhook_deliveries
         WHERE status = 'failed' AND received_at >= $1 GROUP BY source`,
        [iso(sinceMs)],
      );
      return new Map(rows.map((r) => [String(r['source']), Number(r['n'])]));
    },

    async lastFailure(source, sinceMs) {
      const [row] = await db.query(
        `SELECT error, ${epochMs('received_at')} AS received_ms FROM webhook_deliveries
         WHERE source = $1 AND status = 'failed' AND received_at >= $2 ORDER BY received_at DESC LIMIT 1`,
        [source, iso(sinceMs)],
      );
      return row ? { error: String(row['error'] ?? ''), receivedAtMs: Number(row['received_ms']) } : null;
    },

    async sources() {
      const rows = await db.query(
        `SELECT source, max(last_ms) AS last_ms FROM (
           SELECT source, ${epochMs('max(received_at)')} AS last_ms FROM webhook_deliveries GROUP BY source
           UNION ALL SELECT DISTINCT source, NULL::float8 FROM ledger_entries
         ) s GROUP BY source ORDER BY source`,
      );
      return rows.map((r) => ({
        source: String(r['source']),
        lastDeliveryAtMs: r['last_ms'] === null ? null : Number(r['last_ms']),
      }));
    },
  };
}

/** The ledger writes of the parsed deliveries, then every claimed delivery's new status in one statement. */
async function writeOutcomes(tx: Sql, claimed: Row[], outcomes: ParseOutcome[], atMs: number): Promise<void> {
  // Every delivery's ledger writes are issued at once (pipelined, applied in order; see writeLedger).
  await Promise.all(
    outcomes.map((o, i) =>
      o.status === 'parsed' ? writeLedger(tx, String(claimed[i]!['source']), o.writes, o.id) : 0,
    ),
  );
  if (outcomes.length === 0) return;
  await tx.query(
    `UPDATE webhook_deliveries d SET status = u.status, error = u.error, parsed_at = $4,
       attempts = d.attempts + 1
     FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, status, error) WHERE d.id = u.id`,
    [
      outcomes.map((o) => o.id),
      outcomes.map((o) => o.status),
      outcomes.map((o) => (o.status === 'failed' ? o.error : o.status === 'ignored' ? o.note : null)),
      iso(atMs),
    ],
  );
}
