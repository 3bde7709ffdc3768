import type { ApproveOutcome } from '../../../app/fixes/approve.ts';
import type { Denial } from '../../../app/fixes/authorize.ts';
import type { RejectOutcome } from '../../../app/fixes/reject.ts';
import type { RollbackOutcome } from '../../../app/fixes/rollback.ts';
import type { FixRun } from '../../../domain/fixpacks/run.ts';
import { formatUsd } from '../../../shared/money.ts';
import { type FixAnswer, type RefusedAction, renderFixAnswer } from './fix-answers.ts';
import { channelLink, count, plural, type Rendered, section } from './kit.ts';
import { safeText } from './mrkdwn.ts';

/**
 * The ephemeral answers to fix buttons (pure). What changed is said here; a click that changed nothing is
 * answered by renderFixAnswer. The preview message itself is the outbox's: it is re-rendered in place at
 * every step, so these answers only tell the clicker what their click did.
 */

/** Who may approve, as configured (FIX_APPROVERS, FIX_APPROVER_GROUP): named in a refusal. */
export interface Approvers {
  users: readonly string[];
  group: string | null;
}

export type FixReply =
  | { action: 'preview'; run: FixRun }
  | { action: 'approve'; out: ApproveOutcome }
  | { action: 'reject'; out: RejectOutcome }
  | { action: 'rollback'; out: RollbackOutcome };

const REASON_MAX = 300;

const one = (text: string): Rendered => ({ text, blocks: [section(text)] });
const num = (run: FixRun): string => `#${safeText(run.id, 20)}`;

/** Who decided, as far as the run says: an approver for what was applied, a rejecter for a rejection. */
function decidedBy(run: FixRun): string | null {
  switch (run.state) {
    case 'rejected':
      return run.rejectedBy;
    case 'approved':
    case 'applying':
    case 'applied':
    case 'failed':
      return run.approvedBy;
    // A rollback is by hand or by the regression guard: the run does not say which, so nobody is named.
    default:
      return null;
  }
}

/** A click that found the run already past the step it asked for. */
function unchanged(run: FixRun): Rendered {
  if (run.state === 'expired') return renderFixAnswer({ kind: 'expired' });
  return renderFixAnswer({ kind: 'already_decided', state: run.state, by: decidedBy(run) });
}

function refused(run: FixRun, denial: Denial, action: RefusedAction, approvers: Approvers): Rendered {
  const answer: FixAnswer =
    denial === 'four_eyes'
      ? { kind: 'four_eyes', records: run.plan.blast.records, dollarsCents: run.plan.blast.dollarsCents }
      : { kind: 'unauthorized', action, approverUsers: approvers.users, approverGroup: approvers.group };
  return renderFixAnswer(answer);
}

function applied(run: FixRun): Rendered {
  const g = run.guard;
  if (g === null) return one(`:white_check_mark: Applied fix ${num(run)}.`);
  const awaiting = g.awaiting.length > 0 ? `; ${count(g.awaiting.length)} awaiting verification` : '';
  return one(
    `:white_check_mark: Applied fix ${num(run)}: cleared ${formatUsd(g.clearedCents)} ` +
      `(${plural(g.cleared.length, 'issue')})${awaiting}. Roll back from the preview message if needed.`,
  );
}

function rolledBackByHand(run: FixRun): Rendered {
  const reverted = run.plan.changes.length - run.skipped.length;
  const left =
    run.skipped.length > 0 ? `; left alone ${plural(run.skipped.length, 'field')} someone changed since` : '';
  return one(
    `:leftwards_arrow_with_hook: You rolled fix ${num(run)} back: ${plural(reverted, 'change')} reverted${left}.`,
  );
}

function approved(o: ApproveOutcome, approvers: Approvers): Rendered {
  switch (o.outcome) {
    case 'applied':
      return applied(o.run);
    case 'rolled_back':
      return one(
        `:leftwards_arrow_with_hook: The regression guard rolled fix ${num(o.run)} back: ` +
          `${safeText(o.run.reason ?? 'it introduced new issues', REASON_MAX)}.`,
      );
    case 'forbidden':
      return refused(o.run, o.denial, 'approve', approvers);
    case 'stale':
      return renderFixAnswer({ kind: 'stale' });
    case 'expired':
      return renderFixAnswer({ kind: 'expired' });
    case 'already':
      return unchanged(o.run);
  }
}

export function renderFixReply(r: FixReply, approvers: Approvers): Rendered {
  switch (r.action) {
    case 'preview': {
      const where = channelLink(r.run.channelId);
      return one(
        where === null
          ? `:wrench: Fix ${num(r.run)} is planned, but there is no channel to post its preview in.`
          : `:wrench: Preview of fix ${num(r.run)} posted in ${where}.`,
      );
    }
    case 'approve':
      return approved(r.out, approvers);
    case 'reject': {
      const o = r.out;
      if (o.outcome === 'rejected')
        return one(`:no_entry_sign: You rejected fix ${num(o.run)}: nothing was changed.`);
      if (o.outcome === 'forbidden') return refused(o.run, o.denial, 'reject', approvers);
      return unchanged(o.run);
    }
    case 'rollback': {
      const o = r.out;
      if (o.outcome === 'rolled_back') return rolledBackByHand(o.run);
      if (o.outcome === 'forbidden') return refused(o.run, o.denial, 'roll_back', approvers);
      return unchanged(o.run);
    }
  }
}
