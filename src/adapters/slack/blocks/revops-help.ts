import type { Rendered } from './kit.ts';
import type { KnownBlock } from './types.ts';

/** Usage of `/revops`, answered for `help`, empty text and mistakes (with the problem first). */
const LINES = [
  '`/revops pipeline [period] [filters]` — open and weighted pipeline, win rate, average deal and velocity with their change; stages, top owners, stuck deals; the pipeline chart is shared in the channel.',
  '`/revops revenue [period] [filters]` — MRR, ARR, churn, NRR; the MRR movement per month and cohort retention; the MRR waterfall chart.',
  '`/revops marketing [period] [filters]` — spend and the funnel per channel (leads → MQL → SQL → opportunity → won), CAC, ROI, payback per segment; the spend vs won revenue chart.',
  '`/revops insights [period] [filters]` — what stands out, with its confidence and numbers, and a button to the view behind it.',
  '`/revops digest [2026-W48 | 2026-11-23]` — the weekly digest (default: the week just ended) with its charts.',
  '*Period*: `last 7d`, `last 30d` (default), `last 90d`, `week`, `month`, `quarter` (so far), `last week`, `last month`, `last quarter`, or `2026-11-01..2026-11-30`.',
  '*Filters*: `segment SMB|MM|ENT`, `owner <name>`, `channel <name>` (quote a name holding a keyword: `channel "Last Click"`).',
  'Example: `/revops pipeline last 90d segment ENT owner Dana Whitfield`',
];

export const REVOPS_USAGE = LINES.join(' ');

export function renderRevopsUsage(problem?: string): Rendered {
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*RevOps analytics*\n${LINES.map((l) => `• ${l}`).join('\n')}` },
    },
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: 'Answers are shown only to you; charts are shared in the channel.' },
      ],
    },
  ];
  if (problem) blocks.unshift({ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${problem}` } });
  return { text: problem ? `${problem} ${REVOPS_USAGE}` : REVOPS_USAGE, blocks };
}
