import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../src/adapters/chart/png.ts';
import {
  BLUE,
  GREEN,
  LIGHT_BLUE,
  ORANGE,
  RED,
  shortUsd,
  wrap,
} from '../../../src/adapters/chart/revops-chart-kit.ts';
import {
  REVOPS_CHART_HEIGHT,
  REVOPS_CHART_WIDTH,
  renderRevopsChart,
} from '../../../src/adapters/chart/revops-charts.ts';
import { mrrSteps } from '../../../src/adapters/chart/revops-mrr-png.ts';
import type { RevopsReport } from '../../../src/domain/revops/figures.ts';
import {
  bigRevopsReport,
  buildRevopsReport,
  channel,
  emptyRevopsReport,
  month,
} from '../../support/revops-report.ts';

/**
 * The three RevOps charts. Each is written to /tmp/revops-charts/ as well, to be looked at: what a test
 * can check (size, colours where the bars are) is not whether labels collide.
 */
const OUT = '/tmp/revops-charts';
mkdirSync(OUT, { recursive: true });

function decodePng(bytes: Uint8Array) {
  const b = Buffer.from(bytes);
  expect([...b.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: { type: string; data: Buffer }[] = [];
  let at = 8;
  while (at < b.length) {
    const len = b.readUInt32BE(at);
    const type = b.subarray(at + 4, at + 8).toString('ascii');
    expect(b.readUInt32BE(at + 8 + len), `CRC of ${type}`).toBe(crc32(b.subarray(at + 4, at + 8 + len)));
    chunks.push({ type, data: b.subarray(at + 8, at + 8 + len) });
    at += 12 + len;
  }
  const width = chunks[0]!.data.readUInt32BE(0);
  const height = chunks[0]!.data.readUInt32BE(4);
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    raw.copy(rgb, y * width * 3, y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1));
  return { width, height, rgb };
}

const count = (rgb: Buffer, c: readonly number[]) => {
  let n = 0;
  for (let i = 0; i < rgb.length; i += 3)
    if (rgb[i] === c[0] && rgb[i + 1] === c[1] && rgb[i + 2] === c[2]) n++;
  return n;
};
/** The topmost row holding colour `c` in column x, or null. */
const topOf = (png: ReturnType<typeof decodePng>, x: number, c: readonly number[]) => {
  for (let y = 0; y < png.height; y++) {
    const i = (y * png.width + x) * 3;
    if (png.rgb[i] === c[0] && png.rgb[i + 1] === c[1] && png.rgb[i + 2] === c[2]) return y;
  }
  return null;
};

function draw(name: string, kind: Parameters<typeof renderRevopsChart>[0], r: RevopsReport, title: string) {
  const bytes = renderRevopsChart(kind, r, title);
  writeFileSync(join(OUT, `${name}.png`), bytes);
  const png = decodePng(bytes);
  expect([png.width, png.height]).toEqual([REVOPS_CHART_WIDTH, REVOPS_CHART_HEIGHT]);
  return png;
}

describe('RevOps charts', () => {
  const report = buildRevopsReport();

  it('pipeline by stage: amount and weighted bars per stage, taller where the amount is larger', () => {
    const png = draw(
      'pipeline',
      'pipeline',
      report,
      'Pipeline by stage, last 30 days (31 Oct - 29 Nov 2026)',
    );
    expect(count(png.rgb, LIGHT_BLUE)).toBeGreaterThan(5_000);
    expect(count(png.rgb, BLUE)).toBeGreaterThan(5_000);
    // Three stage slots over the plot (110 … 970): Discovery's amount bar sits left of its centre at 253.
    const discoveryTop = topOf(png, 253 - 30, LIGHT_BLUE)!;
    const negotiationTop = topOf(png, 826 - 30, LIGHT_BLUE)!;
    expect(discoveryTop).toBeLessThan(negotiationTop); // $1.21M over $930K
  });

  it('MRR waterfall: start, five flows, end; flows add up to the end', () => {
    const steps = mrrSteps(report.revenue.months);
    expect(steps.map((s) => s.label.join(''))).toEqual([
      'START',
      'NEW',
      'EXPANSION',
      'REACTI-VATION',
      'CONTRAC-TION',
      'CHURN',
      'END',
    ]);
    expect(steps[5]!.to).toBe(steps[6]!.to);
    const png = draw('mrr', 'mrr', report, 'MRR movement, last 30 days (31 Oct - 29 Nov 2026)');
    expect(count(png.rgb, GREEN)).toBeGreaterThan(1_000);
    expect(count(png.rgb, ORANGE)).toBeGreaterThan(500);
    expect(count(png.rgb, RED)).toBeGreaterThan(500);
  });

  it('channels: spend and won revenue per channel', () => {
    const png = draw('channels', 'channels', report, 'Spend vs won revenue by channel, last 30 days');
    expect(count(png.rgb, ORANGE)).toBeGreaterThan(3_000);
    expect(count(png.rgb, GREEN)).toBeGreaterThan(3_000);
  });

  it('a single month with a large churn does not zoom; many channels and stages are capped, still drawn', () => {
    const churny = buildRevopsReport({
      revenue: { months: [month('2026-11-01', 1_000_000, { churnCents: 600_000, newCents: 50_000 })] },
      marketing: {
        channels: Array.from({ length: 12 }, (_, i) =>
          channel(`Channel number ${i + 1} with a long name`, 100_000 * (i + 1), 500, i, 250_000 * i),
        ),
      },
    });
    draw('mrr-churn', 'mrr', churny, 'MRR movement, Nov 2026');
    draw('channels-many', 'channels', churny, 'Spend vs won revenue by channel');
    const big = bigRevopsReport();
    for (const kind of ['pipeline', 'mrr', 'channels'] as const)
      draw(`big-${kind}`, kind, big, `${kind} ${'x'.repeat(200)}`);
  });

  it('an empty report draws the axes and says there is nothing', () => {
    const empty = emptyRevopsReport();
    for (const kind of ['pipeline', 'mrr', 'channels'] as const)
      draw(`empty-${kind}`, kind, empty, `Empty ${kind}`);
  });

  it('short amounts and wrapped labels', () => {
    expect([shortUsd(95_000), shortUsd(1_250_000), shortUsd(318_450_000), shortUsd(-120_000)]).toEqual([
      '950',
      '12.5K',
      '3.2M',
      '-1.2K',
    ]);
    expect(wrap('Moved to a competitor', 10)).toEqual(['MOVED TO A', 'COMPETITOR']);
    expect(wrap('one two three four five', 7, 2)).toEqual(['ONE TWO', 'THREE .']);
  });
});
