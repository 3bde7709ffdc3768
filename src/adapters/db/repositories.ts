import { eq } from 'drizzle-orm';
import type {
  FindingsDelta,
  ImportRunRepository,
  ImportRunResult,
  ImportRunStart,
  RecordRepository,
  ScanRepository,
} from '../../app/ports.ts';
import type { FunnelRecord, ScannableRecord } from '../../domain/records/record.ts';
import type { ScanSummary } from '../../domain/scan/summarize.ts';
import type { Db } from './client.ts';
import { copyLine, isoOrNull } from './copy.ts';
import { importRuns } from './schema.ts';

const RECORD_COLUMNS = [
  'id',
  'type',
  'name',
  'email_hash',
  'domain',
  'company',
  'source',
  'region',
  'owner',
  'stage',
  'created_at',
  'last_touch_at',
  'next_step',
  'value_cents',
  'notes',
] as const;

const recordLine = (r: FunnelRecord): string =>
  copyLine([
    r.id,
    r.type,
    r.name,
    r.emailHash,
    r.domain,
    r.company,
    r.source,
    r.region,
    r.owner,
    r.stage,
    new Date(r.createdAtMs).toISOString(),
    isoOrNull(r.lastTouchAtMs),
    r.nextStep,
    r.valueCents,
    r.notes,
  ]);

const UPSERT_FROM_STAGE = `
  INSERT INTO records (${RECORD_COLUMNS.join(', ')})
  SELECT ${RECORD_COLUMNS.join(', ')} FROM records_stage
  ON CONFLICT (id) DO UPDATE SET
    ${RECORD_COLUMNS.filter((c) => c !== 'id')
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(',\n    ')},
    updated_at = now()`;

/** Projection for scanning, aliased so each row already is a ScannableRecord (no second copy of 1M rows). */
const LOAD_SCANNABLE = `
  SELECT id, type, name, domain, region, owner, stage, next_step AS "nextStep",
         floor(extract(epoch FROM created_at) * 1000)::float8 AS "createdAtMs",
         floor(extract(epoch FROM last_touch_at) * 1000)::float8 AS "lastTouchAtMs",
         value_cents::float8 AS "valueCents"
  FROM records`;

export function recordRepository(db: Db): RecordRepository {
  return {
    async upsertMany(rows) {
      if (rows.length === 0) return 0;
      // COPY into a per-transaction staging table, then one set-based upsert: far faster than INSERTs.
      await db.transaction(async (tx) => {
        await tx.query(
          'CREATE TEMP TABLE IF NOT EXISTS records_stage (LIKE records INCLUDING DEFAULTS) ON COMMIT DELETE ROWS',
        );
        await tx.copyIn('records_stage', RECORD_COLUMNS, rows.map(recordLine));
        await tx.query(UPSERT_FROM_STAGE);
      });
      return rows.length;
    },
    loadAll: () => db.query<ScannableRecord & Record<string, unknown>>(LOAD_SCANNABLE),
    async count() {
      const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM records');
      return r[0]?.n ?? 0;
    },
  };
}

export function importRunRepository(db: Db): ImportRunRepository {
  return {
    async start(run: ImportRunStart) {
      const [row] = await db.orm
        .insert(importRuns)
        .values({ file: run.file, dryRun: run.dryRun, actor: run.actor, startedAt: new Date(run.startedAtMs) })
        .returning({ id: importRuns.id });
      return String(row!.id);
    },
    async finish(id: string, result: ImportRunResult) {
      await db.transaction(async (tx) => {
        await tx.query(
          `UPDATE import_runs SET status = $2, finished_at = $3, total_rows = $4, imported_rows = $5,
                  rejected_rows = $6, error = $7 WHERE id = $1`,
          [
            id,
            result.error ? 'failed' : result.rejected.length > 0 ? 'partial' : 'succeeded',
            new Date(result.finishedAtMs).toISOString(),
            result.total,
            result.imported,
            result.rejected.length,
            result.error ?? null,
          ],
        );
        if (result.rejected.length > 0)
          await tx.copyIn(
            'import_rejections',
            ['import_run_id', 'line', 'reason'],
            result.rejected.map((r) => copyLine([id, r.line, r.reason])),
          );
      });
    },
  };
}

/** Reads an import run back (CLI history, tests). */
export async function getImportRun(db: Db, id: string) {
  const [run] = await db.orm.select().from(importRuns).where(eq(importRuns.id, Number(id)));
  if (!run) return undefined;
  const rejected = await db.query<{ line: number; reason: string }>(
    'SELECT line, reason FROM import_rejections WHERE import_run_id = $1 ORDER BY line',
    [id],
  );
  return { ...run, rejected };
}

