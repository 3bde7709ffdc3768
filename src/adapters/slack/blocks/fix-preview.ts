import type { types } from '@slack/bolt';
import {
  DEFAULT_APPROVAL_POLICY,
  type FixRun,
  type FixRunState,
  type GuardResult,
  partlyApplied,
} from '../../../domain/fixpacks/run.ts';
import type { Plan, SideEffect } from '../../../domain/fixpacks/types.ts';
import { formatUsd } from '../../../shared/money.ts';
import { DAY_MS, MINUTE_MS } from '../../../shared/time.ts';
import { crmLines } from './fix-crm.ts';
import { DEFAULT_MAX_DIFF_LINES, diffBlock } from './fix-diff.ts';
import { approvalBlock, keptBlock, notifyLine, survivorsBlock } from './fix-review.ts';
import { FIX_ACTIONS, fixRunValue } from './ids.ts';
import {
  context,
  count,
  noTicks as esc,
  fitEscaped,
  formatActor,
  jsonSize,
  mrkdwn,
  plural,
  type Rendered,
  section,
  slackDate,
} from './kit.ts';
import { LIMITS } from './limits.ts';
import type { KnownBlock } from './types.ts';

export type { FixAnswer } from './fix-answers.ts';
export { renderFixAnswer } from './fix-answers.ts';
export { DEFAULT_MAX_DIFF_LINES, diffLines } from './fix-diff.ts';

/**
 * The fix preview (DOMAIN.md §5): the exact per-record diff, the side effects and the blast radius, then
 * Approve / Reject. One message per fix run, edited in place at every step, so it is a pure function of the
 * run. Data (record ids, values, owners, warnings) is escaped after truncation (fitEscaped) so a hostile
 * value can neither ping, forge a link, nor close the diff's code block (backticks become look-alikes).
 */

/** Caps on data-derived text, in characters AFTER escaping. */
const CAP = { id: 60, name: 40, title: 60, warning: 250, reason: 300 } as const;
const SHOWN = { tasks: 3, emails: 2, owners: 5, teams: 5, warnings: 5, skipped: 5 } as const;

const HEADING: Record<FixRunState, string> = {
  planned: 'Fix preview',
  approved: 'Applying',
  applying: 'Applying',
  applied: 'Fix applied',
  failed: 'Fix failed',
  rolled_back: 'Fix rolled back',
  rejected: 'Fix rejected',
  expired: 'Fix preview expired',
};

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });

