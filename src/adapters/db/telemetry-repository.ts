import type { BronzeRow, SilverMinute, TelemetryStore } from '../../app/telemetry-ports.ts';
import type { Db, Sql } from './client.ts';

/** Merges two sketches' bytes (adapters/telemetry/sketch.ts), injected: this adapter cannot import it. */
export type MergeSketchBytes = (a: Uint8Array, b: Uint8Array) => Uint8Array;

export interface TelemetryStoreOptions {
  /**
   * p50/p90/p99 of a sketch's bytes, injected like the merge. When given, the p50/p90/p99 columns of each
   * written Silver row are refreshed from its merged sketch; otherwise they are left null.
   */
  quantiles?: (bytes: Uint8Array) => { p50: number | null; p90: number | null; p99: number | null };
}

const iso = (ms: number) => new Date(ms).toISOString();
const num = (v: number | null) => (v === null ? null : String(v));
const b64 = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('base64'));
const fromB64 = (s: string | null) => (s === null ? null : new Uint8Array(Buffer.from(s, 'base64')));

const keyOf = (s: string, metric: string, tagsHash: string, minuteMs: number) =>
  JSON.stringify([s, metric, tagsHash, minuteMs]);
const rowKey = (r: SilverMinute) => keyOf(r.service, r.metric, r.tagsHash, r.minuteMs);

const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

function combine(a: SilverMinute, b: SilverMinute, merge: MergeSketchBytes): SilverMinute {
  return {
    ...a,
    count: a.count + b.count,
    errors: a.errors + b.errors,
    sum: a.sum + b.sum,
    min: minOf(a.min, b.min),
    max: maxOf(a.max, b.max),
    sketchBytes:
      a.sketchBytes && b.sketchBytes ? merge(a.sketchBytes, b.sketchBytes) : (a.sketchBytes ?? b.sketchBytes),
  };
}

/** Days (YYYY-MM-DD, UTC) the Bronze rows fall on, each once. */
const daysOf = (rows: readonly BronzeRow[]) =>
  [...new Set(rows.map((r) => iso(r.timeMs).slice(0, 10)))].sort();

async function insertBronze(tx: Sql, rows: readonly BronzeRow[]): Promise<void> {
  // Only days whose partition is missing reach ensure_bronze_partition: creating one locks the parent
  // table, which the common case (the partition exists) has no reason to do.
  await tx.query(
    `SELECT ensure_bronze_partition(d::date) FROM unnest($1::text[]) AS u(d)
     WHERE to_regclass('bronze_events_' || replace(d, '-', '')) IS NULL`,
    [daysOf(rows)],
  );
  // unnest of text[] with a cast per row, not typed arrays: drizzle's postgres-js driver sends
  // timestamptz[] unserialized (see fix-repository.ts addEffects).
  await tx.query(
    `INSERT INTO bronze_events
       (time, service, name, level, ok, duration_ms, message, trace_id, user_hash, email_hash, attributes)
     SELECT b.t::timestamptz, b.service, b.name, b.level, b.ok::boolean, b.duration::float8, b.message,
            b.trace_id, b.user_hash, b.email_hash, b.attributes::jsonb
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                 $8::text[], $9::text[], $10::text[], $11::text[])
       AS b(t, service, name, level, ok, duration, message, trace_id, user_hash, email_hash, attributes)`,
    [
      rows.map((r) => iso(r.timeMs)),
      rows.map((r) => r.service),
      rows.map((r) => r.name),
      rows.map((r) => r.level),
      rows.map((r) => String(r.ok)),
      rows.map((r) => num(r.durationMs)),
      rows.map((r) => r.message),
      rows.map((r) => r.traceId),
      rows.map((r) => r.userHash),
      rows.map((r) => r.emailHash),
      rows.map((r) => JSON.stringify(r.attributes)),
    ],
  );
}

