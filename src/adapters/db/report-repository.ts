import type { NewJob } from '../../app/outbox/ports.ts';
import type { SlaReportOutbox, SlaReportReads } from '../../app/telemetry/ports.ts';
import type { SketchOps } from '../../app/telemetry/sketch-ports.ts';
import type { SloStatus } from '../../domain/budget/slos.ts';
import type { CauseRollup } from '../../domain/scan/summarize.ts';
import type { Db, Row } from './client.ts';
import { epochMs, iso } from './instants.ts';
import { SLA_DEFINITION_COLUMNS, toDefinition } from './sla-repository.ts';
import { hourP99 } from './sla-signal-reads.ts';

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** A Gold snapshot row joined with its definition's service. */
const toSnapshot = (r: Row) => ({
  slaId: r['sla_id'] as string,
  slaVersion: Number(r['sla_version']),
  service: r['service'] as string,
  dayMs: Number(r['day_ms']),
  total: Number(r['total']),
  errors: Number(r['errors']),
  uptimePct: Number(r['uptime_pct']),
  breaches: Number(r['breaches']),
  budgetBurn: Number(r['budget_burn']),
  downtimeMinutes: Number(r['downtime_minutes']),
});

/**
 * The weekly SLA report's reads (migrations 0001, 0002, 0004): definitions, Gold snapshots, SLA incidents,
 * Silver hour sketches (their p99 by the injected SketchOps: this adapter cannot import the sketch library)
 * and the week's last scan. Read-only; every bound is [from, to) in UTC.
 */
export function reportRepository(db: Db, sketchOps: Pick<SketchOps, 'p99'>): SlaReportReads {
  return {
    async definitionsDuring(fromMs, toMs) {
      const rows = await db.query(
        `SELECT ${SLA_DEFINITION_COLUMNS}
         FROM sla_definitions
         WHERE active_from < $2::timestamptz AND (active_to IS NULL OR active_to > $1::timestamptz)
         ORDER BY id, version`,
        [iso(fromMs), iso(toMs)],
      );
      return rows.map(toDefinition);
    },

    async snapshots(fromMs, toMs) {
      const rows = await db.query(
        `SELECT g.sla_id, g.sla_version, d.service,
                (extract(epoch FROM g.day::timestamp AT TIME ZONE 'UTC') * 1000)::float8 AS day_ms,
                g.total::float8 AS total, g.errors::float8 AS errors, g.uptime_pct, g.breaches,
                g.budget_burn, g.downtime_minutes
         FROM gold_snapshots g
         JOIN sla_definitions d ON d.id = g.sla_id AND d.version = g.sla_version
         WHERE g.day >= $1::date AND g.day < $2::date
         ORDER BY g.sla_id, g.day`,
        [iso(fromMs).slice(0, 10), iso(toMs).slice(0, 10)],
      );
      return rows.map(toSnapshot);
    },

    async slaIncidents(fromMs, toMs) {
      const rows = await db.query<{ sla_id: string; opened_ms: number; open: boolean }>(
        `SELECT substr(dedupe_key, 5) AS sla_id, ${epochMs('opened_at')} AS opened_ms, state <> 'resolved' AS open
         FROM incidents
         WHERE dedupe_key LIKE 'sla:%' AND opened_at >= $1::timestamptz AND opened_at < $2::timestamptz
         ORDER BY opened_at, id`,
        [iso(fromMs), iso(toMs)],
      );
      return rows.map((r) => ({ slaId: r.sla_id, openedAtMs: Number(r.opened_ms), open: r.open === true }));
    },

    // The burn reads' own row selection (sla-signal-reads.ts), so the p99 is of the rows the SLA counts.
    p99: (series, fromMs, toMs) => hourP99(db, sketchOps, series, fromMs, toMs),

    async latestScanBetween(fromMs, toMs) {
      const [r] = await db.query(
        `SELECT ${epochMs('as_of')} AS as_of_ms, total_at_risk_cents::float8 AS at_risk, slos, top_causes
         FROM scans WHERE as_of >= $1::timestamptz AND as_of < $2::timestamptz
         ORDER BY as_of DESC, id DESC LIMIT 1`,
        [iso(fromMs), iso(toMs)],
      );
      if (!r) return null;
      return {
        asOfMs: Number(r['as_of_ms']),
        totalAtRiskCents: Number(r['at_risk']),
        slos: json<SloStatus[]>(r['slos']),
        topCauses: json<CauseRollup[]>(r['top_causes']),
      };
    },
  };
}

/**
 * Enqueue-once for the weekly post. The incident outbox's enqueue re-arms an existing key (a newer state
 * to send); a report for a week must never go out twice, so here an existing key wins, whatever its state.
 */
export function reportOutbox(db: Db): SlaReportOutbox {
  return {
    async enqueueOnce(j: NewJob) {
      const rows = await db.query(
        `INSERT INTO jobs (kind, key, incident_id, payload, run_after)
         VALUES ($1, $2, $3, $4, coalesce($5::timestamptz, now()))
         ON CONFLICT (key) DO NOTHING RETURNING id`,
        [
          j.kind,
          j.key,
          j.incidentId,
          JSON.stringify(j.payload),
          j.runAfterMs === undefined ? null : iso(j.runAfterMs),
        ],
      );
      return rows.length === 1;
    },
  };
}
