import type { TimelineEntry } from '../../../app/incidents/ports.ts';
import type { Incident } from '../../../domain/incidents/incident.ts';
import type { TimelineKind } from '../../../domain/incidents/lifecycle.ts';
import { formatUsd } from '../../../shared/money.ts';
import {
  context,
  fitEscaped,
  formatActor,
  incidentEmoji,
  jsonSize,
  packLines,
  plural,
  type Rendered,
  section,
  slackDate,
  userMention,
} from './kit.ts';
import { LIMITS } from './limits.ts';
import { safeCode, safeText } from './mrkdwn.ts';
import type { KnownBlock } from './types.ts';

export const DEFAULT_TIMELINE_MAX = 50;
const NOTE_MAX = 200;
const REASON_MAX = 120;
/** Room kept for the "N earlier entries not shown" context. */
const MORE_RESERVE = 150;

const KIND: Record<TimelineKind, { emoji: string; label: string }> = {
  DETECTED: { emoji: ':mag:', label: 'Detected' },
  SEVERITY_CHANGED: { emoji: ':arrows_counterclockwise:', label: 'Severity changed' },
  PAGED: { emoji: ':pager:', label: 'Paged' },
  ACKNOWLEDGED: { emoji: ':eyes:', label: 'Acknowledged' },
  NOTE: { emoji: ':memo:', label: 'Note' },
  RESOLVED: { emoji: ':white_check_mark:', label: 'Resolved' },
  REOPENED: { emoji: ':repeat:', label: 'Reopened' },
  FIXPACK_PREVIEWED: { emoji: ':wrench:', label: 'Fix previewed' },
  APPROVED: { emoji: ':ballot_box_with_check:', label: 'Fix approved' },
  REJECTED: { emoji: ':no_entry_sign:', label: 'Fix rejected' },
  APPLIED: { emoji: ':hammer_and_wrench:', label: 'Fix applied' },
  ROLLED_BACK: { emoji: ':rewind:', label: 'Fix rolled back' },
  VERIFIED: { emoji: ':white_check_mark:', label: 'Fix verified' },
  VERIFICATION_FAILED: { emoji: ':x:', label: 'Fix verification failed' },
};

// Entry data is JSON written by the use cases and read back from the database, so every field is checked
// here rather than trusted: a missing or odd field drops from the summary instead of breaking the render.
const sev = (v: unknown): string | null =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 5 ? `SEV-${v}` : null;
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);

/**
 * A short summary of an entry's data. Group ids of a page are shown as code, never as `<!subteam^…>`:
 * reading the timeline must not page anyone again.
 */
export function entrySummary(e: TimelineEntry): string {
  const d = e.data;
  switch (e.kind) {
    case 'NOTE': {
      const note = str(d['text']) ?? str(d['note']);
      return note === null ? '' : `“${safeText(note, NOTE_MAX)}”`;
    }
    case 'SEVERITY_CHANGED': {
      const from = sev(d['from']);
      const to = sev(d['to']);
      return to === null ? '' : from === null ? `now ${to}` : `${from} → ${to}`;
    }
    case 'PAGED': {
      const parts: string[] = [];
      const paging = str(d['paging']);
      if (paging === 'PAGE' || paging === 'WARN') parts.push(paging);
      const groups = Array.isArray(d['mentions']) ? d['mentions'].filter((g) => typeof g === 'string') : [];
      if (groups.length > 0)
        parts.push(
          groups
            .slice(0, 5)
            .map((g) => `\`${safeCode(g, 20)}\``)
            .join(', '),
        );
      const repeat = int(d['repeat']);
      if (repeat !== null && repeat > 0) parts.push(`repeat ${repeat}`);
      if (d['escalated'] === true) parts.push('escalated');
      return parts.join(' · ');
    }
    case 'RESOLVED': {
      const reason = str(d['reason']);
      return reason === null ? '' : safeText(reason, REASON_MAX);
    }
    case 'DETECTED':
    case 'REOPENED': {
      const parts = [sev(d['severity'])];
      const cents = int(d['at_risk_cents']);
      if (cents !== null) parts.push(`${formatUsd(cents)} at risk`);
      return parts.filter((p) => p !== null).join(' · ');
    }
    case 'ACKNOWLEDGED':
      return '';
    case 'FIXPACK_PREVIEWED':
    case 'APPROVED':
    case 'REJECTED':
    case 'APPLIED':
    case 'ROLLED_BACK':
    case 'VERIFIED':
    case 'VERIFICATION_FAILED': {
      const parts: string[] = [];
      const run = str(d['fix_run_id']);
      if (run !== null) parts.push(`fix #${safeCode(run, 20)}`);
      const title = str(d['title']);
      if (title !== null) parts.push(safeText(title, REASON_MAX));
      const cents = int(d['dollars_cents']) ?? int(d['cleared_cents']);
      if (cents !== null && cents > 0) parts.push(formatUsd(cents));
      const reason = str(d['reason']);
      if (reason !== null) parts.push(safeText(reason, REASON_MAX));
      return parts.join(' · ');
    }
  }
}