/** Row values as text arrays ($1…$11), in the order of SILVER_UNNEST's columns. */
const silverParams = (rows: readonly SilverMinute[]) => [
  rows.map((r) => r.service),
  rows.map((r) => r.metric),
  rows.map((r) => JSON.stringify(r.tags)),
  rows.map((r) => r.tagsHash),
  rows.map((r) => iso(r.minuteMs)),
  rows.map((r) => String(r.count)),
  rows.map((r) => String(r.errors)),
  rows.map((r) => String(r.sum)),
  rows.map((r) => num(r.min)),
  rows.map((r) => num(r.max)),
  rows.map((r) => b64(r.sketchBytes)),
];
const SILVER_UNNEST = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::text[], $11::text[]) WITH ORDINALITY
  AS u(service, metric, tags, tags_hash, minute, count, errors, sum, min, max, sketch, ord)`;

type StoredSilver = {
  service: string;
  metric: string;
  tags_hash: string;
  minute_ms: number;
  count: number;
  errors: number;
  sum: number;
  min: number | null;
  max: number | null;
  sketch: string | null;
};

/**
 * Merges Silver minutes into the stored rows. New keys are inserted as they are (ON CONFLICT DO NOTHING,
 * in key order); the keys that already existed are then locked (FOR UPDATE, in key order), combined with
 * the batch in JavaScript (the sketch merge needs the library) and updated. A concurrent writer of the
 * same key either waits on our uncommitted insert (and then finds the row) or on our row lock, so counts
 * add up and no increment is lost. A key whose row vanished in between (a janitor purge) is retried.
 */
async function mergeSilver(
  tx: Sql,
  rows: SilverMinute[],
  merge: MergeSketchBytes,
  options: TelemetryStoreOptions,
): Promise<void> {
  const { quantiles } = options;
  const q = (r: SilverMinute) => {
    const p = r.sketchBytes && quantiles ? quantiles(r.sketchBytes) : null;
    return [p?.p50 ?? null, p?.p90 ?? null, p?.p99 ?? null].map((v) => num(v));
  };
  const pParams = (rs: readonly SilverMinute[]) => {
    const qs = rs.map(q);
    return [qs.map((x) => x[0]), qs.map((x) => x[1]), qs.map((x) => x[2])];
  };
  let pending = rows;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= 5) throw new Error('silver_minute: rows kept vanishing while being merged');
    const inserted = await tx.query<{
      service: string;
      metric: string;
      tags_hash: string;
      minute_ms: number;
    }>(
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
      [...silverParams(pending), ...pParams(pending)],
    );
    const done = new Set(inserted.map((r) => keyOf(r.service, r.metric, r.tags_hash, Number(r.minute_ms))));
    const existing = pending.filter((r) => !done.has(rowKey(r)));
    if (existing.length === 0) return;

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
        existing.map((r) => r.service),
        existing.map((r) => r.metric),
        existing.map((r) => r.tagsHash),
        existing.map((r) => iso(r.minuteMs)),
      ],
    );
    const byKey = new Map(
      stored.map((s) => [keyOf(s.service, s.metric, s.tags_hash, Number(s.minute_ms)), s]),
    );
    const updates: SilverMinute[] = [];
    const vanished: SilverMinute[] = [];
    for (const r of existing) {
      const s = byKey.get(rowKey(r));
      if (!s) {
        vanished.push(r);
        continue;
      }
      const before: SilverMinute = {
        ...r,
        count: Number(s.count),
        errors: Number(s.errors),
        sum: Number(s.sum),
        min: s.min === null ? null : Number(s.min),
        max: s.max === null ? null : Number(s.max),
        sketchBytes: fromB64(s.sketch),
      };
      updates.push(combine(before, r, merge));
    }
    if (updates.length > 0)
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
        [...silverParams(updates), ...pParams(updates)],
      );
    pending = vanished;
  }
}

/** Entries of one key merged into one, then in key order (so lock order is the same for every writer). */
function mergeByKey(rows: Iterable<SilverMinute>, merge: MergeSketchBytes): SilverMinute[] {
  const byKey = new Map<string, SilverMinute>();
  for (const r of rows) {
    const k = rowKey(r);
    const prev = byKey.get(k);
    byKey.set(k, prev ? combine(prev, r, merge) : r);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/** Appends Silver minutes to silver_minute_pending: a plain insert, no reads and no row locks. */
async function insertPending(tx: Sql, rows: readonly SilverMinute[]): Promise<void> {
  await tx.query(
    `INSERT INTO silver_minute_pending
       (service, metric, tags, tags_hash, minute, count, errors, sum, min, max, sketch)
     SELECT u.service, u.metric, u.tags::jsonb, u.tags_hash, u.minute::timestamptz, u.count::float8::bigint,
            u.errors::float8::bigint, u.sum::float8, u.min::float8, u.max::float8, decode(u.sketch, 'base64')
     FROM ${SILVER_UNNEST}
     ORDER BY u.ord`,
    silverParams(rows),
  );
}

type PendingSilver = StoredSilver & { tags: string };

/**
 * The Bronze/Silver write side (TelemetryStore). `mergeSketchBytes` is the sketch library's merge,
 * passed in by the composition root: `(a, b) => { const s = fromBytes(a); merge(s, fromBytes(b));
 * return toBytes(s); }` over adapters/telemetry/sketch.ts.
 *
 * Ingest (`write`) is insert-only: Bronze rows, and the batch's Silver minutes into silver_minute_pending,
 * so concurrent requests never wait on each other's row locks. `compact` (a scheduled job) later drains
 * the pending rows into silver_minute; until it runs, silver_minute lags ingest by up to its period.
 */
export function telemetryStore(
  db: Db,
  mergeSketchBytes: MergeSketchBytes,
  options: TelemetryStoreOptions = {},
): TelemetryStore {
  return {
    async write({ bronze, silver }) {
      // Entries of one key merge first: the pending table then holds one row per key and request.
      const rows = mergeByKey(silver, mergeSketchBytes);
      if (bronze.length === 0 && rows.length === 0) return;
      await db.transaction(async (tx) => {
        if (bronze.length > 0) await insertBronze(tx, bronze);
        if (rows.length > 0) await insertPending(tx, rows);
      });
    },

    async compact(limit = 50_000) {
      return db.transaction(async (tx) => {
        // SKIP LOCKED: a second compactor takes the next rows instead of waiting for ours; the row
        // locks mergeSilver takes on silver_minute (in key order) keep the two from losing increments.
        const taken = await tx.query<PendingSilver>(
          `DELETE FROM silver_minute_pending
           WHERE id IN (SELECT id FROM silver_minute_pending ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING service, metric, tags::text AS tags, tags_hash,
                     (extract(epoch FROM minute) * 1000)::float8 AS minute_ms, count::float8 AS count,
                     errors::float8 AS errors, sum, min, max, encode(sketch, 'base64') AS sketch`,
          [limit],
        );
        if (taken.length === 0) return 0;
        const rows = mergeByKey(
          taken.map(
            (p): SilverMinute => ({
              service: p.service,
              metric: p.metric,
              tags: JSON.parse(p.tags) as SilverMinute['tags'],
              tagsHash: p.tags_hash,
              minuteMs: Number(p.minute_ms),
              count: Number(p.count),
              errors: Number(p.errors),
              sum: Number(p.sum),
              min: p.min === null ? null : Number(p.min),
              max: p.max === null ? null : Number(p.max),
              sketchBytes: fromB64(p.sketch),
            }),
          ),
          mergeSketchBytes,
        );
        await mergeSilver(tx, rows, mergeSketchBytes, options);
        return taken.length;
      });
    },
  };
}
