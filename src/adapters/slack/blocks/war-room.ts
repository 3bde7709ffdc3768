import {
  humanIssueType,
  type Incident,
  type IncidentFigures,
  revenueFigures,
} from '../../../domain/incidents/incident.ts';
import { incidentPagingShown } from '../../../domain/incidents/paging-shown.ts';
import { formatUsd } from '../../../shared/money.ts';
import { ACTIONS, FIX_ACTIONS, fixPreviewValue } from './ids.ts';
import {
  ackButton,
  type Button,
  budgetGauge,
  button,
  CAP,
  context,
  count,
  fitEscaped,
  formatBurn,
  headerBlock,
  issueLine,
  jsonSize,
  mrkdwn,
  packLines,
  percentLeft,
  plain,
  plural,
  type Rendered,
  resolveButton,
  section,
  slackDate,
  stateBlock,
  stateLabel,
} from './kit.ts';
import { LIMITS } from './limits.ts';
import { safeText, truncate } from './mrkdwn.ts';
import { pagingBadge } from './paging-badge.ts';
import type { KnownBlock, SectionBlock } from './types.ts';

/**
 * The War Room message: one per incident, pinned in its channel and edited in place on every change
 * (ARCHITECTURE.md habit 6: a pure function of the incident). It never pings anybody: the only mention it
 * carries is the commander's `<@U…>`, and an edited message notifies no one. Pages are separate messages.
 */

export const DEFAULT_WAR_ROOM_ISSUES = 5;
/** Room kept for the "…and N more" context while packing issue lines. */
const MORE_RESERVE = 200;

function statsBlock(i: Incident, f: IncidentFigures): SectionBlock {
  const fields = [
    `*Severity*\nSEV-${i.severity}`,
    `*Paging*\n${pagingBadge(incidentPagingShown(i))}`,
    `*Burn*\n${formatBurn(f.burn)} the monthly budget`,
    `*Budget left*\n\`${budgetGauge(f.budgetRemaining)}\` ${percentLeft(f.budgetRemaining)}`,
    `*At risk*\n${formatUsd(f.atRiskCents)}`,
    `*Open issues*\n${count(f.openIssues)} (${count(f.highIssues)} high)`,
  ];
  return { type: 'section', fields: fields.map(mrkdwn) };
}

function rollupBlocks(f: IncidentFigures): SectionBlock[] {
  const causes = f.topCauses
    .slice(0, 5)
    .map(
      (c) =>
        `• ${safeText(humanIssueType(c.issueType), CAP.type)} · ${plural(c.count, 'issue')} · *${formatUsd(c.lossCents)}*`,
    );
  const owners = f.affectedOwners
    .slice(0, 5)
    .map(
      (o) => `• ${safeText(o.owner, CAP.owner)} · ${plural(o.count, 'issue')} · *${formatUsd(o.lossCents)}*`,
    );
  const out: SectionBlock[] = [];
  if (causes.length > 0) out.push(section(['*Top causes*', ...causes].join('\n')));
  if (owners.length > 0) out.push(section(['*Affected owners*', ...owners].join('\n')));
  return out;
}

/** Resolving with issues open asks first. */
const stillOpen = (f: IncidentFigures) => {
  const n = f.openIssues;
  return {
    title: 'Resolve with issues open?',
    text:
      `${plural(n, 'issue')} ${n === 1 ? 'is' : 'are'} still open (${formatUsd(f.atRiskCents)} at risk). ` +
      'Resolve anyway? A later scan that still finds them opens the incident again.',
  };
};

/** The bulk fix preview for the top cause, while there is one and the incident is open. */
function previewFixButton(i: Incident, f: IncidentFigures): Button | null {
  const top = f.topCauses[0];
  if (i.state === 'resolved' || top === undefined) return null;
  return {
    type: 'button',
    text: plain(truncate(`Preview fix: ${humanIssueType(top.issueType)}`, 75)),
    action_id: FIX_ACTIONS.preview,
    value: fixPreviewValue({ kind: 'bulk', issueType: top.issueType }),
  };
}

/**
 * Acknowledge only while nobody has; Resolve until resolved; Rescan always (it is how a resolve is checked);
 * Preview fix for the top cause while open.
 */
function actionsBlock(i: Incident, f: IncidentFigures): KnownBlock {
  const elements: Button[] = [];
  if (i.state === 'detected') elements.push(ackButton(i));
  elements.push(button('Rescan', ACTIONS.rescan, i.id));
  if (i.state !== 'resolved') elements.push(resolveButton(i, f.openIssues > 0 ? stillOpen(f) : null));
  const preview = previewFixButton(i, f);
  if (preview !== null) elements.push(preview);
  return { type: 'actions', elements };
}

/** "SEV-1 · Revenue leak: Stale opp · ACKNOWLEDGED: $746,089 at risk, burn 14.9×" (escaped: it may notify). */
function warRoomText(i: Incident, f: IncidentFigures): string {
  return `SEV-${i.severity} · ${fitEscaped(i.title, 150)} · ${stateLabel(i)}: ${formatUsd(f.atRiskCents)} at risk, burn ${formatBurn(f.burn)}`;
}

/**
 * A revenue leak incident's War Room, the only one with Rescan and fix-pack buttons (renderOutbound sends
 * an SLA incident's to sla-incident.ts and a commerce incident's to commerce-incident.ts).
 */
export function renderWarRoom(incident: Incident, opts: { maxIssues?: number } = {}): Rendered {
  const f = revenueFigures(incident);
  if (f === null)
    throw new TypeError(
      `incident ${incident.id} is not a revenue leak (${incident.figures.kind}): renderOutbound routes it`,
    );
  const top: KnownBlock[] = [headerBlock(incident), statsBlock(incident, f), stateBlock(incident)];
  const rollups: KnownBlock[] =
    f.openIssues === 0 ? [section('No open issues in the last scan.')] : rollupBlocks(f);
  const tail: KnownBlock[] = [
    context(`Last scan ${slackDate(f.scanAsOfMs)} · scan #${safeText(f.scanId, 40)}`),
    actionsBlock(incident, f),
  ];
  const fixed: KnownBlock[] = [...top, { type: 'divider' }, ...rollups, ...tail];

  const max = Math.max(0, Math.min(opts.maxIssues ?? DEFAULT_WAR_ROOM_ISSUES, f.topIssues.length));
  const lines = f.topIssues.slice(0, max).map((i) => issueLine(i, f.scanAsOfMs));
  const budget = LIMITS.blocksJsonBudget - jsonSize(fixed) - MORE_RESERVE;
  const listed = packLines('*Top issues*', lines, budget);
  const issues: KnownBlock[] = [...listed.blocks];
  const rest = f.openIssues - listed.shown;
  if (rest > 0 && f.openIssues > 0) {
    // total − shown: the incident keeps only its top issues, never the whole tail.
    const shownCents = f.topIssues.slice(0, listed.shown).reduce((a, i) => a + i.lossCents, 0);
    const restCents = Math.max(0, f.atRiskCents - shownCents);
    issues.push(context(`…and ${plural(rest, 'more issue')} (${formatUsd(restCents)})`));
  }
  const blocks: KnownBlock[] = [...top, { type: 'divider' }, ...rollups, ...issues, ...tail];
  return { text: warRoomText(incident, f), blocks };
}
