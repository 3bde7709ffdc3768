import { humanIssueType } from '../../../domain/incidents/incident.ts';
import type { Issue } from '../../../domain/scan/summarize.ts';
import { FIX_ACTIONS, fixPreviewValue, indexedActionId, isIssueId } from './ids.ts';
import { truncate } from './mrkdwn.ts';
import type { KnownBlock } from './types.ts';

/** At most this many "Preview fix" buttons, one per listed issue from the top. */
export const MAX_FIX_BUTTONS = 5;
/** Slack's limit on button text. */
const BUTTON_TEXT_MAX = 75;

/**
 * "Fix 118 · Stale opp": one record can have several issues (a stale opp with no next step), so the label
 * names the issue type as well as the record. The record id is cut first, keeping the type readable; when
 * cut ids still collide, a number tells the buttons apart.
 */
function fixLabels(issues: readonly Issue[]): string[] {
  const labels = issues.map((i) => {
    const type = ` · ${humanIssueType(i.rule.issueType)}`;
    return `Fix ${truncate(i.record.id, BUTTON_TEXT_MAX - 'Fix '.length - type.length)}${type}`;
  });
  const seen = new Map<string, number>();
  return labels.map((l) => {
    const n = (seen.get(l) ?? 0) + 1;
    seen.set(l, n);
    return n === 1 ? l : `${truncate(l, BUTTON_TEXT_MAX - ` (${n})`.length)} (${n})`;
  });
}

/**
 * "Fix …" buttons for the first listed issues, one per issue. Each carries its issue id as its value and
 * an action id of its own (Slack wants them unique within a block). An issue whose id could not round-trip
 * through a button value (characters outside [A-Za-z0-9_.:@-]) gets none; null when none is left.
 */
export function fixButtons(issues: readonly Issue[], listed: number): KnownBlock | null {
  const picked: Issue[] = [];
  for (let n = 0; n < Math.min(listed, issues.length) && picked.length < MAX_FIX_BUTTONS; n++)
    if (isIssueId(issues[n]!.issueId)) picked.push(issues[n]!);
  const labels = fixLabels(picked);
  const elements = picked.map((i, n) => ({
    type: 'button' as const,
    text: { type: 'plain_text' as const, text: labels[n]!, emoji: true },
    action_id: indexedActionId(FIX_ACTIONS.preview, n),
    value: fixPreviewValue({ kind: 'issue', issueId: i.issueId }),
  }));
  return elements.length > 0 ? { type: 'actions', elements } : null;
}
