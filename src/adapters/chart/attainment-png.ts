import { deflateSync } from 'node:zlib';
import { dayLabel, type SlaReport } from '../../domain/sla/report.ts';

/**
 * The weekly report's chart: daily attainment of each SLA (one coloured line each, its target dashed in
 * the same colour), with day and percentage labels and a legend, drawn into an RGB raster and encoded as
 * PNG here (zlib deflate + CRC-32), so the server needs no native canvas library. Text uses a 5×7 bitmap
 * font (upper case, digits and the punctuation labels need; lower case is drawn upper case).
 */

export const CHART_WIDTH = 960;
export const CHART_HEIGHT = 480;

type Rgb = readonly [number, number, number];

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

// biome-ignore format: one glyph per line, rows top to bottom, 5 columns each
const GLYPHS: Record<string, string> = {
  '0': '01110/10001/10011/10101/11001/10001/01110', '1': '00100/01100/00100/00100/00100/00100/01110',
  '2': '01110/10001/00001/00010/00100/01000/11111', '3': '11111/00010/00100/00010/00001/10001/01110',
  '4': '00010/00110/01010/10010/11111/00010/00010', '5': '11111/10000/11110/00001/00001/10001/01110',
  '6': '00110/01000/10000/11110/10001/10001/01110', '7': '11111/00001/00010/00100/01000/01000/01000',
  '8': '01110/10001/10001/01110/10001/10001/01110', '9': '01110/10001/10001/01111/00001/00010/01100',
  A: '01110/10001/10001/11111/10001/10001/10001', B: '11110/10001/10001/11110/10001/10001/11110',
  C: '01110/10001/10000/10000/10000/10001/01110', D: '11100/10010/10001/10001/10001/10010/11100',
  E: '11111/10000/10000/11110/10000/10000/11111', F: '11111/10000/10000/11110/10000/10000/10000',
  G: '01110/10001/10000/10111/10001/10001/01111', H: '10001/10001/10001/11111/10001/10001/10001',
  I: '01110/00100/00100/00100/00100/00100/01110', J: '00111/00010/00010/00010/00010/10010/01100',
  K: '10001/10010/10100/11000/10100/10010/10001', L: '10000/10000/10000/10000/10000/10000/11111',
  M: '10001/11011/10101/10101/10001/10001/10001', N: '10001/10001/11001/10101/10011/10001/10001',
  O: '01110/10001/10001/10001/10001/10001/01110', P: '11110/10001/10001/11110/10000/10000/10000',
  Q: '01110/10001/10001/10001/10101/10010/01101', R: '11110/10001/10001/11110/10100/10010/10001',
  S: '01111/10000/10000/01110/00001/00001/11110', T: '11111/00100/00100/00100/00100/00100/00100',
  U: '10001/10001/10001/10001/10001/10001/01110', V: '10001/10001/10001/10001/10001/01010/00100',
  W: '10001/10001/10001/10101/10101/10101/01010', X: '10001/10001/01010/00100/01010/10001/10001',
  Y: '10001/10001/10001/01010/00100/00100/00100', Z: '11111/00001/00010/00100/01000/10000/11111',
  ' ': '00000/00000/00000/00000/00000/00000/00000', '.': '00000/00000/00000/00000/00000/01100/01100',
  ',': '00000/00000/00000/00000/01100/00100/01000', '%': '11000/11001/00010/00100/01000/10011/00011',
  '-': '00000/00000/00000/11111/00000/00000/00000', ':': '00000/01100/01100/00000/01100/01100/00000',
  '/': '00000/00001/00010/00100/01000/10000/00000', '(': '00010/00100/01000/01000/01000/00100/00010',
  ')': '01000/00100/00010/00010/00010/00100/01000', _: '00000/00000/00000/00000/00000/00000/11111',
  '<': '00010/00100/01000/10000/01000/00100/00010', '>': '01000/00100/00010/00001/00010/00100/01000',
  '+': '00000/00100/00100/11111/00100/00100/00000', '=': '00000/00000/11111/00000/11111/00000/00000',
  '?': '01110/10001/00001/00010/00100/00000/00100', "'": '00100/00100/01000/00000/00000/00000/00000',
  '#': '01010/01010/11111/01010/11111/01010/01010', '&': '01100/10010/10100/01000/10101/10010/01101',
};
const FONT = new Map(
  Object.entries(GLYPHS).map(([c, rows]) => [c, rows.split('/').map((r) => [...r].map((b) => b === '1'))]),
);
const GLYPH_W = 5;

