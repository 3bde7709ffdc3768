import type { IncidentSeverity, Paging } from '../budget/budget.ts';
import type { Incident } from './incident.ts';

/**
 * What paging a surface shows. Every surface that shows paging (War Room, channel topic, pages, App Home,
 * `/leak status`) asks here, so no two of them can disagree (issue 10 item 8):
 * - an open incident shows its paging;
 * - a resolved incident shows none. Its last figures may still say PAGE (resolved by hand while the leak
 *   burns), but nobody is paged for it any more;
 * - the revenue budget with no incident open is all clear only when the newest scan found nothing. Any
 *   open issue keeps an incident open (DOMAIN.md §4), so a scan that still leaks means the next scan opens
 *   or reopens one: neither all clear nor paging.
 */
export type PagingShown =
  | { kind: 'paging'; paging: Paging }
  | { kind: 'resolved' }
  | { kind: 'all_clear' }
  | { kind: 'still_burning'; paging: Paging; resolvedByHand: boolean };

export function incidentPagingShown(i: Pick<Incident, 'state' | 'paging'>): PagingShown {
  return i.state === 'resolved' ? { kind: 'resolved' } : { kind: 'paging', paging: i.paging };
}

/**
 * The revenue budget's paging, from the open revenue incident (null when none), the figures shown (the
 * newest scan's, or the open incident's; null before any scan) and the severity the newest resolved revenue
 * incident was resolved with. A scan resolves only at SEV-5 (nothing open), so a resolved incident whose
 * figures still leak was resolved by hand.
 */
export function budgetPagingShown(
  open: Pick<Incident, 'state' | 'paging'> | null,
  shown: { severity: IncidentSeverity; paging: Paging } | null,
  lastResolved: { severity: IncidentSeverity } | null,
): PagingShown | null {
  if (shown === null) return null;
  if (open !== null) return { kind: 'paging', paging: shown.paging };
  if (shown.severity === 5) return { kind: 'all_clear' };
  return {
    kind: 'still_burning',
    paging: shown.paging,
    resolvedByHand: lastResolved !== null && lastResolved.severity < 5,
  };
}