/** "10 min", "5 hours", "2 days": durations in the reader's words, truncated. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.trunc(ms / MINUTE_MS));
  if (minutes < 60) return `${minutes} min`;
  if (ms < 2 * DAY_MS) return plural(Math.trunc(minutes / 60), 'hour');
  return plural(Math.trunc(ms / DAY_MS), 'day');
}

const more = (n: number) => (n > 0 ? ` +${count(n)}` : '');

function list(items: readonly string[], shown: number, max: number): string {
  if (items.length === 0) return 'none';
  return (
    items
      .slice(0, shown)
      .map((i) => esc(i, max))
      .join(', ') + more(items.length - shown)
  );
}

function effectLines(run: FixRun): string[] {
  const effects = run.plan.effects;
  const of = <K extends SideEffect['kind']>(k: K) =>
    effects.filter((e): e is Extract<SideEffect, { kind: K }> => e.kind === k);
  const tasks = of('task');
  const emails = of('email_draft');
  const out: string[] = [];
  if (tasks.length > 0) {
    const shown = tasks.slice(0, SHOWN.tasks).map((t) => {
      const high = t.priority === 'high' ? 'high priority, ' : '';
      const due = formatDuration(t.dueAtMs - run.createdAtMs);
      return `${esc(t.title, CAP.title)} (${high}due in ${due}) for ${esc(t.assignee, CAP.name)}`;
    });
    out.push(
      `:ballot_box_with_check: ${plural(tasks.length, 'task')}: ${shown.join('; ')}${tasks.length > SHOWN.tasks ? ' …' : ''}`,
    );
  }
  // Counted as the outbox will send them (issue 10 item 5): see notifyLine.
  const messages = notifyLine(run.plan);
  if (messages !== null) out.push(messages);
  if (emails.length > 0) {
    const shown = emails
      .slice(0, SHOWN.emails)
      .map((e) => `${esc(e.subject, CAP.title)} → ${esc(e.toLabel, CAP.name)}`);
    out.push(
      `:email: ${plural(emails.length, 'email draft')}: ${shown.join('; ')}${emails.length > SHOWN.emails ? ' …' : ''}`,
    );
  }
  return out.length > 0 ? out : ['No side effects: only the field changes.'];
}

function blastBlock(plan: Plan): KnownBlock {
  const b = plan.blast;
  const fields = [
    `*Records*\n${count(b.records)}`,
    `*Owners*\n${list(b.owners, SHOWN.owners, CAP.name)}`,
    `*Teams*\n${list(b.teams, SHOWN.teams, CAP.name)}`,
    `*Issues*\n${count(b.issues)}`,
    `*Dollars addressed*\n${formatUsd(b.dollarsCents)}`,
  ];
  return { type: 'section', fields: fields.map(mrkdwn) };
}

function warningsBlock(plan: Plan): KnownBlock | null {
  const w = plan.warnings;
  if (w.length === 0) return null;
  const shown = w.slice(0, SHOWN.warnings).map((t) => `:warning: ${esc(t, CAP.warning)}`);
  if (w.length > SHOWN.warnings) shown.push(`…and ${plural(w.length - SHOWN.warnings, 'more warning')}`);
  return context(...shown);
}

function guardLine(g: GuardResult, windowMs: number): string {
  const parts = [
    `:white_check_mark: Cleared ${plural(g.cleared.length, 'issue')} (${formatUsd(g.clearedCents)})`,
  ];
  if (g.awaiting.length > 0)
    parts.push(
      `:hourglass_flowing_sand: ${count(g.awaiting.length)} awaiting verification (${formatDuration(windowMs)} window)`,
    );
  parts.push(g.introduced.length > 0 ? `:x: ${plural(g.introduced.length, 'new issue')}` : 'no new issues');
  return parts.join(' · ');
}

function stateLines(run: FixRun, rollbackWindowMs: number): string[] {
  const expires = run.state === 'planned' ? ` · expires ${slackDate(run.expiresAtMs)}` : '';
  const out = [`:memo: Planned by ${formatActor(run.requestedBy)} ${slackDate(run.createdAtMs)}${expires}`];
  const reason = run.reason === null ? '' : `: ${esc(run.reason, CAP.reason)}`;
  if (run.approvedBy !== null) out.push(`:white_check_mark: Approved by ${formatActor(run.approvedBy)}`);
  if (run.state === 'rejected') out.push(`:no_entry_sign: Rejected by ${formatActor(run.rejectedBy)}`);
  if (run.state === 'expired')
    out.push(`:hourglass: Expired ${slackDate(run.expiresAtMs)} with no decision: nothing was changed.`);
  if (run.state === 'approved' || run.state === 'applying')
    out.push(':hourglass_flowing_sand: Applying in one transaction…');
  if (run.appliedAtMs !== null) {
    const until =
      run.state === 'applied'
        ? ` · can be rolled back until ${slackDate(run.appliedAtMs + rollbackWindowMs)}`
        : '';
    out.push(`:rocket: Applied ${slackDate(run.appliedAtMs)}${until}`);
  }
  if (run.guard !== null) out.push(guardLine(run.guard, run.plan.verifyWindowMs));
  out.push(...crmLines(run));
  if (run.state === 'failed') out.push(`:x: Failed${reason || ': no reason recorded'}`);
  if (run.state === 'rolled_back') {
    const at = run.rolledBackAtMs === null ? '' : ` ${slackDate(run.rolledBackAtMs)}`;
    out.push(`:leftwards_arrow_with_hook: Rolled back${at}${reason}`);
    if (run.skipped.length > 0) {
      const fields = run.skipped.map((c) => `${c.recordId}.${c.field}`);
      const shown = fields.slice(0, SHOWN.skipped).map((f) => `\`${esc(f, CAP.id)}\``);
      out.push(
        `Left alone, changed since by someone else: ${shown.join(', ')}${more(fields.length - SHOWN.skipped)}`,
      );
    }
  }
  if (run.verification === 'pending')
    out.push(
      `:hourglass_flowing_sand: Verification ${run.verifyDueAtMs === null ? 'pending' : `due ${slackDate(run.verifyDueAtMs)}`}`,
    );
  if (run.verification === 'verified') out.push(':white_check_mark: Verified: the fix held');
  if (run.verification === 'failed') out.push(':x: Verification failed: the fix did not hold');
  if (run.recoveredCents > 0) out.push(`:moneybag: Recovered ${formatUsd(run.recoveredCents)}`);
  return out;
}

type Button = types.Button;
const fixButton = (text: string, actionId: string, runId: string, extra: Pick<Button, 'style' | 'confirm'>) =>
  ({
    type: 'button',
    text: plain(text),
    action_id: actionId,
    value: fixRunValue(runId),
    ...extra,
  }) satisfies Button;

function actionsBlock(run: FixRun, rollbackWindowMs: number): KnownBlock | null {
  const b = run.plan.blast;
  if (run.state === 'planned') {
    const approve: types.ConfirmationDialog = {
      title: plain('Apply this fix?'),
      text: plain(
        `Changes ${plural(b.records, 'record')} (${formatUsd(b.dollarsCents)} addressed). It is applied in one ` +
          `transaction and can be rolled back for ${formatDuration(rollbackWindowMs)}.`,
      ),
      confirm: plain('Apply'),
      deny: plain('Cancel'),
    };
    return {
      type: 'actions',
      elements: [
        fixButton('Approve', FIX_ACTIONS.approve, run.id, { style: 'primary', confirm: approve }),
        fixButton('Reject', FIX_ACTIONS.reject, run.id, { style: 'danger' }),
      ],
    };
  }
  if (run.state === 'applied' && run.rolledBackAtMs === null) {
    const confirm: types.ConfirmationDialog = {
      title: plain('Roll back this fix?'),
      text: plain(
        `Writes back the previous values of ${plural(run.plan.changes.length, 'change')}` +
          `${(run.crm ?? []).length > 0 ? ', here and in the CRM (only what was written there)' : ''}. A field ` +
          'someone changed since is left alone. Tasks, messages and drafts already created stay.',
      ),
      confirm: plain('Roll back'),
      deny: plain('Cancel'),
    };
    return {
      type: 'actions',
      elements: [fixButton('Roll back', FIX_ACTIONS.rollback, run.id, { style: 'danger', confirm })],
    };
  }
  return null;
}

export function renderFixPreview(
  run: FixRun,
  opts: { maxDiffLines?: number; rollbackWindowMs?: number } = {},
): Rendered {
  const plan = run.plan;
  const window = opts.rollbackWindowMs ?? DEFAULT_APPROVAL_POLICY.rollbackWindowMs;
  const heading = run.state === 'applied' && partlyApplied(run) ? 'Fix partly applied' : HEADING[run.state];
  const head = `:wrench: ${heading}: `;
  const header: KnownBlock = {
    type: 'header',
    text: plain(`${head}${fitEscaped(plan.title, LIMITS.headerText - head.length)}`),
  };
  const effects = section(`*Side effects*\n${effectLines(run).join('\n')}`);
  const state = section(stateLines(run, window).join('\n'));
  // What the reviewer must know besides the diff: survivors and kept fields right under it, who may
  // approve right above the buttons (issue 10).
  const rest = [
    survivorsBlock(plan),
    keptBlock(plan),
    effects,
    warningsBlock(plan),
    state,
    approvalBlock(run),
    actionsBlock(run, window),
  ].filter((b): b is KnownBlock => b !== null);
  const blast = blastBlock(plan);
  // The diff gets whatever JSON budget the rest leaves (less room for its section's own wrapper).
  const budget = LIMITS.blocksJsonBudget - jsonSize([header, blast, ...rest]) - 200;
  const diff = diffBlock(plan, Math.max(0, opts.maxDiffLines ?? DEFAULT_MAX_DIFF_LINES), budget);
  const records = new Set(plan.changes.map((c) => c.recordId)).size;
  const text =
    `${head}${esc(plan.title, 150)} · ${plural(plan.changes.length, 'change')} on ${plural(records, 'record')}` +
    ` · ${formatUsd(plan.blast.dollarsCents)} addressed`;
  return { text, blocks: [header, blast, diff, ...rest] };
}
