import type { IncidentSeverity, Paging } from '../budget/budget.ts';
import { type Incident, type IncidentPolicy, nextPageAt, worsened } from './incident.ts';

/**
 * What every incident source (revenue scan, SLA burn, any later one) does with an open incident that takes
 * new figures. Pure: the transitions module (app/incidents/transitions.ts) asks here and writes the answer.
 */

/**
 * While open, a measured severity only raises the incident's (people may lower it by hand; a lull does
 * not lower it by itself). `firing` says whether the source still sees the trouble now (an SLA page rule
 * fired); when it does not, the incident keeps its severity until it resolves. With nothing open, the
 * measured severity is the incident's.
 */
export function severityWhileOpen(
  open: IncidentSeverity | null,
  measured: IncidentSeverity,
  firing: boolean,
): IncidentSeverity {
  if (open === null) return measured;
  return firing ? (Math.min(open, measured) as IncidentSeverity) : open;
}

/**
 * When a paging change without a severity change pages again, per source:
 * - `rise_from_ok`: a leak that was OK and now warns or pages (revenue scans);
 * - `page_while_unacknowledged`: the trouble pages again while nobody has acknowledged the incident (an
 *   SLA burn back while the incident waits out its reset). Once acknowledged, people are on it: only a worse
 *   severity pages them.
 */
export type RepageRule = 'rise_from_ok' | 'page_while_unacknowledged';

export function repages(rule: RepageRule, open: Pick<Incident, 'state' | 'paging'>, to: Paging): boolean {
  switch (rule) {
    case 'rise_from_ok':
      return open.paging === 'OK' && to !== 'OK';
    case 'page_while_unacknowledged':
      return to === 'PAGE' && open.state === 'detected';
  }
}

/** What an update of an open incident does besides storing the new figures. */
export interface UpdatePlan {
  /** Present when paging changed: the next repeat (null: no more repeats, e.g. a PAGE that fell to WARN). */
  nextPageAtMs?: number | null;
  /** A severity change goes on the timeline and brings a channel (or an alert below the threshold). */
  severityChanged: boolean;
  /** Whether the update sends a page (from the first repeat). */
  page: boolean;
}

/**
 * A severity change pages when it worsened; a paging change without one pages when the source's repage
 * rule says so. `severityFrom` is the verdict's: the severity before, or null when it did not change.
 */
export function planUpdate(
  open: Pick<Incident, 'state' | 'paging'>,
  next: { severity: IncidentSeverity; paging: Paging },
  severityFrom: IncidentSeverity | null,
  rule: RepageRule,
  policy: IncidentPolicy,
  nowMs: number,
): UpdatePlan {
  const pagingChanged = next.paging !== open.paging;
  const repeat = pagingChanged ? { nextPageAtMs: nextPageAt(open.state, next.paging, nowMs, policy) } : {};
  if (severityFrom !== null)
    return { ...repeat, severityChanged: true, page: worsened(severityFrom, next.severity) };
  return { ...repeat, severityChanged: false, page: pagingChanged && repages(rule, open, next.paging) };
}
