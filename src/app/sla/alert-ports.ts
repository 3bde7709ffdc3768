/** Ports of burn-rate alerting (DOMAIN.md §7, issue 5): Silver reads, and the alert transaction. */

import type { SlaAlertState } from '../../domain/sla/alerting.ts';
import type { BurnAction } from '../../domain/sla/burn.ts';
import type { SlaDefinition } from '../../domain/sla/definition.ts';
import type { SlaEvidence, SlaTrendSide } from '../../domain/sla/figures.ts';
import type { MinuteCounts } from '../../domain/sla/reading.ts';
import type { IncidentTx } from '../incidents/ports.ts';

/** What the evaluator reads of the tiers. */
export interface SlaSignals {
  /**
   * The definition's minutes in [fromMs, toMs), compacted Silver only (the evaluator compacts first), oldest
   * first; minutes without events are absent.
   */
  minuteCounts(def: SlaDefinition, fromMs: number, toMs: number): Promise<MinuteCounts[]>;
  /** The definition's Gold snapshots of the UTC days [fromDayMs, toDayMs), summed (bad = Gold's errors). */
  goldTotals(slaId: string, fromDayMs: number, toDayMs: number): Promise<{ total: number; bad: number }>;
  /**
   * The hours [fromMs, toMs): events, bad ones, and the p99 merged from sketches (never averaged), from the
   * Silver hour rollups, and from the minutes for the hours not rolled up yet.
   */
  hourSpan(def: SlaDefinition, fromMs: number, toMs: number): Promise<SlaTrendSide>;
}

/** An SLA incident's change, written in one transaction with the evaluator's own state. */
export interface SlaAlertTx extends IncidentTx {
  alertState(slaId: string): Promise<SlaAlertState | null>;
  saveAlertState(
    state: SlaAlertState & { evaluatedAtMs: number; action: BurnAction | 'none'; burn: number },
  ): Promise<void>;
  /**
   * Cites the most recent bad Bronze events of the definition's series since sinceMs (failed ones; for a
   * latency SLA slow ones too) not cited by another incident yet as the incident's evidence
   * (bronze_events.incident_id), newest first, and
   * answers them. The janitor copies cited events out before it drops their partition.
   */
  linkEvidence(
    incidentId: string,
    def: SlaDefinition,
    sinceMs: number,
    limit: number,
  ): Promise<SlaEvidence[]>;
}

export interface SlaAlertStore {
  transaction<T>(fn: (tx: SlaAlertTx) => Promise<T>): Promise<T>;
  /** Every SLA's latest evaluation, for `leak sla list`. */
  states(): Promise<(SlaAlertState & { evaluatedAtMs: number; action: BurnAction | 'none'; burn: number })[]>;
}
