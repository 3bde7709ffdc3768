import type { IncidentSeverity, Paging } from '../budget/budget.ts';
import type { CommerceFigures, DipFigures, NoSignalFigures } from './figures.ts';
import { formatMinor } from './money-format.ts';
import type { NoSignalState } from './no-signal.ts';

/**
 * The commerce signals (dip.ts, no-signal.ts) as an incident source (src/README.md "Add an incident
 * source"): what a reading means for the incident of its dedupe key (figures.ts `commerceDedupeKey`), in
 * the same verdicts judgeScan and judgeBurn give.
 *
 * Severity (SEV 1 is worst): a revenue dip is money not coming in now, SEV-1 and a page (§8 calls it
 * critical). Silence is a warning (SEV-3, WARN) past the learned limit and a page (SEV-2, PAGE) past twice
 * it: by then orders are most likely being taken and not recorded.
 *
 * No import of domain/incidents: incident.ts names CommerceFigures (an incident shows every source's
 * figures), so domain/incidents imports domain/commerce, and the way back would be a folder cycle
 * (test/architecture/cycles.test.ts). The incident, the policy and the verdict are therefore taken by
 * their shape: an `Incident` and an `IncidentPolicy` fit the parameters, and `SignalVerdict` is
 * `IncidentVerdict` member for member (test/domain/commerce/judge.test.ts checks both ways).
 */

/** The parts of an incident (incidents/incident.ts `Incident`) a verdict reads. */
export interface SignalIncident {
  id: string;
  severity: IncidentSeverity;
  resolvedAtMs: number | null;
}

/** incidents/incident.ts `IncidentVerdict`, by shape. */
export type SignalVerdict =
  | { action: 'none' }
  | { action: 'declare' }
  | { action: 'reopen'; incidentId: string }
  | { action: 'update'; incidentId: string; severityFrom: IncidentSeverity | null }
  | { action: 'resolve'; incidentId: string };

export interface SignalFiring {
  severity: IncidentSeverity;
  paging: Paging;
}

export const DIP_FIRING: SignalFiring = { severity: 1, paging: 'PAGE' };
export const NO_SIGNAL_WARN: SignalFiring = { severity: 3, paging: 'WARN' };
export const NO_SIGNAL_PAGE: SignalFiring = { severity: 2, paging: 'PAGE' };

/** A dip's reading as judgeSignal takes it: firing at SEV-1, or nothing. */
export const dipFiring = (firing: boolean): SignalFiring | null => (firing ? DIP_FIRING : null);

/** A silence's reading as judgeSignal takes it: warn SEV-3, page SEV-2, ok nothing. */
export function noSignalFiring(state: NoSignalState): SignalFiring | null {
  switch (state) {
    case 'page':
      return NO_SIGNAL_PAGE;
    case 'warn':
      return NO_SIGNAL_WARN;
    case 'ok':
      return null;
  }
}

/**
 * The verdict of one reading. Firing with an incident open updates it (`severityFrom` null when the
 * severity is the same); firing with none reopens the last resolved one if it resolved within the reopen
 * window (inclusive), else declares. Not firing resolves an open incident, and otherwise does nothing.
 */
export function judgeSignal(
  open: SignalIncident | null,
  lastResolved: SignalIncident | null,
  firing: SignalFiring | null,
  policy: { reopenWindowMs: number },
  nowMs: number,
): SignalVerdict {
  if (open) {
    if (!firing) return { action: 'resolve', incidentId: open.id };
    return {
      action: 'update',
      incidentId: open.id,
      severityFrom: firing.severity === open.severity ? null : open.severity,
    };
  }
  if (!firing) return { action: 'none' };
  if (lastResolved?.resolvedAtMs != null && nowMs - lastResolved.resolvedAtMs <= policy.reopenWindowMs)
    return { action: 'reopen', incidentId: lastResolved.id };
  return { action: 'declare' };
}

/** "Revenue dip: shopify USD", "No signal: stripe" (silence is per source, not per currency). */
export const commerceTitle = (f: Pick<CommerceFigures, 'signal' | 'source' | 'currency'>): string =>
  f.signal === 'REVENUE_DIP' ? `Revenue dip: ${f.source} ${f.currency}` : `No signal: ${f.source}`;

/** "12 minutes", "30 hours", "3.5 days": a silence or a limit as people read it. */
export function formatSpan(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(ms / 360_000) / 10;
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'}`;
  return `${Math.round(ms / 8_640_000) / 10} days`;
}

function dipReason(f: CommerceFigures, d: DipFigures): string {
  const against =
    d.comparison === 'weekday_hour'
      ? `the usual ${formatMinor(d.weekdayBaselineCents ?? 0, f.currency)} by this time on this weekday`
      : `${formatMinor(d.yesterdaySameTimeCents, f.currency)} yesterday by this time`;
  const today = `${formatMinor(d.todayCents, f.currency)} today so far`;
  const rule = `a dip is more than ${Math.round(d.threshold * 100)}% below`;
  const head = `${f.source} ${f.currency} revenue`;
  if (d.drop === 0) return `${head} recovered: ${today}, at or above ${against} (${rule})`;
  // Floored, so a drop just under the threshold never reads as the threshold itself.
  const pct = Math.floor(d.drop * 100);
  if (d.drop <= d.threshold) return `${head} recovered: ${today}, ${pct}% below ${against} (${rule})`;
  return `${head} is no longer judged a dip: ${today}, ${pct}% below ${against}, but the comparison is under the minimum or the day has only just begun`;
}

function noSignalReason(f: CommerceFigures, n: NoSignalFigures): string {
  if (n.lastEventAtMs === null) return `${f.source} deliveries no longer fail to parse (no ledger event yet)`;
  return `${f.source} is sending again: last ledger event ${formatSpan(n.silentMs)} ago (limit ${formatSpan(n.limitMs)})`;
}

/** Why a commerce incident resolved, from the reading that resolved it: what recovered, with its numbers. */
export function commerceResolveReason(f: CommerceFigures): string {
  if (f.signal === 'REVENUE_DIP')
    return f.dip ? dipReason(f, f.dip) : `${f.source} ${f.currency} revenue is back to its usual level`;
  return f.noSignal ? noSignalReason(f, f.noSignal) : `${f.source} is sending again`;
}
