import type { RevopsView } from '../../../app/revops/view.ts';
import {
  channelTable,
  factLine,
  hasRevopsData,
  marketingFacts,
  paybackTable,
} from '../../../app/revops/view-tables.ts';
import { fitEscaped, type Rendered, section } from './kit.ts';
import {
  capAt,
  factsSection,
  NO_REVOPS_DATA,
  periodContext,
  tableOrNone,
  viewMessage,
} from './revops-kit.ts';

/**
 * `/revops marketing` (ephemeral) and an insight's "Show marketing": spend, leads, won, CAC and ROI with
 * their change; per channel the spend, the funnel (leads → MQL → SQL → opportunity → won), CAC and ROI,
 * and a total; per segment the CAC payback in months against its benchmark.
 */

export function renderRevopsMarketing(
  v: Pick<RevopsView, 'period' | 'report'>,
  chartNote?: string,
): Rendered {
  const r = v.report;
  const m = r.marketing;
  const facts = marketingFacts(r);
  const text = fitEscaped(`Marketing, ${v.period.label}: ${facts.map(factLine).join(', ')}`, 2_900);
  const body = (scale: number) => {
    if (!hasRevopsData(r)) return [section(NO_REVOPS_DATA)];
    return [
      factsSection(facts),
      tableOrNone(
        'Channels: spend, funnel (leads → MQL → SQL → opportunity → won), CAC, ROI',
        channelTable(m),
        'No marketing spend in this period.',
        capAt(2_800, scale),
      ),
      tableOrNone(
        'CAC payback by segment (CAC ÷ new MRR per customer) against the benchmark',
        paybackTable(m),
        'No segment had spend or new customers in this period.',
        capAt(1_200, scale),
      ),
    ];
  };
  return {
    text,
    blocks: viewMessage(':mega: Marketing', periodContext(v.period.label, r.filter), body, [chartNote]),
  };
}
