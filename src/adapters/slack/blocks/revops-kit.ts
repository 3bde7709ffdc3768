import type { RevopsChartOutcome } from '../../../app/revops/view.ts';
import { type Fact, type Table, tableLines } from '../../../app/revops/view-tables.ts';
import type { Insight, InsightLeak } from '../../../domain/revops/figures.ts';
import type { RevopsFilter } from '../../../domain/revops/types.ts';
import { formatUsd } from '../../../shared/money.ts';
import { indexedActionId, REVOPS_ACTIONS, revopsShowValue } from './ids.ts';
import { type Button, channelLink, context, jsonSize, mrkdwn, plain, section } from './kit.ts';
import { LIMITS } from './limits.ts';
import { escapeMrkdwn, safeCode, safeText } from './mrkdwn.ts';
import type { KnownBlock, SectionBlock } from './types.ts';

/**
 * What the RevOps messages share (`/revops` views, insights, the weekly digest, the App Home section):
 * headline figures as section fields with their change, tables as preformatted text within one section's
 * 3,000 characters, the period and slices line, insight sections with their "Show …" button, and the
 * chart note. Tables and names are data: escaped, backticks replaced (they would close the code block).
 */

const DAY_MS = 86_400_000;

/** Data inside a code block: `&`, `<`, `>` escaped and backticks made look-alikes. */
const codeText = (s: string): string => escapeMrkdwn(s).replace(/`/g, 'ˋ');

/**
 * `*title*` over the table in a code block, within `maxChars` (at most a section's 3,000): rows are dropped
 * from the end, with "…and N more" saying how many, until it fits. `note` (already-safe mrkdwn) follows.
 */
export function tableSection(title: string, t: Table, maxChars = 2_900, note?: string): SectionBlock {
  const cap = Math.min(maxChars, LIMITS.sectionText);
  const tail = note ? `\n${note}` : '';
  for (let rows = t.rows.length; rows >= 0; rows--) {
    const text = `*${title}*\n\`\`\`\n${codeText(tableLines(t, rows).join('\n'))}\n\`\`\`${tail}`;
    if (text.length <= cap) return section(text);
  }
  return section(`*${title}*\n_${t.rows.length} rows: too wide to show here._`);
}

/** A table, or a line saying it is empty. */
export const tableOrNone = (title: string, t: Table, none: string, maxChars?: number): SectionBlock =>
  t.rows.length === 0 ? section(`*${title}*\n${none}`) : tableSection(title, t, maxChars);

/** "▲ +$12,000 (+8.5%)", "▼ −2.1 pp", "0" as is, "no previous figure", or "not compared". */
export const factChange = (f: Fact): string => {
  if (!f.compared) return '_not compared_';
  if (f.change === null) return '_no previous figure_';
  if (f.good === null) return f.change;
  return `${f.change.startsWith('−') ? '▼' : '▲'} ${f.change}`;
};

/** Headline figures as fields (two columns), each with its change against the previous period. */
export function factsSection(facts: readonly Fact[]): SectionBlock {
  return {
    type: 'section',
    fields: facts
      .slice(0, LIMITS.fieldsPerSection)
      .map((f) => mrkdwn(`*${f.label}*\n*${f.value}*  ${factChange(f)}`)),
  };
}

/** "segment ENT · owner Dana · channel Paid Search", escaped; empty when the filter has no slice. */
export function slicesText(f: RevopsFilter): string {
  const parts = [
    f.segment ? `segment ${f.segment}` : null,
    f.owner ? `owner ${safeText(f.owner, 60)}` : null,
    f.channel ? `channel ${safeText(f.channel, 60)}` : null,
  ].filter((p): p is string => p !== null);
  return parts.join(' · ');
}

/** "the 30 days before" / "the 7 days before": what the changes compare with. */
export function previousText(f: RevopsFilter): string {
  const days = Math.max(1, Math.round((f.toMs - f.fromMs) / DAY_MS));
  return days === 1 ? 'the day before' : `the ${days} days before`;
}

/** The period, the slices, what the changes compare with, and a hint. */
export function periodContext(label: string, f: RevopsFilter, hint?: string): KnownBlock {
  const slices = slicesText(f);
  return context(
    `${safeText(label, 120)}${slices ? ` · ${slices}` : ''} · changes vs ${previousText(f)}${hint ? ` · ${hint}` : ''}`,
  );
}

const SEVERITY: Record<Insight['severity'], string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
};
const VIEW_WORD = {
  pipeline: 'Show pipeline',
  revenue: 'Show revenue',
  marketing: 'Show marketing',
} as const;

/** "confidence 80%": rounded to a whole percent, as the insight's score is a model's, not a count. */
export const confidenceText = (c: number): string => `confidence ${Math.round(c * 100)}%`;

/** The insight's button: opens its view over the report's own filter (ids.ts carries it in the value). */
export function insightButton(i: Insight, f: RevopsFilter, n: number): Button | null {
  const value = revopsShowValue(i.view, f);
  if (value === null) return null;
  return {
    type: 'button',
    text: plain(VIEW_WORD[i.view]),
    // Slack wants action ids unique within a message's block; the n-th button carries its index.
    action_id: indexedActionId(REVOPS_ACTIONS.show, n),
    value,
  };
}

