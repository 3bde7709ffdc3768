import type { BudgetPolicy } from '../../domain/budget/budget.ts';
import type { RuleThresholds } from '../../domain/rules/catalog.ts';
import { type ScanSummary, summarize } from '../../domain/scan/summarize.ts';
import { AppError } from '../../shared/errors.ts';
import { actorLabel, type Clock, type Ctx } from '../context.ts';
import { crashPoint } from '../import/crash-points.ts';
import type { FindingsDelta, RecordRepository, ScanRepository } from '../records/ports.ts';

export interface ScanDeps {
  records: RecordRepository;
  scans: ScanRepository;
  clock: Clock;
  thresholds: RuleThresholds;
  budget: BudgetPolicy;
}

/** Clock skew tolerated between whoever chose an as-of and this process. */
export const FUTURE_SKEW_MS = 5 * 60_000;

export interface ScanOutcome {
  scanId: string;
  summary: ScanSummary;
  delta: FindingsDelta;
  /** Wall time the scan took, for logs and the CLI. */
  elapsedMs: number;
}

/**
 * The scan use case: load records → evaluate rules → price → persist the scan and reconcile findings.
 * `asOfMs` evaluates at that instant instead of the clock (reproducible scans and backfills).
 */
export async function runScan(
  deps: ScanDeps,
  ctx: Ctx,
  opts: { asOfMs?: number } = {},
): Promise<ScanOutcome> {
  const startedAtMs = deps.clock.now();
  const asOfMs = opts.asOfMs ?? startedAtMs;
  // A scan "as of" the future would become the newest reconciled scan and turn every real scan after
  // it into a backfill, freezing findings; only clock skew is tolerated.
  if (asOfMs > startedAtMs + FUTURE_SKEW_MS)
    throw new AppError(
      'VALIDATION',
      `as-of ${new Date(asOfMs).toISOString()} is in the future; a scan can look back, not ahead`,
    );
  const records = await deps.records.loadAll();
  const summary = summarize(records, asOfMs, deps.thresholds, deps.budget);
  await crashPoint('scan:evaluated');
  // One transaction: a scan killed before it commits leaves no trace (issue 17).
  const { scanId, delta } = await deps.scans.record({
    asOfMs,
    actor: actorLabel(ctx.actor),
    startedAtMs,
    summary,
  });
  await crashPoint('scan:committed');
  const elapsedMs = deps.clock.now() - startedAtMs;
  ctx.log.info(
    {
      scan_id: scanId,
      as_of: new Date(asOfMs).toISOString(),
      records: summary.records,
      issues: summary.issues.length,
      at_risk_cents: summary.totalAtRiskCents,
      burn: summary.burn,
      paging: summary.paging,
      severity: summary.incidentSeverity,
      ...delta,
      elapsed_ms: elapsedMs,
    },
    'scan completed',
  );
  return { scanId, summary, delta, elapsedMs };
}
