import type { IncidentChange } from '../../../app/incidents/transitions.ts';
import type { FindingsDelta } from '../../../app/records/ports.ts';
import type { RuleThresholds } from '../../../domain/rules/catalog.ts';
import {
  explain,
  type Issue,
  issueAge,
  type ScanSummary,
  UNASSIGNED_SEGMENT,
} from '../../../domain/scan/summarize.ts';
import { formatUsd } from '../../../shared/money.ts';
import {
  budgetGauge,
  context,
  count,
  formatBurn,
  jsonSize,
  mrkdwn,
  PAGING_BADGE,
  packLines,
  percentLeft,
  plural,
  type Rendered,
  SEVERITY_EMOJI,
  section,
  slackDate,
} from './kit.ts';
import { LIMITS } from './limits.ts';
import { safeCode, safeText, truncate } from './mrkdwn.ts';
import { fixButtons } from './scan-fix-buttons.ts';
import type { KnownBlock, SectionBlock } from './types.ts';

/** Pure renderer for a scan result (ARCHITECTURE.md habit 6): no client, no database, no clock. */
export interface ScanSummaryInput {
  summary: ScanSummary;
  delta: FindingsDelta;
  /** What the scan did to the incident; a backfill names the one open now (it changes none). */
  incident?: IncidentChange;
}
export interface RenderOptions {
  thresholds: RuleThresholds;
  /** Upper bound on issues listed; fewer are listed when the block JSON budget runs out first. */
  maxIssues?: number;
}
export const DEFAULT_MAX_ISSUES = 10;
/** Per-field caps (code points, before escaping) that keep one issue line around 300 characters. */
const CAP = { name: 60, id: 40, owner: 40, why: 120 } as const;
/** Room kept for the trailing "…and N more" block while packing issue lines. */
const MORE_RESERVE = 300;

/** "3d", "5h" or "45m" since the record was last touched (or created). A record newer than as-of shows "—". */
export function formatAge(issue: Issue, nowMs: number): string {
  const { days, minutes } = issueAge(issue, nowMs);
  if (minutes < 0) return '—';
  if (days >= 1) return `${days}d`;
  if (minutes >= 60) return `${Math.trunc(minutes / 60)}h`;
  return `${minutes}m`;
}

/** "2025-06-02 12:00 UTC": an instant in plain text (a fallback is not mrkdwn, so no `<!date>`). */
const utcMinute = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function fallbackText(s: ScanSummary, backfill = false): string {
  const head = `SEV-${s.incidentSeverity} · ${s.paging} · ${formatUsd(s.totalAtRiskCents)} at risk`;
  const tail =
    s.issues.length === 0
      ? `: no open revenue leaks across ${plural(s.records, 'record')}`
      : ` across ${plural(s.issues.length, 'open issue')} (burn ${formatBurn(s.burn)})`;
  return `${backfill ? `Backfill as of ${utcMinute(s.asOfMs)}: ` : ''}${head}${tail}`;
}

function headerBlock(s: ScanSummary, backfill: boolean): KnownBlock {
  const what =
    s.issues.length === 0
      ? `${SEVERITY_EMOJI[5]} No open revenue leaks`
      : `${SEVERITY_EMOJI[s.incidentSeverity]} SEV-${s.incidentSeverity} · ${s.paging} · ${formatUsd(s.totalAtRiskCents)} at risk`;
  const title = backfill ? `${what} · backfill` : what;
  return {
    type: 'header',
    text: { type: 'plain_text', text: truncate(title, LIMITS.headerText), emoji: true },
  };
}

function statsBlock(s: ScanSummary): SectionBlock {
  const fields = [
    `*Severity*\nSEV-${s.incidentSeverity}`,
    `*Paging*\n${PAGING_BADGE[s.paging]}`,
    `*At risk*\n${formatUsd(s.totalAtRiskCents)}`,
    `*Burn*\n${formatBurn(s.burn)} the monthly budget`,
    `*Budget left*\n\`${budgetGauge(s.budgetRemaining)}\` ${percentLeft(s.budgetRemaining)}`,
    `*Open issues*\n${count(s.issues.length)} (${count(s.highIssues)} high) in ${plural(s.records, 'record')}`,
  ];
  return { type: 'section', fields: fields.slice(0, LIMITS.fieldsPerSection).map(mrkdwn) };
}

/**
 * What the scan changed. A backfill (as-of older than the newest scan) changes nothing by design: it stores
 * its totals for the burn history and leaves findings as the present knows them (README), so it says that
 * instead of a row of zeros.
 */
function deltaLine(d: FindingsDelta): string {
  if (!d.reconciled) return BACKFILL_NOTE;
  return `:new: ${count(d.newIssues)} new · ${count(d.cleared)} cleared · ${count(d.reopened)} reopened · ${count(d.stillOpen)} still open`;
}

export const BACKFILL_NOTE = ':rewind: backfill: totals stored, findings unchanged';

