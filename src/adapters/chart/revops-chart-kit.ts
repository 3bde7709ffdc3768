import { Raster, type Rgb, textWidth } from './raster.ts';

/**
 * What the three RevOps charts (pipeline by stage, MRR movement, spend vs won revenue by channel) share:
 * the canvas size, colours, a dollar axis with round ticks, wrapped category labels and a legend, all
 * drawn with the raster's bitmap font (upper case; it has no `$`, so axes say "USD" instead).
 */

export const REVOPS_CHART_WIDTH = 1000;
export const REVOPS_CHART_HEIGHT = 560;

export const INK: Rgb = [33, 33, 33];
export const MUTED: Rgb = [110, 110, 110];
export const AXIS: Rgb = [120, 120, 120];
export const GRID: Rgb = [228, 228, 228];
export const BLUE: Rgb = [31, 119, 180];
export const LIGHT_BLUE: Rgb = [158, 202, 225];
export const GREEN: Rgb = [44, 160, 44];
export const TEAL: Rgb = [23, 160, 170];
export const ORANGE: Rgb = [255, 127, 14];
export const RED: Rgb = [214, 39, 40];
export const GREY: Rgb = [150, 150, 150];

/** Scale 2: a glyph cell is 12 × 14 pixels. */
export const CHAR_W = textWidth('X');
export const LINE_H = 20;

export const cut = (s: string, max: number): string =>
  [...s].length > max ? `${[...s].slice(0, Math.max(1, max - 1)).join('')}.` : s;

/** 1, 2 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** Whole dollars, short: "950", "12.5K", "3.2M", "-1.2K" ("1B", not "1000M", for $999,999,999). */
export function shortUsd(cents: number): string {
  const v = cents / 100;
  const a = Math.abs(v);
  const sign = v < 0 ? '-' : '';
  const units: [number, string][] = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, unit] of units) {
    const x = a / size;
    // From 0.9995 of a unit up it shows as "1.0" of it: 999,960 dollars is "1M", never "1000K".
    if (x >= 0.9995) return `${sign}${Number(x.toFixed(x >= 99.95 ? 0 : 1))}${unit}`;
  }
  return `${sign}${Math.round(a)}`;
}

/** The plot's box and a value axis (cents) whose grid lines land on round amounts. */
export interface ValuePlot {
  left: number;
  right: number;
  top: number;
  bottom: number;
  min: number;
  max: number;
  step: number;
  yOf(cents: number): number;
}

export function valuePlot(
  box: { left: number; right: number; top: number; bottom: number },
  lo: number,
  hi: number,
  ticks = 5,
): ValuePlot {
  // Nothing to scale (an empty period): a $0 … $5,000 axis rather than one whose every label is 0.
  const flat = !(hi - lo > 0);
  const step = niceStep(flat ? Math.max(Math.abs(hi), 500_000) / ticks : (hi - lo) / ticks);
  const min = Math.floor(lo / step) * step;
  const max = flat ? min + step * ticks : Math.max(min + step, Math.ceil(hi / step) * step);
  const { left, right, top, bottom } = box;
  return {
    left,
    right,
    top,
    bottom,
    min,
    max,
    step,
    yOf: (c) => bottom - ((c - min) / (max - min)) * (bottom - top),
  };
}

/** Grid lines and their labels, the axis line, and the unit above the labels. */
export function drawValueAxis(r: Raster, p: ValuePlot, unit: string): void {
  const steps = Math.round((p.max - p.min) / p.step);
  for (let k = 0; k <= steps; k++) {
    const v = p.min + k * p.step;
    const y = Math.round(p.yOf(v));
    r.line(p.left, y, p.right, y, GRID);
    const label = shortUsd(v);
    r.text(p.left - 10 - textWidth(label), y - 7, label, INK);
  }
  r.text(
    p.left - 10 - textWidth(unit) >= 4 ? p.left - 10 - textWidth(unit) : p.left + 8,
    p.top - 30,
    unit,
    MUTED,
  );
  r.line(p.left, p.top, p.left, p.bottom, AXIS, 2);
  const zero = p.min <= 0 && p.max >= 0 ? p.yOf(0) : p.bottom;
  r.line(p.left, zero, p.right, zero, AXIS, 2);
}

/** Words wrapped onto at most `lines` lines of `width` characters (the last one cut when needed). */
export function wrap(text: string, width: number, lines = 2): string[] {
  const words = text
    .toUpperCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  const out: string[] = [];
  let line = '';
  for (const w of words) {
    const next = line === '' ? w : `${line} ${w}`;
    if ([...next].length <= width) line = next;
    else {
      if (line !== '') out.push(line);
      line = w;
    }
  }
  if (line !== '') out.push(line);
  if (out.length <= lines) return out.map((l) => cut(l, width));
  const kept = out.slice(0, lines);
  kept[lines - 1] = cut(`${kept[lines - 1]} ${out.slice(lines).join(' ')}`, width);
  return kept.map((l) => cut(l, width));
}

/** Centred lines of text under a category, from row `y`. */
export function drawCentred(r: Raster, x: number, y: number, lines: readonly string[], c: Rgb = INK): void {
  lines.forEach((l, i) => {
    r.text(Math.round(x - textWidth(l) / 2), y + i * LINE_H, l, c);
  });
}

export interface LegendItem {
  label: string;
  colour: Rgb;
}

