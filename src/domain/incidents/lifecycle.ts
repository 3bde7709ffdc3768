/**
 * The incident lifecycle as a table (ARCHITECTURE.md habit 3). A move that is not in the table is an
 * expected outcome (`ok: false`), never an exception. The database makes races safe: a transition is
 * applied with `UPDATE … WHERE state = $from`, so zero rows means someone else moved first.
 */
export type IncidentState = 'detected' | 'acknowledged' | 'resolved';
export type IncidentEvent = 'acknowledge' | 'resolve' | 'reopen' | 'change_severity' | 'note';

export const INCIDENT_STATES: readonly IncidentState[] = ['detected', 'acknowledged', 'resolved'];
export const INCIDENT_EVENTS: readonly IncidentEvent[] = [
  'acknowledge',
  'resolve',
  'reopen',
  'change_severity',
  'note',
];

export const TRANSITIONS: Record<IncidentState, Partial<Record<IncidentEvent, IncidentState>>> = {
  detected: {
    acknowledge: 'acknowledged',
    resolve: 'resolved',
    change_severity: 'detected',
    note: 'detected',
  },
  acknowledged: { resolve: 'resolved', change_severity: 'acknowledged', note: 'acknowledged' },
  // A resolved incident takes notes (a post-mortem remark) and can come back; nothing else moves it.
  resolved: { reopen: 'detected', note: 'resolved' },
};

export type Transition =
  | { ok: true; from: IncidentState; to: IncidentState }
  | { ok: false; from: IncidentState; event: IncidentEvent; reason: string };

export function transition(from: IncidentState, event: IncidentEvent): Transition {
  const to = TRANSITIONS[from][event];
  if (to !== undefined) return { ok: true, from, to };
  return { ok: false, from, event, reason: `an incident that is ${from} cannot ${event.replace('_', ' ')}` };
}

/** Timeline entry kinds: the incident's own, and those of its fix packs. */
export type TimelineKind =
  | 'DETECTED'
  | 'SEVERITY_CHANGED'
  | 'PAGED'
  | 'ACKNOWLEDGED'
  | 'NOTE'
  | 'RESOLVED'
  | 'REOPENED'
  | 'FIXPACK_PREVIEWED'
  | 'APPROVED'
  | 'REJECTED'
  | 'APPLIED'
  | 'ROLLED_BACK'
  | 'VERIFIED'
  | 'VERIFICATION_FAILED';