/** A backfill changes no incident: it names the one open now, so nobody reads the past as the present. */
function presentIncidentLine(change: IncidentChange | undefined): KnownBlock[] {
  if (change === undefined) return [];
  const i = change.incident;
  if (i === null || i.state === 'resolved')
    return [context('No incident is open now; a backfill opens none.')];
  return [
    context(
      `Incident #${safeCode(i.id, 20)} is open now (SEV-${i.severity} · ${i.state.toUpperCase()}), unchanged by this backfill.`,
    ),
  ];
}

function causesBlock(s: ScanSummary): SectionBlock {
  const lines = s.topCauses.map(
    (c) => `• \`${safeCode(c.issueType, 40)}\` · ${plural(c.count, 'issue')} · *${formatUsd(c.lossCents)}*`,
  );
  return section(['*Top causes*', ...lines].join('\n'));
}

export function issueLine(i: Issue, nowMs: number, t: RuleThresholds): string {
  const r = i.record;
  const name = safeText(r.name || '(unnamed)', CAP.name);
  const owner = r.owner === '' ? UNASSIGNED_SEGMENT : safeText(r.owner, CAP.owner);
  const head = `• *${name}* (\`${safeCode(r.id, CAP.id)}\`) · \`${i.rule.issueType}\` · *${formatUsd(i.lossCents)}* · ${formatAge(i, nowMs)} · ${owner}`;
  return `${head}\n      _${safeText(explain(i, nowMs, t), CAP.why)}_`;
}

/**
 * Issue lines packed (kit.ts packLines) into as few sections as the 3,000-character limit allows, stopping
 * at `maxIssues` or when the whole message would exceed the block JSON budget. Only the first `maxIssues`
 * issues are rendered, so 100,000 issues cost the same as 10. Returns the blocks and how many issues (and
 * cents) they show.
 */
function issueBlocks(
  s: ScanSummary,
  t: RuleThresholds,
  maxIssues: number,
  budget: number,
): { blocks: SectionBlock[]; shown: number; shownCents: number } {
  const candidates = s.issues.slice(0, Math.max(0, maxIssues));
  const lines = candidates.map((issue) => issueLine(issue, s.asOfMs, t));
  const { blocks, shown } = packLines('*Top issues*', lines, budget);
  const shownCents = candidates.slice(0, shown).reduce((a, i) => a + i.lossCents, 0);
  return { blocks, shown, shownCents };
}

export function renderScanSummary(outcome: ScanSummaryInput, opts: RenderOptions): Rendered {
  const { summary: s, delta } = outcome;
  const backfill = !delta.reconciled;
  const asOf = `As of ${slackDate(s.asOfMs)}`;
  const head: KnownBlock[] = [headerBlock(s, backfill), statsBlock(s)];
  const present = backfill ? presentIncidentLine(outcome.incident) : [];

  if (s.issues.length === 0) {
    const changed =
      delta.cleared > 0 ? `${plural(delta.cleared, 'issue')} cleared since the last scan` : 'No change';
    const blocks: KnownBlock[] = [
      ...head,
      section(
        backfill
          ? `Nothing was leaking as of then: ${plural(s.records, 'record')} scanned, no rule fired.`
          : `Nothing is leaking: ${plural(s.records, 'record')} scanned, no rule fired.`,
      ),
      context(asOf, backfill ? BACKFILL_NOTE : changed),
      ...present,
    ];
    return { text: fallbackText(s, backfill), blocks };
  }

  const top: KnownBlock[] = [
    ...head,
    context(asOf, deltaLine(delta)),
    ...present,
    { type: 'divider' },
    causesBlock(s),
  ];
  const maxIssues = opts.maxIssues ?? DEFAULT_MAX_ISSUES;
  // A backfill's issues are history: a Fix button would act on today's findings from a past list.
  // The buttons are budgeted as if every issue allowed were listed: those rendered can only be a prefix.
  const candidates = backfill ? null : fixButtons(s.issues, maxIssues);
  const reserve = candidates === null ? 0 : jsonSize([candidates]);
  const budget = LIMITS.blocksJsonBudget - jsonSize(top) - MORE_RESERVE - reserve;
  const listed = issueBlocks(s, opts.thresholds, maxIssues, budget);
  const blocks: KnownBlock[] = [...top, { type: 'divider' }, ...listed.blocks];
  const buttons = backfill ? null : fixButtons(s.issues, listed.shown);

  const rest = s.issues.length - listed.shown;
  if (rest > 0) {
    // total − shown, rather than summing the tail: O(1) however many issues are left.
    const restCents = s.totalAtRiskCents - listed.shownCents;
    blocks.push(context(`…and ${plural(rest, 'more issue')} (${formatUsd(restCents)})`));
  }
  if (buttons !== null) blocks.push(buttons);
  return { text: fallbackText(s, backfill), blocks };
}
