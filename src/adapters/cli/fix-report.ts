import { describeKept, describeMerge } from '../../domain/fixpacks/explain.ts';
import { notifySummary } from '../../domain/fixpacks/notifications.ts';
import type { Plan, PlanApproval } from '../../domain/fixpacks/types.ts';
import { formatCount } from '../../shared/format.ts';
import { formatUsd } from '../../shared/money.ts';

const show = (v: string) => (v === '' ? '(empty)' : v.replace(/\s+/g, ' '));
const MAX_VALUE = 100;
const clip = (v: string, max = MAX_VALUE) => (v.length > max ? `${v.slice(0, max - 1)}…` : v);
/** A survivor's reason names every record it beat: room for a few, on a wide terminal line. */
const MAX_REASON = 400;
const plural = (n: number, one: string) => `${formatCount(n)} ${n === 1 ? one : `${one}s`}`;

/** What the Slack preview says besides the diff (issue 10): survivors, kept fields. */
function reviewLines(plan: Plan, bold: (s: string) => string): string[] {
  const out: string[] = [];
  const merges = plan.merges ?? [];
  if (merges.length > 0)
    out.push(
      '',
      bold('Survivors'),
      ...merges.map((m) => `  ${m.domain}: ${clip(describeMerge(m), MAX_REASON)}`),
    );
  const kept = plan.kept ?? [];
  if (kept.length > 0)
    out.push(
      '',
      bold('Kept, not overwritten'),
      ...kept.map((k) => `  # ${k.recordId} ${clip(describeKept(k), MAX_REASON)}`),
    );
  return out;
}

/** The Slack messages that will be sent, as the outbox sends them, and the owners who get no DM. */
function slackLine(plan: Plan): string | null {
  const n = notifySummary(plan.effects);
  if (n.messages === 0 && n.unmappedOwners.length === 0) return null;
  const parts = [
    ...(n.dms > 0
      ? [plural(n.dms, 'DM') + (n.dmUsers < n.dms ? ` to ${plural(n.dmUsers, 'owner')}` : '')]
      : []),
    ...n.channels.map((c) => `${c.count} to #${c.channel}`),
  ];
  const sent =
    n.messages > 0 ? `${plural(n.messages, 'message')} (${parts.join(', ')})` : 'no message will be sent';
  const o = n.unmappedOwners;
  const skip =
    o.length > 0 ? ` · ${plural(o.length, 'owner')} not mapped to Slack, no DM: ${o.join(', ')}` : '';
  return `  Slack: ${sent}${skip}`;
}

/** Whether four eyes applies and who can approve (the command line itself is trusted to approve). */
function approvalLines(plan: Plan, a: PlanApproval): string[] {
  const size = `${plural(plan.blast.records, 'record')} / ${formatUsd(plan.blast.dollarsCents)}`;
  const limits = `${plural(a.fourEyesRecords, 'record')} ${a.fourEyes ? 'or' : 'and'} ${formatUsd(a.fourEyesCents)}`;
  const who = [
    ...a.approverUsers,
    ...(a.approverGroup === null ? [] : [`members of group ${a.approverGroup}`]),
  ];
  return [
    a.fourEyes
      ? `  four eyes: ${size} is over ${limits}; whoever asked for it may not approve it`
      : `  no four eyes: ${size} is within ${limits}; whoever asked for it may approve it too`,
    `  who can approve: ${who.length > 0 ? who.join(', ') : 'nobody is configured to approve (FIX_APPROVERS, FIX_APPROVER_GROUP)'}`,
  ];
}

/**
 * `leak fix preview`: the plan as a terminal diff (`- old` / `+ new` per field, grouped by record), its
 * side effects and its blast radius. The same plan the Slack preview shows; nothing has been written.
 */
export function formatPlan(plan: Plan, opts: { color?: boolean; maxChanges?: number } = {}): string {
  const color = opts.color ?? false;
  const red = (s: string) => (color ? `\u001b[31m${s}\u001b[39m` : s);
  const green = (s: string) => (color ? `\u001b[32m${s}\u001b[39m` : s);
  const bold = (s: string) => (color ? `\u001b[1m${s}\u001b[22m` : s);
  const max = opts.maxChanges ?? 200;
  const out: string[] = [
    bold(`Fix preview: ${plan.title}`),
    `pack ${plan.packId} · dry run, nothing written`,
    '',
  ];
  let shown = 0;
  let lastRecord = '';
  for (const c of plan.changes) {
    if (shown >= max) break;
    if (c.recordId !== lastRecord) {
      out.push(bold(`# ${c.recordId}`));
      lastRecord = c.recordId;
    }
    if (c.field === 'notes') out.push(green(`+ notes: …${clip(show(c.new.slice(c.old.length)))}`));
    else out.push(red(`- ${c.field}: ${clip(show(c.old))}`), green(`+ ${c.field}: ${clip(show(c.new))}`));
    shown++;
  }
  if (plan.changes.length === 0) out.push('(no record changes)');
  if (plan.changes.length > shown) out.push(`… ${plan.changes.length - shown} more changes`);
  out.push(...reviewLines(plan, bold));
  out.push('', bold('Side effects'));
  if (plan.effects.length === 0) out.push('  none');
  for (const e of plan.effects.slice(0, 20)) {
    switch (e.kind) {
      case 'task':
        out.push(
          `  task for ${e.assignee} on ${e.recordId}: ${e.title} (due ${new Date(e.dueAtMs).toISOString()}, ${e.priority})`,
        );
        break;
      case 'notify':
        out.push(
          `  Slack ${e.channel ? `#${e.channel}` : `DM ${e.slackUser ?? `(${e.owner}: not mapped)`}`} on ${e.recordId}: ${clip(e.text)}`,
        );
        break;
      case 'email_draft':
        out.push(`  email draft to ${e.toLabel} (${e.to}) on ${e.recordId}: ${clip(e.subject)}`);
        break;
    }
  }
  if (plan.effects.length > 20) out.push(`  … ${formatCount(plan.effects.length - 20)} more`);
  const slack = slackLine(plan);
  if (slack !== null) out.push(slack);
  const b = plan.blast;
  out.push(
    '',
    bold('Blast radius'),
    `  records ${formatCount(b.records)} · issues ${formatCount(b.issues)} · ${formatUsd(b.dollarsCents)} addressed`,
    `  owners ${b.owners.join(', ') || '—'}`,
    `  teams ${b.teams.join(', ') || '—'}`,
  );
  for (const w of plan.warnings) out.push(`  ! ${w}`);
  if (plan.approval) out.push('', bold('Approval'), ...approvalLines(plan, plan.approval));
  return out.join('\n');
}
