import type { FieldChange, Plan } from '../../../domain/fixpacks/types.ts';
import { noTicks, plural, section } from './kit.ts';
import { LIMITS } from './limits.ts';
import { oneLine } from './mrkdwn.ts';
import type { SectionBlock } from './types.ts';

/**
 * The fix preview's diff: per record a `# <recordId>` line, then `- field: old` / `+ field: new` (a notes
 * change shows only what it appends). It sits in a ``` code block, where Slack still reads `&`, `<` and `>`,
 * so values are escaped after truncation (fitEscaped), and their backticks become a look-alike (U+02CB):
 * a ``` from data would otherwise close the block and let the rest be read as mrkdwn.
 */

export const DEFAULT_MAX_DIFF_LINES = 30;
/** Caps on data-derived text, in characters AFTER escaping. */
const CAP = { id: 60, value: 160 } as const;
/** Room kept in the section for the "… N more changes on M records" line. */
const MORE_RESERVE = 80;

const shownValue = (raw: string): string => (oneLine(raw) === '' ? '(empty)' : noTicks(raw, CAP.value));

function changeLines(c: FieldChange): string[] {
  if (c.field === 'notes' && c.old !== '' && c.new.startsWith(c.old))
    return [`+ notes: …${shownValue(c.new.slice(c.old.length))}`];
  return [`- ${c.field}: ${shownValue(c.old)}`, `+ ${c.field}: ${shownValue(c.new)}`];
}

/** Changes grouped by record, records in order of first appearance (a plan may interleave them). */
function byRecord(changes: readonly FieldChange[]): FieldChange[] {
  const groups = new Map<string, FieldChange[]>();
  for (const c of changes) {
    const g = groups.get(c.recordId);
    if (g) g.push(c);
    else groups.set(c.recordId, [c]);
  }
  return [...groups.values()].flat();
}

/**
 * The diff as code-block lines: whole changes only, at most `maxLines` lines (record headings included)
 * and `maxChars` characters of text and of JSON, then "… N more changes on M records".
 */
export function diffLines(changes: readonly FieldChange[], maxLines: number, maxChars: number): string[] {
  const ordered = byRecord(changes);
  const lines: string[] = [];
  let chars = 0;
  let json = 0;
  let shown = 0;
  let current: string | null = null;
  for (const c of ordered) {
    const add = [...(c.recordId === current ? [] : [`# ${noTicks(c.recordId, CAP.id)}`]), ...changeLines(c)];
    const textCost = add.reduce((a, l) => a + l.length + 1, 0);
    const jsonCost = add.reduce((a, l) => a + JSON.stringify(l).length, 0);
    if (lines.length + add.length > maxLines || chars + textCost > maxChars || json + jsonCost > maxChars)
      break;
    lines.push(...add);
    chars += textCost;
    json += jsonCost;
    shown++;
    current = c.recordId;
  }
  const rest = ordered.slice(shown);
  if (rest.length > 0) {
    const records = new Set(rest.map((c) => c.recordId)).size;
    lines.push(`… ${plural(rest.length, 'more change')} on ${plural(records, 'record')}`);
  }
  return lines;
}

/** The diff section: within 3,000 characters and `jsonBudget` characters of JSON, whatever the plan. */
export function diffBlock(plan: Plan, maxLines: number, jsonBudget: number): SectionBlock {
  const records = new Set(plan.changes.map((c) => c.recordId)).size;
  if (plan.changes.length === 0)
    return section('*Changes*\n_No field changes: only the side effects below._');
  const head = `*Changes* · ${plural(plan.changes.length, 'change')} on ${plural(records, 'record')}\n\`\`\`\n`;
  const tail = '\n```';
  // Room for the wrapper and the "… N more" line, which is added after the budget check.
  const room = Math.min(LIMITS.sectionText, jsonBudget) - head.length - tail.length - MORE_RESERVE;
  return section(`${head}${diffLines(plan.changes, maxLines, Math.max(0, room)).join('\n')}${tail}`);
}
