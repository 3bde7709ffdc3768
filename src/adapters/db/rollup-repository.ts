import type { TelemetryRollups } from '../../app/telemetry/ports.ts';
import type { SketchOps } from '../../app/telemetry/sketch-ports.ts';
import { combineByKey, type RollupStats } from '../../domain/telemetry/rollup.ts';
import type { Db, Sql } from './client.ts';
import { iso, quantileParams, rollupParams, type StoredStats, statsOf } from './telemetry-sql.ts';

const HOUR_MS = 3_600_000;
/** Hour groups merged per transaction: bounds the minute rows (≤ 60 per group) held in memory. */
const GROUPS_PER_BATCH = 500;

type Group = { service: string; metric: string; tags_hash: string; hour_ms: number };

type MinuteRow = Group & StoredStats & { tags: string };

type HourRow = RollupStats & {
  service: string;
  metric: string;
  tags: string;
  tagsHash: string;
  hourMs: number;
};

/**
 * The (series, hour) groups to (re)write: complete hours (before `$1`, the start of untilMs's hour) whose
 * minutes have no hour row, or whose minutes now hold more than the hour row (a late minute arrived), or
 * that are among the last two complete hours (from `$2`). An hour row is never rewritten from fewer minutes
 * than it was built from: minutes purged by the janitor must not shrink their hour.
 */
const PENDING = `
  WITH m AS (
    SELECT service, metric, tags_hash, date_trunc('hour', minute, 'UTC') AS hour,
           sum(count) AS count, sum(errors) AS errors
    FROM silver_minute
    WHERE minute < $1::timestamptz
    GROUP BY service, metric, tags_hash, date_trunc('hour', minute, 'UTC')
  )
  SELECT m.service, m.metric, m.tags_hash, (extract(epoch FROM m.hour) * 1000)::float8 AS hour_ms
  FROM m
  LEFT JOIN silver_hour h
    ON h.service = m.service AND h.metric = m.metric AND h.tags_hash = m.tags_hash AND h.hour = m.hour
  WHERE h.hour IS NULL
     OR m.count > h.count
     OR m.errors > h.errors
     OR (m.hour >= $2::timestamptz AND m.count >= h.count)
  ORDER BY m.service, m.metric, m.tags_hash, m.hour`;

const bounds = (untilMs: number) => {
  const endMs = Math.floor(untilMs / HOUR_MS) * HOUR_MS;
  return [iso(endMs), iso(endMs - 2 * HOUR_MS)];
};

/** The minute rows of these (series, hour) groups. */
function readMinutes(tx: Sql, groups: readonly Group[]): Promise<MinuteRow[]> {
  return tx.query<MinuteRow>(
    `SELECT s.service, s.metric, s.tags_hash, s.tags::text AS tags,
            (extract(epoch FROM date_trunc('hour', s.minute, 'UTC')) * 1000)::float8 AS hour_ms,
            s.count::float8 AS count, s.errors::float8 AS errors, s.sum, s.min, s.max,
            encode(s.sketch, 'base64') AS sketch
     FROM silver_minute s
     JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(service, metric, tags_hash, hour)
       ON s.service = k.service AND s.metric = k.metric AND s.tags_hash = k.tags_hash
      AND s.minute >= k.hour::timestamptz AND s.minute < k.hour::timestamptz + interval '1 hour'
     ORDER BY s.service, s.metric, s.tags_hash, s.minute`,
    [
      groups.map((g) => g.service),
      groups.map((g) => g.metric),
      groups.map((g) => g.tags_hash),
      groups.map((g) => iso(Number(g.hour_ms))),
    ],
  );
}

const hourRow = (m: MinuteRow): HourRow => ({
  service: m.service,
  metric: m.metric,
  tags: m.tags,
  tagsHash: m.tags_hash,
  hourMs: Number(m.hour_ms),
  ...statsOf(m),
});

/** Minute rows folded into their hours (domain/telemetry/rollup.ts combineByKey). */
const foldHours = (minutes: readonly MinuteRow[], merge: SketchOps['merge']): HourRow[] => [
  ...combineByKey(
    minutes.map(hourRow),
    (h) => JSON.stringify([h.service, h.metric, h.tagsHash, h.hourMs]),
    merge,
  ).values(),
];

/** Upserts the hour rows, with their p50/p90/p99. */
async function writeHours(
  tx: Sql,
  rows: readonly HourRow[],
  quantiles: SketchOps['quantiles'],
): Promise<void> {
  await tx.query(
    `INSERT INTO silver_hour
       (service, metric, tags, tags_hash, hour, count, errors, sum, min, max, sketch, p50, p90, p99)
     SELECT u.service, u.metric, u.tags::jsonb, u.tags_hash, u.hour::timestamptz, u.count::float8::bigint,
            u.errors::float8::bigint, u.sum::float8, u.min::float8, u.max::float8, decode(u.sketch, 'base64'),
            u.p50::float8, u.p90::float8, u.p99::float8
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                 $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
       AS u(service, metric, tags, tags_hash, hour, count, errors, sum, min, max, sketch, p50, p90, p99)
     ON CONFLICT (service, metric, tags_hash, hour) DO UPDATE
       SET tags = EXCLUDED.tags, count = EXCLUDED.count, errors = EXCLUDED.errors, sum = EXCLUDED.sum,
           min = EXCLUDED.min, max = EXCLUDED.max, sketch = EXCLUDED.sketch,
           p50 = EXCLUDED.p50, p90 = EXCLUDED.p90, p99 = EXCLUDED.p99`,
    [
      ...rollupParams(
        rows,
        (r) => r.tags,
        (r) => r.hourMs,
      ),
      ...quantileParams(rows, quantiles),
    ],
  );
}

/**
 * Silver hour rollups merged from the minute rows: count, errors and sum add, min and max combine, and the
 * sketches are merged with the injected SketchOps (never averaged), so the hour's p50/p90/p99 (its
 * `quantiles`, as in telemetryStore) keep DDSketch's 1% relative accuracy.
 */
export function rollupRepository(db: Db, sketches: Pick<SketchOps, 'merge' | 'quantiles'>): TelemetryRollups {
  async function mergeBatch(tx: Sql, groups: readonly Group[]): Promise<number> {
    const rows = foldHours(await readMinutes(tx, groups), sketches.merge);
    if (rows.length === 0) return 0;
    await writeHours(tx, rows, sketches.quantiles);
    return rows.length;
  }

  return {
    async rollUpHours(untilMs) {
      const groups = await db.query<Group>(PENDING, bounds(untilMs));
      let written = 0;
      for (let i = 0; i < groups.length; i += GROUPS_PER_BATCH) {
        const batch = groups.slice(i, i + GROUPS_PER_BATCH);
        written += await db.transaction((tx) => mergeBatch(tx, batch));
      }
      return written;
    },
    async countPendingHours(untilMs) {
      const [row] = await db.query<{ n: number }>(
        `SELECT count(*)::float8 AS n FROM (${PENDING}) p`,
        bounds(untilMs),
      );
      return Number(row?.n ?? 0);
    },
  };
}
