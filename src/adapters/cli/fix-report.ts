import type { Plan } from '../../domain/fixpacks/types.ts';
import { formatUsd } from '../../shared/money.ts';

const show = (v: string) => (v === '' ? '(empty)' : v.replace(/\s+/g, ' '));
const MAX_VALUE = 100;
const clip = (v: string) => (v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE - 1)}…` : v);

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
  if (plan.effects.length > 20) out.push(`  … ${plan.effects.length - 20} more`);
  const b = plan.blast;
  out.push(
    '',
    bold('Blast radius'),
    `  records ${b.records} · issues ${b.issues} · ${formatUsd(b.dollarsCents)} addressed`,
    `  owners ${b.owners.join(', ') || '—'}`,
    `  teams ${b.teams.join(', ') || '—'}`,
  );
  for (const w of plan.warnings) out.push(`  ! ${w}`);
  return out.join('\n');
}