export function scanRepository(db: Db): ScanRepository {
  return {
    record: (scan) => db.transaction(async (tx) => recordScan(tx, scan)),
    async firstSeen(issueIds) {
      if (issueIds.length === 0) return new Map();
      const rows = await db.query<{ issue_id: string; ms: number }>(
        `SELECT issue_id, floor(extract(epoch FROM first_seen_at) * 1000)::float8 AS ms
         FROM findings WHERE issue_id = ANY($1::text[])`,
        [issueIds],
      );
      return new Map(rows.map((r) => [r.issue_id, r.ms]));
    },
  };
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

async function recordScan(
  tx: Tx,
  scan: { asOfMs: number; actor: string; startedAtMs: number; summary: ScanSummary },
): Promise<{ scanId: string; delta: FindingsDelta }> {
  const s = scan.summary;
  const asOf = new Date(scan.asOfMs).toISOString();
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO scans (as_of, started_at, actor, records_count, issues_count, high_issues, total_at_risk_cents,
       budget_cents, burn_rate, budget_remaining, paging, incident_severity, top_causes, affected_segments, slos)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id::text AS id`,
    [
      asOf,
      new Date(scan.startedAtMs).toISOString(),
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
      JSON.stringify(s.topCauses),
      JSON.stringify(s.affectedSegments),
      JSON.stringify(s.slos),
    ],
  );
  const scanId = row!.id;

  await tx.query(
    `CREATE TEMP TABLE findings_stage (issue_id text, record_id text, issue_type text, rule_key text,
       severity smallint, severity_label text, estimated_loss_cents bigint) ON COMMIT DROP`,
  );
  await tx.copyIn(
    'findings_stage',
    ['issue_id', 'record_id', 'issue_type', 'rule_key', 'severity', 'severity_label', 'estimated_loss_cents'],
    (function* () {
      for (const i of s.issues)
        yield copyLine([i.issueId, i.record.id, i.rule.issueType, i.rule.key, i.rule.severity, i.rule.label, i.lossCents]);
    })(),
  );
  const [counts] = await tx.query<{ new_issues: number; still_open: number; reopened: number }>(
    `SELECT count(*) FILTER (WHERE f.issue_id IS NULL)::int AS new_issues,
            count(*) FILTER (WHERE f.status = 'open')::int AS still_open,
            count(*) FILTER (WHERE f.status = 'cleared')::int AS reopened
     FROM findings_stage st LEFT JOIN findings f USING (issue_id)`,
  );
  await tx.query(
    `INSERT INTO findings (issue_id, record_id, issue_type, rule_key, severity, severity_label, estimated_loss_cents,
       status, first_seen_at, last_seen_at, first_scan_id, last_scan_id)
     SELECT issue_id, record_id, issue_type, rule_key, severity, severity_label, estimated_loss_cents,
            'open', $1, $1, $2, $2
     FROM findings_stage
     ON CONFLICT (issue_id) DO UPDATE SET
       severity = EXCLUDED.severity,
       severity_label = EXCLUDED.severity_label,
       rule_key = EXCLUDED.rule_key,
       estimated_loss_cents = EXCLUDED.estimated_loss_cents,
       status = 'open',
       first_seen_at = LEAST(findings.first_seen_at, EXCLUDED.first_seen_at),
       last_seen_at = GREATEST(findings.last_seen_at, EXCLUDED.last_seen_at),
       last_scan_id = EXCLUDED.last_scan_id,
       cleared_at = NULL,
       cleared_scan_id = NULL`,
    [asOf, scanId],
  );
  // An open finding this scan did not see is cleared, unless a later scan saw it (a backfill never
  // clears what the present still shows).
  const cleared = await tx.query<{ n: number }>(
    `WITH c AS (
       UPDATE findings SET status = 'cleared', cleared_at = $1, cleared_scan_id = $2
       WHERE status = 'open' AND last_scan_id <> $2 AND last_seen_at <= $1
       RETURNING 1)
     SELECT count(*)::int AS n FROM c`,
    [asOf, scanId],
  );
  const delta: FindingsDelta = {
    newIssues: counts?.new_issues ?? 0,
    stillOpen: counts?.still_open ?? 0,
    reopened: counts?.reopened ?? 0,
    cleared: cleared[0]?.n ?? 0,
  };
  await tx.query(
    'UPDATE scans SET new_issues = $2, reopened_issues = $3, cleared_issues = $4, finished_at = now() WHERE id = $1',
    [scanId, delta.newIssues, delta.reopened, delta.cleared],
  );
  return { scanId, delta };
}

export function makeRepositories(db: Db) {
  return { records: recordRepository(db), importRuns: importRunRepository(db), scans: scanRepository(db) };
}
