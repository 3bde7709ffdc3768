import type { PipelineFigures } from '../../domain/revops/figures.ts';
import { encodePng } from './png.ts';
import { textWidth } from './raster.ts';
import {
  BLUE,
  bar,
  barLabel,
  CHAR_W,
  canvas,
  drawCentred,
  drawLegend,
  drawValueAxis,
  INK,
  LIGHT_BLUE,
  LINE_H,
  MUTED,
  REVOPS_CHART_HEIGHT,
  REVOPS_CHART_WIDTH,
  shortUsd,
  valuePlot,
  wrap,
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
  const legendBottom = drawLegend(
    r,
    [
      { label: 'AMOUNT', colour: LIGHT_BLUE },
      { label: 'WEIGHTED (AMOUNT X PROBABILITY)', colour: BLUE },
    ],
    110,
    78,
    REVOPS_CHART_WIDTH - 30,
  );
  const hi = Math.max(0, ...stages.map((s) => Math.max(s.amountCents, s.weightedCents)));
  const plot = valuePlot(
    { left: 110, right: REVOPS_CHART_WIDTH - 30, top: legendBottom + 40, bottom: REVOPS_CHART_HEIGHT - 90 },
    0,
    // Room over the tallest bar for two stacked labels.
    hi * 1.25,
  );
  drawValueAxis(r, plot, 'USD');
  const slot = (plot.right - plot.left) / Math.max(1, stages.length);
  const barW = Math.max(6, Math.min(90, Math.floor(slot * 0.34)));
  const chars = Math.max(3, Math.floor((slot - 8) / CHAR_W));
  stages.forEach((s, i) => {
    const cx = plot.left + slot * (i + 0.5);
    const xa = cx - barW / 2 - 2;
    const xw = cx + barW / 2 + 2;
    bar(r, plot, xa, barW, 0, s.amountCents, LIGHT_BLUE);
    bar(r, plot, xw, barW, 0, s.weightedCents, BLUE);
    // Each label over its own bar when both fit their bar's width; else both over the pair, stacked, the
    // weighted one in its bar's colour (side by side they would run into the next stage's labels).
    const la = shortUsd(s.amountCents);
    const lw = shortUsd(s.weightedCents);
    const ya = plot.yOf(s.amountCents);
    const yw = plot.yOf(s.weightedCents);
    if (Math.max(textWidth(la), textWidth(lw)) <= barW + 4) {
      barLabel(r, plot, xa, ya, la);
      barLabel(r, plot, xw, yw, lw);
    } else {
      const top = Math.min(ya, yw);
      r.text(Math.round(cx - textWidth(la) / 2), Math.round(top - 40), la, INK);
      r.text(Math.round(cx - textWidth(lw) / 2), Math.round(top - 20), lw, BLUE);
    }
    const name = wrap(s.stage.replace(/_/g, ' '), chars, 2);
    drawCentred(r, cx, plot.bottom + 12, name);
    const deals = `${s.deals} DEALS`.length <= chars ? `${s.deals} DEALS` : String(s.deals);
    drawCentred(r, cx, plot.bottom + 12 + name.length * LINE_H, [deals], MUTED);
  });
  if (stages.length === 0) r.text(plot.left + 20, plot.top + 20, 'NO OPEN DEALS IN THIS PERIOD', INK);
  return encodePng(REVOPS_CHART_WIDTH, REVOPS_CHART_HEIGHT, r.px);
}
