import type { IdleSeriesStates } from '../../app/telemetry/janitor.ts';
import type {
  SavedSeries,
  SeriesStateStore,
  SeriesStateWrite,
  SeriesWriteOutcome,
} from '../../app/telemetry/ports.ts';
import type { SketchOps } from '../../app/telemetry/sketch-ports.ts';
import type { Db } from './client.ts';
import { iso } from './instants.ts';
import { mergeByKey } from './telemetry-sql.ts';
import { pendingInsert, pendingParams, textArray } from './telemetry-write.ts';

/*
 * The cumulative→delta state of metric series (migrations/0008 metric_series_state) and the Silver minutes
 * computed from it, written as ONE statement (atomic on its own, like telemetry-write.ts WRITE; no
 * BEGIN/COMMIT round trips), a compare-and-set on each series' `version`:
 *
 * 1. `moved`: the batch's series whose row (as of the statement's snapshot) does not hold the version the
 *    caller computed from (`prev`; 0 = no row; a row missing where one was expected answers version 0).
 *    If there are any, nothing else happens and they are the answer: the caller computes again from them.
 * 2. Otherwise the rows are moved on: an UPDATE of those expected to exist WHERE they still hold `prev`,
 *    an INSERT … ON CONFLICT DO NOTHING of the new ones; and the pending Silver minutes are appended. A
 *    writer that committed since the snapshot (or is committing: ours waits for its row) leaves its row
 *    unwritten here: the UPDATE re-reads the row's latest version before it applies the WHERE, the INSERT
 *    conflicts. (A plain UPDATE, not an upsert for all: half the WAL records and execution time, measured.)
 * 3. metric_series_state_written raises (serialization_failure) when fewer rows were written than sent,
 *    which undoes the whole statement; the rows are then read again (READ_MOVED, a statement of its own,
 *    so it sees what the other writer committed) and those that moved are the answer.
 *
 * Two writers of the same series wait for each other's row; should they lock two series in opposite
 * orders, PostgreSQL detects the deadlock and aborts one, which is answered like a race (step 3).
 */
const WRITE_WITH_STATE = `WITH u AS MATERIALIZED (
    SELECT sha256(convert_to(x.e->>0, 'UTF8')) AS hash, x.e->>0 AS key, s.service, m.metric, x.e->1 AS state,
           (x.e->>2)::bigint AS prev, x.i
    FROM jsonb_array_elements($1::text::jsonb) WITH ORDINALITY AS x(e, i)
    JOIN unnest($2::text::text[]) WITH ORDINALITY AS s(service, i) ON s.i = x.i
    JOIN unnest($3::text::text[]) WITH ORDINALITY AS m(metric, i) ON m.i = x.i
  ),
  moved AS MATERIALIZED (
    SELECT u.key AS series_key, coalesce(s.version, 0) AS version, s.state
    FROM u LEFT JOIN metric_series_state s ON s.series_hash = u.hash
    WHERE coalesce(s.version, 0) <> u.prev
  ),
  updated AS (
    UPDATE metric_series_state s
    SET kind = u.state->>'kind', start_time = to_timestamp((u.state->>'startMs')::float8 / 1000.0),
        last_time = to_timestamp((u.state->>'timeMs')::float8 / 1000.0), state = u.state, version = u.prev + 1,
        updated_at = now()
    FROM u
    WHERE u.prev > 0 AND s.series_hash = u.hash AND s.version = u.prev AND NOT EXISTS (SELECT 1 FROM moved)
    RETURNING 1
  ),
  inserted AS (
    INSERT INTO metric_series_state
      (series_hash, series_key, service, metric, kind, start_time, last_time, state, version)
    SELECT u.hash, u.key, u.service, u.metric, u.state->>'kind',
           to_timestamp((u.state->>'startMs')::float8 / 1000.0), to_timestamp((u.state->>'timeMs')::float8 / 1000.0),
           u.state, 1
    FROM u WHERE u.prev = 0 AND NOT EXISTS (SELECT 1 FROM moved)
    ORDER BY u.i
    ON CONFLICT (series_hash) DO NOTHING
    RETURNING 1
  ),
  pending AS (
    ${pendingInsert(4, 'NOT EXISTS (SELECT 1 FROM moved)')}
  )
  SELECT m.series_key, m.version::text, m.state::text FROM moved m
  UNION ALL
  SELECT NULL, metric_series_state_written((SELECT count(*) FROM u),
    (SELECT count(*) FROM updated) + (SELECT count(*) FROM inserted))::text, NULL
  WHERE NOT EXISTS (SELECT 1 FROM moved)`;

/** The batch's rows ($1: the keys as a JSON array) as they are now, after a race (step 3 above). */
const READ_MOVED = `SELECT series_key, version::text, state::text FROM metric_series_state
  WHERE series_hash IN (SELECT sha256(convert_to(k, 'UTF8')) FROM jsonb_array_elements_text($1::text::jsonb) AS k)`;

