import type { RevopsView } from '../../../app/revops/view.ts';
import { type Fact, pipelineFacts, revenueFacts } from '../../../app/revops/view-tables.ts';
import { formatUsd } from '../../../shared/money.ts';
import { context, jsonSize, plural, section } from './kit.ts';
import { safeText } from './mrkdwn.ts';
import { confidenceText, factChange, rankInsights } from './revops-kit.ts';
import type { KnownBlock } from './types.ts';

/**
 * The App Home tab's "This week" section (issue 14): this ISO week so far in the RevOps zone, open
 * pipeline, won this week, MRR and the top three insights, compact, within the JSON budget home.ts leaves
 * it. Only when RevOps data exists (the caller passes null otherwise). No buttons: a click on the Home tab
 * has no response_url to answer on; `/revops` has the views.
 */

const TOP_INSIGHTS = 3;
const SEVERITY = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' };

const figure = (f: Fact | undefined): string => (f ? `*${f.label}* ${f.value} (${factChange(f)})` : '');

function homeLines(v: RevopsView): string[] {
  const r = v.report;
  const [open] = pipelineFacts(r);
  const [mrr] = revenueFacts(r);
  const p = r.pipeline;
  const lines = [
    `*:calendar: This week* · ${safeText(v.period.label, 90)}`,
    `• ${figure(open)}`,
    `• *Won this week* ${formatUsd(p.wonCents)} (${plural(p.won, 'deal')})`,
    `• ${figure(mrr)}`,
  ];
  const ranked = rankInsights(r.insights);
  for (const i of ranked.slice(0, TOP_INSIGHTS))
    lines.push(`• ${SEVERITY[i.severity]} ${safeText(i.title, 150)} · _${confidenceText(i.confidence)}_`);
  if (ranked.length === 0) lines.push('• :white_check_mark: No insight stands out so far this week.');
  if (ranked.length > TOP_INSIGHTS)
    lines.push(`_…and ${plural(ranked.length - TOP_INSIGHTS, 'more insight')}_`);
  return lines;
}

/**
 * The section within `budget` characters of block JSON: its lines dropped from the end while it does not
 * fit, and a pointer to `/revops`; nothing when not even the title fits.
 */
export function revopsHomeBlocks(v: RevopsView, budget: number): KnownBlock[] {
  const lines = homeLines(v);
  const tail = context('`/revops pipeline week`, `/revops insights week` and `/revops help` for the rest');
  for (let n = lines.length; n > 0; n--) {
    const blocks = [section(lines.slice(0, n).join('\n')), tail];
    if (jsonSize(blocks) <= budget) return blocks;
  }
  return [];
}
