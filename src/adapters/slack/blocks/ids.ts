import type { InsightView } from '../../../domain/revops/figures.ts';
import { type RevopsFilter, SEGMENTS, type Segment } from '../../../domain/revops/types.ts';
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

/**
 * RevOps buttons: an insight's "Show pipeline / revenue / marketing" opens that view over the period and
 * slices of the report it came from. The value carries them as JSON; the parser checks every field (the
 * value comes back from Slack as anyone with the message could have sent it) and answers null otherwise.
 */
export const REVOPS_ACTIONS = { show: 'revops.show' } as const;

export interface RevopsShow {
  view: InsightView;
  filter: RevopsFilter;
}

const REVOPS_VIEWS: readonly InsightView[] = ['pipeline', 'revenue', 'marketing'];
const BUTTON_VALUE_MAX = 2_000;
const SLICE_MAX = 200;
/** A period longer than this did not come from a RevOps answer (they span at most about two years). */
const SPAN_MAX_MS = 800 * 86_400_000;

/** The value of a "Show …" button, or null when it would not fit a button (a pasted novel as an owner). */
export function revopsShowValue(view: InsightView, f: RevopsFilter): string | null {
  const value = JSON.stringify({
    v: view,
    f: f.fromMs,
    t: f.toMs,
    ...(f.segment ? { s: f.segment } : {}),
    ...(f.owner ? { o: f.owner } : {}),
    ...(f.channel ? { c: f.channel } : {}),
  });
  return value.length <= BUTTON_VALUE_MAX ? value : null;
}

const isSlice = (v: unknown): v is string =>
  typeof v === 'string' && v.trim() !== '' && v.length <= SLICE_MAX;

export function parseRevopsAction(actionId: string, value: string | undefined | null): RevopsShow | null {
  if (baseActionId(actionId) !== REVOPS_ACTIONS.show || typeof value !== 'string') return null;
  if (value.length > BUTTON_VALUE_MAX) return null;
  let o: unknown;
  try {
    o = JSON.parse(value);
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return null;
  const { v, f, t, s, o: owner, c } = o as Record<string, unknown>;
  if (!REVOPS_VIEWS.includes(v as InsightView)) return null;
  if (!Number.isSafeInteger(f) || !Number.isSafeInteger(t)) return null;
  const fromMs = f as number;
  const toMs = t as number;
  if (fromMs < 0 || toMs <= fromMs || toMs - fromMs > SPAN_MAX_MS) return null;
  if (s !== undefined && !(SEGMENTS as readonly unknown[]).includes(s)) return null;
  if ((owner !== undefined && !isSlice(owner)) || (c !== undefined && !isSlice(c))) return null;
  return {
    view: v as InsightView,
    filter: {
      fromMs,
      toMs,
      ...(s !== undefined ? { segment: s as Segment } : {}),
      ...(owner !== undefined ? { owner: owner as string } : {}),
      ...(c !== undefined ? { channel: c as string } : {}),
    },
  };
}
