import { setImmediate } from 'node:timers/promises';
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

/** Length-prefixed, so no two (service, metric, tagsHash, minute) share a key whatever they contain. */
const keyOf = (s: string, metric: string, tagsHash: string, minuteMs: number) =>
  `${s.length}:${s}${metric.length}:${metric}${tagsHash.length}:${tagsHash}${minuteMs}`;
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

/*
 * Ingest's rows go as PostgreSQL array literals, one per column, cast to a typed array (float8[], int[],
 * text[], jsonb[]), built here rather than by the driver: its array serializer (escaping every element,
 * then encoding) was a large part of ingest's CPU, numbers need no escaping at all, and typed arrays are
 * cheaper for the server to read than text cast per row (json_to_recordset measured ~2× slower).
 */
const ESCAPE = /["\\]/;
const ESCAPE_ALL = /["\\]/g;
const NUL_ALL = /\0/g;
/** One text element, always quoted: `"` and `\` escaped, NUL dropped (text cannot hold it, as copy.ts). */
const textElement = (v: string | null): string => {
  if (v === null) return 'NULL';
  const clean = v.includes('\0') ? v.replace(NUL_ALL, '') : v;
  return ESCAPE.test(clean) ? `"${clean.replace(ESCAPE_ALL, '\\$&')}"` : `"${clean}"`;
};
/** JSON.stringify's escapes of a NUL or a lone surrogate, which jsonb refuses (a `\\` before may hit). */
const JSONB_REFUSES = /\\u(0000|d[89a-f])/i;
const storable = (v: string) => v.toWellFormed().replaceAll('\0', '');
/**
 * The JSON of a flat attribute or tag set for a jsonb column. A NUL is dropped and a lone surrogate
 * becomes U+FFFD (as text columns get them), in keys and values, rather than failing the whole write.
 */
function jsonbText(o: Readonly<Record<string, unknown>>): string {
  const json = JSON.stringify(o);
  if (!JSONB_REFUSES.test(json)) return json;
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(o).map(([k, v]) => [storable(k), typeof v === 'string' ? storable(v) : v]),
    ),
  );
}
/** A text[] literal. Lone surrogates become U+FFFD when the driver encodes the parameter as UTF-8. */
const textArray = (values: readonly (string | null)[]): string => `{${values.map(textElement).join(',')}}`;
/** A float8[] (or int[]) literal: String() of a number (NaN and ±Infinity included) is valid float8 input. */
const numberArray = (values: readonly (number | null)[]): string =>
  `{${values.map((v) => (v === null ? 'NULL' : String(v))).join(',')}}`;

/** Days (YYYY-MM-DD, UTC) the Bronze rows fall on, each once. */
const daysOf = (rows: readonly BronzeRow[]) =>
  [...new Set(rows.map((r) => iso(r.timeMs).slice(0, 10)))].sort();

/** Creates the Bronze day partitions of `days` that are missing (ensure_bronze_partition). */
async function ensurePartitions(db: Sql, days: readonly string[]): Promise<void> {
  // Only days whose partition is missing reach ensure_bronze_partition: creating one locks the parent
  // table, which the common case (the partition exists) has no reason to do.
  await db.query(
    `SELECT ensure_bronze_partition(d::date) FROM unnest($1::text[]) AS u(d)
     WHERE to_regclass('bronze_events_' || replace(d, '-', '')) IS NULL`,
    [days],
  );
}

/**
 * One ingest write as ONE statement: the Bronze insert in a data-modifying CTE, then the pending Silver
 * insert. A single statement is atomic on its own (all rows or none, durable when it returns), so it
 * needs no BEGIN/COMMIT: one statement where the transaction of inserts took 8 round trips, and on this
 * host each round trip (socket writes and wake-ups) cost more than building the rows. Every value is a
 * bind parameter (an array literal sent as text, then cast): nothing from a sender is ever spliced into
 * the SQL text. Inlining the values as escaped constants saved one more round trip (~10% CPU) and was
 * measured and refused for that reason.
 *
 * Bronze times go as epoch ms (to_timestamp of whole ms is exact at microsecond precision); the pending
 * rows point into lists of their distinct services, metrics, tag sets and minutes (pendingParams).
 */
