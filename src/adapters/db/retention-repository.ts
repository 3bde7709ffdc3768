import type { BronzePartition, TagCardinality, TelemetryRetention } from '../../app/telemetry/ports.ts';
import type { Db, Sql } from './client.ts';
import { iso } from './instants.ts';

/**
 * Retention of the telemetry tiers (TELEMETRY.md "Retention"): Bronze goes a whole day partition at a
 * time (DROP, never a bulk DELETE), after its incident evidence is copied into bronze_evidence in the same
 * transaction; Silver minutes go only once their hour row exists; nothing here touches gold_snapshots.
 */

const PARTITION = /^bronze_events_(\d{4})(\d{2})(\d{2})$/;
const EVIDENCE_COLUMNS =
  'time, service, name, level, ok, duration_ms, message, trace_id, user_hash, email_hash, attributes, incident_id';
/** Evidence is a row linked to an incident that exists (bronze_evidence.incident_id is a foreign key). */
const IS_EVIDENCE = 'incident_id IS NOT NULL AND EXISTS (SELECT 1 FROM incidents i WHERE i.id = incident_id)';

const dayMsOf = (name: string): number | null => {
  const m = PARTITION.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
};

/** The partition's name, quoted, after checking it is one of ours: names are interpolated into SQL. */
function partitionIdent(name: string): string {
  if (dayMsOf(name) === null) throw new Error(`not a Bronze day partition: ${name}`);
  return `"${name}"`;
}

/** The condition on a minute row `m`: older than the start of beforeMs's hour, and its hour row exists. */
const MINUTES_TO_PURGE = `
  m.minute < date_trunc('hour', $1::timestamptz, 'UTC')
    AND EXISTS (SELECT 1 FROM silver_hour h
                WHERE h.service = m.service AND h.metric = m.metric AND h.tags_hash = m.tags_hash
                  AND h.hour = date_trunc('hour', m.minute, 'UTC'))`;

async function count(sql: Sql, text: string, params: readonly unknown[] = []): Promise<number> {
  const [row] = await sql.query<{ n: number }>(text, params);
  return Number(row?.n ?? 0);
}

async function stats(sql: Sql, name: string): Promise<{ rows: number; evidence: number }> {
  const [row] = await sql.query<{ rows: number; evidence: number }>(
    `SELECT count(*)::float8 AS rows, (count(*) FILTER (WHERE ${IS_EVIDENCE}))::float8 AS evidence
     FROM ${partitionIdent(name)}`,
  );
  return { rows: Number(row?.rows ?? 0), evidence: Number(row?.evidence ?? 0) };
}

export function retentionRepository(db: Db): TelemetryRetention {
  return {
    async bronzePartitions(): Promise<BronzePartition[]> {
      const rows = await db.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'bronze_events'::regclass ORDER BY c.relname`,
      );
      return rows.flatMap((r) => {
        const dayMs = dayMsOf(r.name);
        return dayMs === null ? [] : [{ name: r.name, dayMs }];
      });
    },
    async ensurePartition(dayMs) {
      const [row] = await db.query<{ name: string }>('SELECT ensure_bronze_partition($1::date) AS name', [
        iso(dayMs).slice(0, 10),
      ]);
      return row!.name;
    },
    partitionStats: (name) => stats(db, name),
    dropPartition: (name) =>
      db.transaction(async (tx) => {
        // DROP takes an ACCESS EXCLUSIVE lock on bronze_events: wait for ingest briefly, never queue behind
        // a long query while every writer queues behind us.
        await tx.query("SET LOCAL lock_timeout = '10s'");
        const ident = partitionIdent(name);
        const before = await stats(tx, name);
        await tx.query(
          `INSERT INTO bronze_evidence (${EVIDENCE_COLUMNS})
           SELECT ${EVIDENCE_COLUMNS} FROM ${ident} WHERE ${IS_EVIDENCE} ORDER BY time`,
        );
        await tx.query(`DROP TABLE ${ident}`);
        return before;
      }),
    countMinutesToPurge: (beforeMs) =>
      count(db, `SELECT count(*)::float8 AS n FROM silver_minute m WHERE ${MINUTES_TO_PURGE}`, [
        iso(beforeMs),
      ]),
    purgeMinutes: (beforeMs) =>
      count(
        db,
        `WITH d AS (DELETE FROM silver_minute m WHERE ${MINUTES_TO_PURGE} RETURNING 1)
         SELECT count(*)::float8 AS n FROM d`,
        [iso(beforeMs)],
      ),
    countHoursToPurge: (beforeMs) =>
      count(db, 'SELECT count(*)::float8 AS n FROM silver_hour WHERE hour < $1::timestamptz', [
        iso(beforeMs),
      ]),
    purgeHours: (beforeMs) =>
      count(
        db,
        `WITH d AS (DELETE FROM silver_hour WHERE hour < $1::timestamptz RETURNING 1)
         SELECT count(*)::float8 AS n FROM d`,
        [iso(beforeMs)],
      ),
    async tagCardinality(above): Promise<TagCardinality[]> {
      const rows = await db.query<{ service: string; metric: string; combinations: number }>(
        `SELECT service, metric, count(DISTINCT tags_hash)::float8 AS combinations
         FROM silver_minute GROUP BY service, metric HAVING count(DISTINCT tags_hash) > $1::int
         ORDER BY combinations DESC, service, metric`,
        [above],
      );
      return rows.map((r) => ({
        service: r.service,
        metric: r.metric,
        combinations: Number(r.combinations),
      }));
    },
  };
}
