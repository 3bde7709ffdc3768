import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../src/adapters/chart/png.ts';
import {
  compactAmount,
  NEGATIVE,
  POSITIVE,
  REVENUE_CHART_HEIGHT,
  REVENUE_CHART_WIDTH,
  renderRevenueChart,
} from '../../../src/adapters/chart/revenue-png.ts';
import type { DaySeriesPoint } from '../../../src/domain/commerce/figures.ts';

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
    expect(b.readUInt32BE(at + 8 + len), `CRC of ${type}`).toBe(crc32(b.subarray(at + 4, at + 8 + len)));
    chunks.push({ type, data });
    at += 12 + len;
  }
  expect(chunks[0]!.type).toBe('IHDR');
  expect(chunks.at(-1)!.type).toBe('IEND');
  const width = chunks[0]!.data.readUInt32BE(0);
  const height = chunks[0]!.data.readUInt32BE(4);
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  expect(raw.length).toBe(height * (1 + width * 3));
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    raw.copy(rgb, y * width * 3, y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1));
  return { width, height, rgb };
}

/** The rows (y) where colour `c` appears. */
function rowsOf(img: { width: number; rgb: Buffer }, c: readonly number[]): number[] {
  const rows = new Set<number>();
  for (let i = 0; i < img.rgb.length; i += 3)
    if (img.rgb[i] === c[0] && img.rgb[i + 1] === c[1] && img.rgb[i + 2] === c[2])
      rows.add(Math.floor(i / 3 / img.width));
  return [...rows].sort((a, b) => a - b);
}

const week = (cents: number[]): DaySeriesPoint[] =>
  cents.map((netCents, i) => ({ day: `2025-05-${String(27 + i).padStart(2, '0')}`, netCents }));

describe('renderRevenueChart', () => {
  it('is a valid PNG of the chart size', () => {
    const img = decodePng(
      renderRevenueChart(week([95_000, 88_000, 91_000, 70_000, 100_000]), 'USD', 'Net revenue'),
    );
    expect([img.width, img.height]).toEqual([REVENUE_CHART_WIDTH, REVENUE_CHART_HEIGHT]);
  });

  it('draws positive days above the zero line and negative days below it', () => {
    const img = decodePng(
      renderRevenueChart(
        week([95_000, -40_000, 91_000, 70_000, -5_000, 100_000, 12_000]),
        'USD',
        'Net revenue',
      ),
    );
    const up = rowsOf(img, POSITIVE);
    const down = rowsOf(img, NEGATIVE);
    expect(up.length).toBeGreaterThan(50);
    expect(down.length).toBeGreaterThan(10);
    // Every negative pixel lies below every positive one: the bars hang from the same zero line.
    expect(Math.min(...down)).toBeGreaterThan(Math.max(...up));
  });

  it('an all-positive week has no negative bars; an all-negative week no positive ones', () => {
    expect(rowsOf(decodePng(renderRevenueChart(week([1, 2, 3]), 'EUR', 't')), NEGATIVE)).toEqual([]);
    expect(rowsOf(decodePng(renderRevenueChart(week([-100, -2_000]), 'EUR', 't')), POSITIVE)).toEqual([]);
  });

  it('draws empty, zero and odd input without throwing', () => {
    for (const [series, currency] of [
      [[], 'USD'],
      [week([0, 0, 0]), 'JPY'],
      [[{ day: 'not-a-day', netCents: 5 }], '<b>'],
      [week([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]), 'KWD'],
    ] as const)
      decodePng(renderRevenueChart([...series], currency, `${'A very long title '.repeat(20)}€`));
  });

  it('writes amounts short enough for a bar', () => {
    expect(compactAmount(950)).toBe('950');
    expect(compactAmount(1234.5)).toBe('1,234.5');
    expect(compactAmount(12_500)).toBe('12.5K');
    expect(compactAmount(-3_200_000)).toBe('-3.2M');
    expect(compactAmount(0)).toBe('0');
  });
});
