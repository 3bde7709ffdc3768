import type { PipelineFigures } from '../../domain/revops/figures.ts';
import { encodePng } from './png.ts';
import { textWidth } from './raster.ts';
import {
  BLUE,
  barLabel,
  canvas,
  INK,
  LIGHT_BLUE,
  pairedBars,
  REVOPS_CHART_HEIGHT,
  REVOPS_CHART_WIDTH,
  shortUsd,
} from './revops-chart-kit.ts';

/**
 * Open pipeline by stage: per stage two bars, the amount and the weighted amount (amount × probability),
 * each labelled, with the stage's name and deal count underneath, on a dollar axis from zero.
 */

/** Stages beyond this many are left out of the chart (and said so); the Slack table lists them all. */
const MAX_STAGES = 8;

export function renderPipelineChart(p: PipelineFigures, title: string): Uint8Array {
  const stages = p.stages.slice(0, MAX_STAGES);
  const hidden = p.stages.length - stages.length;
  const more = hidden > 0 ? `, ${hidden} more stages not drawn` : '';
  const r = canvas(
    title,
    `open ${shortUsd(p.openCents)}, weighted ${shortUsd(p.weightedCents)}, ${p.openDeals} deals${more}`,
  );
  const plot = pairedBars(r, {
    legend: [
      { label: 'AMOUNT', colour: LIGHT_BLUE },
      { label: 'WEIGHTED (AMOUNT X PROBABILITY)', colour: BLUE },
    ],
    categories: stages,
    values: (s) => [s.amountCents, s.weightedCents],
    name: (s) => s.stage.replace(/_/g, ' '),
    note: (s, chars) => (`${s.deals} DEALS`.length <= chars ? `${s.deals} DEALS` : String(s.deals)),
    // Each label over its own bar when both fit their bar's width; else both over the pair, stacked, the
    // weighted one in its bar's colour (side by side they would run into the next stage's labels).
    label: (s, { plot, cx, xa, xb, barW }) => {
      const la = shortUsd(s.amountCents);
      const lw = shortUsd(s.weightedCents);
      const ya = plot.yOf(s.amountCents);
      const yw = plot.yOf(s.weightedCents);
      if (Math.max(textWidth(la), textWidth(lw)) <= barW + 4) {
        barLabel(r, plot, xa, ya, la);
        barLabel(r, plot, xb, yw, lw);
      } else {
        const top = Math.min(ya, yw);
        r.text(Math.round(cx - textWidth(la) / 2), Math.round(top - 40), la, INK);
        r.text(Math.round(cx - textWidth(lw) / 2), Math.round(top - 20), lw, BLUE);
      }
    },
    // Room over the tallest bar for two stacked labels.
    headroom: 1.25,
    footer: 90,
    barShare: 0.34,
    maxBarW: 90,
  });
  if (stages.length === 0) r.text(plot.left + 20, plot.top + 20, 'NO OPEN DEALS IN THIS PERIOD', INK);
  return encodePng(REVOPS_CHART_WIDTH, REVOPS_CHART_HEIGHT, r.px);
}
