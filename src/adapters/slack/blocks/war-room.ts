import type { types } from '@slack/bolt';
import {
  humanIssueType,
  type Incident,
  type IncidentFigures,
  type IssueLine,
  revenueFigures,
} from '../../../domain/incidents/incident.ts';
import { incidentPagingShown } from '../../../domain/incidents/paging-shown.ts';
import { formatUsd } from '../../../shared/money.ts';
import { wholeDays, wholeMinutes } from '../../../shared/time.ts';
import { ACTIONS, FIX_ACTIONS, fixPreviewValue, incidentButtonValue } from '../ids.ts';
import { LIMITS } from './limits.ts';
import { escapeMrkdwn, oneLine, safeCode, safeText, truncate } from './mrkdwn.ts';
import { pagingBadge } from './paging-badge.ts';
import {
  budgetGauge,
  count,
  formatBurn,
  percentLeft,
  plural,
  type Rendered,
  SEVERITY_EMOJI,
  slackDate,
} from './scan-summary.ts';
import type { ContextBlock, KnownBlock, SectionBlock } from './types.ts';

/**
 * The War Room message: one per incident, pinned in its channel and edited in place on every change
 * (ARCHITECTURE.md habit 6: a pure function of the incident). It never pings anybody: the only mention it
 * carries is the commander's `<@U…>`, and an edited message notifies no one. Pages are separate messages.
 */

export const DEFAULT_WAR_ROOM_ISSUES = 5;
/** Per-field caps (code points, before escaping), the same as the scan summary's issue lines. */
export const CAP = { name: 60, id: 40, owner: 40, type: 40, actor: 60 } as const;
/** Room kept for the "…and N more" context while packing issue lines. */
const MORE_RESERVE = 200;

// Slack ids: users U…/W… (Enterprise Grid), channels C…/G… (private, legacy).
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;

export const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });
export const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
export const section = (text: string): SectionBlock => ({
  type: 'section',
  text: mrkdwn(truncate(text, LIMITS.sectionText)),
});
export const context = (...texts: string[]): ContextBlock => ({
  type: 'context',
  elements: texts.slice(0, LIMITS.contextElements).map(mrkdwn),
});
export const jsonSize = (blocks: readonly unknown[]): number => JSON.stringify(blocks).length;

/**
 * Escaped text whose length AFTER escaping is at most `max`, for hard limits such as the 150-character
 * header (an `&` grows to five characters, so truncating the raw text to `max` is not enough).
 */
export function fitEscaped(raw: string, max: number): string {
  const flat = oneLine(raw);
  let n = max;
  let out = escapeMrkdwn(truncate(flat, n));
  while (out.length > max && n > 1) {
    n = Math.max(1, n - Math.ceil((out.length - max) / 5));
    out = escapeMrkdwn(truncate(flat, n));
  }
  return out;
}

export const userMention = (userId: string): string =>
  USER_ID.test(userId) ? `<@${userId}>` : safeText(userId, CAP.actor);

/** `<#C…>` for a real channel id, else null (a malformed id would render as a broken link). */
export const channelLink = (channelId: string | null): string | null =>
  channelId !== null && CHANNEL_ID.test(channelId) ? `<#${channelId}>` : null;

/**
 * Actors are `slack:<team>:<user>`, `system:<job>`, `cli:<name>`, `api:<key>` (ARCHITECTURE.md habit 2).
 * A Slack user becomes a mention; anything else is escaped text such as "system (scheduled-scan)".
 */
export function formatActor(actor: string | null): string {
  if (actor === null || actor === '') return 'someone';
  const [type, ...rest] = actor.split(':');
  const last = rest.at(-1);
  if (type === 'slack' && last !== undefined && USER_ID.test(last)) return `<@${last}>`;
  if (type && rest.length > 0) return safeText(`${type} (${rest.join(':')})`, CAP.actor);
  return safeText(actor, CAP.actor);
}

export const stateLabel = (i: Incident): string => i.state.toUpperCase();

/** The incident's own emoji: its severity while open, a check mark once resolved. */
export const incidentEmoji = (i: Incident): string =>
  i.state === 'resolved' ? SEVERITY_EMOJI[5] : SEVERITY_EMOJI[i.severity];

/** "3d", "5h" or "45m" idle as of the scan; "—" for a record touched after the scan's as-of. */
export function formatIdle(sinceMs: number, asOfMs: number): string {
  const minutes = wholeMinutes(sinceMs, asOfMs);
  if (minutes < 0) return '—';
  const days = wholeDays(sinceMs, asOfMs);
  if (days >= 1) return `${days}d`;
  if (minutes >= 60) return `${Math.trunc(minutes / 60)}h`;
  return `${minutes}m`;
}

