import type { Cents } from '../../shared/money.ts';
import type { FunnelRecord } from '../records/record.ts';
import type { IssueType } from '../rules/catalog.ts';
import type { ChangedField, FixPack, VerifySpec } from './dsl.ts';

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
