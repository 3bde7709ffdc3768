/**
 * A small RGB raster to draw charts into, with a 5×7 bitmap font (upper case, digits and the punctuation
 * chart labels need; lower case is drawn upper case), so the server needs no native canvas library.
 */

export type Rgb = readonly [number, number, number];

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
export class Raster {
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
