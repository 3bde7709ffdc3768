import type { TagCardinality } from '../../../app/telemetry/ports.ts';
import type { Incident } from '../../../domain/incidents/incident.ts';
import { incidentPagingShown } from '../../../domain/incidents/paging-shown.ts';
import { windowLabel } from '../../../domain/sla/calendar.ts';
import {
  goodShare,
  indicatorLabel,
  type SlaEvidence,
  type SlaFigures,
  type SlaRuleRate,
  type SlaTrend,
  type SlaTrendSide,
} from '../../../domain/sla/figures.ts';
import { formatShare, formatTarget } from '../../../shared/format.ts';
import {
  ackResolveActions,
  budgetGauge,
  context,
  count,
  fitEscaped,
  formatBurn,
  headerBlock,
  jsonSize,
  mrkdwn,
  percentLeft,
  type Rendered,
  section,
  slackDate,
  stateBlock,
  stateLabel,
} from './kit.ts';
import { LIMITS } from './limits.ts';
import { safeCode, safeText, truncate } from './mrkdwn.ts';
import { pagingBadge } from './paging-badge.ts';
import type { KnownBlock, SectionBlock } from './types.ts';

/**
 * An SLA incident in Slack: its War Room, the one-line summary pages and alerts carry, its topic, and the
 * ticket an SLA posts to the alerts channel. Service, metric and messages come from telemetry senders, so
 * every one of them is escaped like any other data.
 */

/** The rule behind the action, else the fastest. */
const shownRule = (f: SlaFigures): SlaRuleRate | undefined =>
  f.rates.find((r) => r.rule === f.rule) ?? f.rates[0];

/** "burn 36.0× (1h/5m) · 96.40% good in the last 1h (target 99.9%)". Escaped. */
export function slaSummary(f: SlaFigures): string {
  const r = shownRule(f);
  const rule = f.rule ? ` (${safeText(f.rule, 20)})` : '';
  const good = r
    ? ` · ${formatShare(goodShare(r.longTotal, r.longBad))} good in the last ${r.rule.split('/')[0]}`
    : '';
  return `burn ${formatBurn(f.burn)}${rule}${good} (target ${formatTarget(f.target)})`;
}

/** "checkout · checkout.request · availability". */
export const slaSeries = (f: SlaFigures): string =>
  `${safeText(f.service, 60)} · \`${safeCode(f.metric, 60)}\` · ${indicatorLabel(f.indicator)}`;

export const slaFacts = (i: Incident, f: SlaFigures): string =>
  `${pagingBadge(incidentPagingShown(i))} · ${slaSeries(f)} · detected ${slackDate(i.openedAtMs)}`;

/**
 * Topic parts (plain text): "SEV-2 · SLA burn 1h/5m · PAGE". Only what changes rarely: Slack posts a
 * notice in the channel at every topic change, and the burn moves every minute (the War Room shows it).
 * The rule is the one that paged, also once a slower ticket rule is all that still fires (and resolved).
 * Resolved, it names no paging (renderTopic says RESOLVED).
 */
export function slaTopicParts(i: Incident, f: SlaFigures): string[] {
  const shown = incidentPagingShown(i);
  const rule = f.lastPageRule ?? f.rule;
  return [
    `SEV-${i.severity}`,
    rule ? `SLA burn ${rule}` : 'SLA burn',
    ...(shown.kind === 'paging' ? [shown.paging] : []),
  ];
}

function statsBlock(i: Incident, f: SlaFigures): SectionBlock {
  const r = shownRule(f);
  const fields = [
    `*Severity*\nSEV-${i.severity}`,
    `*Paging*\n${pagingBadge(incidentPagingShown(i))}`,
    `*Burn*\n${formatBurn(f.burn)}${f.rule ? ` (${safeText(f.rule, 20)} ${f.action})` : ' (no rule firing)'}`,
    `*Budget left (${windowLabel(f)})*\n\`${budgetGauge(Math.max(0, f.budgetRemaining))}\` ${percentLeft(Math.max(0, f.budgetRemaining))}`,
    `*Good events*\n${r ? `${formatShare(goodShare(r.longTotal, r.longBad))} of ${count(r.longTotal)} in ${r.rule.split('/')[0]}` : '—'}`,
    `*Target*\n${formatTarget(f.target)} · ${safeText(f.name, 80)}`,
  ];
  return { type: 'section', fields: fields.map(mrkdwn) };
}

const ruleLine = (r: SlaRuleRate): string =>
  `${r.fired ? ':red_circle:' : ':white_circle:'} *${safeText(r.rule, 20)}* ${r.action} over ${formatBurn(r.factor)} · ` +
  `long ${formatBurn(r.longBurn)} (${count(r.longBad)} bad of ${count(r.longTotal)}) · short ${formatBurn(r.shortBurn)}` +
  `${r.fired ? ' · *fired*' : ''}`;

const sideText = (s: SlaTrendSide): string =>
  `${count(s.total)} events, ${s.total === 0 ? '—' : `${((100 * s.bad) / s.total).toFixed(2)}% bad`}, p99 ${s.p99Ms === null ? '—' : `${Math.round(s.p99Ms).toLocaleString('en-US')} ms`}`;

