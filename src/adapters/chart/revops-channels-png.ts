import type { ChannelFigure } from '../../domain/revops/figures.ts';
import { encodePng } from './png.ts';
import {
  bar,
  barLabel,
  CHAR_W,
  canvas,
  drawCentred,
  drawLegend,
  drawValueAxis,
  GREEN,
  INK,
  LINE_H,
  MUTED,
  ORANGE,
  REVOPS_CHART_HEIGHT,
  REVOPS_CHART_WIDTH,
  shortUsd,
  valuePlot,
  wrap,
} from './revops-chart-kit.ts';

/**
 * Marketing by channel: per channel what was spent and the revenue of the deals it won, side by side on a
 * dollar axis, with the channel's ROI and its funnel (leads → won) under its name. The channels that spent
 * most come first; the rest are counted, not drawn.
 */

const MAX_CHANNELS = 8;

const roiText = (c: ChannelFigure): string => (c.roiPct === null ? 'ROI -' : `ROI ${Math.round(c.roiPct)}%`);

/** "950", "12K", "1.2M": a count short enough for a narrow slot. */
function shortCount(n: number): string {
  if (n >= 1e6) return `${Number((n / 1e6).toFixed(n >= 1e7 ? 0 : 1))}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}K`;
  return String(n);
}

export function renderChannelChart(channels: readonly ChannelFigure[], title: string): Uint8Array {
  const sorted = [...channels].sort(
    (a, b) =>
      b.spendCents - a.spendCents || b.revenueCents - a.revenueCents || a.channel.localeCompare(b.channel),
  );
  const shown = sorted.slice(0, MAX_CHANNELS);
  const spend = channels.reduce((a, c) => a + c.spendCents, 0);
  const revenue = channels.reduce((a, c) => a + c.revenueCents, 0);
  const r = canvas(
    title,
    `spend ${shortUsd(spend)}, won revenue ${shortUsd(revenue)}, ${channels.length} channels`,
  );
  const legendBottom = drawLegend(
    r,
    [
      { label: 'SPEND', colour: ORANGE },
      { label: 'WON REVENUE', colour: GREEN },
    ],
    110,
    78,
    REVOPS_CHART_WIDTH - 30,
  );
  const hi = Math.max(0, ...shown.map((c) => Math.max(c.spendCents, c.revenueCents)));
  const plot = valuePlot(
    { left: 110, right: REVOPS_CHART_WIDTH - 30, top: legendBottom + 40, bottom: REVOPS_CHART_HEIGHT - 110 },
    0,
    hi * 1.15,
  );
  drawValueAxis(r, plot, 'USD');
  const slot = (plot.right - plot.left) / Math.max(1, shown.length);
  const barW = Math.max(6, Math.min(80, Math.floor(slot * 0.32)));
  const chars = Math.max(3, Math.floor((slot - 8) / CHAR_W));
  shown.forEach((c, i) => {
    const cx = plot.left + slot * (i + 0.5);
    const xs = cx - barW / 2 - 2;
    const xr = cx + barW / 2 + 2;
    bar(r, plot, xs, barW, 0, c.spendCents, ORANGE);
    bar(r, plot, xr, barW, 0, c.revenueCents, GREEN);
    // One label per channel, its ROI, over the taller bar: two amounts would collide in a narrow slot.
    barLabel(r, plot, cx, plot.yOf(Math.max(c.spendCents, c.revenueCents)), roiText(c).slice(0, chars + 2));
    const name = wrap(c.channel, chars, 2);
    drawCentred(r, cx, plot.bottom + 12, name);
    const funnel = `${shortCount(c.leads)}/${shortCount(c.won)}`;
    drawCentred(r, cx, plot.bottom + 12 + name.length * LINE_H, [funnel.slice(0, chars)], MUTED);
  });
  const foot = [
    'UNDER EACH CHANNEL: LEADS/DEALS WON',
    ...(sorted.length > shown.length ? [`+${sorted.length - shown.length} MORE CHANNELS NOT SHOWN`] : []),
  ].join(', ');
  r.text(plot.left, REVOPS_CHART_HEIGHT - 22, foot, MUTED);
  if (shown.length === 0) r.text(plot.left + 20, plot.top + 20, 'NO MARKETING SPEND IN THIS PERIOD', INK);
  return encodePng(REVOPS_CHART_WIDTH, REVOPS_CHART_HEIGHT, r.px);
}
