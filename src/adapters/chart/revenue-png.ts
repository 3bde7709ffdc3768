import type { DaySeriesPoint } from '../../domain/commerce/figures.ts';
import { minorDigits } from '../../domain/commerce/money-format.ts';
import { encodePng } from './png.ts';
import { Raster, type Rgb, textWidth } from './raster.ts';

/**
 * The revenue watch's chart (`/leak revenue`): daily net revenue as one bar per day, a negative day
 * (refunds and lost disputes over sales) drawn below the zero line in another colour, with amount, day and
 * axis labels, drawn into an RGB raster (raster.ts) and encoded as PNG (png.ts) like the SLA chart.
 * The bitmap font has no currency symbols: amounts are written in major units beside the currency code.
 */

export const REVENUE_CHART_WIDTH = 960;
export const REVENUE_CHART_HEIGHT = 480;
export const POSITIVE: Rgb = [44, 160, 44];
export const NEGATIVE: Rgb = [214, 39, 40];
const INK: Rgb = [33, 33, 33];
const AXIS: Rgb = [120, 120, 120];
const GRID: Rgb = [228, 228, 228];
const TICKS = 5;
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

const cut = (s: string, max: number) => ([...s].length > max ? `${[...s].slice(0, max - 1).join('')}.` : s);

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** "950", "12.5K", "3.2M", "-1.2K": short enough for a bar's slot; at most two decimals below 10,000. */
export function compactAmount(major: number): string {
  const a = Math.abs(major);
  const sign = major < 0 ? '-' : '';
  const short = (v: number, unit: string) => `${sign}${Number(v.toFixed(1)).toLocaleString('en-US')}${unit}`;
  if (a >= 1e9) return short(a / 1e9, 'B');
  if (a >= 1e6) return short(a / 1e6, 'M');
  if (a >= 1e4) return short(a / 1e3, 'K');
  return `${sign}${a.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
}

/** Where the plot sits, and how an amount (major units) maps to a pixel row. */
interface Plot {
  left: number;
  right: number;
  top: number;
  bottom: number;
  yMin: number;
  yMax: number;
  step: number;
  yOf: (v: number) => number;
}

/** The y range always holds zero; it is widened to whole steps so the grid lines land on round amounts. */
function plotOf(values: readonly number[]): Plot {
  const left = 130;
  const right = REVENUE_CHART_WIDTH - 30;
  const top = 84;
  const bottom = REVENUE_CHART_HEIGHT - 80;
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const step = niceStep(hi - lo > 0 ? (hi - lo) / TICKS : 1);
  const yMin = Math.floor(lo / step) * step;
  const yMax = Math.max(yMin + step, Math.ceil(hi / step) * step);
  return {
    left,
    right,
    top,
    bottom,
    yMin,
    yMax,
    step,
    yOf: (v) => bottom - ((v - yMin) / (yMax - yMin)) * (bottom - top),
  };
}

/** "MON" and "05-26" for `2025-05-26`; the raw text (cut) for anything else. */
function dayLabels(day: string): [string, string] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return [cut(day, 8), ''];
  const wd = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay();
  return [WEEKDAYS[wd] ?? '', `${m[2]}-${m[3]}`];
}

function drawGrid(r: Raster, p: Plot, currency: string): void {
  const steps = Math.round((p.yMax - p.yMin) / p.step);
  for (let k = 0; k <= steps; k++) {
    const v = p.yMin + k * p.step;
    const y = p.yOf(v);
    r.line(p.left, y, p.right, y, GRID);
    const label = compactAmount(v);
    r.text(p.left - 10 - textWidth(label), Math.round(y) - 7, label, INK);
  }
  r.text(p.left - 10 - textWidth(currency), p.top - 26, currency, AXIS);
  r.line(p.left, p.top, p.left, p.bottom, AXIS, 2);
}

/** One bar per day from the zero line, its amount above (below, for a negative day), its day underneath. */
function drawBars(r: Raster, p: Plot, series: readonly DaySeriesPoint[], values: readonly number[]): void {
  const slot = (p.right - p.left) / Math.max(1, series.length);
  const width = Math.max(4, Math.floor(slot * 0.6));
  const zero = Math.round(p.yOf(0));
  series.forEach((pt, i) => {
    const v = values[i]!;
    const x = Math.round(p.left + slot * (i + 0.5));
    const y = Math.round(p.yOf(v));
    if (v > 0) r.rect(x - Math.floor(width / 2), y, width, zero - y, POSITIVE);
    if (v < 0) r.rect(x - Math.floor(width / 2), zero + 2, width, y - zero - 1, NEGATIVE);
    const label = cut(compactAmount(v), Math.max(3, Math.floor(slot / 12)));
    const ly = v < 0 ? y + 6 : y - 20;
    r.text(x - Math.round(textWidth(label) / 2), ly, label, INK);
    const [wd, date] = dayLabels(pt.day);
    r.text(x - Math.round(textWidth(wd) / 2), p.bottom + 14, wd, INK);
    r.text(x - Math.round(textWidth(date) / 2), p.bottom + 34, date, INK);
  });
}

/**
 * The bar chart of `series` (minor units of `currency`, oldest first) under `title`, as PNG bytes. An
 * empty series draws the axes and says so.
 */
export function renderRevenueChart(series: DaySeriesPoint[], currency: string, title: string): Uint8Array {
  const r = new Raster(REVENUE_CHART_WIDTH, REVENUE_CHART_HEIGHT);
  const unit = 10 ** minorDigits(currency);
  const values = series.map((pt) => pt.netCents / unit);
  const p = plotOf(values);
  const code = cut(currency.trim().toUpperCase(), 8);
  r.text(20, 16, cut(title, Math.floor((REVENUE_CHART_WIDTH - 40) / 18)), INK, 3);
  drawGrid(r, p, code);
  drawBars(r, p, series, values);
  r.line(p.left, p.yOf(0), p.right, p.yOf(0), AXIS, 2);
  if (series.length === 0) r.text(p.left + 20, p.top + 20, 'NO REVENUE DAYS TO SHOW', INK);
  return encodePng(REVENUE_CHART_WIDTH, REVENUE_CHART_HEIGHT, r.px);
}