/**
 * Who an entry credits: its actor, except for a note copied from a message (a :stopwatch: reaction), whose
 * words are its author's: "<@author> (copied by <@reactor>)". The actor stays who copied it, as the audit
 * log records; an author that is not a Slack user id is left out rather than shown.
 */
function creditOf(e: TimelineEntry): string {
  const actor = formatActor(e.actor);
  const author = e.kind === 'NOTE' ? str(e.data['author']) : null;
  if (author === null) return actor;
  const mention = userMention(author);
  if (!mention.startsWith('<@')) return actor;
  return mention === actor ? actor : `${mention} (copied by ${actor})`;
}

/** "<!date^…> :eyes: *Acknowledged* · <@U456> · summary" (an unknown kind still renders, without emoji). */
export function timelineLine(e: TimelineEntry): string {
  const k = KIND[e.kind] ?? { emoji: ':grey_question:', label: safeText(String(e.kind), 30) };
  const summary = entrySummary(e);
  return `${slackDate(e.atMs)} ${k.emoji} *${k.label}* · ${creditOf(e)}${summary ? ` · ${summary}` : ''}`;
}

const chronological = (a: TimelineEntry, b: TimelineEntry): number =>
  a.atMs - b.atMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The newest entries that fit, shown oldest first. Lines are packed newest-first to find how many fit the
 * JSON budget, then re-packed in reading order (section breaks can fall differently, hence the re-check).
 */
function fitNewest(lines: readonly string[], budget: number): { blocks: KnownBlock[]; shown: number } {
  let k = packLines('', [...lines].reverse(), budget).shown;
  for (; k > 0; k--) {
    const packed = packLines('', lines.slice(lines.length - k), budget);
    if (packed.shown === k) return packed;
  }
  return { blocks: [], shown: 0 };
}

export function renderTimeline(
  incident: Incident,
  entries: readonly TimelineEntry[],
  opts: { max?: number } = {},
): Rendered {
  const head = `${incidentEmoji(incident)} Timeline · SEV-${incident.severity} · `;
  const header: KnownBlock = {
    type: 'header',
    text: {
      type: 'plain_text',
      emoji: true,
      text: `${head}${fitEscaped(incident.title, LIMITS.headerText - head.length)}`,
    },
  };
  const text = `Timeline of SEV-${incident.severity} · ${fitEscaped(incident.title, 150)}: ${plural(entries.length, 'entry', 'entries')}`;
  if (entries.length === 0) return { text, blocks: [header, section('No timeline entries yet.')] };

  const max = Math.max(1, opts.max ?? DEFAULT_TIMELINE_MAX);
  const sorted = [...entries].sort(chronological);
  const lines = sorted.slice(-max).map(timelineLine);
  const budget = LIMITS.blocksJsonBudget - jsonSize([header]) - MORE_RESERVE;
  const fitted = fitNewest(lines, budget);
  const left = sorted.length - fitted.shown;
  const blocks: KnownBlock[] = [header];
  if (left > 0) blocks.push(context(`${plural(left, 'earlier entry', 'earlier entries')} not shown`));
  blocks.push(...fitted.blocks);
  return { text, blocks };
}
