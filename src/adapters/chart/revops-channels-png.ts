import type { ChannelFigure } from '../../domain/revops/figures.ts';
import { encodePng } from './png.ts';
import {
  barLabel,
  canvas,
  GREEN,
  INK,
  MUTED,
  ORANGE,
  pairedBars,
  REVOPS_CHART_HEIGHT,
  REVOPS_CHART_WIDTH,
  shortUsd,
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
  const plot = pairedBars(r, {
    legend: [
      { label: 'SPEND', colour: ORANGE },
      { label: 'WON REVENUE', colour: GREEN },
    ],
    categories: shown,
    values: (c) => [c.spendCents, c.revenueCents],
    name: (c) => c.channel,
    note: (c, chars) => `${shortCount(c.leads)}/${shortCount(c.won)}`.slice(0, chars),
    // One label per channel, its ROI, over the taller bar: two amounts would collide in a narrow slot.
    label: (c, { plot, cx, chars }) =>
      barLabel(r, plot, cx, plot.yOf(Math.max(c.spendCents, c.revenueCents)), roiText(c).slice(0, chars + 2)),
    headroom: 1.15,
    footer: 110,
    barShare: 0.32,
    maxBarW: 80,
  });
  const foot = [
    'UNDER EACH CHANNEL: LEADS/DEALS WON',
    ...(sorted.length > shown.length ? [`+${sorted.length - shown.length} MORE CHANNELS NOT SHOWN`] : []),
  ].join(', ');
  r.text(plot.left, REVOPS_CHART_HEIGHT - 22, foot, MUTED);
  if (shown.length === 0) r.text(plot.left + 20, plot.top + 20, 'NO MARKETING SPEND IN THIS PERIOD', INK);
  return encodePng(REVOPS_CHART_WIDTH, REVOPS_CHART_HEIGHT, r.px);
}
