import type { WindowCounts } from '../../../src/domain/sla/burn.ts';

/** Events in one tick of the simulated clock. */
export interface Tick {
  total: number;
  bad: number;
}

export const ticks = (n: number, total: number, bad: number): Tick[] =>
  Array.from({ length: n }, () => ({ total, bad }));

/**
 * A simulated telemetry history, one entry per tick (a minute, or a second), and its window-sum function:
 * `at(t)(windowMs)` sums the ticks [t − window, t), i.e. the window ending after t ticks have elapsed
 * (what the evaluator sees when it runs at that instant). Prefix sums keep a multi-day run cheap.
 */
export function simulatedClock(history: readonly Tick[], tickMs: number) {
  const total = [0];
  const bad = [0];
  history.forEach((t, i) => {
    total.push(total[i]! + t.total);
    bad.push(bad[i]! + t.bad);
  });
  return {
    length: history.length,
    at:
      (t: number) =>
      (windowMs: number): WindowCounts => {
        const width = windowMs / tickMs;
        if (!Number.isInteger(width)) throw new Error(`window ${windowMs} ms is not whole ticks`);
        const from = Math.max(0, t - width);
        return { total: total[t]! - total[from]!, bad: bad[t]! - bad[from]! };
      },
  };
}
