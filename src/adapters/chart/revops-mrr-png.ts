import type { MrrMovement } from '../../domain/revops/aggregates.ts';
import { encodePng } from './png.ts';
import type { Rgb } from './raster.ts';
import {
  AXIS,
  BLUE,
  bar,
  barLabel,
  CHAR_W,
  canvas,
  cut,
  drawCentred,
  drawLegend,
  drawValueAxis,
  GREEN,
  INK,
  MUTED,
  ORANGE,
  RED,
  REVOPS_CHART_HEIGHT,
  REVOPS_CHART_WIDTH,
  shortUsd,
  TEAL,
  valuePlot,
} from './revops-chart-kit.ts';

/**
 * The MRR movement of the period as a waterfall: MRR at the start of its first month, + new, + expansion,
 * + reactivation, − contraction, − churn, and MRR at the end of its last month (each month's start is the
 * month before's end, so the flows of several months add up). Flows are a few percent of MRR: the axis
 * then starts above zero so they can be seen, and the chart says so.
 */

interface Step {
  /** Under the bar, one or two lines (long words hyphenated: a slot holds about nine characters). */
  label: string[];
  from: number;
  to: number;
  colour: Rgb;
  /** Start and end are totals (bars from the axis); the rest float. */
  total: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const monthText = (m: string) => `${MONTHS[Number(m.slice(5, 7)) - 1] ?? '?'} ${m.slice(0, 4)}`;

export function mrrSteps(months: readonly MrrMovement[]): Step[] {
  const first = months[0];
  const last = months.at(-1);
  if (!first || !last) return [];
  const sum = (k: keyof MrrMovement) => months.reduce((a, m) => a + (m[k] as number), 0);
  const steps: Step[] = [{ label: ['START'], from: 0, to: first.startCents, colour: BLUE, total: true }];
  let level = first.startCents;
  const flow = (label: string[], delta: number, colour: Rgb) => {
    steps.push({ label, from: level, to: level + delta, colour, total: false });
    level += delta;
  };
  flow(['NEW'], sum('newCents'), GREEN);
  flow(['EXPANSION'], sum('expansionCents'), GREEN);
  flow(['REACTI-', 'VATION'], sum('reactivationCents'), TEAL);
  flow(['CONTRAC-', 'TION'], -sum('contractionCents'), ORANGE);
  flow(['CHURN'], -sum('churnCents'), RED);
  steps.push({ label: ['END'], from: 0, to: last.endCents, colour: BLUE, total: true });
  return steps;
}

export function renderMrrWaterfall(months: readonly MrrMovement[], title: string): Uint8Array {
  const steps = mrrSteps(months);
  const span =
    months.length === 0
      ? 'no months'
      : months.length === 1
        ? monthText(months[0]!.month)
        : `${monthText(months[0]!.month)} - ${monthText(months.at(-1)!.month)} (${months.length} months)`;
  const r = canvas(title, `MRR movement ${span}`);
  const legendBottom = drawLegend(
    r,
    [
      { label: 'MRR', colour: BLUE },
      { label: 'GAINED', colour: GREEN },
      { label: 'REACTIVATED', colour: TEAL },
      { label: 'CONTRACTION', colour: ORANGE },
      { label: 'CHURN', colour: RED },
    ],
    110,
    78,
    REVOPS_CHART_WIDTH - 30,
  );
  const levels = steps.flatMap((s) => (s.total ? [s.to] : [s.from, s.to]));
  const hi = Math.max(0, ...levels);
  const lowFlow = Math.min(...steps.filter((s) => !s.total).flatMap((s) => [s.from, s.to]), hi);
  const flows = hi - lowFlow;
  // Flows under a quarter of MRR would be slivers on an axis from zero: zoom onto them.
  const zoom = steps.length > 0 && flows < hi * 0.25 && lowFlow > 0;
  const lo = zoom ? Math.max(0, lowFlow - Math.max(flows * 0.6, hi * 0.02)) : 0;
  const plot = valuePlot(
    { left: 110, right: REVOPS_CHART_WIDTH - 30, top: legendBottom + 40, bottom: REVOPS_CHART_HEIGHT - 90 },
    lo,
    hi + (hi - lo) * 0.12,
  );
  drawValueAxis(r, plot, 'USD / MONTH');
  const slot = (plot.right - plot.left) / Math.max(1, steps.length);
  const barW = Math.max(8, Math.floor(slot * 0.6));
  const chars = Math.max(4, Math.floor((slot - 6) / CHAR_W));
  steps.forEach((s, i) => {
    const cx = plot.left + slot * (i + 0.5);
    const from = s.total ? Math.max(s.from, plot.min) : s.from;
    bar(r, plot, cx, barW, from, s.to, s.colour);
    const delta = s.to - s.from;
    const label = s.total ? shortUsd(s.to) : `${delta < 0 ? '-' : '+'}${shortUsd(Math.abs(delta))}`;
    barLabel(r, plot, cx, plot.yOf(Math.max(s.from, s.to)), label);
    // The level carried to the next bar, dashed across the gap.
    const next = steps[i + 1];
    if (next) {
      const y = Math.round(plot.yOf(s.to));
      r.line(cx + barW / 2, y, cx + slot - barW / 2, y, AXIS, 1, [4, 3]);
    }
    drawCentred(
      r,
      cx,
      plot.bottom + 12,
      s.label.map((l) => cut(l, chars)),
    );
  });
  if (steps.length === 0) r.text(plot.left + 20, plot.top + 20, 'NO MRR HISTORY IN THIS PERIOD', INK);
  else if (zoom)
    r.text(plot.left, REVOPS_CHART_HEIGHT - 22, `AXIS STARTS AT ${shortUsd(plot.min)}, NOT 0`, MUTED);
  return encodePng(REVOPS_CHART_WIDTH, REVOPS_CHART_HEIGHT, r.px);
}
