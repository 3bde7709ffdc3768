import type { OutboundMessage } from '../../../app/outbox/ports.ts';
import type { Incident } from '../../../domain/incidents/incident.ts';
import { incidentPagingShown } from '../../../domain/incidents/paging-shown.ts';
import { formatUsd } from '../../../shared/money.ts';
import {
  commerceFacts,
  commerceSummary,
  commerceTopicParts,
  renderCommerceWarRoom,
} from './commerce-incident.ts';
import { renderCrmAlert } from './crm-sync.ts';
import { renderFixRollbackNotice } from './fix-notices.ts';
import { renderFixPreview } from './fix-preview.ts';
import {
  ackButton,
  channelLink,
  context,
  count,
  fitEscaped,
  formatActor,
  formatBurn,
  incidentEmoji,
  plural,
  type Rendered,
  section,
  slackDate,
} from './kit.ts';
import { LIMITS } from './limits.ts';
import { oneLine, safeCode, safeText, truncate } from './mrkdwn.ts';
import { pagingBadge } from './paging-badge.ts';
import { renderRevopsDigest } from './revops-digest.ts';
import { renderRevopsWarRoom, revopsFacts, revopsSummary, revopsTopicParts } from './revops-incident.ts';
import {
  renderCardinalityAlert,
  renderSlaTicket,
  renderSlaWarRoom,
  slaFacts,
  slaSummary,
  slaTopicParts,
} from './sla-incident.ts';
import { renderSlaReport } from './sla-report.ts';
import type { KnownBlock } from './types.ts';
import { renderWarRoom } from './war-room.ts';

/** Slack caps a channel topic at 250 characters. */
export const TOPIC_MAX = 250;
/** User group ids come from our config, but a typo there must not become a forged control sequence. */
const GROUP_ID = /^S[A-Z0-9]+$/;
/** A permalink goes inside `<url|label>`: `|`, `>` or whitespace in it would break out of the link. */
const SAFE_URL = /^https:\/\/[^\s<>|]+$/;
const TITLE_MAX = 150;

export interface IncidentLinks {
  /** Permalink to the War Room message; used where the incident has no channel to link. */
  warRoomUrl?: string | null;
}
export interface OutboundOptions {
  links?: IncidentLinks;
}

/**
 * "SEV-1 · $746,089 at risk · burn 14.9× · PAGE". Plain text: topics do not render mrkdwn, and it carries no
 * data-derived string (the title is in the channel name and the War Room), so nothing can be injected; a
 * commerce incident's source and currency are stripped of `<` and `>` (commerce-incident.ts).
 * Resolved, it starts with RESOLVED and names no paging (paging-shown.ts), even resolved by hand mid-burn.
 */
export function renderTopic(incident: Incident): string {
  const f = incident.figures;
  const shown = incidentPagingShown(incident);
  const parts =
    f.kind === 'sla'
      ? slaTopicParts(incident, f)
      : f.kind === 'commerce'
        ? commerceTopicParts(incident, f)
        : f.kind === 'revops'
          ? revopsTopicParts(incident, f)
          : [
              `SEV-${incident.severity}`,
              `${formatUsd(f.atRiskCents)} at risk`,
              `burn ${formatBurn(f.burn)}`,
              ...(shown.kind === 'paging' ? [shown.paging] : []),
            ];
  if (incident.state === 'resolved') parts.unshift('RESOLVED');
  return truncate(oneLine(parts.join(' · ')), TOPIC_MAX);
}

/** "<#C123>", else a link to the War Room message, else null. */
function warRoomRef(i: Incident, links: IncidentLinks | undefined): string | null {
  const channel = channelLink(i.channelId);
  if (channel !== null) return channel;
  const url = links?.warRoomUrl;
  return url && url.length <= 3000 && SAFE_URL.test(url) ? `<${url}|War room>` : null;
}

const withRef = (text: string, ref: string | null): string =>
  ref === null ? text : `${text} War room: ${ref}`;

const title = (i: Incident): string => fitEscaped(i.title, TITLE_MAX);

