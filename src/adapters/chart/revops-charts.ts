import type { RevopsChartKind } from '../../app/revops/view.ts';
import type { RevopsReport } from '../../domain/revops/figures.ts';
import { renderChannelChart } from './revops-channels-png.ts';
import { renderMrrWaterfall } from './revops-mrr-png.ts';
import { renderPipelineChart } from './revops-pipeline-png.ts';

export { REVOPS_CHART_HEIGHT, REVOPS_CHART_WIDTH } from './revops-chart-kit.ts';

/** The RevOps chart of a report by kind, as PNG bytes (app/revops/view.ts RevopsChartRenderer). */
export function renderRevopsChart(kind: RevopsChartKind, report: RevopsReport, title: string): Uint8Array {
  switch (kind) {
    case 'pipeline':
      return renderPipelineChart(report.pipeline, title);
    case 'mrr':
      return renderMrrWaterfall(report.revenue.months, title);
    case 'channels':
      return renderChannelChart(report.marketing.channels, title);
  }
}
