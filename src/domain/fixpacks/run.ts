import type { Cents } from '../../shared/money.ts';
import type { FieldChange, Plan, PlanApproval } from './types.ts';
import type { Drift, Refusal, WriteOp } from './writeback.ts';

/**
 * A fix run: one stored plan and what became of it, as a transition table (ARCHITECTURE.md habit 3).
 * Applied runs can still be rolled back (by hand within the window, or by the regression guard).
 */
export type FixRunState =
  | 'planned'
  | 'approved'
  | 'applying'
  | 'applied'
  | 'failed'
  | 'rolled_back'
  | 'rejected'
  | 'expired';
export type FixRunEvent = 'approve' | 'reject' | 'expire' | 'start' | 'succeed' | 'fail' | 'roll_back';

/**
 * Every move a fix run can make; app/fixes/move-run.ts writes only these. A planned run fails without being
 * approved when its records changed since the preview (a stale plan).
 */
export const FIX_RUN_TRANSITIONS: Record<FixRunState, Partial<Record<FixRunEvent, FixRunState>>> = {
  planned: { approve: 'approved', reject: 'rejected', expire: 'expired', fail: 'failed' },
  approved: { start: 'applying', fail: 'failed' },
  applying: { succeed: 'applied', fail: 'failed' },
  applied: { roll_back: 'rolled_back' },
  failed: {},
  rolled_back: {},
  rejected: {},
  expired: {},
};

export type FixTransition =
  | { ok: true; from: FixRunState; to: FixRunState }
  | { ok: false; from: FixRunState; event: FixRunEvent; reason: string };

export function fixTransition(from: FixRunState, event: FixRunEvent): FixTransition {
  const to = FIX_RUN_TRANSITIONS[from][event];
  if (to !== undefined) return { ok: true, from, to };
  return {
    ok: false,
    from,
    event,
    reason: `a fix that is ${from.replace('_', ' ')} cannot ${event.replace('_', ' ')}`,
  };
}

/** What the regression guard saw right after apply (DOMAIN.md §5). */
export interface GuardResult {
  /** Issues the fix cleared, and their dollars. */
  cleared: { issueId: string; lossCents: Cents }[];
  /** Addressed issues still open, waiting for their verification window (e.g. activity within 2 days). */
  awaiting: { issueId: string; lossCents: Cents }[];
  /** Issues on the affected records that were not there before: the fix caused them. */
  introduced: { issueId: string; lossCents: Cents }[];
  clearedCents: Cents;
  passed: boolean;
}

export type Verification = 'pending' | 'verified' | 'failed' | null;

export interface FixRun {
  id: string;
  incidentId: string | null;
  state: FixRunState;
  plan: Plan;
  requestedBy: string;
  approvedBy: string | null;
  rejectedBy: string | null;
  createdAtMs: number;
  expiresAtMs: number;
  appliedAtMs: number | null;
  rolledBackAtMs: number | null;
  /** The inverse diff kept at apply (what rollback writes back). */
  inverse: FieldChange[] | null;
  guard: GuardResult | null;
  verification: Verification;
  verifyDueAtMs: number | null;
  recoveredCents: Cents;
  /** Why it failed or was rolled back, in words. */
  reason: string | null;
  /** Changes rollback left alone because someone else changed those fields since. */
  skipped: FieldChange[];
  channelId: string | null;
  messageTs: string | null;
  /** Its write-back to the CRM (issue 16), batch by batch; empty when nothing was written to a CRM. */
  crm?: CrmBatchSummary[];
}

/** What became of one write-back batch, as the preview shows it. */
export interface CrmBatchSummary {
  connector: string;
  purpose: 'apply' | 'revert';
  batchNo: number;
  op: WriteOp;
  /** Records in the batch. */
  count: number;
  status: 'pending' | 'written' | 'partial' | 'failed';
  refused: Refusal[];
  skipped: Drift[];
  error: string | null;
}

/**
 * A fix whose CRM write-back left records unwritten (refused by the CRM, or a batch failed): applied here,
 * partly applied in the CRM. The preview says so per record and offers the rollback.
 */
export const partlyApplied = (run: FixRun): boolean =>
  (run.crm ?? []).some((b) => b.purpose === 'apply' && (b.status === 'partial' || b.status === 'failed'));

/** Four eyes: above these, whoever asked for the preview may not approve it. */
export interface ApprovalPolicy {
  approverUsers: readonly string[];
  approverGroup: string | null;
  fourEyesRecords: number;
  fourEyesCents: Cents;
  ttlMs: number;
  rollbackWindowMs: number;
}

export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = {
  approverUsers: [],
  approverGroup: null,
  fourEyesRecords: 10,
  fourEyesCents: 2_500_000,
  ttlMs: 24 * 3_600_000,
  rollbackWindowMs: 24 * 3_600_000,
};

/** Whether the requester must leave approval to someone else. */
export const needsFourEyes = (plan: Plan, p: ApprovalPolicy): boolean =>
  plan.blast.records > p.fourEyesRecords || plan.blast.dollarsCents > p.fourEyesCents;

/**
 * What the preview states about approval before anyone clicks (issue 10 item 4): whether four eyes applies
 * to this plan and who can approve it, from the policy in force when the plan is made.
 */
export const approvalOf = (plan: Plan, p: ApprovalPolicy): PlanApproval => ({
  fourEyes: needsFourEyes(plan, p),
  fourEyesRecords: p.fourEyesRecords,
  fourEyesCents: p.fourEyesCents,
  approverUsers: [...p.approverUsers],
  approverGroup: p.approverGroup,
});