/**
 * "$746,089 at risk, burn 14.9×", an SLA's "burn 36.0× (1h/5m) · 96.40% good in the last 1h (target 99.9%)",
 * a commerce signal's comparison with both numbers ("today so far $120.00 vs $900.00, …"), or the stuck
 * pipeline's "7 deals worth $1,200,000 stuck over 45 days (budget $500,000), 2.4× the budget".
 */
const summary = (i: Incident): string => {
  const f = i.figures;
  if (f.kind === 'sla') return slaSummary(f);
  if (f.kind === 'commerce') return commerceSummary(f);
  if (f.kind === 'revops') return revopsSummary(f);
  return `${formatUsd(f.atRiskCents)} at risk, burn ${formatBurn(f.burn)}`;
};

/** "SEV-1 · Revenue leak: Stale opp — $746,089 at risk, burn 14.9×." */
const headline = (i: Incident): string => `SEV-${i.severity} · *${title(i)}* — ${summary(i)}.`;

const factsContext = (i: Incident) => {
  const f = i.figures;
  if (f.kind === 'sla') return context(slaFacts(i, f));
  if (f.kind === 'commerce') return context(commerceFacts(i, f));
  if (f.kind === 'revops') return context(revopsFacts(i, f));
  return context(
    `${pagingBadge(incidentPagingShown(i))} · ${plural(f.openIssues, 'open issue')} (${count(f.highIssues)} high) · detected ${slackDate(i.openedAtMs)}`,
  );
};

const oneSection = (text: string, ...more: KnownBlock[]): Rendered => ({
  text: truncate(text, LIMITS.sectionText),
  blocks: [section(text), ...more],
});

/** Posted in the alerts channel when an incident gets its own channel. */
function renderAnnounce(i: Incident, links?: IncidentLinks): Rendered {
  const text = withRef(
    `:rotating_light: SEV-${i.severity} incident declared: ${title(i)} — ${summary(i)}.`,
    warRoomRef(i, links),
  );
  return oneSection(text, factsContext(i));
}

export const validGroupIds = (ids: readonly string[]): string[] => [
  ...new Set(ids.filter((g) => GROUP_ID.test(g))),
];

/**
 * Who settled an incident and when, once it is no longer waiting for someone: the line an earlier page or
 * DM gains when it is edited (the edit notifies nobody), in place of its Acknowledge button.
 */
function settledContext(now: Incident): KnownBlock[] {
  if (now.state === 'resolved' && now.resolvedAtMs !== null)
    return [
      context(`:white_check_mark: Resolved by ${formatActor(now.resolvedBy)} ${slackDate(now.resolvedAtMs)}`),
    ];
  if (now.state === 'acknowledged' && now.acknowledgedAtMs !== null)
    return [
      context(`:eyes: Acknowledged by ${formatActor(now.acknowledgedBy)} ${slackDate(now.acknowledgedAtMs)}`),
    ];
  return [];
}

/**
 * A PAGE mentions the on-call groups (the one message that is meant to wake people); a WARN mentions
 * nobody, whatever it was handed. Repeat 0 is the first page; later ones say how many went unanswered.
 * `m.incident` is the incident as paged; an edit of an earlier page passes the incident as it is now in
 * `m.current`, which decides the button and the settled line, while the text stays what was paged.
 */
function renderPage(m: Extract<OutboundMessage, { kind: 'page' }>, links?: IncidentLinks): Rendered {
  const i = m.incident;
  const now = m.current ?? i;
  const isPage = i.paging === 'PAGE';
  const mentions = isPage ? validGroupIds(m.mentions).map((g) => `<!subteam^${g}>`) : [];
  const badge = isPage ? ':rotating_light: *PAGE*' : ':warning: *WARN*';
  const lines = [[...mentions, badge, headline(i)].join(' ')];
  // Once settled, "not acknowledged yet" is no longer true; the repeat number still is.
  if (m.repeat > 0)
    lines.push(`Repeat ${m.repeat}${now.state === 'detected' ? ': not acknowledged yet' : ''}.`);
  if (m.escalated && isPage) lines.push(':arrow_double_up: Escalated to the secondary on-call.');
  const ref = warRoomRef(i, links);
  if (ref !== null) lines.push(`War room: ${ref}`);
  const text = lines.join('\n');
  const blocks: KnownBlock[] = [section(text), factsContext(i), ...settledContext(now)];
  if (isPage && now.state === 'detected') blocks.push({ type: 'actions', elements: [ackButton(now)] });
  return { text: truncate(text, LIMITS.sectionText), blocks };
}

