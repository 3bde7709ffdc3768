import type { RevopsView } from '../../../app/revops/view.ts';
import { hasRevopsData } from '../../../app/revops/view-tables.ts';
import { fitEscaped, jsonSize, type Rendered, section } from './kit.ts';
import { LIMITS } from './limits.ts';
import { insightBlocks, NO_REVOPS_DATA, periodContext, rankInsights, viewMessage } from './revops-kit.ts';
import type { KnownBlock } from './types.ts';

/**
 * `/revops insights` (ephemeral): every insight of the period, most severe and most confident first, each
 * with its confidence, the numbers it rests on and the period, and a button that opens the view it is
 * about (pipeline, revenue or marketing) over the same period and slices.
 */

export function renderRevopsInsights(v: Pick<RevopsView, 'period' | 'report'>, note?: string): Rendered {
  const r = v.report;
  const ranked = rankInsights(r.insights);
  const text = fitEscaped(
    ranked.length === 0
      ? `RevOps insights, ${v.period.label}: nothing stands out.`
      : `RevOps insights, ${v.period.label}: ${ranked.length} (${ranked
          .slice(0, 3)
          .map((i) => i.title)
          .join('; ')}${ranked.length > 3 ? '; …' : ''})`,
    2_900,
  );
  const head = periodContext(v.period.label, r.filter);
  const body = (): KnownBlock[] => {
    if (!hasRevopsData(r)) return [section(NO_REVOPS_DATA)];
    if (ranked.length === 0)
      return [section(':white_check_mark: Nothing stands out in this period: no insight rule fired.')];
    const room = LIMITS.blocksJsonBudget - jsonSize([head]) - 700;
    return insightBlocks(
      ranked,
      r.filter,
      room,
      LIMITS.blocksPerMessage - 4,
      '`leak revops insights` lists them all',
    );
  };
  return { text, blocks: viewMessage(':bulb: RevOps insights', head, body, [note]) };
}
