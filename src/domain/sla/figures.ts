import type { BurnAction } from './burn.ts';
import type { SlaDefinition } from './definition.ts';
import type { SlaIndicator } from './indicator.ts';

/**
 * What an SLA incident shows (the SLA counterpart of a revenue incident's figures), taken from the burn
 * evaluation that last touched it. Stored as the incident's `figures` with kind 'sla'.
 */

/** One burn rule as the last evaluation saw it. */
export interface SlaRuleRate {
  /** "1h/5m". */
  rule: string;
  action: BurnAction;
  factor: number;
  longBurn: number;
  shortBurn: number;
  longTotal: number;
  longBad: number;
  shortTotal: number;
  shortBad: number;
  fired: boolean;
}

/** One side of the Silver trend: events, bad ones and the p99 of a span of complete hours. */
export interface SlaTrendSide {
  total: number;
  bad: number;
  /** p99 of the values (durations), merged from the hours' sketches; null without values. */
  p99Ms: number | null;
}

/** The last `hours` complete hours against the same hours a week earlier (DOMAIN.md §6). */
export interface SlaTrend {
  hours: number;
  /** Start of the recent span (epoch ms); it ends `hours` later. */
  fromMs: number;
  current: SlaTrendSide;
  weekBefore: SlaTrendSide;
}

/** A Bronze event cited as evidence (PII already hashed at ingest; none of it is shown). */
export interface SlaEvidence {
  timeMs: number;
  name: string;
  level: string | null;
  message: string | null;
  traceId: string | null;
  durationMs: number | null;
}

/** What an SLA incident keeps of the definition version it was judged by. */
export type SlaFacts = Pick<
  SlaDefinition,
  'service' | 'metric' | 'name' | 'indicator' | 'target' | 'windowDays' | 'calendar'
> & {
  slaId: string;
  slaVersion: number;
  /**
   * The Slack channels its alert policies name for pages and tickets (absent: none named, the alerts
   * channel). Carried here so that the ticket job and the incident's figures have them where they post.
   */
  notify?: SlaDefinition['notify'];
};

/** The definition's part of an SLA incident's figures. */
export const slaFactsOf = (def: SlaDefinition): SlaFacts => ({
  slaId: def.id,
  slaVersion: def.version,
  service: def.service,
  metric: def.metric,
  name: def.name,
  indicator: def.indicator,
  target: def.target,
  windowDays: def.windowDays,
  // Calendar-aligned windows are named by their period in Slack (calendar.ts windowLabel), not as 30 days.
  ...(def.calendar ? { calendar: def.calendar } : {}),
  ...(def.notify ? { notify: def.notify } : {}),
});

export interface SlaFigures extends SlaFacts {
  kind: 'sla';
  evaluatedAtMs: number;
  /** The evaluation's action: a page suppresses a ticket; none while the incident waits out the reset. */
  action: BurnAction | 'none';
  /** The rule behind the action, else null. */
  rule: string | null;
  /** Long-window burn of the rule behind the action; without one, the fastest rule's long-window burn. */
  burn: number;
  rates: SlaRuleRate[];
  /** The last evaluation at which a page rule fired (the reset window counts from here). */
  lastPageAtMs: number | null;
  /**
   * The page rule that fired then: the incident is named by it (topic, War Room) even while a slower
   * ticket rule keeps firing after the page stopped. Absent in figures stored before it was kept.
   */
  lastPageRule?: string | null;
  /** Share of the SLA window's error budget left (1 − spent); negative once overspent. */
  budgetRemaining: number;
  trend: SlaTrend | null;
  /** The most recent Bronze errors of the series, newest first (at most five). */
  evidence: SlaEvidence[];
}

/** "availability" or "latency < 300 ms". */
export const indicatorLabel = (i: SlaIndicator): string =>
  i.kind === 'latency' ? `latency < ${i.thresholdMs} ms` : 'availability';

/** Share of good events (1 for an empty window). */
export const goodShare = (total: number, bad: number): number => (total === 0 ? 1 : (total - bad) / total);
