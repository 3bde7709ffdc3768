import type { RevopsView } from '../../../app/revops/view.ts';
import {
  factLine,
  hasRevopsData,
  ownerTable,
  pipelineFacts,
  stageTable,
  stuckTable,
} from '../../../app/revops/view-tables.ts';
import { formatUsd } from '../../../shared/money.ts';
import type { Rendered } from './kit.ts';
import { fitEscaped, section } from './kit.ts';
import {
  capAt,
  factsSection,
  NO_REVOPS_DATA,
  periodContext,
  tableOrNone,
  tableSection,
  viewMessage,
} from './revops-kit.ts';

/**
 * `/revops pipeline` (ephemeral) and an insight's "Show pipeline": open and weighted pipeline, win rate,
 * average deal and velocity with their change; the stages (deals, amount, weighted, average days in
 * stage, conversion to the next stage), the owners with the most open pipeline, and the stuck deals
 * longest in stage first.
 */

const TOP_OWNERS = 10;

export function renderRevopsPipeline(v: Pick<RevopsView, 'period' | 'report'>, chartNote?: string): Rendered {
  const r = v.report;
  const p = r.pipeline;
  const facts = pipelineFacts(r);
  const text = fitEscaped(
    `Pipeline, ${v.period.label}: ${facts.slice(0, 3).map(factLine).join(', ')}` +
      (p.stuckTotal.deals > 0
        ? `; ${p.stuckTotal.deals} stuck deals worth ${formatUsd(p.stuckTotal.amountCents)}`
        : ''),
    2_900,
  );
  const source =
    p.source === 'funnel'
      ? '_No deals imported: these figures come from the funnel’s opportunities._'
      : undefined;
  const notCompared =
    'Weighted pipeline and velocity are not compared: the stage a deal was in at the previous period’s end is not known.';
  const body = (scale: number) => {
    if (!hasRevopsData(r)) return [section(NO_REVOPS_DATA)];
    const owners = ownerTable(p);
    const shownOwners = { ...owners, rows: owners.rows.slice(0, TOP_OWNERS) };
    const more = owners.rows.length - shownOwners.rows.length;
    const stuckTitle =
      p.stuckTotal.deals === 0
        ? 'Stuck deals'
        : `Stuck deals: ${p.stuckTotal.deals} worth ${formatUsd(p.stuckTotal.amountCents)}, longest in stage first`;
    return [
      factsSection(facts),
      tableOrNone('Stages', stageTable(p), 'No open deals.', capAt(1_400, scale)),
      owners.rows.length === 0
        ? section('*Owners*\nNo owner has open or closed deals in this period.')
        : tableSection(
            `Top ${shownOwners.rows.length} owners by open pipeline`,
            shownOwners,
            capAt(2_000, scale),
            more > 0 ? `_…and ${more} more owners: \`leak revops pipeline\` lists them all._` : undefined,
          ),
      tableOrNone(stuckTitle, stuckTable(p), ':white_check_mark: No stuck deals.', capAt(2_400, scale)),
    ];
  };
  return {
    text,
    blocks: viewMessage(':bar_chart: Pipeline', periodContext(v.period.label, r.filter), body, [
      source,
      notCompared,
      chartNote,
    ]),
  };
}
