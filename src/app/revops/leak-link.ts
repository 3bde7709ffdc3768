import type { Incident } from '../../domain/incidents/incident.ts';
import type { LeakIncidentRef, RevopsReport } from '../../domain/revops/figures.ts';
import { REVOPS_STUCK_DEDUPE_KEY } from '../../domain/revops/leak.ts';

/**
 * An insight that crosses into a leak says which incident it feeds (issue 14): every view, the digest and
 * `--json` get the pipeline incident open now on the insight's `leak.incident` (null when none is open:
 * the watch has not run since, or the period's stuck deals are no longer the ones stuck today). Read only
 * when some insight is a leak, so a report without one costs no query.
 */
export async function withLeakIncident(
  report: RevopsReport,
  openIncidents: () => Promise<readonly Incident[]>,
): Promise<RevopsReport> {
  if (!report.insights.some((i) => i.leak !== null)) return report;
  const open = (await openIncidents()).find((i) => i.dedupeKey === REVOPS_STUCK_DEDUPE_KEY);
  const incident: LeakIncidentRef | null =
    open === undefined || open.state === 'resolved'
      ? null
      : {
          id: open.id,
          severity: open.severity,
          state: open.state,
          channelId: open.channelId,
          channelName: open.channelName,
        };
  return {
    ...report,
    insights: report.insights.map((i) => (i.leak === null ? i : { ...i, leak: { ...i.leak, incident } })),
  };
}