const WRITE = `WITH bronze AS (
    INSERT INTO bronze_events
      (time, service, name, level, ok, duration_ms, message, trace_id, user_hash, email_hash, attributes)
    SELECT to_timestamp(b.t / 1000.0), b.service, b.name, b.level, b.ok, b.duration, b.message, b.trace_id,
           b.user_hash, b.email_hash, b.attributes
    FROM unnest($1::text::float8[], $2::text::text[], $3::text::text[], $4::text::text[], $5::text::boolean[],
                $6::text::float8[], $7::text::text[], $8::text::text[], $9::text::text[], $10::text::text[],
                $11::text::jsonb[])
      AS b(t, service, name, level, ok, duration, message, trace_id, user_hash, email_hash, attributes)
  )
  INSERT INTO silver_minute_pending
    (service, metric, tags, tags_hash, minute, count, errors, sum, min, max, sketch)
  SELECT s.service, m.metric, t.tags, t.tags_hash, to_timestamp(mi.minute / 1000.0), u.count::bigint,
         coalesce(u.errors, 0)::bigint, u.sum, u.min, u.max, decode(u.sketch, 'base64')
  FROM unnest($12::text::int[], $13::text::int[], $14::text::int[], $15::text::int[], $16::text::float8[],
              $17::text::float8[], $18::text::float8[], $19::text::float8[], $20::text::float8[],
              $21::text::text[])
    AS u(service, metric, tag, minute, count, errors, sum, min, max, sketch)
  JOIN unnest($22::text::text[]) WITH ORDINALITY AS s(service, i) ON s.i = u.service
  JOIN unnest($23::text::text[]) WITH ORDINALITY AS m(metric, i) ON m.i = u.metric
  JOIN unnest($24::text::jsonb[], $25::text::text[]) WITH ORDINALITY AS t(tags, tags_hash, i) ON t.i = u.tag
  JOIN unnest($26::text::float8[]) WITH ORDINALITY AS mi(minute, i) ON mi.i = u.minute`;

/** $1…$11 of WRITE: the Bronze rows, one array literal per column. */
const bronzeParams = (rows: readonly BronzeRow[]): string[] => [
  numberArray(rows.map((r) => r.timeMs)),
  textArray(rows.map((r) => r.service)),
  textArray(rows.map((r) => r.name)),
  textArray(rows.map((r) => r.level)),
  `{${rows.map((r) => (r.ok ? 't' : 'f')).join(',')}}`,
  numberArray(rows.map((r) => r.durationMs)),
  textArray(rows.map((r) => r.message)),
  textArray(rows.map((r) => r.traceId)),
  textArray(rows.map((r) => r.userHash)),
  textArray(rows.map((r) => r.emailHash)),
  textArray(rows.map((r) => jsonbText(r.attributes))),
];

/** Distinct values in first-seen order, and each row's 1-based position among them. */
class Dictionary<K> {
  readonly values: K[] = [];
  private readonly index = new Map<K, number>();
  of(v: K): number {
    let i = this.index.get(v);
    if (i === undefined) {
      i = this.values.push(v);
      this.index.set(v, i);
    }
    return i;
  }
}

/**
 * $12…$26 of WRITE: the pending Silver rows. Services, metrics, tag sets and minutes repeat across the
 * hundreds of rows of a batch, so each distinct one is sent once and the rows carry its position (bytes
 * sent to the server are a large part of a write's cost).
 */
function pendingParams(rows: readonly SilverMinute[]): string[] {
  const services = new Dictionary<string>();
  const metrics = new Dictionary<string>();
  const tagSets = new Dictionary<string>();
  const tags: string[] = [];
  const minutes = new Dictionary<number>();
  const rowTags = rows.map((r) => {
    const i = tagSets.of(r.tagsHash);
    if (i > tags.length) tags.push(jsonbText(r.tags));
    return i;
  });
  return [
    numberArray(rows.map((r) => services.of(r.service))),
    numberArray(rows.map((r) => metrics.of(r.metric))),
    numberArray(rowTags),
    numberArray(rows.map((r) => minutes.of(r.minuteMs))),
    numberArray(rows.map((r) => r.count)),
    // Errors are mostly 0 everywhere: then none are sent (unnest pads a shorter array with nulls).
    rows.some((r) => r.errors !== 0) ? numberArray(rows.map((r) => r.errors)) : '{}',
    numberArray(rows.map((r) => r.sum)),
    numberArray(rows.map((r) => r.min)),
    numberArray(rows.map((r) => r.max)),
    textArray(rows.map((r) => b64(r.sketchBytes))),
    textArray(services.values),
    textArray(metrics.values),
    textArray(tags),
    textArray(tagSets.values),
    numberArray(minutes.values),
  ];
}

