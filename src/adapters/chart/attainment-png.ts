import { dayLabel, type SlaReport } from '../../domain/sla/report.ts';
import { encodePng } from './png.ts';
import { Raster, type Rgb, textWidth } from './raster.ts';

/**
 * The weekly report's chart: daily attainment of each SLA (one coloured line each, its target dashed in
 * the same colour), with day and percentage labels and a legend, drawn into an RGB raster (raster.ts) and
 * encoded as PNG (png.ts), so the server needs no native canvas library.
 */

export const CHART_WIDTH = 960;
export const CHART_HEIGHT = 480;

/** Line colours, one per SLA in report order (cycled beyond eight). */
export const PALETTE: readonly Rgb[] = [
  [31, 119, 180],
  [214, 39, 40],
  [44, 160, 44],
  [255, 127, 14],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [23, 190, 207],
];
const INK: Rgb = [33, 33, 33];
const AXIS: Rgb = [120, 120, 120];
const GRID: Rgb = [228, 228, 228];
const WHITE: Rgb = [255, 255, 255];

/** Percent label with just enough decimals for the axis step. */
function tickLabel(v: number, step: number): string {
  const decimals = Math.min(4, Math.max(0, Math.ceil(-Math.log10(step))));
  return `${v.toFixed(decimals)}%`;
}

const cut = (s: string, max: number) => ([...s].length > max ? `${[...s].slice(0, max - 1).join('')}.` : s);

/** Where the plot area sits in the image, and how a percentage or a day index maps to a pixel. */
interface Plot {
  left: number;
  right: number;
  top: number;
  bottom: number;
  yMin: number;
  yMax: number;
  yOf: (pct: number) => number;
  xOf: (day: number) => number;
}

/** A day's marker, drawn after every line so no line crosses a hollow one. */
interface Point {
  x: number;
  y: number;
  c: Rgb;
  live: boolean;
}

const colourOf = (n: number): Rgb => PALETTE[n % PALETTE.length]!;

/** Y range: from a little under the lowest value or target up to 100% (the top grid line). */
function plotOf(report: SlaReport): Plot {
  const left = 110;
  const right = CHART_WIDTH - 30;
  const top = 56;
  const bottom = CHART_HEIGHT - 150;
  const values: number[] = [];
  for (const s of report.slas) {
    values.push(s.target * 100);
    for (const d of s.daily) if (d.attainment !== null) values.push(d.attainment * 100);
  }
  const lo = values.length > 0 ? Math.min(...values) : 99;
  const span = Math.max(0.01, 100 - lo);
  const yMin = Math.max(0, lo - span * 0.2);
  const yMax = 100;
  const slot = (right - left) / 7;
  return {
    left,
    right,
    top,
    bottom,
    yMin,
    yMax,
    yOf: (pct) => bottom - ((pct - yMin) / (yMax - yMin)) * (bottom - top),
    xOf: (day) => left + slot * (day + 0.5),
  };
}

/** Grid with y labels, the axes, and two-line x labels (weekday, then date). */
function drawFrame(r: Raster, p: Plot, report: SlaReport): void {
  const ticks = 5;
  const step = (p.yMax - p.yMin) / ticks;
  for (let k = 0; k <= ticks; k++) {
    const v = p.yMin + step * k;
    const y = p.yOf(v);
    r.line(p.left, y, p.right, y, GRID);
    const label = tickLabel(v, step);
    r.text(p.left - 10 - textWidth(label), Math.round(y) - 7, label, INK);
  }
  r.line(p.left, p.top, p.left, p.bottom, AXIS, 2);
  r.line(p.left, p.bottom, p.right, p.bottom, AXIS, 2);
  for (let i = 0; i < 7; i++) {
    const [wd, day, mon] = dayLabel(report.startMs + i * 86_400_000).split(' ') as [string, string, string];
    const x = p.xOf(i);
    r.line(x, p.bottom, x, p.bottom + 6, AXIS, 2);
    r.text(Math.round(x - textWidth(wd) / 2), p.bottom + 12, wd, INK);
    const date = `${day} ${mon}`;
    r.text(Math.round(x - textWidth(date) / 2), p.bottom + 32, date, INK);
  }
}

