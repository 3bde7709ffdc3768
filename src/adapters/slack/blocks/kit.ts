import type { types } from '@slack/bolt';
import type { IncidentSeverity, Paging } from '../../../domain/budget/budget.ts';
import { humanIssueType, type Incident, type IssueLine } from '../../../domain/incidents/incident.ts';
import { formatCount, formatPercentLeft, formatBurn as sharedFormatBurn } from '../../../shared/format.ts';
import { formatUsd } from '../../../shared/money.ts';
import { wholeDays, wholeMinutes } from '../../../shared/time.ts';
import { ACTIONS, incidentButtonValue } from './ids.ts';
import { LIMITS } from './limits.ts';
import { escapeMrkdwn, oneLine, safeCode, safeText, truncate } from './mrkdwn.ts';
import type { ContextBlock, KnownBlock, SectionBlock } from './types.ts';

/**
 * The block kit every renderer builds from: text objects, sections and contexts within Slack's limits,
 * counts and dates written one way, actors and channels as mentions, and the incident pieces (header,
 * state, buttons, issue lines) that the revenue War Room, the SLA War Room, the timeline and the Home tab
 * share. Renderers import from here, never from one another, so changing one message cannot reshape another.
 */

export interface Rendered {
  text: string;
  blocks: KnownBlock[];
}

const GAUGE_CELLS = 10;

export const SEVERITY_EMOJI: Record<IncidentSeverity, string> = {
  1: ':red_circle:',
  2: ':large_orange_circle:',
  3: ':large_yellow_circle:',
  4: ':large_blue_circle:',
  5: ':white_check_mark:',
};
export const PAGING_BADGE: Record<Paging, string> = {
  PAGE: ':rotating_light: PAGE',
  WARN: ':warning: WARN',
  OK: ':white_check_mark: OK',
};

// Counts, burn and budget left are written as in the terminal (shared/format.ts): one formatter each.
export const count = formatCount;
export const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/** "0.35×" below one budget, "14.9×" above (shared/format.ts, as `leak scan` writes it). */
export const formatBurn = sharedFormatBurn;

/** `▓▓▓░░░░░░░` for 30% left. Floored, so the gauge never shows more budget than remains. */
export function budgetGauge(remaining: number, cells = GAUGE_CELLS): string {
  const r = Math.min(1, Math.max(0, remaining));
  const filled = Math.floor(r * cells + 1e-9);
  return '▓'.repeat(filled) + '░'.repeat(cells - filled);
}

export const percentLeft = formatPercentLeft;

/** Slack renders `<!date^…>` in the reader's time zone; the text after `|` is the fallback. Ours, not data. */
export const slackDate = (ms: number): string => {
  const iso = new Date(ms).toISOString();
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${iso.slice(0, 16).replace('T', ' ')} UTC>`;
};

/** Per-field caps (code points, before escaping), the same as the scan summary's issue lines. */
export const CAP = { name: 60, id: 40, owner: 40, type: 40, actor: 60 } as const;

// Slack ids: users U…/W… (Enterprise Grid), channels C…/G… (private, legacy).
export const USER_ID = /^[UW][A-Z0-9]{2,}$/;
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

/** Data for mrkdwn (in or out of code): escaped, at most `max` characters, and free of backticks. */
export const noTicks = (raw: string, max: number): string => fitEscaped(raw, max).replace(/`/g, 'ˋ');

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

export type Button = types.Button;

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

/**
 * Resolve, in red. While the incident's cause still holds (`stillHolds`: a title and a text saying what it
 * is and what the next evaluation will do), Slack asks first; otherwise it resolves on the click.
 */
export function resolveButton(i: Incident, stillHolds: { title: string; text: string } | null): Button {
  if (stillHolds === null) return button('Resolve', ACTIONS.resolve, i.id, { style: 'danger' });
  return button('Resolve', ACTIONS.resolve, i.id, {
    style: 'danger',
    confirm: {
      title: plain(stillHolds.title),
      text: plain(stillHolds.text),
      confirm: plain('Resolve'),
      deny: plain('Keep open'),
    },
  });
}

/** Acknowledge while nobody has; Resolve (resolveButton) until resolved; null once resolved. */
export function ackResolveActions(
  i: Incident,
  stillHolds: { title: string; text: string } | null,
): KnownBlock | null {
  const elements: Button[] = [];
  if (i.state === 'detected') elements.push(ackButton(i));
  if (i.state !== 'resolved') elements.push(resolveButton(i, stillHolds));
  return elements.length === 0 ? null : { type: 'actions', elements };
}
