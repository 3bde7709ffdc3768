import {
  figuresOf,
  type Incident,
  type IncidentFigures,
  judgeScan,
  REVENUE_DEDUPE_KEY,
  revenueTitle,
} from '../../domain/incidents/incident.ts';
import type { ScanSummary } from '../../domain/scan/summarize.ts';
import type { Ctx } from '../context.ts';
import { runScan, type ScanDeps, type ScanOutcome } from '../scan/scan.ts';
import type { IncidentDeps } from './deps.ts';
import { applyVerdict, type IncidentChange, type IncidentReading, inIncidentTx } from './transitions.ts';

export interface IncidentScanOutcome extends ScanOutcome {
  incident: IncidentChange;
}

/**
 * The scan every entry point runs (`/leak scan`, Rescan, the schedule): scan, then let the result drive
 * the incident. A backfill (an older as-of) changes findings nothing, so it changes no incident either; its
 * outcome names the incident open now, so no surface reads "no incident" while one is open.
 */
export async function runIncidentScan(
  scanDeps: ScanDeps,
  deps: IncidentDeps,
  ctx: Ctx,
  opts: { asOfMs?: number } = {},
): Promise<IncidentScanOutcome> {
  const outcome = await runScan(scanDeps, ctx, opts);
  const incident: IncidentChange = outcome.delta.reconciled
    ? await applyScan(deps, ctx, outcome.scanId, outcome.summary)
    : { action: 'none', incident: await openRevenueIncident(deps) };
  return { ...outcome, incident };
}

const openRevenueIncident = async (deps: IncidentDeps): Promise<Incident | null> =>
  (await deps.store.listOpen()).find((i) => i.dedupeKey === REVENUE_DEDUPE_KEY) ?? null;

/**
 * A scan's figures as the transitions take them. Severity and paging follow the scan both ways (a leak
 * that shrinks lowers the incident's severity), unlike an SLA burn's.
 */
function revenueReading(figures: IncidentFigures): IncidentReading<IncidentFigures> {
  const { severity, paging } = figures;
  return {
    dedupeKey: REVENUE_DEDUPE_KEY,
    title: revenueTitle(figures),
    next: { severity, paging, figures },
    repage: 'rise_from_ok',
    resolve: { next: { severity, paging, figures }, reason: () => 'a scan found no open revenue leak' },
    data: {
      declared: () => ({ scan_id: figures.scanId }),
      reopened: { scan_id: figures.scanId },
      updated: { scan_id: figures.scanId, burn: figures.burn },
    },
  };
}

/**
 * One transaction per scan: under the dedupe key's lock, decide (judgeScan) and write the incident, its
 * timeline, its audit rows and the Slack deliveries together. Two scans at once serialize on the lock;
 * the partial unique index would refuse a second open incident even without it.
 */
export async function applyScan(
  deps: IncidentDeps,
  ctx: Ctx,
  scanId: string,
  summary: ScanSummary,
): Promise<IncidentChange> {
  const change = await inIncidentTx(deps, ctx, async (s) => {
    await s.tx.lockKey(REVENUE_DEDUPE_KEY);
    const open = await s.tx.findOpen(REVENUE_DEDUPE_KEY);
    const lastResolved = open ? null : await s.tx.findLastResolved(REVENUE_DEDUPE_KEY);
    const figures = figuresOf(scanId, summary);
    const verdict = judgeScan(open, lastResolved, figures, deps.policy, s.now);
    return applyVerdict(s, verdict, open, revenueReading(figures));
  });
  if (change.action !== 'none') {
    ctx.log.info(
      { incident_id: change.incident.id, action: change.action, severity: change.incident.severity },
      'incident reconciled with scan',
    );
    deps.onEnqueued?.();
  }
  return change;
}