/**
 * What an insight that crossed into a leak says of it: the pipeline incident it feeds, with its channel,
 * or that none is open now (leak-link.ts looked; absent when nobody did: the leak alone).
 */
export function leakText(leak: InsightLeak): string {
  const risk = `${formatUsd(leak.atRiskCents)} at risk`;
  const ref = leak.incident;
  if (ref === undefined) return `:rotating_light: Leak: ${safeText(leak.reason, 120)} · ${risk}`;
  if (ref === null)
    return (
      `:rotating_light: Crosses the leak budget (${risk}) · no pipeline incident is open now: ` +
      'the daily pipeline watch judges the deals stuck today'
    );
  const where = channelLink(ref.channelId);
  return (
    `:rotating_light: Crosses the leak budget (${risk}) → feeds open incident #${safeCode(ref.id, 20)} ` +
    `(SEV-${ref.severity}, ${ref.state.toUpperCase()})${where ? ` in ${where}` : ''}`
  );
}

/** One insight: severity, title, confidence, the numbers and the period, a leak when it is one, a button. */
export function insightSection(i: Insight, f: RevopsFilter, n: number, detailMax = 600): SectionBlock {
  const leak = i.leak ? `\n${leakText(i.leak)}` : '';
  const text =
    `${SEVERITY[i.severity]} *${safeText(i.title, 200)}* · _${confidenceText(i.confidence)}_\n` +
    `${safeText(i.detail, detailMax)}${leak}`;
  const button = insightButton(i, f, n);
  return { ...section(text), ...(button ? { accessory: button } : {}) };
}

/** Insights most severe first, then most confident (the report's order within equals). */
export function rankInsights(insights: readonly Insight[]): Insight[] {
  const rank = { critical: 0, warning: 1, info: 2 } as const;
  return insights
    .map((i, n) => ({ i, n }))
    .sort((a, b) => rank[a.i.severity] - rank[b.i.severity] || b.i.confidence - a.i.confidence || a.n - b.n)
    .map(({ i }) => i);
}

/**
 * Insight sections in rank order while they fit `budget` characters of block JSON and `maxBlocks`
 * blocks, then "…and N more" (one block kept for it).
 */
export function insightBlocks(
  insights: readonly Insight[],
  f: RevopsFilter,
  budget: number,
  maxBlocks: number,
  moreHint: string,
): KnownBlock[] {
  const ranked = rankInsights(insights);
  const out: KnownBlock[] = [];
  for (const [n, i] of ranked.entries()) {
    const next = [...out, insightSection(i, f, n)];
    if (next.length > maxBlocks - 1 || jsonSize(next) > budget - 200) break;
    out.push(next.at(-1)!);
  }
  const rest = ranked.length - out.length;
  if (rest > 0) out.push(context(`…and ${rest} more ${rest === 1 ? 'insight' : 'insights'}: ${moreHint}`));
  return out;
}

/** What the answer says about its chart(s), or nothing when there was no chart to share. */
export function revopsChartNote(chart: RevopsChartOutcome): string | undefined {
  switch (chart.kind) {
    case 'uploaded':
      return chart.count === 1
        ? ':frame_with_picture: The chart is shared in this channel.'
        : `:frame_with_picture: ${chart.count} charts are shared in this channel.`;
    case 'failed':
      return chart.code === 'not_in_channel' || chart.code === 'channel_not_found'
        ? ':warning: The chart could not be shared here: invite the bot to this channel (or run `leak revops … --chart <dir>`).'
        : `:warning: The chart could not be shared (\`${safeCode(chart.code, 60)}\`); the figures above are complete.`;
    case 'skipped':
      return chart.reason === 'no_channel' ? 'The chart can only be shared in a channel.' : undefined;
  }
}

/** What a view says when nothing was imported yet. */
export const NO_REVOPS_DATA =
  ':information_source: *No RevOps data for this period.* Import deals, customers, their MRR history and ' +
  'marketing spend with `leak import <file.csv>` (README "RevOps analytics"); the figures appear here as ' +
  'soon as they land.';

/**
 * A RevOps view message: the header, the period line, the body built at a table scale, the notes last.
 * The body is rebuilt with its tables shrunk until the message fits the block JSON budget (SLACK.md:
 * ~13,000 characters of blocks have failed below every documented limit) and the block count.
 */
export function viewMessage(
  header: string,
  periodLine: KnownBlock,
  body: (scale: number) => KnownBlock[],
  notes: readonly (string | undefined)[],
): KnownBlock[] {
  const head: KnownBlock[] = [
    { type: 'header', text: plain(header.slice(0, LIMITS.headerText)) },
    periodLine,
  ];
  const given = notes.filter((n): n is string => n !== undefined && n !== '');
  const foot: KnownBlock[] = given.length > 0 ? [context(...given)] : [];
  let blocks: KnownBlock[] = [];
  for (let scale = 1; scale > 0.05; scale *= 0.8) {
    blocks = [...head, ...body(scale), ...foot].slice(0, LIMITS.blocksPerMessage);
    if (jsonSize(blocks) <= LIMITS.blocksJsonBudget) return blocks;
  }
  return [...head, section('_Too much to show here: run the same view with `leak revops`._'), ...foot];
}

/** A table's character cap at a scale (at least enough for a title and a few rows). */
export const capAt = (chars: number, scale: number): number => Math.max(300, Math.floor(chars * scale));
