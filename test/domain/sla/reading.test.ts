import { describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../../src/domain/sla/burn.ts';
import { burnSpan, readBurn } from '../../../src/domain/sla/reading.ts';
import { DAY_MS, MINUTE_MS } from '../../../src/shared/time.ts';
import { AVAILABILITY } from './openslo-fixtures.ts';

const NOW = Date.parse('2026-11-30T10:00:30Z');
const MINUTE = Math.floor(NOW / MINUTE_MS) * MINUTE_MS;
const TODAY = Date.parse('2026-11-30T00:00:00Z');

describe('burnSpan and readBurn', () => {
  it('reads back to the longest rule window or midnight, and Gold for the rest of the SLA window', () => {
    const span = burnSpan(AVAILABILITY, NOW);
    expect(span).toMatchObject({
      currentMinute: MINUTE,
      todayMs: TODAY,
      fromMs: MINUTE - 72 * HOUR_MS + MINUTE_MS,
      toMs: MINUTE + MINUTE_MS,
      goldFromMs: TODAY - 29 * DAY_MS,
    });
  });

  it('budget: Gold days plus today’s minutes; windows count only their own minutes', () => {
    const span = burnSpan(AVAILABILITY, NOW);
    const minutes = [
      { minuteMs: TODAY - MINUTE_MS, total: 1_000, bad: 1_000 }, // yesterday: Gold has it, not the budget here
      { minuteMs: TODAY, total: 1_000, bad: 1 },
      { minuteMs: MINUTE, total: 1_000, bad: 0 },
    ];
    const r = readBurn(AVAILABILITY, span, minutes, { total: 98_000, bad: 49 }, 10);
    expect(r.budgetRemaining).toBeCloseTo(1 - 50 / 100_000 / 0.001, 9);
    expect(r.evaluation.action).toBe('none');
  });
});
