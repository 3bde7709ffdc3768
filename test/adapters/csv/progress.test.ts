import { describe, expect, it } from 'vitest';
import { createProgressBar, formatProgress, type ProgressSink } from '../../../src/adapters/csv/progress.ts';

const MiB = 1024 * 1024;

describe('formatProgress', () => {
  it('shows bar, percent, bytes, rows, rate and rejected', () => {
    const line = formatProgress(
      { bytesRead: 1.5 * MiB, totalBytes: 3 * MiB, rows: 52_000, rejected: 3 },
      2_000,
      10,
    );
    expect(line).toBe('[█████░░░░░]  50.0%  1.5 MiB of 3.0 MiB  52,000 rows  26,000 rows/s  3 rejected');
  });

  it('leaves out the bar when the size is unknown and the rate before any time passed', () => {
    expect(formatProgress({ bytesRead: 10, totalBytes: 0, rows: 0, rejected: 0 }, 0)).toBe(
      '0 rows  — rows/s  0 rejected',
    );
  });

  it('never overfills the bar', () => {
    expect(formatProgress({ bytesRead: 20, totalBytes: 10, rows: 1, rejected: 0 }, 1, 4)).toMatch(
      /^\[████\] 100\.0%/,
    );
  });
});

function sink(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  const s: ProgressSink = { isTTY, write: (t: string) => writes.push(t), ...(columns ? { columns } : {}) };
  return { s, writes };
}
const at = (bytesRead: number) => ({ bytesRead, totalBytes: 1000, rows: bytesRead, rejected: 0 });

describe('createProgressBar', () => {
  it('on a TTY redraws in place at most every 100 ms, cut to the terminal width, and clears on done', () => {
    let t = 0;
    const { s, writes } = sink(true, 40);
    const bar = createProgressBar(s, { now: () => t });
    bar.update(at(100));
    t = 50;
    bar.update(at(200));
    t = 120;
    bar.update(at(300));
    bar.done();
    expect(writes).toHaveLength(3);
    expect(writes[0]?.startsWith('\r[')).toBe(true);
    expect(writes[0]?.endsWith('\x1b[K')).toBe(true);
    expect(writes[0]!.length).toBe('\r'.length + 39 + '\x1b[K'.length);
    expect(writes[1]).toContain('30.0%');
    expect(writes[2]).toBe('\r\x1b[K');
  });

  it('without a TTY logs a line each 10% and nothing on done', () => {
    const { s, writes } = sink(false);
    const bar = createProgressBar(s, { now: () => 0 });
    for (let b = 0; b <= 1000; b += 25) bar.update(at(b));
    bar.done();
    expect(writes).toHaveLength(10);
    expect(writes[0]).toMatch(/^import \[.*\] {2}10\.0%.*\n$/);
    expect(writes[9]).toContain('100.0%');
  });

  it('without a TTY and without a size writes nothing', () => {
    const { s, writes } = sink(false);
    const bar = createProgressBar(s);
    bar.update({ bytesRead: 5, totalBytes: 0, rows: 5, rejected: 0 });
    bar.done();
    expect(writes).toEqual([]);
  });
});
