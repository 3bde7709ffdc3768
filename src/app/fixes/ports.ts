import type { FixPack } from '../../domain/fixpacks/dsl.ts';
import type { FixRun, FixRunState, GuardResult, Verification } from '../../domain/fixpacks/run.ts';
import type { FieldChange, Plan, SideEffect } from '../../domain/fixpacks/types.ts';
import type { WriteBatch } from '../../domain/fixpacks/writeback.ts';
import type { FunnelRecord } from '../../domain/records/record.ts';
import type { IssueType } from '../../domain/rules/catalog.ts';
import type { IncidentTx } from '../incidents/ports.ts';

/** An open finding, as fix planning needs it. */
export interface OpenFinding {
  issueId: string;
  recordId: string;
  issueType: IssueType;
  ruleKey: string;
  lossCents: number;
}

export interface NewFixRun {
  incidentId: string | null;
  pack: FixPack;
  plan: Plan;
  snapshot: FunnelRecord[];
  requestedBy: string;
  createdAtMs: number;
  expiresAtMs: number;
  /**
   * Where the preview goes (the outbox posts it there and records its ts later). Stored from the start so a
   * re-render queued before the first post (scheduleFixMessage copies `run.channelId`) still knows it.
   */
  channelId?: string | null;
}

export type FixRunPatch = Partial<{
  state: FixRunState;
  approvedBy: string;
  rejectedBy: string;
  appliedAtMs: number;
  rolledBackAtMs: number;
  inverse: FieldChange[];
  guard: GuardResult;
  verification: Verification;
  verifyDueAtMs: number | null;
  recoveredCents: number;
  reason: string;
  skipped: FieldChange[];
}>;

/** Everything a fix state change writes, in one transaction (with the incident's timeline and audit). */
export interface FixTx extends IncidentTx {
  insertRun(run: NewFixRun): Promise<FixRun>;
  getRun(id: string): Promise<FixRun | null>;
  /** The snapshot the run was planned from. */
  snapshotOf(id: string): Promise<FunnelRecord[]>;
  /** Conditional: only from one of `expected`; null when someone else moved first. */
  updateRun(id: string, expected: readonly FixRunState[], patch: FixRunPatch): Promise<FixRun | null>;
  /** The records, locked for the rest of the transaction. */
  lockRecords(ids: readonly string[]): Promise<FunnelRecord[]>;
  writeChanges(changes: readonly FieldChange[]): Promise<void>;
  addEffects(runId: string, effects: readonly SideEffect[]): Promise<void>;
  /**
   * Cancels the run's open tasks, discards its drafts and drops its notifications nobody tried to send yet
   * (rollback). Answers the keys of its notification jobs that may have reached someone (sent, being sent,
   * or tried before): those people get a correction.
   */
  withdrawEffects(runId: string): Promise<string[]>;
  /** The run's CRM write-back batches, stored pending (their outcome comes from the outbox jobs). */
  addCrmBatches(runId: string, connector: string, batches: readonly WriteBatch[]): Promise<void>;
  /**
   * Rollback: drops the run's CRM write jobs nobody tried yet (their batches fail as withdrawn). True when
   * a batch was, or may have been, written: then the CRM needs the old values back.
   */
  withdrawCrmWrites(runId: string): Promise<boolean>;
}

export interface FixStore {
  transaction<T>(fn: (tx: FixTx) => Promise<T>): Promise<T>;
  get(id: string): Promise<FixRun | null>;
  /** Open findings: one issue, or every issue of a type. */
  openFindings(target: { issueId: string } | { issueType: IssueType }): Promise<OpenFinding[]>;
  /** The records with these ids and their peers (same duplicate key or same company). */
  loadScope(recordIds: readonly string[]): Promise<FunnelRecord[]>;
  /** Reserves `count` positions of the round-robin counter and returns the first. */
  nextRoundRobin(count: number): Promise<number>;
  /** Open CRM tasks created by fixes (what the owners have to work on). */
  openTasks(): Promise<{ recordId: string; title: string; assignee: string }[]>;
  /** Marks the open tasks on these records done. */
  completeTasks(recordIds: readonly string[]): Promise<void>;
  /** Where the next reservation would start, without reserving (dry runs). */
  peekRoundRobin(): Promise<number>;
  setMessage(id: string, channelId: string, ts: string): Promise<void>;
  /** Applied runs whose verification window has ended. */
  dueVerifications(nowMs: number): Promise<FixRun[]>;
  /** Applied runs with no guard result, applied before `beforeMs` (the process died between apply and guard). */
  unguarded(beforeMs: number): Promise<FixRun[]>;
  /** Planned runs past their expiry. */
  expiredPlans(nowMs: number): Promise<FixRun[]>;
  /** Dollars recovered by applied (not rolled back) fixes in [fromMs, toMs), and per incident. */
  recovered(fromMs: number, toMs: number): Promise<number>;
}

/** Who may approve: the configured users, or members of the configured Slack user group. */
export interface ApproverDirectory {
  isGroupMember(groupId: string, userId: string): Promise<boolean>;
}
