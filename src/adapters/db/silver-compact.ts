import { setImmediate } from 'node:timers/promises';
import type { SilverMinute } from '../../app/telemetry/ports.ts';
import type { MergeSketchBytes } from '../../domain/telemetry/rollup.ts';
import type { Sql } from './client.ts';
import { mergeSilver, type SilverSketches, type StoredSilver } from './silver-merge.ts';
import { fromB64, mergeByKey, statsOf } from './telemetry-sql.ts';

/** Keys compact merges between two turns of the event loop. */
const YIELD_EVERY = 100;

/** One key's pending rows as compact sums them: `sketches` is their base64 sketches, comma-separated. */
type PendingKey = Omit<StoredSilver, 'sketch'> & { tags: string; taken: number; sketches: string | null };

/**
 * Merges many sketches pairwise in rounds (a balanced tree), so each sketch is decoded and re-encoded
 * about log2(n) times rather than the growing merge once per part. Null for no sketches.
 */
function mergeAll(parts: Uint8Array[], merge: MergeSketchBytes): Uint8Array | null {
  let level = parts;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2)
      next.push(i + 1 < level.length ? merge(level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0] ?? null;
}

/**
 * Takes (deletes) up to `limit` of the oldest pending rows, summed per key by the server.
 * SKIP LOCKED: a second compactor takes the next rows instead of waiting for ours; the row locks
 * mergeSilver takes on silver_minute (in key order) keep the two from losing increments. The taken rows
 * are summed per key by the server (count, errors, sum, min, max), so only one row per key comes back,
 * with that key's sketches in one string; merging them row by row in JavaScript (each merge decoding and
 * re-encoding the growing sketch) was most of compaction.
 */
const takePending = (tx: Sql, limit: number) =>
  tx.query<PendingKey>(
    `WITH taken AS (
       DELETE FROM silver_minute_pending
       WHERE id IN (SELECT id FROM silver_minute_pending ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id, service, metric, tags, tags_hash, minute, count, errors, sum, min, max, sketch
     )
     SELECT service, metric, (array_agg(tags::text))[1] AS tags, tags_hash,
            (extract(epoch FROM minute) * 1000)::float8 AS minute_ms, count(*)::float8 AS taken,
            sum(count)::float8 AS count, sum(errors)::float8 AS errors, sum(sum) AS sum, min(min) AS min,
            max(max) AS max, string_agg(encode(sketch, 'base64'), ',' ORDER BY id) AS sketches
     FROM taken
     GROUP BY service, metric, tags_hash, minute`,
    [limit],
  );

const asRow = (p: PendingKey, merge: MergeSketchBytes): SilverMinute => ({
  service: p.service,
  metric: p.metric,
  tags: JSON.parse(p.tags) as SilverMinute['tags'],
  tagsHash: p.tags_hash,
  minuteMs: Number(p.minute_ms),
  ...statsOf({ ...p, sketch: null }),
  sketchBytes: mergeAll(p.sketches === null ? [] : p.sketches.split(',').map((b) => fromB64(b)!), merge),
});

/**
 * One compaction, inside the caller's transaction: pending rows taken, merged per key and into
 * silver_minute. Returns how many pending rows it took (0 when none were left).
 */
export async function compactPending(tx: Sql, limit: number, sketches: SilverSketches): Promise<number> {
  const taken = await takePending(tx, limit);
  if (taken.length === 0) return 0;
  const merged: SilverMinute[] = [];
  for (const p of taken) {
    // Merging a batch's sketches is a few hundred ms of CPU: let requests in between, so a compaction
    // does not stall ingest's answers.
    if (merged.length % YIELD_EVERY === YIELD_EVERY - 1) await setImmediate();
    merged.push(asRow(p, sketches.merge));
  }
  await mergeSilver(tx, mergeByKey(merged, sketches.merge), sketches);
  return taken.reduce((n, p) => n + Number(p.taken), 0);
}
