import {
  type Incident,
  type IncidentFigures,
  REVENUE_DEDUPE_KEY,
  revenueFigures,
} from '../../domain/incidents/incident.ts';
import { budgetPagingShown } from '../../domain/incidents/paging-shown.ts';
import { AppError } from '../../shared/errors.ts';
import { isoWeekOf } from '../../shared/time.ts';
import type { Clock } from '../context.ts';
import type { IncidentStore, StatusView, TimelineEntry } from './ports.ts';

export interface StatusDeps {
  store: IncidentStore;
  clock: Clock;
  /** Dollars recovered by applied fixes in [fromMs, toMs). */
  recovered(fromMs: number, toMs: number): Promise<number>;
  /** Figures of the newest reconciled scan, from the scans table (no issue list). */
  latestScanFigures(): Promise<IncidentFigures | null>;
}

/** What `/leak status` and the App Home show. */
export async function getStatus(deps: StatusDeps, recent = 10): Promise<StatusView> {
  const week = isoWeekOf(deps.clock.now());
  const [open, latestScan, timeline, recovered] = await Promise.all([
    deps.store.listOpen(),
    deps.latestScanFigures(),
    deps.store.recentTimeline(recent),
    deps.recovered(week.startMs, week.endMs),
  ]);
  // The worst open revenue incident holds the top issues; prefer it unless a newer scan happened since.
  const openRevenue = open.find((i) => revenueFigures(i) !== null) ?? null;
  const worst = openRevenue === null ? null : revenueFigures(openRevenue);
  const figures =
    worst && (latestScan === null || worst.scanAsOfMs >= latestScan.scanAsOfMs) ? worst : latestScan;
  // Only needed to tell a hand resolve from other ways of having no incident while the scan leaks.
  const lastResolved =
    openRevenue === null && figures !== null && figures.severity < 5
      ? await deps.store.lastResolved(REVENUE_DEDUPE_KEY)
      : null;
  const budgetPaging = budgetPagingShown(openRevenue, figures, lastResolved);
  return { open, figures, budgetPaging, recent: timeline, recoveredThisWeekCents: recovered };
}

/**
 * The timeline for `/leak timeline`: the incident of the channel it is typed in; elsewhere the worst open
 * incident, else the newest one.
 */
export async function getTimeline(
  store: IncidentStore,
  channelId: string | null,
  limit = 100,
): Promise<{ incident: Incident; entries: TimelineEntry[] }> {
  const incident =
    (channelId ? await store.byChannel(channelId) : null) ??
    (await store.listOpen())[0] ??
    (await store.latest());
  if (incident === null) throw new AppError('NOT_FOUND', 'there are no incidents yet');
  return { incident, entries: await store.timeline(incident.id, limit) };
}
