import type { IncidentPolicy } from '../../domain/incidents/incident.ts';
import type { Clock } from '../context.ts';
import type { IncidentStore } from './ports.ts';

/** Who gets told, from configuration. Ids are Slack's (S… groups, U… users, C… channels). */
export interface PagingTargets {
  onCallGroup: string | null;
  secondaryGroup: string | null;
  /** The default incident commander: DMed on every PAGE until someone acknowledges. */
  commander: string | null;
  /** Invited to every incident channel besides the on-call group. */
  responders: readonly string[];
  /** Where incidents are announced, and where incidents below the channel threshold are posted. */
  alertsChannel: string | null;
}

export interface IncidentDeps {
  store: IncidentStore;
  clock: Clock;
  policy: IncidentPolicy;
  targets: PagingTargets;
  /** Called after a transaction that enqueued deliveries committed, so the worker need not wait a poll. */
  onEnqueued?: () => void;
}
