import type { KeptValue, MergeDecision } from './types.ts';

/**
 * The preview's sentences about a plan, shared by the Slack and the terminal preview so both say the same
 * thing (each escapes them for its own medium).
 */

/** "next_step kept: 'Contract review' (task created instead)". */
export const describeKept = (k: KeptValue): string =>
  `${k.field} kept: '${k.value}' (${k.taskCreated ? 'task created instead' : 'left as it is'})`;

/** "kept 112: open opportunity over lead 113 · linked, never archived: 110". */
export const describeMerge = (m: MergeDecision): string =>
  m.linkedIds.length > 0 ? `${m.reason} · linked, never archived: ${m.linkedIds.join(', ')}` : m.reason;