/**
 * Targets dashed, then the lines over them (gaps where a day has no data), then each day's point: a day
 * not yet in Gold (counted live from Silver) is drawn hollow. Answers the points, for the legend.
 */
function drawSeries(r: Raster, p: Plot, report: SlaReport): Point[] {
  report.slas.forEach((s, n) => {
    const y = p.yOf(s.target * 100);
    r.line(p.left + 2, y, p.right, y, colourOf(n), 2, [10, 7]);
  });
  const points: Point[] = [];
  report.slas.forEach((s, n) => {
    const c = colourOf(n);
    let prev: { x: number; y: number } | null = null;
    s.daily.forEach((d, i) => {
      if (d.attainment === null) {
        prev = null;
        return;
      }
      const at = { x: p.xOf(i), y: p.yOf(d.attainment * 100) };
      if (prev) r.line(prev.x, prev.y, at.x, at.y, c, 3);
      points.push({ ...at, c, live: d.live });
      prev = at;
    });
  });
  for (const pt of points) {
    r.rect(Math.round(pt.x) - 4, Math.round(pt.y) - 4, 9, 9, pt.c);
    if (pt.live) r.rect(Math.round(pt.x) - 2, Math.round(pt.y) - 2, 5, 5, WHITE);
  }
  return points;
}

/** Legend: a swatch and "name (target)" per SLA, wrapping over rows, then the dashed-target key. */
function drawLegend(r: Raster, p: Plot, report: SlaReport, points: readonly Point[]): void {
  const lastRow = CHART_HEIGHT - 20;
  let lx = p.left;
  let ly = p.bottom + 62;
  const place = (width: number) => {
    if (lx + width > p.right && lx > p.left) {
      lx = p.left;
      ly += 22;
    }
  };
  report.slas.forEach((s, n) => {
    if (ly > lastRow) return;
    const label = `${cut(s.name, 30)} (${Number((s.target * 100).toFixed(4))}%)`;
    const width = 30 + textWidth(label) + 24;
    place(width);
    r.rect(lx, ly + 5, 22, 4, colourOf(n));
    r.text(lx + 30, ly, label, INK);
    lx += width;
  });
  if (ly <= lastRow) {
    const key = 'TARGET';
    place(30 + textWidth(key) + 24);
    r.line(lx, ly + 7, lx + 22, ly + 7, AXIS, 2, [5, 3]);
    r.text(lx + 30, ly, key, INK);
    lx += 30 + textWidth(key) + 24;
  }
  if (ly <= lastRow && points.some((pt) => pt.live)) {
    const key = 'LIVE, NOT YET IN GOLD';
    place(30 + textWidth(key));
    r.rect(lx + 7, ly + 3, 9, 9, AXIS);
    r.rect(lx + 9, ly + 5, 5, 5, WHITE);
    r.text(lx + 30, ly, key, INK);
  }
}

/** The daily attainment chart of a report, as PNG bytes. A report without SLAs draws empty axes. */
export function renderAttainmentPng(report: SlaReport): Uint8Array {
  const r = new Raster(CHART_WIDTH, CHART_HEIGHT);
  const p = plotOf(report);
  const title = `SLA ATTAINMENT ${report.week}${report.service ? ` ${report.service}` : ''}`;
  r.text(p.left, 16, cut(title, 60), INK, 3);
  drawFrame(r, p, report);
  const points = drawSeries(r, p, report);
  drawLegend(r, p, report, points);
  if (report.slas.length === 0) r.text(p.left + 20, p.top + 20, 'NO SLA IN FORCE THIS WEEK', INK);
  if (!report.complete) r.text(p.right - textWidth('PARTIAL WEEK'), 20, 'PARTIAL WEEK', AXIS);
  return encodePng(CHART_WIDTH, CHART_HEIGHT, r.px);
}
