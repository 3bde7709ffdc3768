import type { Cents } from '../../shared/money.ts';
import type { FunnelRecord } from '../records/record.ts';
import type { IssueType } from '../rules/catalog.ts';
import type { ChangedField, EditableField, FixPack, VerifySpec } from './dsl.ts';

/** One field of one record, before and after. `notes` changes hold the whole new notes text. */
export interface FieldChange {
  recordId: string;
  field: ChangedField;
  old: string;
  new: string;
}

export type SideEffect =
  | {
      kind: 'task';
      recordId: string;
      assignee: string;
      title: string;
      dueAtMs: number;
      priority: 'high' | 'normal';
    }
  | {
      kind: 'notify';
      recordId: string;
      /** A channel id, or null when the message goes to the owner's DM. */
      channel: string | null;
      /** The owner's Slack user id (DM), from the owner → Slack user map; null when not mapped. */
      slackUser: string | null;
      owner: string;
      text: string;
    }
  | {
      kind: 'email_draft';
      recordId: string;
      to: 'contact' | 'owner';
      /** Who it is for, as shown (the record name or the owner); never the email address itself. */
      toLabel: string;
      subject: string;
      body: string;
    };

export interface BlastRadius {
  records: number;
  owners: string[];
  teams: string[];
  issues: number;
  /** Dollars at risk on the issues the plan addresses. */
  dollarsCents: Cents;
}

/** The issue a plan addresses, as the planner needs it (priced by the scan). */
export interface AddressedIssue {
  issueId: string;
  recordId: string;
  issueType: IssueType;
  lossCents: Cents;
  teams: readonly string[];
}

/**
 * One duplicate group a merge resolved (issue 10 item 1): which record survives, why, and what happens to
 * the others. Both previews show it, so a reviewer sees the survivor before approving.
 */
export interface MergeDecision {
  /** The group's duplicate key (the domain, lowercased). */
  domain: string;
  survivorId: string;
  /** Open duplicates merged into the survivor: their stage becomes Archived. */
  archivedIds: string[];
  /** Closed (won or lost) records of the same domain: never archived, only named in a note on the survivor. */
  linkedIds: string[];
  /** In words: "kept 112: open opportunity over lead 110". */
  reason: string;
}

/**
 * A set_field step that left a field alone because it already held a value (only_if_empty, issue 10 item
 * 2): "next_step kept: 'Contract review' (task created instead)".
 */
export interface KeptValue {
  recordId: string;
  field: EditableField;
  /** What the record keeps. */
  value: string;
  /** What the step would have written. */
  proposed: string;
  /** Whether the plan creates a task on the record (the follow-up happens there instead). */
  taskCreated: boolean;
}

/**
 * Who may approve a plan, as the preview states it before anyone clicks (issue 10 item 4): decided from the
 * approval policy when the plan is made (approvalOf in run.ts), so renderers never read configuration.
 */
export interface PlanApproval {
  /** Whoever asked for the preview may not approve it: the blast radius is over a threshold. */
  fourEyes: boolean;
  /** The thresholds it was judged by (FIX_FOUR_EYES_RECORDS, FIX_FOUR_EYES_USD in cents). */
  fourEyesRecords: number;
  fourEyesCents: Cents;
  /** FIX_APPROVERS (Slack user ids) and FIX_APPROVER_GROUP (a user group id); both empty: nobody can. */
  approverUsers: string[];
  approverGroup: string | null;
}

export interface Plan {
  packId: string;
  title: string;
  issues: AddressedIssue[];
  /** Every record the plan reads or changes (targets and their duplicate-group / routing peers). */
  recordIds: string[];
  changes: FieldChange[];
  effects: SideEffect[];
  blast: BlastRadius;
  /** Things a reviewer should know (no owner pool configured, a record left alone, …). */
  warnings: string[];
  verify: VerifySpec;
  /** How long verification waits (activity checks); 0 when it can be checked right after apply. */
  verifyWindowMs: number;
  /**
   * Each merged duplicate group's survivor and why. Optional, like `kept` and `approval`: plans stored
   * before they existed have none, and render without them.
   */
  merges?: MergeDecision[];
  /** Fields left as they were because they already held a value. */
  kept?: KeptValue[];
  /** Whether four eyes applies and who can approve; set by the preview use case from the policy. */
  approval?: PlanApproval;
}

/** What planning depends on besides the records: configuration and the clock. */
export interface PlanEnv {
  nowMs: number;
  /** Owners for round-robin assignment. */
  ownerPool: readonly string[];
  /** Per region, when configured; a region without a pool falls back to ownerPool. */
  regionPools: Readonly<Record<string, readonly string[]>>;
  /** Where round robin starts (a counter kept by the caller, so successive plans rotate). */
  roundRobinStart: number;
  /** Owner name → Slack user id, for DMs. */
  ownerSlack: Readonly<Record<string, string>>;
  /** Channel for `notify` steps with to: 'manager_channel'; null when not configured. */
  managerChannel: string | null;
}

export interface PlanInput {
  pack: FixPack;
  issues: AddressedIssue[];
  /** The target records and their peers (same domain, same company), as they are now. */
  records: readonly FunnelRecord[];
}