/**
 * $1…$3 of WRITE_WITH_STATE: the series as one JSON array of [key, state, prev] (JSON.stringify does it in
 * one native pass, where a text[] of JSON texts costs an escaping pass over every state: measured 0.4 ms
 * against 1.9 ms per 500 series), and their services and metrics as text arrays (text from a sender: NUL
 * dropped by textArray, which a jsonb document would refuse). The key is JSON text itself and the state
 * holds numbers, lists and the kind only (SeriesState), so the document is always valid jsonb.
 */
const stateParams = (states: readonly SeriesStateWrite[]): string[] => [
  JSON.stringify(states.map((w) => [w.key, w.state, w.prev])),
  textArray(states.map((w) => w.service)),
  textArray(states.map((w) => w.metric)),
];

/** serialization_failure (our compare-and-set's raise, or the server's own) and deadlock_detected. */
const isRace = (e: unknown): boolean => {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return code === '40001' || code === '40P01';
};

/**
 * The moved series among `rows` ([series_key, version, state] as text; version 0 and no state: no row),
 * against each write's `prev`; with `all`, a write whose row is missing from `rows` is one too when it
 * expected a row (it was deleted).
 */
function movedOf(rows: unknown[][], writes: readonly SeriesStateWrite[], all = false) {
  const prev = new Map(writes.map((w) => [w.key, w.prev]));
  const moved = new Map<string, SavedSeries | null>();
  for (const [key, version, state] of rows) {
    if (prev.get(String(key)) === Number(version)) continue;
    const saved = state === null ? null : { version: Number(version), state: JSON.parse(String(state)) };
    moved.set(String(key), saved as SavedSeries | null);
  }
  if (!all) return moved;
  const found = new Set(rows.map((r) => String(r[0])));
  for (const w of writes) if (w.prev > 0 && !found.has(w.key)) moved.set(w.key, null);
  return moved;
}

/**
 * Idle series (the janitor, app/telemetry/janitor.ts): rows last written before $1, by `updated_at`, the
 * database's clock at the write (never a sender's clock, which may be off by days), which series-deltas.ts
 * refreshes at least hourly while the series sends. No index on it, on purpose: every write of a series
 * sets updated_at, and an indexed column would turn each of those HOT updates (migrations/0008: fill
 * factor 70) into a new index entry on the hot path, to save a sequential scan of one row per series once
 * a day. The purge goes PURGE_BATCH rows per statement so no long statement holds many row locks that a
 * returning series' write would wait on; a row written meanwhile fails the re-checked WHERE and stays.
 */
const COUNT_IDLE = 'SELECT count(*)::float8 AS n FROM metric_series_state WHERE updated_at < $1::timestamptz';
const PURGE_BATCH = 10_000;
const PURGE_IDLE = `WITH gone AS (
    DELETE FROM metric_series_state WHERE series_hash IN (
      SELECT series_hash FROM metric_series_state WHERE updated_at < $1::timestamptz LIMIT ${PURGE_BATCH}
    ) AND updated_at < $1::timestamptz RETURNING 1
  ) SELECT count(*)::float8 AS n FROM gone`;

/**
 * The durable series state (SeriesStateStore); Silver sketches of one key merged by `sketches`. Also the
 * janitor's view of it (IdleSeriesStates).
 */
export function seriesStateStore(
  db: Db,
  sketches: Pick<SketchOps, 'merge'>,
): SeriesStateStore & IdleSeriesStates {
  return {
    async write({ states, silver }): Promise<SeriesWriteOutcome> {
      const params = [...stateParams(states), ...pendingParams(mergeByKey(silver, sketches.merge, false))];
      try {
        const rows = await db.queryArrays(WRITE_WITH_STATE, params);
        if (rows.length === 1 && rows[0]![0] === null) return { written: true };
        return { written: false, moved: movedOf(rows, states) };
      } catch (e) {
        if (!isRace(e)) throw e;
      }
      const rows = await db.queryArrays(READ_MOVED, [JSON.stringify(states.map((w) => w.key))]);
      return { written: false, moved: movedOf(rows, states, true) };
    },
    async countIdle(beforeMs) {
      const [row] = await db.query<{ n: number }>(COUNT_IDLE, [iso(beforeMs)]);
      return Number(row?.n ?? 0);
    },
    async purgeIdle(beforeMs) {
      let purged = 0;
      for (;;) {
        const [row] = await db.query<{ n: number }>(PURGE_IDLE, [iso(beforeMs)]);
        const n = Number(row?.n ?? 0);
        purged += n;
        if (n < PURGE_BATCH) return purged;
      }
    },
  };
}