/** Swatches and labels in a row from (x, y), wrapping before `maxX`; answers the row below the legend. */
export function drawLegend(
  r: Raster,
  items: readonly LegendItem[],
  x: number,
  y: number,
  maxX: number,
): number {
  let lx = x;
  let ly = y;
  for (const it of items) {
    const width = 26 + textWidth(it.label) + 28;
    if (lx + width - 28 > maxX && lx > x) {
      lx = x;
      ly += LINE_H + 4;
    }
    r.rect(lx, ly + 1, 18, 12, it.colour);
    r.text(lx + 26, ly, it.label, INK);
    lx += width;
  }
  return ly + LINE_H + 4;
}

/**
 * A new canvas with the title and, when given, a muted subtitle under it. The title is large when it fits
 * the width, else smaller (titles carry the period and slices), and cut only past that.
 */
export function canvas(title: string, subtitle?: string): Raster {
  const r = new Raster(REVOPS_CHART_WIDTH, REVOPS_CHART_HEIGHT);
  const t = title.toUpperCase();
  const large = Math.floor((REVOPS_CHART_WIDTH - 48) / textWidth('X', 3));
  if ([...t].length <= large) r.text(24, 16, t, INK, 3);
  else r.text(24, 22, cut(t, Math.floor((REVOPS_CHART_WIDTH - 48) / CHAR_W)), INK);
  if (subtitle)
    r.text(24, 48, cut(subtitle.toUpperCase(), Math.floor((REVOPS_CHART_WIDTH - 48) / CHAR_W)), MUTED);
  return r;
}

/** A vertical bar from value `from` to value `to` (either order), `width` wide, centred on x. */
export function bar(
  r: Raster,
  p: ValuePlot,
  x: number,
  width: number,
  from: number,
  to: number,
  c: Rgb,
): void {
  const y0 = Math.round(p.yOf(Math.max(from, to)));
  const y1 = Math.round(p.yOf(Math.min(from, to)));
  r.rect(Math.round(x - width / 2), y0, width, Math.max(1, y1 - y0), c);
}

/** A value label centred over (or, for a negative bar, under) a bar, kept inside the plot. */
export function barLabel(
  r: Raster,
  p: ValuePlot,
  x: number,
  yEdge: number,
  label: string,
  below = false,
): void {
  const y = below ? Math.min(p.bottom - 16, yEdge + 6) : Math.max(p.top + 2, yEdge - 20);
  r.text(Math.round(x - textWidth(label) / 2), Math.round(y), label, INK);
}

/** Where one category of a paired-bar chart was drawn: what its own labels need. */
export interface PairedSlot {
  plot: ValuePlot;
  /** The slot's centre, and the centres of its first and second bar. */
  cx: number;
  xa: number;
  xb: number;
  barW: number;
  /** Characters of the bitmap font the slot holds. */
  chars: number;
}

export interface PairedBars<T> {
  /** The two series: the first bar of each category, then the second, in these colours. */
  legend: readonly [LegendItem, LegendItem];
  categories: readonly T[];
  values: (c: T) => readonly [number, number];
  /** The category's name, wrapped onto two lines under its slot. */
  name: (c: T) => string;
  /** A muted line under the name, for a slot of `chars` characters. */
  note: (c: T, chars: number) => string;
  /** Drawn after a category's bars, before its name: its value labels. */
  label: (c: T, at: PairedSlot) => void;
  /** Room over the tallest bar, as a factor of it. */
  headroom: number;
  /** Pixels under the plot for the names and notes. */
  footer: number;
  /** A bar's width: this share of the slot, at most `maxBarW` pixels. */
  barShare: number;
  maxBarW: number;
}

/**
 * Two bars per category side by side on a dollar axis from zero (the pipeline's amount and weighted
 * amount per stage, the channels' spend and won revenue), under a legend of the two series, each
 * category's name and note under its slot. Answers the plot, for what the chart adds after.
 */
export function pairedBars<T>(r: Raster, o: PairedBars<T>): ValuePlot {
  const right = REVOPS_CHART_WIDTH - 30;
  const legendBottom = drawLegend(r, o.legend, 110, 78, right);
  const hi = Math.max(0, ...o.categories.map((c) => Math.max(...o.values(c))));
  const plot = valuePlot(
    { left: 110, right, top: legendBottom + 40, bottom: REVOPS_CHART_HEIGHT - o.footer },
    0,
    hi * o.headroom,
  );
  drawValueAxis(r, plot, 'USD');
  const slot = (plot.right - plot.left) / Math.max(1, o.categories.length);
  const barW = Math.max(6, Math.min(o.maxBarW, Math.floor(slot * o.barShare)));
  const chars = Math.max(3, Math.floor((slot - 8) / CHAR_W));
  o.categories.forEach((c, i) => {
    const cx = plot.left + slot * (i + 0.5);
    const xa = cx - barW / 2 - 2;
    const xb = cx + barW / 2 + 2;
    const [a, b] = o.values(c);
    bar(r, plot, xa, barW, 0, a, o.legend[0].colour);
    bar(r, plot, xb, barW, 0, b, o.legend[1].colour);
    o.label(c, { plot, cx, xa, xb, barW, chars });
    const name = wrap(o.name(c), chars, 2);
    drawCentred(r, cx, plot.bottom + 12, name);
    drawCentred(r, cx, plot.bottom + 12 + name.length * LINE_H, [o.note(c, chars)], MUTED);
  });
  return plot;
}