/** An RGB raster on a white background; drawing outside it is clipped. */
class Raster {
  readonly px: Uint8Array;
  readonly width: number;
  readonly height: number;
  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.px = new Uint8Array(width * height * 3).fill(255);
  }
  set(x: number, y: number, c: Rgb): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    const i = (yi * this.width + xi) * 3;
    this.px[i] = c[0];
    this.px[i + 1] = c[1];
    this.px[i + 2] = c[2];
  }
  rect(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) this.set(x + i, y + j, c);
  }
  /** A line `thick` pixels wide; `dash` = [on, off] pixels for a dashed one. */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, thick = 1, dash?: [number, number]): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    const off = Math.floor((thick - 1) / 2);
    for (let s = 0; s <= steps; s++) {
      if (dash && s % (dash[0] + dash[1]) >= dash[0]) continue;
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      this.rect(Math.round(x) - off, Math.round(y) - off, thick, thick, c);
    }
  }
  /** Text with its top-left at (x, y); answers the width drawn. */
  text(x: number, y: number, s: string, c: Rgb, scale = 2): number {
    let cx = x;
    for (const ch of s) {
      const glyph = FONT.get(ch.toUpperCase()) ?? FONT.get(ch === '–' || ch === '—' ? '-' : '?')!;
      glyph.forEach((row, gy) => {
        row.forEach((on, gx) => {
          if (on) this.rect(cx + gx * scale, y + gy * scale, scale, scale, c);
        });
      });
      cx += (GLYPH_W + 1) * scale;
    }
    return cx - x;
  }
}

export const textWidth = (s: string, scale = 2): number => [...s].length * (GLYPH_W + 1) * scale;

// ---------------------------------------------------------------------------------------------- PNG

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO 3309, as PNG chunks use it). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit RGB PNG of the raster: every scanline unfiltered (filter 0), deflated as one IDAT. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Uint8Array {
  if (rgb.length !== width * height * 3) throw new RangeError('raster size does not match width × height');
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', new Uint8Array(0)),
    ]),
  );
}

// ---------------------------------------------------------------------------------------------- chart

/** Percent label with just enough decimals for the axis step. */
function tickLabel(v: number, step: number): string {
  const decimals = Math.min(4, Math.max(0, Math.ceil(-Math.log10(step))));
  return `${v.toFixed(decimals)}%`;
}

const cut = (s: string, max: number) => ([...s].length > max ? `${[...s].slice(0, max - 1).join('')}.` : s);