export function trendLines(t: SlaTrend): string[] {
  const arrow = (a: number | null, b: number | null) =>
    a === null || b === null ? '' : a > b ? ' :arrow_up_small:' : a < b ? ' :arrow_down_small:' : '';
  const rate = (s: SlaTrendSide) => (s.total === 0 ? null : s.bad / s.total);
  return [
    `*Trend* (last ${t.hours} complete hours vs the same hours a week earlier)`,
    `• Now: ${sideText(t.current)}${arrow(rate(t.current), rate(t.weekBefore))}`,
    `• Week before: ${sideText(t.weekBefore)}`,
  ];
}

export function evidenceLine(e: SlaEvidence): string {
  const time = new Date(e.timeMs).toISOString().slice(11, 19);
  const level = e.level ? ` ${safeText(e.level, 12)}` : '';
  const took = e.durationMs === null ? '' : ` · ${Math.round(e.durationMs).toLocaleString('en-US')} ms`;
  const trace = e.traceId ? ` · trace \`${safeCode(e.traceId, 40)}\`` : '';
  const msg = e.message ? ` ${safeText(e.message, 160)}` : '';
  return `• \`${time}Z\` *${safeText(e.name, 60)}*${level}${msg}${took}${trace}`;
}

/** Acknowledge while nobody has; Resolve until resolved (the next page reopens it within the window). */
const actionsBlock = (i: Incident, f: SlaFigures): KnownBlock | null =>
  ackResolveActions(
    i,
    f.action === 'page'
      ? {
          title: 'Resolve while it burns?',
          text: `The ${f.rule ?? ''} page rule is still firing. Resolve anyway? The next evaluation that pages opens the incident again.`,
        }
      : null,
  );

export function slaWarRoomText(i: Incident, f: SlaFigures): string {
  return `SEV-${i.severity} · ${fitEscaped(i.title, 150)} · ${stateLabel(i)}: ${slaSummary(f)}`;
}

/** The War Room of an SLA incident: the burn by rule, the trend, the evidence. */
export function renderSlaWarRoom(i: Incident, f: SlaFigures): Rendered {
  const blocks: KnownBlock[] = [headerBlock(i), statsBlock(i, f), stateBlock(i), { type: 'divider' }];
  blocks.push(section([`*Burn by rule* · ${slaSeries(f)}`, ...f.rates.map(ruleLine)].join('\n')));
  if (f.trend) blocks.push(section(trendLines(f.trend).join('\n')));
  const tail: KnownBlock[] = [
    context(
      `Evaluated ${slackDate(f.evaluatedAtMs)} · SLA \`${safeCode(f.slaId, 60)}\` v${f.slaVersion} · ${windowLabel(f, 'adjective')} window` +
        (f.lastPageAtMs === null
          ? ''
          : ` · last page rule${f.lastPageRule ? ` (${safeText(f.lastPageRule, 20)})` : ''} fired ${slackDate(f.lastPageAtMs)}`),
    ),
  ];
  const actions = actionsBlock(i, f);
  if (actions) tail.push(actions);
  if (f.evidence.length > 0) {
    const lines = ['*Latest errors* (Bronze, kept as evidence)', ...f.evidence.slice(0, 5).map(evidenceLine)];
    const text = truncate(lines.join('\n'), LIMITS.sectionText);
    if (jsonSize([...blocks, section(text), ...tail]) <= LIMITS.blocksJsonBudget) blocks.push(section(text));
  }
  return { text: slaWarRoomText(i, f), blocks: [...blocks, ...tail] };
}

/** A ticket in the alerts channel: an SLA burning slowly, no incident, nobody mentioned. */
export function renderSlaTicket(f: SlaFigures): Rendered {
  const text =
    `:ticket: *Ticket* · SLA *${safeText(f.name, 100)}* is burning its error budget: ${slaSummary(f)}. ` +
    `${percentLeft(Math.max(0, f.budgetRemaining))} of the ${windowLabel(f, 'adjective')} budget left.`;
  const blocks: KnownBlock[] = [
    section(text),
    section(['*Burn by rule*', ...f.rates.map(ruleLine)].join('\n')),
  ];
  if (f.trend) blocks.push(section(trendLines(f.trend).join('\n')));
  blocks.push(
    context(
      `${slaSeries(f)} · evaluated ${slackDate(f.evaluatedAtMs)} · no page: nobody is woken for a slow burn`,
    ),
  );
  return { text: truncate(text, LIMITS.sectionText), blocks };
}

/**
 * The janitor's notice to the admins: metrics whose distinct tag sets exceed the limit (a tag carrying a
 * user id or a URL, usually), which makes Silver grow without bound. Service and metric names are data.
 */
export function renderCardinalityAlert(over: readonly TagCardinality[], tagLimit: number): Rendered {
  const head =
    `:warning: *Tag cardinality* · ${over.length === 1 ? '1 metric exceeds' : `${count(over.length)} metrics exceed`} ` +
    `${count(tagLimit)} distinct tag combinations in the Silver minutes. Drop or bucket the high-cardinality ` +
    'attributes (user ids, URLs, request ids) at the sender.';
  const lines = over
    .slice(0, 20)
    .map(
      (m) =>
        `• ${safeText(m.service, 60)} · \`${safeCode(m.metric, 80)}\`: *${count(m.combinations)}* combinations`,
    );
  const more = over.length > 20 ? [context(`…and ${count(over.length - 20)} more`)] : [];
  return {
    text: truncate(head, LIMITS.sectionText),
    blocks: [section(head), section(truncate(lines.join('\n'), LIMITS.sectionText)), ...more],
  };
}
