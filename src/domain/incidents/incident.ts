import type { Cents } from '../../shared/money.ts';
import type { IncidentSeverity, Paging } from '../budget/budget.ts';
import type { SloStatus } from '../budget/slos.ts';
import type { CommerceFigures } from '../commerce/figures.ts';
import type { RevopsLeakFigures } from '../revops/leak.ts';
import type { IssueType } from '../rules/catalog.ts';
import type { CauseRollup, ScanSummary, SegmentRollup } from '../scan/summarize.ts';
import { UNASSIGNED_SEGMENT } from '../scan/summarize.ts';
import type { SlaFigures } from '../sla/figures.ts';
import type { IncidentState } from './lifecycle.ts';

/**
 * Revenue leaks of one deployment (one workspace's funnel) share one dedupe key: at most one open incident
 * for them at a time, enforced by a partial unique index (migrations/0002).
 */
export const REVENUE_DEDUPE_KEY = 'revenue-leak:funnel';

/** How many issues an incident keeps for display (the War Room shows the top ones). */
export const TOP_ISSUES_KEPT = 10;

export interface IncidentPolicy {
  /** Incidents at this severity or worse (numerically lower or equal) get their own channel. */
  channelSeverity: IncidentSeverity;
  /** Unacknowledged PAGE repeats this often. */
  pageRepeatMs: number;
  /** After this many repeats, pages also mention the secondary group. */
  escalateAfterRepeats: number;
  /** A leak returning within this long after a resolve reopens that incident instead of declaring anew. */
  reopenWindowMs: number;
}

export const DEFAULT_INCIDENT_POLICY: IncidentPolicy = {
  channelSeverity: 3,
  pageRepeatMs: 15 * 60_000,
  escalateAfterRepeats: 2,
  reopenWindowMs: 60 * 60_000,
};

/** One issue as an incident shows it: enough to render, nothing that needs the records table. */
export interface IssueLine {
  issueId: string;
  recordId: string;
  name: string;
  issueType: IssueType;
  label: 'high' | 'medium' | 'low';
  lossCents: Cents;
  owner: string;
  /** Last touch, else creation: the age shown is measured from here to the scan's as-of. */
  idleSinceMs: number;
}

/**
 * The figures a revenue incident shows, taken from the scan that last touched it. `kind` is absent on
 * figures stored before SLA incidents existed; absent means revenue.
 */
export interface IncidentFigures {
  kind?: 'revenue';
  scanId: string;
  scanAsOfMs: number;
  severity: IncidentSeverity;
  paging: Paging;
  burn: number;
  budgetRemaining: number;
  atRiskCents: Cents;
  budgetCents: Cents;
  openIssues: number;
  highIssues: number;
  topCauses: CauseRollup[];
  affectedOwners: SegmentRollup[];
  topIssues: IssueLine[];
  slos: SloStatus[];
}

export interface Incident {
  id: string;
  dedupeKey: string;
  title: string;
  state: IncidentState;
  severity: IncidentSeverity;
  paging: Paging;
  openedAtMs: number;
  acknowledgedAtMs: number | null;
  acknowledgedBy: string | null;
  resolvedAtMs: number | null;
  resolvedBy: string | null;
  /** Slack user id of the incident commander (configured default, or whoever acknowledged). */
  commander: string | null;
  /**
   * A revenue leak's scan figures, an SLA burn's evaluation (kind 'sla'), a commerce signal's, or the stuck
   * pipeline's (kind 'revops').
   */
  figures: IncidentFigures | SlaFigures | CommerceFigures | RevopsLeakFigures;
  channelId: string | null;
  channelName: string | null;
  warRoomTs: string | null;
  pagesSent: number;
  nextPageAtMs: number | null;
  /** Dollars cleared by this incident's applied (not rolled back) fixes. */
  recoveredCents: Cents;
}

/** A revenue leak incident's figures, or null for another kind. */
export const revenueFigures = (i: Pick<Incident, 'figures'>): IncidentFigures | null =>
  i.figures.kind === 'sla' || i.figures.kind === 'commerce' || i.figures.kind === 'revops' ? null : i.figures;

/** An SLA incident's figures, or null for another kind. */
export const slaFigures = (i: Pick<Incident, 'figures'>): SlaFigures | null =>
  i.figures.kind === 'sla' ? i.figures : null;

/** A commerce incident's figures (REVENUE_DIP, NO_SIGNAL), or null for another kind. */
export const commerceFigures = (i: Pick<Incident, 'figures'>): CommerceFigures | null =>
  i.figures.kind === 'commerce' ? i.figures : null;

/** A pipeline incident's figures (stuck deals over the leak budget), or null for another kind. */
export const revopsLeakFigures = (i: Pick<Incident, 'figures'>): RevopsLeakFigures | null =>
  i.figures.kind === 'revops' ? i.figures : null;

export function figuresOf(scanId: string, s: ScanSummary): IncidentFigures {
  return {
    kind: 'revenue',
    scanId,
    scanAsOfMs: s.asOfMs,
    severity: s.incidentSeverity,
    paging: s.paging,
    burn: s.burn,
    budgetRemaining: s.budgetRemaining,
    atRiskCents: s.totalAtRiskCents,
    budgetCents: s.budgetCents,
    openIssues: s.issues.length,
    highIssues: s.highIssues,
    topCauses: s.topCauses,
    affectedOwners: s.affectedSegments,
    topIssues: s.issues.slice(0, TOP_ISSUES_KEPT).map((i) => ({
      issueId: i.issueId,
      recordId: i.record.id,
      name: i.record.name,
      issueType: i.rule.issueType,
      label: i.rule.label,
      lossCents: i.lossCents,
      owner: i.record.owner === '' ? UNASSIGNED_SEGMENT : i.record.owner,
      idleSinceMs: i.record.lastTouchAtMs ?? i.record.createdAtMs,
    })),
    slos: s.slos,
  };
}