/** The daily attainment chart of a report, as PNG bytes. A report without SLAs draws empty axes. */
export function renderAttainmentPng(report: SlaReport): Uint8Array {
  const W = CHART_WIDTH;
  const H = CHART_HEIGHT;
  const r = new Raster(W, H);
  const left = 110;
  const right = W - 30;
  const top = 56;
  const bottom = H - 150;

  const title = `SLA ATTAINMENT ${report.week}${report.service ? ` ${report.service}` : ''}`;
  r.text(left, 16, cut(title, 60), INK, 3);

  // Y range: from a little under the lowest value or target up to 100% (the top grid line).
  const values: number[] = [];
  for (const s of report.slas) {
    values.push(s.target * 100);
    for (const d of s.daily) if (d.attainment !== null) values.push(d.attainment * 100);
  }
  const lo = values.length > 0 ? Math.min(...values) : 99;
  const span = Math.max(0.01, 100 - lo);
  const yMin = Math.max(0, lo - span * 0.2);
  const yMax = 100;
  const yOf = (pct: number) => bottom - ((pct - yMin) / (yMax - yMin)) * (bottom - top);
  const slot = (right - left) / 7;
  const xOf = (i: number) => left + slot * (i + 0.5);

  // Grid and y labels.
  const ticks = 5;
  const step = (yMax - yMin) / ticks;
  for (let k = 0; k <= ticks; k++) {
    const v = yMin + step * k;
    const y = yOf(v);
    r.line(left, y, right, y, GRID);
    const label = tickLabel(v, step);
    r.text(left - 10 - textWidth(label), Math.round(y) - 7, label, INK);
  }
  // Axes.
  r.line(left, top, left, bottom, AXIS, 2);
  r.line(left, bottom, right, bottom, AXIS, 2);
  // X labels: two lines, weekday and date.
  for (let i = 0; i < 7; i++) {
    const [wd, day, mon] = dayLabel(report.startMs + i * 86_400_000).split(' ') as [string, string, string];
    const x = xOf(i);
    r.line(x, bottom, x, bottom + 6, AXIS, 2);
    r.text(Math.round(x - textWidth(wd) / 2), bottom + 12, wd, INK);
    const date = `${day} ${mon}`;
    r.text(Math.round(x - textWidth(date) / 2), bottom + 32, date, INK);
  }

  // Targets dashed, then the lines over them (gaps where a day has no data), each day's point marked.
  report.slas.forEach((s, n) => {
    const c = PALETTE[n % PALETTE.length]!;
    const y = yOf(s.target * 100);
    r.line(left + 2, y, right, y, c, 2, [10, 7]);
  });
  // Points after every line, so no line crosses a hollow one: a day not yet in Gold (counted live from
  // Silver) is drawn hollow.
  const points: { x: number; y: number; c: Rgb; live: boolean }[] = [];
  report.slas.forEach((s, n) => {
    const c = PALETTE[n % PALETTE.length]!;
    let prev: { x: number; y: number } | null = null;
    s.daily.forEach((d, i) => {
      if (d.attainment === null) {
        prev = null;
        return;
      }
      const p = { x: xOf(i), y: yOf(d.attainment * 100) };
      if (prev) r.line(prev.x, prev.y, p.x, p.y, c, 3);
      points.push({ ...p, c, live: d.live });
      prev = p;
    });
  });
  for (const p of points) {
    r.rect(Math.round(p.x) - 4, Math.round(p.y) - 4, 9, 9, p.c);
    if (p.live) r.rect(Math.round(p.x) - 2, Math.round(p.y) - 2, 5, 5, WHITE);
  }

  // Legend: a swatch and "name (target)" per SLA, wrapping over rows, then the dashed-target key.
  let lx = left;
  let ly = bottom + 62;
  const place = (width: number) => {
    if (lx + width > right && lx > left) {
      lx = left;
      ly += 22;
    }
  };
  report.slas.forEach((s, n) => {
    if (ly > H - 20) return;
    const c = PALETTE[n % PALETTE.length]!;
    const label = `${cut(s.name, 30)} (${Number((s.target * 100).toFixed(4))}%)`;
    const width = 30 + textWidth(label) + 24;
    place(width);
    r.rect(lx, ly + 5, 22, 4, c);
    r.text(lx + 30, ly, label, INK);
    lx += width;
  });
  if (ly <= H - 20) {
    const key = 'TARGET';
    place(30 + textWidth(key) + 24);
    r.line(lx, ly + 7, lx + 22, ly + 7, AXIS, 2, [5, 3]);
    r.text(lx + 30, ly, key, INK);
    lx += 30 + textWidth(key) + 24;
  }
  if (ly <= H - 20 && points.some((p) => p.live)) {
    const key = 'LIVE, NOT YET IN GOLD';
    place(30 + textWidth(key));
    r.rect(lx + 7, ly + 3, 9, 9, AXIS);
    r.rect(lx + 9, ly + 5, 5, 5, WHITE);
    r.text(lx + 30, ly, key, INK);
  }
  if (report.slas.length === 0) r.text(left + 20, top + 20, 'NO SLA IN FORCE THIS WEEK', INK);
  if (!report.complete) r.text(right - textWidth('PARTIAL WEEK'), 20, 'PARTIAL WEEK', AXIS);

  return encodePng(W, H, r.px);
}