/** PostgreSQL's refusal of a row no partition takes (check_violation, "no partition of relation …"). */
const isNoPartition = (e: unknown): boolean =>
  typeof e === 'object' &&
  e !== null &&
  (e as { code?: unknown }).code === '23514' &&
  /no partition/i.test(String((e as { message?: unknown }).message));

/** Keys compact merges between two turns of the event loop. */
const YIELD_EVERY = 100;

/** How many partition days a store remembers as existing before it starts over (a bound, never reached). */
const MAX_KNOWN_DAYS = 1_000;

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

/**
 * Entries of one key merged into one, then (`sorted`) in key order, so lock order is the same for every
 * writer.
 */
function mergeByKey(rows: Iterable<SilverMinute>, merge: MergeSketchBytes, sorted = true): SilverMinute[] {
  const byKey = new Map<string, SilverMinute>();
  for (const r of rows) {
    const k = rowKey(r);
    const prev = byKey.get(k);
    byKey.set(k, prev ? combine(prev, r, merge) : r);
  }
  if (!sorted) return [...byKey.values()];
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

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
  /**
   * Bronze days whose partition this store has seen exist: the partition check is skipped for them (one
   * statement less per write). A stale entry only costs a retry (see write).
   */
  const knownDays = new Set<string>();
  const ensure = async (days: readonly string[]) => {
    if (days.length === 0) return;
    await ensurePartitions(db, days);
    if (knownDays.size + days.length > MAX_KNOWN_DAYS) knownDays.clear();
    for (const d of days) knownDays.add(d);
  };
  return {
    async write({ bronze, silver }) {
      // Entries of one key merge first: the pending table then holds one row per key and request. No
      // sort: an insert takes no row locks, so the order does not matter here.
      const rows = mergeByKey(silver, mergeSketchBytes, false);
      if (bronze.length === 0 && rows.length === 0) return;
      const params = [...bronzeParams(bronze), ...pendingParams(rows)];
      const days = daysOf(bronze);
      if (days.some((d) => !knownDays.has(d))) await ensure(days);
      try {
        await db.query(WRITE, params);
      } catch (e) {
        // A remembered partition was dropped since (the janitor): nothing was written; make it and retry.
        if (!isNoPartition(e)) throw e;
        knownDays.clear();
        await ensure(days);
        await db.query(WRITE, params);
      }
    },

    async compact(limit = 50_000) {
      return db.transaction(async (tx) => {
        // SKIP LOCKED: a second compactor takes the next rows instead of waiting for ours; the row
        // locks mergeSilver takes on silver_minute (in key order) keep the two from losing increments.
        // The taken rows are summed per key by the server (count, errors, sum, min, max), so only one row
        // per key comes back, with that key's sketches in one string; merging them row by row in
        // JavaScript (each merge decoding and re-encoding the growing sketch) was most of compaction.
        const taken = await tx.query<PendingKey>(
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
        if (taken.length === 0) return 0;
        const merged: SilverMinute[] = [];
        for (const p of taken) {
          // Merging a batch's sketches is a few hundred ms of CPU: let requests in between, so a
          // compaction does not stall ingest's answers.
          if (merged.length % YIELD_EVERY === YIELD_EVERY - 1) await setImmediate();
          merged.push({
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
            sketchBytes: mergeAll(
              p.sketches === null ? [] : p.sketches.split(',').map((b) => fromB64(b)!),
              mergeSketchBytes,
            ),
          });
        }
        const rows = mergeByKey(merged, mergeSketchBytes);
        await mergeSilver(tx, rows, mergeSketchBytes, options);
        return taken.reduce((n, p) => n + Number(p.taken), 0);
      });
    },
  };
}
