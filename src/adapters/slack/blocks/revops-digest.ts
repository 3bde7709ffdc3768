import {
  type Fact,
  factLine,
  marketingFacts,
  pipelineFacts,
  revenueFacts,
} from '../../../app/revops/view-tables.ts';
import type { RevopsReport } from '../../../domain/revops/figures.ts';
import { formatUsd } from '../../../shared/money.ts';
import { context, fitEscaped, jsonSize, mrkdwn, plain, type Rendered, section } from './kit.ts';
import { LIMITS } from './limits.ts';
import { safeText } from './mrkdwn.ts';
import { factChange, insightBlocks, slicesText } from './revops-kit.ts';
import type { KnownBlock, SectionBlock } from './types.ts';

/**
 * The weekly RevOps digest, posted on Monday to DIGEST_CHANNEL (and shown by `/revops digest`): the week's
 * pipeline, revenue and marketing headline figures with their change against the week before, the stuck
 * deals, and the top insights with a button each that opens the view behind it. Its charts follow as
 * files. Within the Block Kit limits by construction: the insights take what the figures leave.
 */

export interface DigestContent {
  week: string;
  span: string;
  timezone: string;
  report: RevopsReport;
}

const TOP_INSIGHTS = 5;

function figures(title: string, facts: readonly Fact[]): SectionBlock {
  return {
    type: 'section',
    text: mrkdwn(`*${title}*`),
    fields: facts
      .slice(0, LIMITS.fieldsPerSection)
      .map((f) => mrkdwn(`*${f.label}* ${f.value}\n${factChange(f)}`)),
  };
}

function stuckLine(r: RevopsReport): SectionBlock {
  const p = r.pipeline;
  if (p.stuckTotal.deals === 0) return section(':white_check_mark: *No stuck deals* this week.');
  const longest = [...p.stuck].sort((a, b) => b.daysInStage - a.daysInStage)[0];
  const which = longest
    ? ` Longest: \`${safeText(longest.dealId, 40).replace(/`/g, 'ˋ')}\` ${safeText(longest.account, 60)} (${safeText(longest.owner || 'no owner', 40)}), ${longest.daysInStage} days in ${safeText(longest.stage, 30)}.`
    : '';
  return section(
    `:hourglass: *${p.stuckTotal.deals} stuck ${p.stuckTotal.deals === 1 ? 'deal' : 'deals'}* worth *${formatUsd(p.stuckTotal.amountCents)}*.${which}`,
  );
}

export function renderRevopsDigest(d: DigestContent, note?: string): Rendered {
  const r = d.report;
  const pipeline = pipelineFacts(r);
  const revenue = revenueFacts(r);
  const slices = slicesText(r.filter);
  const head: KnownBlock[] = [
    {
      type: 'header',
      text: plain(`:calendar: RevOps weekly digest · ${d.week}`.slice(0, LIMITS.headerText)),
    },
    context(
      `${safeText(d.span, 60)} (${safeText(d.timezone, 40)})${slices ? ` · ${slices}` : ''} · changes vs the week before`,
    ),
    figures('Pipeline', pipeline),
    figures('Revenue', revenue),
    figures('Marketing', marketingFacts(r)),
    stuckLine(r),
    { type: 'divider' },
  ];
  const foot: KnownBlock[] = [
    context(
      '`/revops pipeline last week` (or `revenue`, `marketing`) for the detail',
      ...(note ? [note] : []),
    ),
  ];
  const room = LIMITS.blocksJsonBudget - jsonSize([...head, ...foot]) - 300;
  const insights =
    r.insights.length === 0
      ? [section(':white_check_mark: *Insights*: nothing stands out this week.')]
      : [
          section(`*Top insights* (${r.insights.length})`),
          ...insightBlocks(
            r.insights,
            r.filter,
            room,
            Math.min(TOP_INSIGHTS + 1, LIMITS.blocksPerMessage - head.length - foot.length - 1),
            '`/revops insights last week` lists them all',
          ),
        ];
  const text = fitEscaped(
    `RevOps weekly digest ${d.week} (${d.span}): ${factLine(pipeline[0]!)}, ${factLine(revenue[0]!)}, ` +
      `${r.insights.length} ${r.insights.length === 1 ? 'insight' : 'insights'}`,
    2_900,
  );
  return { text, blocks: [...head, ...insights, ...foot] };
}
