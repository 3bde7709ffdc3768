import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  CHART_HEIGHT,
  CHART_WIDTH,
  PALETTE,
  renderAttainmentPng,
} from '../../../src/adapters/chart/attainment-png.ts';
import { crc32, encodePng } from '../../../src/adapters/chart/png.ts';
import type { SlaReport, SlaWeekRow } from '../../../src/domain/sla/report.ts';

const DAY = 86_400_000;
const START = Date.parse('2026-11-16T00:00:00Z');

/** Reads a PNG strictly: signature, every chunk's CRC, IHDR, and the inflated scanlines (filter 0 only). */
function decodePng(bytes: Uint8Array) {
  const b = Buffer.from(bytes);
  expect([...b.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: { type: string; data: Buffer }[] = [];
  let at = 8;
  while (at < b.length) {
    const len = b.readUInt32BE(at);
    const type = b.subarray(at + 4, at + 8).toString('ascii');
    const data = b.subarray(at + 8, at + 8 + len);
    const crc = b.readUInt32BE(at + 8 + len);
    expect(crc, `CRC of ${type}`).toBe(crc32(b.subarray(at + 4, at + 8 + len)));
    chunks.push({ type, data });
    at += 12 + len;
  }
  expect(at).toBe(b.length);
  expect(chunks[0]!.type).toBe('IHDR');
  expect(chunks.at(-1)!.type).toBe('IEND');
  const ihdr = chunks[0]!.data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  expect([ihdr[8], ihdr[9], ihdr[10], ihdr[11], ihdr[12]]).toEqual([8, 2, 0, 0, 0]);
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  expect(raw.length).toBe(height * (1 + width * 3));
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 3 + 1)]).toBe(0);
    raw.copy(rgb, y * width * 3, y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1));
  }
  return { width, height, rgb };
}

const countColour = (rgb: Buffer, c: readonly number[]) => {
  let n = 0;
  for (let i = 0; i < rgb.length; i += 3)
    if (rgb[i] === c[0] && rgb[i + 1] === c[1] && rgb[i + 2] === c[2]) n++;
  return n;
};

const row = (id: string, target: number, points: (number | null)[]): SlaWeekRow => ({
  id,
  name: id,
  service: 'checkout',
  metric: 'm',
  indicator: 'availability',
  version: 1,
  target,
  total: 1,
  bad: 0,
  attainment: 1,
  status: 'met',
  burn: 0,
  budgetRemaining: 1,
  worstBurn: null,
  breaches: 0,
  incidents: 0,
  openIncidents: 0,
  downtimeMinutes: 0,
  days: 7,
  liveDays: 0,
  p99: { thisWeek: null, previousWeek: null, changePct: null },
  daily: points.map((attainment, i) => ({ dayMs: START + i * DAY, attainment, live: false })),
});

const report = (slas: SlaWeekRow[]): SlaReport => ({
  week: '2026-W47',
  startMs: START,
  endMs: START + 7 * DAY,
  service: null,
  complete: true,
  slas,
  summary: { met: slas.length, breached: 0, noData: 0 },
  revenue: null,
  recoveredCents: 0,
});

describe('encodePng', () => {
  it('a 3×2 raster round-trips through a strict decoder', () => {
    const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const png = decodePng(encodePng(3, 2, rgb));
    expect([png.width, png.height]).toEqual([3, 2]);
    expect([...png.rgb]).toEqual([...rgb]);
  });

  it('crc32 matches the reference value', () => {
    expect(crc32(Buffer.from('IEND', 'ascii'))).toBe(0xae426082);
    expect(crc32(Buffer.from('123456789', 'ascii'))).toBe(0xcbf43926);
  });

  it('refuses a raster of the wrong size', () => {
    expect(() => encodePng(2, 2, new Uint8Array(3))).toThrow(/raster size/);
  });
});

describe('renderAttainmentPng', () => {
  it('is a valid PNG of the chart size with one colour per SLA line, and the text ink', () => {
    const r = report([
      row('checkout-availability', 0.999, [1, 0.9995, 0.997, null, 0.9999, 1, 0.9991]),
      row('search-latency', 0.99, [0.995, 0.992, 0.985, 0.99, 0.999, null, null]),
    ]);
    const png = decodePng(renderAttainmentPng(r));
    expect([png.width, png.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    expect(countColour(png.rgb, PALETTE[0]!)).toBeGreaterThan(500);
    expect(countColour(png.rgb, PALETTE[1]!)).toBeGreaterThan(500);
    expect(countColour(png.rgb, PALETTE[2]!)).toBe(0);
    expect(countColour(png.rgb, [33, 33, 33])).toBeGreaterThan(1000);
    expect(countColour(png.rgb, [255, 255, 255])).toBeGreaterThan((CHART_WIDTH * CHART_HEIGHT) / 2);
  });

  it('draws the first SLA line where its points are: higher attainment is higher on the chart', () => {
    const r = report([row('a', 0.9, [1, 1, 1, 0.9, 0.9, 0.9, 0.9])]);
    const { rgb, width } = decodePng(renderAttainmentPng(r));
    const colourAt = (x: number, y: number) => [
      ...rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3),
    ];
    const rowsWithColour = (x: number) => {
      const ys: number[] = [];
      for (let y = 0; y < CHART_HEIGHT; y++) if (colourAt(x, y).join() === PALETTE[0]!.join()) ys.push(y);
      return ys;
    };
    // Plot area 110 … 930, seven slots: day 0 centred near x = 168, day 5 near x = 754.
    const monday = rowsWithColour(168);
    const saturday = rowsWithColour(754);
    expect(monday.length).toBeGreaterThan(0);
    expect(saturday.length).toBeGreaterThan(0);
    // Saturday (90%) sits on its dashed 90% target, well below Monday's 100%.
    expect(Math.min(...monday)).toBeLessThan(Math.min(...saturday) - 100);
  });

  it('draws a day not yet in Gold (counted live) hollow, a Gold day solid', () => {
    const gold = row('a', 0.9, [0.95, 0.96, 0.97, null, null, null, null]);
    const live = { ...gold, daily: gold.daily.map((d, i) => ({ ...d, live: i === 2 })) };
    const inkRows = (r: SlaReport, x: number) => {
      const { rgb, width } = decodePng(renderAttainmentPng(r));
      const ys: number[] = [];
      for (let y = 0; y < CHART_HEIGHT; y++)
        if ([...rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)].join() === PALETTE[0]!.join())
          ys.push(y);
      return ys;
    };
    // Plot area 110 … 930, seven slots of 117 px: day 1 is centred at x = 285, day 2 at x = 403.
    expect(inkRows(report([live]), 285)).toEqual(inkRows(report([gold]), 285));
    const solid = inkRows(report([gold]), 403);
    const hollow = inkRows(report([live]), 403);
    // The live marker keeps its rim and loses its centre (5 rows) to white.
    expect(solid.length - hollow.length).toBe(5);
    expect(hollow.every((y) => solid.includes(y))).toBe(true);
  });

  it('a report without SLAs still renders (empty axes)', () => {
    const png = decodePng(renderAttainmentPng(report([])));
    expect(png.width).toBe(CHART_WIDTH);
  });
});