/** A direct message to the commander: no group mentions, just what it is, where, and the button. */
function renderPageDm(m: Extract<OutboundMessage, { kind: 'page_dm' }>, links?: IncidentLinks): Rendered {
  const i = m.incident;
  const now = m.current ?? i;
  const lines = [`:bust_in_silhouette: You are incident commander for ${headline(i)}`];
  if (m.repeat > 0)
    lines.push(`Reminder ${m.repeat}${now.state === 'detected' ? ': still not acknowledged' : ''}.`);
  const ref = warRoomRef(i, links);
  if (ref !== null) lines.push(`War room: ${ref}`);
  const text = lines.join('\n');
  const blocks: KnownBlock[] = [section(text), factsContext(i), ...settledContext(now)];
  if (now.state === 'detected') blocks.push({ type: 'actions', elements: [ackButton(now)] });
  return { text: truncate(text, LIMITS.sectionText), blocks };
}

/**
 * A compact notice in the alerts channel: for incidents below the channel threshold and for resolves.
 * It mentions nobody: who resolved is in the War Room; a system resolve just says it was automatic.
 */
function renderAlert(m: Extract<OutboundMessage, { kind: 'alert' }>, links?: IncidentLinks): Rendered {
  const i = m.incident;
  const ref = warRoomRef(i, links);
  switch (m.event) {
    case 'declared':
      return oneSection(withRef(`${incidentEmoji(i)} Incident declared: ${headline(i)}`, ref));
    case 'severity_changed':
      return oneSection(withRef(`${incidentEmoji(i)} Severity changed: ${headline(i)}`, ref));
    case 'reopened':
      return oneSection(withRef(`:repeat: Incident reopened: ${headline(i)}`, ref));
    case 'resolved': {
      const auto = i.resolvedBy?.startsWith('system:') ? ' automatically' : '';
      return oneSection(
        withRef(`:white_check_mark: Resolved${auto}: SEV-${i.severity} · *${title(i)}*.`, ref),
      );
    }
  }
}

export function renderOutbound(m: OutboundMessage, opts: OutboundOptions = {}): Rendered {
  switch (m.kind) {
    case 'war_room': {
      const f = m.incident.figures;
      if (f.kind === 'sla') return renderSlaWarRoom(m.incident, f);
      if (f.kind === 'commerce') return renderCommerceWarRoom(m.incident, f);
      if (f.kind === 'revops') return renderRevopsWarRoom(m.incident, f);
      return renderWarRoom(m.incident);
    }
    case 'sla_ticket':
      return renderSlaTicket(m.figures);
    case 'cardinality_alert':
      return renderCardinalityAlert(m.over, m.tagLimit);
    case 'crm_alert':
      return renderCrmAlert(m.alert);
    case 'announce':
      return renderAnnounce(m.incident, opts.links);
    case 'page':
      return renderPage(m, opts.links);
    case 'page_dm':
      return renderPageDm(m, opts.links);
    case 'alert':
      return renderAlert(m, opts.links);
    case 'fix_preview':
      return renderFixPreview(m.run);
    case 'fix_notify': {
      // The text comes from a fix pack with record data filled in: data, so escaped like any other.
      const text = `:wrench: ${safeText(m.text, 1_000)} (record \`${safeCode(m.recordId, 60)}\`)`;
      return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
    }
    case 'fix_rollback_notice':
      return renderFixRollbackNotice(m);
    case 'sla_report':
      return renderSlaReport(m.report);
    case 'revops_digest':
      return renderRevopsDigest(m);
  }
}
