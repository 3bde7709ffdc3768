import type { ApproverAction } from '../../../app/fixes/authorize.ts';
import type { FixRunState } from '../../../domain/fixpacks/run.ts';
import { type Cents, formatUsd } from '../../../shared/money.ts';
import { formatActor, plural, type Rendered, section, userMention } from './kit.ts';

/**
 * Ephemeral answers to fix buttons that changed nothing (pure). Users appear as `<@U…>` only for well-formed
 * ids; the approver group is shown as its id in code, never `<!subteam^…>`, so an answer pages nobody.
 */

/** The step a refused click asked for (authorize()'s names); the refusal says which one it was. */
export type RefusedAction = ApproverAction;

export type FixAnswer =
  | {
      kind: 'unauthorized';
      action: RefusedAction;
      approverUsers: readonly string[];
      approverGroup: string | null;
    }
  | { kind: 'four_eyes'; records: number; dollarsCents: Cents }
  | { kind: 'stale' }
  | { kind: 'already_decided'; state: FixRunState; by: string | null }
  | { kind: 'expired' };

const DECIDED: Record<FixRunState, string> = {
  planned: 'still waiting for a decision',
  approved: 'approved',
  applying: 'being applied',
  applied: 'applied',
  failed: 'failed',
  rolled_back: 'rolled back',
  rejected: 'rejected',
  expired: 'expired',
};

const GROUP_ID = /^S[A-Z0-9]{2,}$/;

const VERB: Record<RefusedAction, string> = { approve: 'approve', reject: 'reject', roll_back: 'roll back' };

function answerText(a: FixAnswer): string {
  switch (a.kind) {
    case 'unauthorized': {
      // The group is shown as its id in code, never as `<!subteam^…>`: an answer must not page a group.
      const who = a.approverUsers.slice(0, 10).map(userMention);
      if (a.approverGroup !== null && GROUP_ID.test(a.approverGroup))
        who.push(`members of \`${a.approverGroup}\``);
      const list = who.length > 0 ? `Approvers: ${who.join(', ')}` : 'No approvers are configured';
      return `:lock: Only approvers can ${VERB[a.action]} fixes. ${list}.`;
    }
    case 'four_eyes':
      return (
        `:busts_in_silhouette: You asked for this preview and it touches ${plural(a.records, 'record')} / ` +
        `${formatUsd(a.dollarsCents)}: someone else must approve it.`
      );
    case 'stale':
      return ':arrows_counterclockwise: The plan is stale: records changed since it was planned. Preview again.';
    case 'already_decided': {
      const by = a.by === null ? '' : ` by ${formatActor(a.by)}`;
      return `:information_source: This fix is already ${DECIDED[a.state]}${by}.`;
    }
    case 'expired':
      return ':hourglass: This preview expired: nothing was changed. Preview again for a fresh plan.';
  }
}

export function renderFixAnswer(a: FixAnswer): Rendered {
  const text = answerText(a);
  return { text, blocks: [section(text)] };
}