export function issueLine(i: IssueLine, asOfMs: number): string {
  const name = safeText(i.name || '(unnamed)', CAP.name);
  const type = safeText(humanIssueType(i.issueType), CAP.type);
  return `• *${name}* (\`${safeCode(i.recordId, CAP.id)}\`) · ${type} · *${formatUsd(i.lossCents)}* · ${formatIdle(i.idleSinceMs, asOfMs)} · ${safeText(i.owner, CAP.owner)}`;
}

/**
 * Lines packed in order into as few sections as the 3,000-character section limit allows, under `heading`,
 * stopping before the first line that would take the blocks past `budget` characters of JSON. Empty when
 * not one line fits, so a caller never shows a heading over nothing.
 */
export function packLines(
  heading: string,
  lines: readonly string[],
  budget: number,
): { blocks: SectionBlock[]; shown: number } {
  const blocks: SectionBlock[] = [];
  let text = heading;
  let shown = 0;
  for (const line of lines) {
    const appended = text === '' ? line : `${text}\n${line}`;
    const fits = appended.length <= LIMITS.sectionText;
    const next = fits ? [...blocks, section(appended)] : [...blocks, section(text), section(line)];
    if (jsonSize(next) > budget) break;
    if (fits) text = appended;
    else {
      blocks.push(section(text));
      text = line;
    }
    shown++;
  }
  if (shown > 0) blocks.push(section(text));
  return { blocks, shown };
}

export function headerBlock(i: Incident): KnownBlock {
  const head = `${incidentEmoji(i)} SEV-${i.severity} · `;
  const tail = ` · ${stateLabel(i)}`;
  const title = fitEscaped(i.title, LIMITS.headerText - head.length - tail.length);
  return { type: 'header', text: plain(`${head}${title}${tail}`) };
}

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

export function stateBlock(i: Incident): SectionBlock {
  const lines = [`:mag: *Detected* ${slackDate(i.openedAtMs)}`];
  if (i.state !== 'detected' && i.acknowledgedAtMs !== null)
    lines.push(
      `:eyes: *Acknowledged* by ${formatActor(i.acknowledgedBy)} at ${slackDate(i.acknowledgedAtMs)}`,
    );
  if (i.state === 'resolved' && i.resolvedAtMs !== null)
    lines.push(
      `:white_check_mark: *Resolved* by ${formatActor(i.resolvedBy)} at ${slackDate(i.resolvedAtMs)}`,
    );
  if (i.state === 'detected') lines.push('_Not acknowledged yet._');
  if (i.commander !== null) lines.push(`:bust_in_silhouette: *Commander* ${userMention(i.commander)}`);
  if (i.recoveredCents > 0)
    lines.push(`:moneybag: *Recovered by fixes* ${formatUsd(i.recoveredCents)} (applied, not rolled back)`);
  return section(lines.join('\n'));
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

type Button = types.Button;

export function button(
  text: string,
  actionId: string,
  incidentId: string,
  extra: Pick<Button, 'style' | 'confirm'> = {},
): Button {
  return {
    type: 'button',
    text: plain(text),
    action_id: actionId,
    value: incidentButtonValue(incidentId),
    ...extra,
  };
}

export const ackButton = (i: Incident): Button =>
  button('Acknowledge', ACTIONS.ack, i.id, { style: 'primary' });

function resolveConfirm(f: IncidentFigures): types.ConfirmationDialog {
  const n = f.openIssues;
  return {
    title: plain('Resolve with issues open?'),
    text: plain(
      `${plural(n, 'issue')} ${n === 1 ? 'is' : 'are'} still open (${formatUsd(f.atRiskCents)} at risk). ` +
        'Resolve anyway? A later scan that still finds them opens the incident again.',
    ),
    confirm: plain('Resolve'),
    deny: plain('Keep open'),
  };
}

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
  if (i.state !== 'resolved')
    elements.push(
      button(
        'Resolve',
        ACTIONS.resolve,
        i.id,
        f.openIssues > 0 ? { style: 'danger', confirm: resolveConfirm(f) } : { style: 'danger' },
      ),
    );
  const preview = previewFixButton(i, f);
  if (preview !== null) elements.push(preview);
  return { type: 'actions', elements };
}

/** "SEV-1 · Revenue leak: Stale opp · ACKNOWLEDGED: $746,089 at risk, burn 14.9×" (escaped: it may notify). */
function warRoomText(i: Incident, f: IncidentFigures): string {
  return `SEV-${i.severity} · ${fitEscaped(i.title, 150)} · ${stateLabel(i)}: ${formatUsd(f.atRiskCents)} at risk, burn ${formatBurn(f.burn)}`;
}

/** A revenue incident's War Room (renderOutbound sends an SLA incident's to sla-incident.ts). */
export function renderWarRoom(incident: Incident, opts: { maxIssues?: number } = {}): Rendered {
  const f = revenueFigures(incident);
  if (f === null) throw new TypeError(`incident ${incident.id} is an SLA incident: use renderSlaWarRoom`);
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
