import type { BronzeRow, SilverMinute } from '../../app/telemetry/ports.ts';
import type { Sql } from './client.ts';
import { b64, iso } from './telemetry-sql.ts';

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
export const textArray = (values: readonly (string | null)[]): string =>
  `{${values.map(textElement).join(',')}}`;
/** A float8[] (or int[]) literal: String() of a number (NaN and ±Infinity included) is valid float8 input. */
const numberArray = (values: readonly (number | null)[]): string =>
  `{${values.map((v) => (v === null ? 'NULL' : String(v))).join(',')}}`;

/** Days (YYYY-MM-DD, UTC) the Bronze rows fall on, each once. */
export const daysOf = (rows: readonly BronzeRow[]) =>
  [...new Set(rows.map((r) => iso(r.timeMs).slice(0, 10)))].sort();

/** Creates the Bronze day partitions of `days` that are missing (ensure_bronze_partition). */
export async function ensurePartitions(db: Sql, days: readonly string[]): Promise<void> {
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
export const WRITE = `WITH bronze AS (
    INSERT INTO bronze_events
      (time, service, name, level, ok, duration_ms, message, trace_id, user_hash, email_hash, attributes)
    SELECT to_timestamp(b.t / 1000.0), b.service, b.name, b.level, b.ok, b.duration, b.message, b.trace_id,
           b.user_hash, b.email_hash, b.attributes
    FROM unnest($1::text::float8[], $2::text::text[], $3::text::text[], $4::text::text[], $5::text::boolean[],
                $6::text::float8[], $7::text::text[], $8::text::text[], $9::text::text[], $10::text::text[],
                $11::text::jsonb[])
      AS b(t, service, name, level, ok, duration, message, trace_id, user_hash, email_hash, attributes)
  )
  ${pendingInsert(12)}`;

/**
 * The insert of pending Silver rows whose 15 parameters (pendingParams) start at $`first`; `where` (a
 * condition, e.g. on a CTE of the same statement) gates the whole insert. Shared by WRITE and the
 * metric-series write (series-state-repository.ts).
 */
export function pendingInsert(first: number, where = ''): string {
  const $ = (i: number) => `$${first + i}`;
  return `INSERT INTO silver_minute_pending
    (service, metric, tags, tags_hash, minute, count, errors, sum, min, max, sketch)
  SELECT s.service, m.metric, t.tags, t.tags_hash, to_timestamp(mi.minute / 1000.0), u.count::bigint,
         coalesce(u.errors, 0)::bigint, u.sum, u.min, u.max, decode(u.sketch, 'base64')
  FROM unnest(${$(0)}::text::int[], ${$(1)}::text::int[], ${$(2)}::text::int[], ${$(3)}::text::int[], ${$(4)}::text::float8[],
              ${$(5)}::text::float8[], ${$(6)}::text::float8[], ${$(7)}::text::float8[], ${$(8)}::text::float8[],
              ${$(9)}::text::text[])
    AS u(service, metric, tag, minute, count, errors, sum, min, max, sketch)
  JOIN unnest(${$(10)}::text::text[]) WITH ORDINALITY AS s(service, i) ON s.i = u.service
  JOIN unnest(${$(11)}::text::text[]) WITH ORDINALITY AS m(metric, i) ON m.i = u.metric
  JOIN unnest(${$(12)}::text::jsonb[], ${$(13)}::text::text[]) WITH ORDINALITY AS t(tags, tags_hash, i) ON t.i = u.tag
  JOIN unnest(${$(14)}::text::float8[]) WITH ORDINALITY AS mi(minute, i) ON mi.i = u.minute${where ? `\n  WHERE ${where}` : ''}`;
}

/** $1…$11 of WRITE: the Bronze rows, one array literal per column. */
export const bronzeParams = (rows: readonly BronzeRow[]): string[] => [
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
export function pendingParams(rows: readonly SilverMinute[]): string[] {
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
export const isNoPartition = (e: unknown): boolean =>
  typeof e === 'object' &&
  e !== null &&
  (e as { code?: unknown }).code === '23514' &&
  /no partition/i.test(String((e as { message?: unknown }).message));
