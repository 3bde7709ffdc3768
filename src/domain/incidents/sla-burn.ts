import { MINUTE_MS } from '../../shared/time.ts';
import type { IncidentSeverity, Paging } from '../budget/budget.ts';
import {
  headlineBurn,
  judgeTicket,
  ratesOf,
  type SlaAlertPolicy,
  type SlaAlertState,
  severityOfBurn,
} from '../sla/alerting.ts';
import type { SlaDefinition } from '../sla/definition.ts';
import { type SlaFigures, type SlaTrend, slaFactsOf } from '../sla/figures.ts';
import { type BurnReading, pagingOfBurn } from '../sla/reading.ts';
import { type Incident, type IncidentVerdict, slaFigures } from './incident.ts';
import { severityWhileOpen } from './update-rules.ts';

/**
 * SLA burns as an incident source (DOMAIN.md §7, issue 5): what one evaluation means for the SLA's incident
 * and its tickets. Beside judgeScan (incident.ts) because every source's judgement needs the incident, and
 * the incident's figures name every source's kind: here, domain/incidents imports domain/sla and never
 * the other way round (no folder cycle).
 */

/** An SLA's verdict is the verdict every incident source gives; the evaluator applies it like any other. */
export type SlaVerdict = IncidentVerdict;

/**
 * What an evaluation means for the SLA's incident. A page declares one (or reopens the last, resolved
 * within the reopen window) and updates an open one. The incident resolves once no page rule has fired
 * for the reset window; ticket rules, whose short windows are hours long and keep firing well after a
 * recovery, do not hold it open (they would count hours of healthy service as downtime in Gold).
 * An evaluation older than what the incident shows changes nothing.
 */
export function judgeBurn(
  open: Incident | null,
  lastResolved: Incident | null,
  figures: SlaFigures,
  severity: IncidentSeverity,
  policy: SlaAlertPolicy,
): SlaVerdict {
  const now = figures.evaluatedAtMs;
  if (open) {
    const shown = slaFigures(open);
    if (shown && now < shown.evaluatedAtMs) return { action: 'none' };
    if (figures.action !== 'page') {
      const lastPage = figures.lastPageAtMs ?? shown?.lastPageAtMs ?? open.openedAtMs;
      if (now - lastPage >= policy.resetMs) return { action: 'resolve', incidentId: open.id };
    }
    return {
      action: 'update',
      incidentId: open.id,
      severityFrom: severity === open.severity ? null : open.severity,
    };
  }
  if (figures.action !== 'page') return { action: 'none' };
  if (
    lastResolved?.resolvedAtMs != null &&
    now - lastResolved.resolvedAtMs <= policy.reopenWindowMs &&
    now >= (slaFigures(lastResolved)?.evaluatedAtMs ?? 0)
  )
    return { action: 'reopen', incidentId: lastResolved.id };
  return { action: 'declare' };
}

export interface BurnInputs {
  def: SlaDefinition;
  nowMs: number;
  reading: BurnReading;
  /** Read only when a rule fired; null otherwise. */
  trend: SlaTrend | null;
  /** The SLA's open incident and the last resolved one (read only when none is open), under the key lock. */
  open: Incident | null;
  lastResolved: Incident | null;
  alertState: SlaAlertState | null;
  policy: SlaAlertPolicy;
  /** Whether there is an alerts channel to post a ticket to. */
  canPostTicket: boolean;
}

export interface BurnAssessment {
  figures: SlaFigures;
  severity: IncidentSeverity;
  paging: Paging;
  verdict: SlaVerdict;
  ticket: { post: boolean; next: Omit<SlaAlertState, 'slaId'> };
}

/**
 * What one evaluation means: the figures the incident shows (keeping the open incident's last page, trend
 * and evidence when this evaluation has none), its severity (it only rises while open), the incident
 * verdict, and the ticket. A ticket is judged on whether an incident covers the SLA once the verdict is
 * applied (under the key lock it is; a declare, reopen or update leaves one open, a resolve none).
 */
export function assessBurn(x: BurnInputs): BurnAssessment {
  const { evaluation } = x.reading;
  const action = evaluation.action;
  const shown = x.open ? slaFigures(x.open) : null;
  const figures: SlaFigures = {
    kind: 'sla',
    ...slaFactsOf(x.def),
    evaluatedAtMs: x.nowMs,
    action,
    rule: evaluation.rule?.name ?? null,
    burn: headlineBurn(evaluation),
    rates: ratesOf(evaluation),
    lastPageAtMs: (action === 'page' ? x.nowMs : null) ?? shown?.lastPageAtMs ?? null,
    lastPageRule: action === 'page' ? (evaluation.rule?.name ?? null) : (shown?.lastPageRule ?? null),
    budgetRemaining: x.reading.budgetRemaining,
    trend: x.trend ?? shown?.trend ?? null,
    evidence: shown ? shown.evidence : [],
  };
  const measured = severityOfBurn(evaluation).severity;
  const severity = severityWhileOpen(x.open?.severity ?? null, measured, action === 'page');
  const verdict = judgeBurn(x.open, x.lastResolved, figures, severity, x.policy);
  const incidentOpen = verdict.action === 'none' ? x.open !== null : verdict.action !== 'resolve';
  const judged = judgeTicket(x.alertState, action, incidentOpen, x.nowMs, x.policy);
  // Without an alerts channel a ticket has nowhere to go: none is posted, none is recorded.
  const ticket = x.canPostTicket
    ? judged
    : { post: false, next: { ...judged.next, lastTicketAtMs: x.alertState?.lastTicketAtMs ?? null } };
  return { figures, severity, paging: pagingOfBurn(action), verdict, ticket };
}

/** Why an SLA incident resolved: how long since its last page (or since it opened, if it never paged). */
export const slaResolveReason = (figures: SlaFigures, open: Pick<Incident, 'openedAtMs'>): string =>
  `no page rule has fired for ${Math.round((figures.evaluatedAtMs - (figures.lastPageAtMs ?? open.openedAtMs)) / MINUTE_MS)} minutes`;