/** "Revenue leak: Unassigned owner ($12,000 at risk)" needs money formatting; the title stays plain. */
export function revenueTitle(f: IncidentFigures): string {
  const top = f.topCauses[0];
  return top ? `Revenue leak: ${humanIssueType(top.issueType)}` : 'Revenue leak';
}

export const humanIssueType = (t: IssueType): string => {
  const s = t
    .toLowerCase()
    .replaceAll('_', ' ')
    .replace(/\bsla\b/g, 'SLA');
  return s.charAt(0).toUpperCase() + s.slice(1);
};

/**
 * What a source's reading means for the incident of its dedupe key (judgeScan, judgeBurn, any later
 * source); app/incidents/transitions.ts applies it.
 */
export type IncidentVerdict =
  | { action: 'none' }
  | { action: 'declare' }
  | { action: 'reopen'; incidentId: string }
  | { action: 'update'; incidentId: string; severityFrom: IncidentSeverity | null }
  | { action: 'resolve'; incidentId: string };

/** What a reconciled scan means for the incident of its dedupe key: a verdict, with the scan's figures. */
export type ScanVerdict =
  | { action: 'none' }
  | (Exclude<IncidentVerdict, { action: 'none' }> & { figures: IncidentFigures });

/**
 * The pure decision behind scan → incident (DOMAIN.md §4): any open issue (SEV-4 or worse) keeps an
 * incident open; a scan with none (SEV-5) resolves it. A leak back within the reopen window reopens the
 * incident it belonged to. A scan older than what the incident already shows changes nothing.
 */
export function judgeScan(
  open: Incident | null,
  lastResolved: Incident | null,
  figures: IncidentFigures,
  policy: IncidentPolicy,
  nowMs: number,
): ScanVerdict {
  if (open) {
    if (figures.scanAsOfMs < (revenueFigures(open)?.scanAsOfMs ?? 0)) return { action: 'none' };
    if (figures.severity === 5) return { action: 'resolve', incidentId: open.id, figures };
    return {
      action: 'update',
      incidentId: open.id,
      figures,
      severityFrom: figures.severity === open.severity ? null : open.severity,
    };
  }
  if (figures.severity === 5) return { action: 'none' };
  if (
    lastResolved?.resolvedAtMs != null &&
    nowMs - lastResolved.resolvedAtMs <= policy.reopenWindowMs &&
    figures.scanAsOfMs >= (revenueFigures(lastResolved)?.scanAsOfMs ?? 0)
  )
    return { action: 'reopen', incidentId: lastResolved.id, figures };
  return { action: 'declare', figures };
}

/** Whether an incident at this severity has (or should have) its own channel. */
export const wantsChannel = (severity: IncidentSeverity, p: IncidentPolicy): boolean =>
  severity <= p.channelSeverity;

/**
 * Who a page mentions. Every PAGE mentions the on-call group; once `escalateAfterRepeats` repeats went
 * unacknowledged, the secondary group too. WARN mentions nobody.
 */
export function pageAudience(
  paging: Paging,
  repeat: number,
  p: IncidentPolicy,
): { mentionOnCall: boolean; escalate: boolean } {
  if (paging !== 'PAGE') return { mentionOnCall: false, escalate: false };
  return { mentionOnCall: true, escalate: repeat > p.escalateAfterRepeats };
}

/**
 * When the next repeat is due after a page sent at `sentAtMs`: only an unacknowledged PAGE repeats.
 */
export function nextPageAt(
  state: IncidentState,
  paging: Paging,
  sentAtMs: number,
  p: IncidentPolicy,
): number | null {
  return state === 'detected' && paging === 'PAGE' ? sentAtMs + p.pageRepeatMs : null;
}

/** A page is worth sending when the incident is new, came back, or got worse. */
export const worsened = (from: IncidentSeverity, to: IncidentSeverity): boolean => to < from;

const SLUG_MAX = 40;
const NAME_MAX = 80;

/** Slack channel names: lowercase letters, digits, hyphens and underscores, at most 80 characters. */
export function slugify(text: string, max = SLUG_MAX): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, max).replace(/-+$/g, '') || 'incident';
}

/**
 * `inc-<yyyymmdd>-<n>-<slug>` (UTC date the incident opened, its number). On `name_taken`, attempt k > 1
 * appends `-k`; the slug is cut so the whole name stays within 80 characters.
 */
export function channelName(openedAtMs: number, number: string, title: string, attempt = 1): string {
  const day = new Date(openedAtMs).toISOString().slice(0, 10).replaceAll('-', '');
  const head = `inc-${day}-${number}-`;
  const suffix = attempt > 1 ? `-${attempt}` : '';
  const room = NAME_MAX - head.length - suffix.length;
  const slug = slugify(
    title.replace(/^revenue leak:\s*/i, 'revenue '),
    Math.max(1, Math.min(SLUG_MAX, room)),
  );
  return `${head}${slug}${suffix}`;
}
