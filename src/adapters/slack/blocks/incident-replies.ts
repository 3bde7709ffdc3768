import type { Incident } from '../../../domain/incidents/incident.ts';
import { formatActor, type Rendered, section } from './kit.ts';
import { safeText } from './mrkdwn.ts';

/**
 * The short ephemeral answers to incident buttons and `/leak note` (pure, like every renderer). Mentions
 * come from formatActor (a `<@U…>` only for a well-formed user id); every other data-derived string is
 * escaped, so the answers can carry mentions without letting data inject one.
 */
const REASON_MAX = 200;

const one = (text: string): Rendered => ({ text, blocks: [section(text)] });
const num = (i: Incident): string => `#${safeText(i.id, 20)}`;

export type IncidentAnswer =
  | { action: 'ack' | 'resolve'; changed: boolean; incident: Incident; reason?: string }
  | { action: 'note'; added: boolean; incident: Incident };

/** Why a click changed nothing, said from the incident as it is now rather than as a lifecycle rule. */
function unchanged(i: Incident, reason: string | undefined): string {
  if (i.state === 'resolved')
    return `Incident ${num(i)} is already resolved by ${formatActor(i.resolvedBy)}.`;
  if (i.state === 'acknowledged' && i.acknowledgedBy !== null)
    return `Already acknowledged by ${formatActor(i.acknowledgedBy)}.`;
  return `Incident ${num(i)} did not change: ${safeText(reason ?? 'nothing to do', REASON_MAX)}.`;
}

export function renderIncidentAnswer(a: IncidentAnswer): Rendered {
  const i = a.incident;
  switch (a.action) {
    case 'ack':
      return one(
        a.changed
          ? `:white_check_mark: You acknowledged incident ${num(i)}; pages stop.`
          : `:information_source: ${unchanged(i, a.reason)}`,
      );
    case 'resolve':
      return one(
        a.changed
          ? `:white_check_mark: You resolved incident ${num(i)}. A scan that still finds the leak reopens it.`
          : `:information_source: ${unchanged(i, a.reason)}`,
      );
    case 'note':
      return one(
        a.added
          ? `:memo: Note added to the timeline of incident ${num(i)}.`
          : `:memo: Already noted on the timeline of incident ${num(i)}.`,
      );
  }
}
