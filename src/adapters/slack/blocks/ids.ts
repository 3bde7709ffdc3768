import { ISSUE_TYPES, type IssueType } from '../../../domain/rules/catalog.ts';

/**
 * Every action_id the bot puts on a button is built and parsed here (ARCHITECTURE.md), so a listener and a
 * renderer cannot drift apart. Button values are echoed back by Slack from a message anyone in the channel
 * could have been shown, so the parser trusts nothing: an unknown id or a malformed value is `null`.
 */
export const ACTIONS = {
  ack: 'incident.ack',
  rescan: 'incident.rescan',
  resolve: 'incident.resolve',
} as const;

export type IncidentAction = keyof typeof ACTIONS;

/**
 * Several buttons of one kind in one message (the scan answer's "Fix …" buttons) each need an action_id of
 * their own: Slack wants them unique within a block. The first keeps the kind's id, the n-th (n ≥ 1) adds
 * `#<n>`; listeners match the kind with actionIdPattern and parsers read the kind with baseActionId.
 */
const INDEX = '#[1-9][0-9]{0,2}';
const INDEX_SUFFIX = new RegExp(`${INDEX}$`);

export function indexedActionId(actionId: string, n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 999) throw new Error(`not a button index: ${n}`);
  return n === 0 ? actionId : `${actionId}#${n}`;
}

/** The kind of an action id: itself, or without its `#<n>` index. */
export const baseActionId = (actionId: string): string => actionId.replace(INDEX_SUFFIX, '');

/** Matches a kind's action id, with or without an index (for Bolt's `action_id` constraint). */
export const actionIdPattern = (actionId: string): RegExp => {
  // Our ids are letters, dots and underscores: only the dot means anything in a pattern.
  if (!/^[a-z_.]+$/.test(actionId)) throw new Error(`not an action id: ${JSON.stringify(actionId)}`);
  return new RegExp(`^${actionId.replaceAll('.', '\\.')}(?:${INDEX})?$`);
};

const BY_ID = new Map<string, IncidentAction>(
  (Object.entries(ACTIONS) as [IncidentAction, string][]).map(([action, id]) => [id, action]),
);

/** Incident ids are bigserial: a positive integer that fits a signed 64-bit column. */
const POSITIVE_INT = /^[1-9][0-9]{0,18}$/;
const BIGINT_MAX = 9_223_372_036_854_775_807n;

const isIncidentId = (v: string): boolean => POSITIVE_INT.test(v) && BigInt(v) <= BIGINT_MAX;

/** The button value for an incident. Throws on an id that could never parse back: that is a bug upstream. */
export function incidentButtonValue(incidentId: string): string {
  if (!isIncidentId(incidentId)) throw new Error(`not an incident id: ${JSON.stringify(incidentId)}`);
  return incidentId;
}

export function parseIncidentAction(
  actionId: string,
  value: string | undefined | null,
): { action: IncidentAction; incidentId: string } | null {
  const action = BY_ID.get(baseActionId(actionId));
  if (action === undefined || typeof value !== 'string' || !isIncidentId(value)) return null;
  return { action, incidentId: value };
}

/**
 * Fix buttons. Preview carries what to plan for: one issue (its id) or the bulk pack for an issue type
 * (`bulk:<ISSUE_TYPE>`). Approve, reject and roll back carry the fix run id (bigserial, like incidents).
 */
export const FIX_ACTIONS = {
  preview: 'fix.preview',
  approve: 'fix.approve',
  reject: 'fix.reject',
  rollback: 'fix.rollback',
} as const;

export type FixAction = keyof typeof FIX_ACTIONS;
export type FixTarget = { kind: 'issue'; issueId: string } | { kind: 'bulk'; issueType: IssueType };
export type ParsedFixAction =
  | { action: 'preview'; target: FixTarget }
  | { action: 'approve' | 'reject' | 'rollback'; runId: string };

const FIX_BY_ID = new Map<string, FixAction>(
  (Object.entries(FIX_ACTIONS) as [FixAction, string][]).map(([action, id]) => [id, action]),
);
const BULK_PREFIX = 'bulk:';
/** Issue ids are `<recordId>_<ISSUE_TYPE>`; only ids of this shape get a button (a record id may be anything). */
const ISSUE_ID = /^[A-Za-z0-9_.:@-]{1,200}$/;

export const isIssueId = (v: string): boolean => ISSUE_ID.test(v) && !v.startsWith(BULK_PREFIX);
const isIssueType = (v: string): v is IssueType => (ISSUE_TYPES as readonly string[]).includes(v);

/** The preview button value. Throws on a target that could never parse back (check ids with isIssueId). */
export function fixPreviewValue(target: FixTarget): string {
  if (target.kind === 'bulk') {
    if (!isIssueType(target.issueType))
      throw new Error(`not an issue type: ${JSON.stringify(target.issueType)}`);
    return `${BULK_PREFIX}${target.issueType}`;
  }
  if (!isIssueId(target.issueId)) throw new Error(`not an issue id: ${JSON.stringify(target.issueId)}`);
  return target.issueId;
}

/** The approve / reject / roll back button value: the fix run id. */
export function fixRunValue(runId: string): string {
  if (!isIncidentId(runId)) throw new Error(`not a fix run id: ${JSON.stringify(runId)}`);
  return runId;
}

export function parseFixAction(actionId: string, value: string | undefined | null): ParsedFixAction | null {
  const action = FIX_BY_ID.get(baseActionId(actionId));
  if (action === undefined || typeof value !== 'string') return null;
  if (action !== 'preview') return isIncidentId(value) ? { action, runId: value } : null;
  if (value.startsWith(BULK_PREFIX)) {
    const t = value.slice(BULK_PREFIX.length);
    return isIssueType(t) ? { action, target: { kind: 'bulk', issueType: t } } : null;
  }
  return isIssueId(value) ? { action, target: { kind: 'issue', issueId: value } } : null;
}
