import { describe, expect, it } from 'vitest';
import type { SlaDefinition } from '../../../src/domain/sla/definition.ts';
import { daysToSnapshot, MAX_BACKFILL_DAYS, snapshotOf } from '../../../src/domain/sla/snapshot.ts';
import { DAY_MS } from '../../../src/shared/time.ts';
import { AVAILABILITY } from './openslo-fixtures.ts';

const DAY = Date.UTC(2026, 10, 19);
const LATENCY: SlaDefinition = {
  ...AVAILABILITY,
  id: 'checkout-latency',
  indicator: { kind: 'latency', thresholdMs: 300 },
  target: 0.99,
};

describe('snapshotOf', () => {
  it.each([
    // name, def, total, errors, slowOrBad, badMinutes, downtime → uptime, burn, bad, breaches
    ['an empty day is 100% with no burn', AVAILABILITY, 0, 0, undefined, 0, 0, 100, 0, 0, 0],
    ['all good', AVAILABILITY, 1000, 0, undefined, 0, 0, 100, 0, 0, 0],
    [
      '1 bad in 2000 at 99.9%: half the budget rate',
      AVAILABILITY,
      2000,
      1,
      undefined,
      0,
      0,
      99.95,
      0.5,
      1,
      0,
    ],
    ['1 bad in 1000 at 99.9%: burn 1', AVAILABILITY, 1000, 1, undefined, 1, 0, 99.9, 1, 1, 1],
    ['uptime rounds to 4 decimals', AVAILABILITY, 3, 1, undefined, 1, 0, 66.6667, 333.3333, 1, 1],
    ['latency counts the slow ones, not errors', LATENCY, 100, 50, 2, 2, 0, 98, 2, 2, 2],
    ['latency without a slow count is all good', LATENCY, 100, 0, undefined, 0, 0, 100, 0, 0, 0],
    ['bad is clamped to total (sketch approximation)', LATENCY, 10, 0, 12, 0, 0, 0, 100, 10, 0],
    ['downtime minutes are passed through (rounded)', AVAILABILITY, 10, 0, undefined, 0, 42.4, 100, 0, 0, 0],
  ] as const)('%s', (_, def, total, errors, slowOrBad, badMinutes, downtime, uptime, burn, bad, breaches) => {
    const s = snapshotOf(
      def,
      { dayMs: DAY, total, errors, ...(slowOrBad === undefined ? {} : { slowOrBad }), badMinutes },
      downtime,
    );
    expect(s.uptimePct).toBe(uptime);
    expect(s.budgetBurn).toBeCloseTo(burn, 3);
    expect(s.errors).toBe(bad);
    expect(s.breaches).toBe(breaches);
    expect(s.total).toBe(total);
    expect(s.downtimeMinutes).toBe(Math.round(downtime));
    expect(s).toMatchObject({ slaId: def.id, slaVersion: def.version, service: def.service, dayMs: DAY });
  });
});

describe('daysToSnapshot', () => {
  const d = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
  const now = Date.parse('2026-11-20T00:00:30Z');
  const days = (last: number | null, from: number, at = now) =>
    daysToSnapshot(last, from, at).map((ms) => new Date(ms).toISOString().slice(0, 10));

  it.each([
    [
      'first run: from the active_from day to yesterday',
      null,
      Date.parse('2026-11-17T15:00:00Z'),
      now,
      ['2026-11-17', '2026-11-18', '2026-11-19'],
    ],
    ['nightly: only yesterday', d('2026-11-18'), d('2026-11-01'), now, ['2026-11-19']],
    [
      'missed nights are backfilled',
      d('2026-11-16'),
      d('2026-11-01'),
      now,
      ['2026-11-17', '2026-11-18', '2026-11-19'],
    ],
    ['up to date: nothing', d('2026-11-19'), d('2026-11-01'), now, []],
    ['a definition active since today: nothing yet', null, Date.parse('2026-11-20T00:00:10Z'), now, []],
    [
      'late in the day still only up to yesterday',
      null,
      d('2026-11-19'),
      Date.parse('2026-11-20T23:59:59.999Z'),
      ['2026-11-19'],
    ],
  ] as const)('%s', (_, last, from, at, expected) => {
    expect(days(last, from, at)).toEqual(expected);
  });

  it(`caps the backfill at the last ${MAX_BACKFILL_DAYS} days`, () => {
    const list = daysToSnapshot(null, d('2025-01-01'), now);
    expect(list).toHaveLength(MAX_BACKFILL_DAYS);
    expect(list.at(-1)).toBe(d('2026-11-19'));
    expect(list[0]).toBe(d('2026-11-19') - (MAX_BACKFILL_DAYS - 1) * DAY_MS);
  });
});
