import type { IncidentSeverity, Paging } from '../budget/budget.ts';
import { type BurnEvaluation, burnRate, HOUR_MS } from './burn.ts';
import type { SlaDefinition } from './definition.ts';
import type { SlaRuleRate } from './figures.ts';

/**
 * SLA burn alerting (DOMAIN.md §6–7, issue 5). Pure: the severity a burn means, the headline figures, the
 * ticket episodes. What a burn means for the SLA's incident is domain/incidents/sla-burn.ts.
 */

/** One incident per SLA at a time: the dedupe key (and Gold's downtime query) is 'sla:' + its id. */
export const slaDedupeKey = (slaId: string): string => `sla:${slaId}`;

export interface SlaAlertPolicy {
  /**
   * An SLA incident resolves once no page rule has fired for this long, and a ticket episode ends once no
   * rule has fired for this long (the next ticket then posts again).
   */
  resetMs: number;
  /** A page within this long after a resolve reopens that incident instead of declaring a new one. */
  reopenWindowMs: number;
}

export const DEFAULT_SLA_ALERT_POLICY: SlaAlertPolicy = {
  resetMs: 15 * 60_000,
  reopenWindowMs: 60 * 60_000,
};

/**
 * A page whose long window burns this many times its factor or more is SEV-1: for the 1h/5m rule that is
 * 144× (a 30-day budget gone in five hours; a hard outage of a 99.9% SLA burns 1,000×).
 */
export const SEV1_BURN_MULTIPLE = 10;

/**
 * Severity and paging of an evaluation. Pages: SEV-1 at SEV1_BURN_MULTIPLE × the factor, SEV-2 for the
 * fastest page rule, SEV-3 for a slower one (a channel each at the default channel threshold). A ticket,
 * or nothing firing while an incident waits out its reset, is SEV-4: WARN and OK respectively.
 */
export function severityOfBurn(e: BurnEvaluation): { severity: IncidentSeverity; paging: Paging } {
  if (e.action === 'page' && e.rule) {
    const pageRules = e.rates.filter((r) => r.rule.action === 'page');
    const fastest = pageRules[0]?.rule.name === e.rule.name;
    const fired = e.rates.find((r) => r.rule.name === e.rule!.name)!;
    const severe = fired.long.rate >= SEV1_BURN_MULTIPLE * e.rule.factor;
    return { severity: severe ? 1 : fastest ? 2 : 3, paging: 'PAGE' };
  }
  return { severity: 4, paging: e.action === 'ticket' ? 'WARN' : 'OK' };
}

/** The rates of every rule, flattened for storage and display. */
export const ratesOf = (e: BurnEvaluation): SlaRuleRate[] =>
  e.rates.map((r) => ({
    rule: r.rule.name,
    action: r.rule.action,
    factor: r.rule.factor,
    longBurn: r.long.rate,
    shortBurn: r.short.rate,
    longTotal: r.long.total,
    longBad: r.long.bad,
    shortTotal: r.short.total,
    shortBad: r.short.bad,
    fired: r.fired,
  }));

/** The burn an SLA incident headlines: the rule behind the action's long window, else the fastest rule's. */
export function headlineBurn(e: BurnEvaluation): number {
  const r = e.rule ? e.rates.find((x) => x.rule.name === e.rule!.name) : e.rates[0];
  return r?.long.rate ?? 0;
}

/**
 * Share of the window's error budget left: 1 − burn over the window (bad / total over 1 − target). An
 * empty window has spent nothing (1); an overspent one goes negative.
 */
export const budgetLeft = (total: number, bad: number, target: number): number =>
  1 - burnRate(bad, total, target);

/** "SLA burn: Checkout availability" (the channel slug comes from it: sla-burn-checkout-availability). */
export const slaTitle = (def: Pick<SlaDefinition, 'name'>): string => `SLA burn: ${def.name}`;

/** What the evaluator remembers of an SLA between runs, for tickets (incidents carry their own). */
export interface SlaAlertState {
  slaId: string;
  /** The last evaluation at which any rule fired. */
  lastFiredAtMs: number | null;
  /** When the current (or last) ticket episode posted its ticket. */
  lastTicketAtMs: number | null;
}

/**
 * Tickets post to the alerts channel once per episode: an episode begins when a ticket rule fires after
 * no rule fired for the reset window, and only when no incident covers the SLA (a page suppresses a
 * ticket, and a burn the incident already covered does not post a ticket on its tail).
 */
export function judgeTicket(
  state: SlaAlertState | null,
  action: BurnEvaluation['action'],
  incidentOpen: boolean,
  nowMs: number,
  policy: SlaAlertPolicy,
): { post: boolean; next: Omit<SlaAlertState, 'slaId'> } {
  const lastFired = state?.lastFiredAtMs ?? null;
  const lastTicket = state?.lastTicketAtMs ?? null;
  if (action === 'none')
    return { post: false, next: { lastFiredAtMs: lastFired, lastTicketAtMs: lastTicket } };
  const newEpisode = lastFired === null || nowMs - lastFired >= policy.resetMs;
  const post = action === 'ticket' && !incidentOpen && newEpisode;
  return { post, next: { lastFiredAtMs: nowMs, lastTicketAtMs: post ? nowMs : lastTicket } };
}

/** The hours the trend compares: the last 24 complete hours against the same hours a week earlier. */
export const TREND_HOURS = 24;
export const WEEK_MS = 7 * 24 * HOUR_MS;

/** The span [fromMs, toMs) of the last `hours` complete UTC hours before nowMs. */
export function trendSpan(nowMs: number, hours = TREND_HOURS): { fromMs: number; toMs: number } {
  const toMs = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  return { fromMs: toMs - hours * HOUR_MS, toMs };
}
