import { crashPoint } from '../../app/import/crash-points.ts';
import type { FindingsDelta, ScanRepository } from '../../app/records/ports.ts';
import type { IncidentFigures } from '../../domain/incidents/incident.ts';
import type { ScanSummary } from '../../domain/scan/summarize.ts';
import type { Db } from './client.ts';
import { reconcileFindings } from './findings-reconcile.ts';
import { epochMs, iso } from './instants.ts';

export function scanRepository(db: Db): ScanRepository {
  return {
    record: (scan) =>
      db.transaction(async (tx) => {
        const recorded = await recordScan(tx, scan);
        await crashPoint('scan:before-commit');
        return recorded;
      }),
    async firstSeen(issueIds) {
      if (issueIds.length === 0) return new Map();
      const rows = await db.query<{ issue_id: string; ms: number }>(
        `SELECT issue_id, ${epochMs('first_seen_at')} AS ms
         FROM findings WHERE issue_id = ANY($1::text[])`,
        [issueIds],
      );
      return new Map(rows.map((r) => [r.issue_id, r.ms]));
    },
    async latestFigures() {
      const [r] = await db.query(
        `SELECT id::text AS id, ${epochMs('as_of')} AS as_of_ms, incident_severity,
           paging, burn_rate, budget_remaining, total_at_risk_cents::float8 AS at_risk, budget_cents::float8 AS budget,
           issues_count, high_issues, top_causes, affected_segments, slos
         FROM scans WHERE reconciled ORDER BY as_of DESC, id DESC LIMIT 1`,
      );
      if (!r) return null;
      const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
      return {
        scanId: r['id'] as string,
        scanAsOfMs: r['as_of_ms'] as number,
        severity: Number(r['incident_severity']) as IncidentFigures['severity'],
        paging: r['paging'] as IncidentFigures['paging'],
        burn: r['burn_rate'] as number,
        budgetRemaining: r['budget_remaining'] as number,
        atRiskCents: r['at_risk'] as number,
        budgetCents: r['budget'] as number,
        openIssues: r['issues_count'] as number,
        highIssues: r['high_issues'] as number,
        topCauses: json(r['top_causes']),
        affectedOwners: json(r['affected_segments']),
        topIssues: [],
        slos: json(r['slos']),
      };
    },
  };
}

/** Advisory lock key serializing scan persistence (migrations use 0x1eac_0001). */
const SCAN_PERSIST_LOCK_KEY = 0x1eac_0002;

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

async function recordScan(
  tx: Tx,
  scan: { asOfMs: number; actor: string; startedAtMs: number; summary: ScanSummary },
): Promise<{ scanId: string; delta: FindingsDelta }> {
  const s = scan.summary;
  const asOf = iso(scan.asOfMs);
  // Scans reconcile the same findings table: two at once (a scheduled scan meeting /leak scan) would
  // both try to INSERT the same new issue ids. Persisting is serialized; evaluation already ran outside.
  await tx.query('SELECT pg_advisory_xact_lock($1)', [SCAN_PERSIST_LOCK_KEY]);
  const [prev] = await tx.query<{ id: string; ms: number }>(
    `SELECT id::text AS id, ${epochMs('as_of')} AS ms
     FROM scans WHERE reconciled ORDER BY as_of DESC, id DESC LIMIT 1`,
  );
  // A scan older than the newest reconciled one is a backfill: history of totals, not today's truth.
  const reconciled = prev === undefined || prev.ms <= scan.asOfMs;

  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO scans (as_of, started_at, actor, records_count, issues_count, high_issues, total_at_risk_cents,
       budget_cents, burn_rate, budget_remaining, paging, incident_severity, reconciled, top_causes,
       affected_segments, slos)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id::text AS id`,
    [
      asOf,
      iso(scan.startedAtMs),
      scan.actor,
      s.records,
      s.issues.length,
      s.highIssues,
      s.totalAtRiskCents,
      s.budgetCents,
      s.burn,
      s.budgetRemaining,
      s.paging,
      s.incidentSeverity,
      reconciled,
      JSON.stringify(s.topCauses),
      JSON.stringify(s.affectedSegments),
      JSON.stringify(s.slos),
    ],
  );
  const scanId = row!.id;
  if (!reconciled) {
    await tx.query('UPDATE scans SET finished_at = clock_timestamp() WHERE id = $1', [scanId]);
    return { scanId, delta: { newIssues: 0, stillOpen: 0, reopened: 0, cleared: 0, reconciled: false } };
  }

  const { newIssues, reopened, cleared } = await reconcileFindings(
    tx,
    s.issues,
    { asOf, scanId, prev: prev ? { asOf: iso(prev.ms), scanId: prev.id } : null },
    s.byIssueId,
  );
  const delta: FindingsDelta = {
    newIssues,
    stillOpen: s.issues.length - newIssues - reopened,
    reopened,
    cleared,
    reconciled: true,
  };
  await tx.query(
    'UPDATE scans SET new_issues = $2, reopened_issues = $3, cleared_issues = $4, finished_at = clock_timestamp() WHERE id = $1',
    [scanId, delta.newIssues, delta.reopened, delta.cleared],
  );
  return { scanId, delta };
}
