import type { SilverMinute } from '../../app/telemetry/ports.ts';
import type { SketchOps } from '../../app/telemetry/sketch-ports.ts';
import { combineRollups } from '../../domain/telemetry/rollup.ts';
import type { Sql } from './client.ts';
import {
  iso,
  keyOf,
  quantileParams,
  rollupParams,
  rowKey,
  type StoredStats,
  statsOf,
} from './telemetry-sql.ts';

/** What merging Silver rows needs of the sketch library: the merge, and the quantile columns. */
export type SilverSketches = Pick<SketchOps, 'merge' | 'quantiles'>;

/** Row values as text arrays ($1…$11), in the order of SILVER_UNNEST's columns. */
const silverParams = (rows: readonly SilverMinute[]) =>
  rollupParams(
    rows,
    (r) => JSON.stringify(r.tags),
    (r) => r.minuteMs,
  );
const SILVER_UNNEST = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::text[], $11::text[]) WITH ORDINALITY
  AS u(service, metric, tags, tags_hash, minute, count, errors, sum, min, max, sketch, ord)`;

export type StoredSilver = StoredStats & {
  service: string;
  metric: string;
  tags_hash: string;
  minute_ms: number;
};

/** Inserts the rows whose key is new (in key order); returns the others, whose key already has a row. */
async function insertNew(tx: Sql, rows: SilverMinute[], sketches: SilverSketches): Promise<SilverMinute[]> {
  const inserted = await tx.query<{ service: string; metric: string; tags_hash: string; minute_ms: number }>(
    `INSERT INTO silver_minute
       (service, metric, tags, tags_hash, minute, count, errors, sum, min, max, sketch, p50, p90, p99)
     SELECT u.service, u.metric, u.tags::jsonb, u.tags_hash, u.minute::timestamptz, u.count::float8::bigint,
            u.errors::float8::bigint, u.sum::float8, u.min::float8, u.max::float8, decode(u.sketch, 'base64'),
            p.p50::float8, p.p90::float8, p.p99::float8
     FROM ${SILVER_UNNEST}
     JOIN unnest($12::text[], $13::text[], $14::text[]) WITH ORDINALITY AS p(p50, p90, p99, ord)
       ON p.ord = u.ord
     ORDER BY u.ord
     ON CONFLICT (service, metric, tags_hash, minute) DO NOTHING
     RETURNING service, metric, tags_hash, (extract(epoch FROM minute) * 1000)::float8 AS minute_ms`,
    [...silverParams(rows), ...quantileParams(rows, sketches.quantiles)],
  );
  const done = new Set(inserted.map((r) => keyOf(r.service, r.metric, r.tags_hash, Number(r.minute_ms))));
  return rows.filter((r) => !done.has(rowKey(r)));
}

/** The stored rows of these keys, locked (FOR UPDATE, in key order), by rowKey. */
async function lockStored(tx: Sql, rows: readonly SilverMinute[]): Promise<Map<string, StoredSilver>> {
  const stored = await tx.query<StoredSilver>(
    `SELECT s.service, s.metric, s.tags_hash, (extract(epoch FROM s.minute) * 1000)::float8 AS minute_ms,
            s.count::float8 AS count, s.errors::float8 AS errors, s.sum, s.min, s.max,
            encode(s.sketch, 'base64') AS sketch
     FROM silver_minute s
     JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(service, metric, tags_hash, minute)
       ON s.service = k.service AND s.metric = k.metric AND s.tags_hash = k.tags_hash
      AND s.minute = k.minute::timestamptz
     ORDER BY s.service, s.metric, s.tags_hash, s.minute
     FOR UPDATE OF s`,
    [
      rows.map((r) => r.service),
      rows.map((r) => r.metric),
      rows.map((r) => r.tagsHash),
      rows.map((r) => iso(r.minuteMs)),
    ],
  );
  return new Map(stored.map((s) => [keyOf(s.service, s.metric, s.tags_hash, Number(s.minute_ms)), s]));
}

async function updateStored(tx: Sql, rows: readonly SilverMinute[], sketches: SilverSketches): Promise<void> {
  await tx.query(
    `UPDATE silver_minute s
     SET count = u.count::float8::bigint, errors = u.errors::float8::bigint, sum = u.sum::float8,
         min = u.min::float8, max = u.max::float8, sketch = decode(u.sketch, 'base64'),
         p50 = p.p50::float8, p90 = p.p90::float8, p99 = p.p99::float8
     FROM ${SILVER_UNNEST}
     JOIN unnest($12::text[], $13::text[], $14::text[]) WITH ORDINALITY AS p(p50, p90, p99, ord)
       ON p.ord = u.ord
     WHERE s.service = u.service AND s.metric = u.metric AND s.tags_hash = u.tags_hash
       AND s.minute = u.minute::timestamptz`,
    [...silverParams(rows), ...quantileParams(rows, sketches.quantiles)],
  );
}

/** A batch row with its stored row's values in place of its own (to combine the batch into). */
const asStored = (r: SilverMinute, s: StoredSilver): SilverMinute => ({ ...r, ...statsOf(s) });

/**
 * Merges Silver minutes into the stored rows. New keys are inserted as they are (ON CONFLICT DO NOTHING,
 * in key order); the keys that already existed are then locked (FOR UPDATE, in key order), combined with
 * the batch in JavaScript (the sketch merge needs the library) and updated. A concurrent writer of the
 * same key either waits on our uncommitted insert (and then finds the row) or on our row lock, so counts
 * add up and no increment is lost. A key whose row vanished in between (a janitor purge) is retried.
 */
export async function mergeSilver(tx: Sql, rows: SilverMinute[], sketches: SilverSketches): Promise<void> {
  let pending = rows;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= 5) throw new Error('silver_minute: rows kept vanishing while being merged');
    const existing = await insertNew(tx, pending, sketches);
    if (existing.length === 0) return;
    const stored = await lockStored(tx, existing);
    const updates: SilverMinute[] = [];
    const vanished: SilverMinute[] = [];
    for (const r of existing) {
      const s = stored.get(rowKey(r));
      if (s) updates.push(combineRollups(asStored(r, s), r, sketches.merge));
      else vanished.push(r);
    }
    if (updates.length > 0) await updateStored(tx, updates, sketches);
    pending = vanished;
  }
}
