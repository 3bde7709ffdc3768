import type { CrmBatchSummary, FixRun } from '../../../domain/fixpacks/run.ts';
import type { Refusal } from '../../../domain/fixpacks/writeback.ts';
import { noTicks as esc, plural } from './kit.ts';

/**
 * The write-back part of a fix preview (issue 16): how many of the fix's records reached the CRM, each
 * record it refused with the CRM's reason, and after a rollback what was written back there and which
 * fields were left alone because they changed in the CRM since.
 */

const LABELS: Record<string, string> = {
  hubspot: 'HubSpot',
  salesforce: 'Salesforce',
  'hubspot+salesforce': 'HubSpot and Salesforce',
};
const SHOWN = 5;
const CAP = { id: 60, reason: 160 } as const;

const labelOf = (connector: string) => LABELS[connector] ?? connector;
const more = (n: number) => (n > 0 ? `, and ${n} more` : '');

function refusalLines(label: string, refused: readonly Refusal[]): string[] {
  const lines = refused
    .slice(0, SHOWN)
    .map(
      (r) =>
        `  • \`${esc(r.field ? `${r.recordId}.${r.field}` : r.recordId, CAP.id)}\`: ${esc(r.reason, CAP.reason)}`,
    );
  if (refused.length > SHOWN) lines.push(`  • and ${refused.length - SHOWN} more refused by ${label}`);
  return lines;
}

function applyLines(label: string, batches: readonly CrmBatchSummary[]): string[] {
  const pending = batches.filter((b) => b.status === 'pending').length;
  const records = batches.reduce((n, b) => n + b.count, 0);
  const refused = batches.flatMap((b) => b.refused);
  const errors = batches.filter((b) => b.error !== null);
  if (pending > 0)
    return [
      `:hourglass_flowing_sand: Writing to ${label}: ${batches.length - pending} of ${plural(batches.length, 'batch', 'batches')} sent`,
    ];
  if (refused.length === 0 && errors.length === 0)
    return [
      `:white_check_mark: Written to ${label}: ${plural(records, 'write')} in ${plural(batches.length, 'batch', 'batches')}`,
    ];
  const out = [
    `:warning: Partly applied in ${label}: ${plural(refused.length + errors.reduce((n, b) => n + b.count, 0), 'write')} not made` +
      ' (roll back to undo what was written)',
  ];
  out.push(...refusalLines(label, refused));
  for (const b of errors.slice(0, SHOWN))
    out.push(`  • batch ${b.batchNo + 1} (${plural(b.count, 'record')}): ${esc(b.error ?? '', CAP.reason)}`);
  return out;
}

function revertLines(label: string, batches: readonly CrmBatchSummary[]): string[] {
  if (batches.some((b) => b.status === 'pending'))
    return [`:hourglass_flowing_sand: Rolling back in ${label}…`];
  const skipped = batches.flatMap((b) => b.skipped);
  const out = [
    `:leftwards_arrow_with_hook: Rolled back in ${label}: ${plural(
      batches.reduce((n, b) => n + b.count, 0),
      'record',
    )} restored`,
  ];
  if (skipped.length > 0) {
    const names = skipped.slice(0, SHOWN).map((d) => `\`${esc(`${d.recordId}.${d.field ?? ''}`, CAP.id)}\``);
    out.push(
      `Left alone in ${label}, changed there since: ${names.join(', ')}${more(skipped.length - SHOWN)}`,
    );
  }
  const refused = batches.flatMap((b) => b.refused);
  if (refused.length > 0) out.push(...refusalLines(label, refused));
  return out;
}

export function crmLines(run: FixRun): string[] {
  const batches = run.crm ?? [];
  if (batches.length === 0) return [];
  const label = labelOf(batches[0]!.connector);
  const apply = batches.filter((b) => b.purpose === 'apply');
  const revert = batches.filter((b) => b.purpose === 'revert');
  return [
    ...(apply.length > 0 ? applyLines(label, apply) : []),
    ...(revert.length > 0 ? revertLines(label, revert) : []),
  ];
}
