import { describe, expect, it } from 'vitest';
import { addDays, dayStartMs, weekdayOf } from '../../../src/domain/commerce/days.ts';
import { assessDip, belowBy, type DipInput, medianCents } from '../../../src/domain/commerce/dip.ts';
import { BUCKET_MS, type NetBucket } from '../../../src/domain/commerce/ledger.ts';

const HOUR = 3_600_000;
const MIN = 60_000;
const TODAY = '2026-06-10'; // a Wednesday
const YESTERDAY = addDays(TODAY, -1);

/** The instant `hours` after local midnight of `day`. */
const at = (day: string, hours: number, tz = 'UTC'): number => dayStartMs(day, tz) + hours * HOUR;

const sale = (atMs: number, netCents: number, o: Partial<NetBucket> = {}): NetBucket => ({
  source: 'shopify',
  currency: 'USD',
  startMs: Math.floor(atMs / BUCKET_MS) * BUCKET_MS,
  netCents,
  events: 1,
  ...o,
});

const dip = (buckets: NetBucket[], nowMs = at(TODAY, 14), o: Partial<DipInput> = {}) =>
  assessDip({ buckets, currency: 'USD', source: 'shopify', tz: 'UTC', nowMs, ...o });

/** `cents` by 10:00 on each of the 4 same weekdays before `day`. */
const pastWeekdays = (day: string, cents: readonly number[], tz = 'UTC'): NetBucket[] =>
  cents.map((c, i) => sale(at(addDays(day, -7 * (i + 1)), 10, tz), c));

describe('day over day (no weekday history): today vs yesterday up to the same time', () => {
  it('yesterday exactly $10 does not qualify; $10.01 does', () => {
    expect(dip([sale(at(YESTERDAY, 10), 1000)]).firing).toBe(false);
    const r = dip([sale(at(YESTERDAY, 10), 1001)]);
    expect(r.firing).toBe(true);
    expect(r.figures).toMatchObject({
      comparison: 'day_over_day',
      weekdayBaselineAvailable: false,
      weekdayBaselineCents: null,
      todayCents: 0,
      yesterdayCents: 1001,
      yesterdaySameTimeCents: 1001,
      drop: 1,
      threshold: 0.2,
    });
  });

  it('exactly 20% below does not fire; one cent more below does', () => {
    const y = sale(at(YESTERDAY, 10), 5000);
    const exactly = dip([y, sale(at(TODAY, 10), 4000)]);
    expect(exactly.firing).toBe(false);
    expect(exactly.figures.drop).toBeCloseTo(0.2, 12);
    expect(dip([y, sale(at(TODAY, 10), 3999)]).firing).toBe(true);
  });

  it('is exact where floats are not: (1 − 0.45) × 100 is 55.00000000000001', () => {
    const y = sale(at(YESTERDAY, 10), 100);
    const o = { threshold: 0.45, minBaselineCents: 50 };
    expect(dip([y, sale(at(TODAY, 10), 55)], undefined, o).firing).toBe(false);
    expect(dip([y, sale(at(TODAY, 10), 54)], undefined, o).firing).toBe(true);
  });

  it("compares with yesterday up to the same time: yesterday's evening does not count against this afternoon", () => {
    const buckets = [
      sale(at(YESTERDAY, 10), 5000),
      sale(at(YESTERDAY, 20), 100_000),
      sale(at(TODAY, 10), 4500),
    ];
    const r = dip(buckets);
    expect(r.firing).toBe(false);
    expect(r.figures).toMatchObject({
      yesterdayCents: 105_000,
      yesterdaySameTimeCents: 5000,
      todayCents: 4500,
    });
  });

  it('a busy yesterday evening with nothing by this time does not fire (nothing to compare with yet)', () => {
    const r = dip([sale(at(YESTERDAY, 20), 100_000)]);
    expect(r.firing).toBe(false);
    expect(r.figures.drop).toBe(0);
  });

  it('compares whole 15-minute buckets only: the bucket still filling counts on neither side', () => {
    const buckets = [
      sale(at(YESTERDAY, 10), 5000),
      sale(at(YESTERDAY, 14), 10_000),
      sale(at(TODAY, 10), 5000),
    ];
    const early = dip(buckets, at(TODAY, 14) + 14 * MIN);
    expect(early.firing).toBe(false);
    expect(early.figures.yesterdaySameTimeCents).toBe(5000);
    const later = dip(buckets, at(TODAY, 14) + 15 * MIN);
    expect(later.figures.yesterdaySameTimeCents).toBe(15_000);
    expect(later.firing).toBe(true);
  });

  it('refunds count: a refund today can make a dip', () => {
    const buckets = [sale(at(YESTERDAY, 10), 5000), sale(at(TODAY, 9), 5000), sale(at(TODAY, 11), -1001)];
    expect(dip(buckets).figures.todayCents).toBe(3999);
    expect(dip(buckets).firing).toBe(true);
  });

  it('another currency or source does not count', () => {
    const buckets = [
      sale(at(YESTERDAY, 10), 5000),
      sale(at(TODAY, 10), 5000, { currency: 'EUR' }),
      sale(at(TODAY, 10), 5000, { source: 'stripe' }),
    ];
    expect(dip(buckets).firing).toBe(true);
  });
});

describe('the minimum-elapsed guard', () => {
  const buckets = [sale(at(YESTERDAY, 0), 5000)];

  it('does not fire in the first 2 hours of the local day, then does', () => {
    const early = dip(buckets, at(TODAY, 2) - 1);
    expect(early).toMatchObject({ firing: false, guarded: true });
    expect(early.figures.drop).toBe(1);
    expect(dip(buckets, at(TODAY, 2))).toMatchObject({ firing: true, guarded: false });
  });

  it('takes its length from the input', () => {
    expect(dip(buckets, at(TODAY, 1), { minElapsedMs: HOUR }).firing).toBe(true);
  });
});

describe('weekday hour: today vs the median of the same weekday, midnight to the same time', () => {
  it('a quiet Sunday like past Sundays does not fire; the same numbers day over day would', () => {
    const sunday = '2026-06-14';
    expect(weekdayOf(sunday)).toBe(0);
    const saturday = [sale(at(addDays(sunday, -1), 10), 50_000)];
    const today = [sale(at(sunday, 10), 1900)];
    const now = at(sunday, 14);
    const withHistory = dip([...pastWeekdays(sunday, [2000, 2100, 1800, 2000]), ...saturday, ...today], now);
    expect(withHistory.firing).toBe(false);
    expect(withHistory.figures).toMatchObject({
      comparison: 'weekday_hour',
      weekdayBaselineAvailable: true,
      weekdayBaselineCents: 2000,
      todayCents: 1900,
      yesterdaySameTimeCents: 50_000,
    });
    expect(withHistory.figures.drop).toBeCloseTo(0.05, 12);
    const without = dip([...saturday, ...today], now);
    expect(without.firing).toBe(true);
    expect(without.figures.comparison).toBe('day_over_day');
  });

  it('a weekday far below its usual fires even when yesterday was as low', () => {
    const r = dip([...pastWeekdays(TODAY, [10_000, 10_000, 10_000, 10_000]), sale(at(YESTERDAY, 10), 10)]);
    expect(r).toMatchObject({ firing: true, figures: { comparison: 'weekday_hour', drop: 1 } });
  });

  it('exactly 20% below the baseline does not fire; one cent more does', () => {
    const history = pastWeekdays(TODAY, [2000, 2000, 2000, 2000]);
    expect(dip([...history, sale(at(TODAY, 10), 1600)]).firing).toBe(false);
    expect(dip([...history, sale(at(TODAY, 10), 1599)]).firing).toBe(true);
  });

  it('judges a baseline of exactly the minimum ($10), not below it', () => {
    expect(dip(pastWeekdays(TODAY, [1000, 1000])).firing).toBe(true);
    const small = dip(pastWeekdays(TODAY, [999, 999]));
    expect(small.firing).toBe(false);
    expect(small.figures.comparison).toBe('weekday_hour');
    expect(dip(pastWeekdays(TODAY, [999, 999]), undefined, { minBaselineCents: 500 }).firing).toBe(true);
  });

  it('needs 2 of the 4 days alive; a day with only a payout (no revenue) is alive', () => {
    expect(dip(pastWeekdays(TODAY, [5000])).figures.weekdayBaselineAvailable).toBe(false);
    const payoutDay = sale(at(addDays(TODAY, -14), 9), 0);
    const r = dip([...pastWeekdays(TODAY, [5000]), payoutDay]);
    expect(r.figures).toMatchObject({ weekdayBaselineAvailable: true, weekdayBaselineCents: 2500 });
  });

  it('takes the median of the alive days only: a dead week does not drag the baseline down', () => {
    const alive = [sale(at(addDays(TODAY, -7), 10), 4000), sale(at(addDays(TODAY, -21), 10), 6000)];
    expect(dip(alive).figures.weekdayBaselineCents).toBe(5000);
    expect(dip(pastWeekdays(TODAY, [1000, 100_000, 3000, 5001])).figures.weekdayBaselineCents).toBe(4001);
    expect(dip(pastWeekdays(TODAY, [1000, 9000, 5000])).figures.weekdayBaselineCents).toBe(5000);
  });

  it('counts past days only to the same time of day, but their whole day for being alive', () => {
    const lateSales = [1, 2, 3, 4].map((k) => sale(at(addDays(TODAY, -7 * k), 20), 50_000));
    const r = dip([...lateSales, sale(at(TODAY, 10), 100)]);
    expect(r.figures).toMatchObject({ weekdayBaselineAvailable: true, weekdayBaselineCents: 0 });
    expect(r.firing).toBe(false);
  });
});

describe('local days in other zones', () => {
  it('America/New_York on the 23-hour day: days cut at local midnight, same time = time since midnight', () => {
    const tz = 'America/New_York';
    const today = '2026-03-08';
    const buckets = [
      sale(Date.parse('2026-03-08T04:45:00Z'), 3000), // 23:45 EST on the 7th
      sale(at('2026-03-07', 10, tz), 5000),
      sale(at(today, 10, tz), 100),
    ];
    const r = dip(buckets, at(today, 13, tz), { tz });
    expect(r.figures).toMatchObject({ yesterdayCents: 8000, yesterdaySameTimeCents: 5000, todayCents: 100 });
    expect(r.firing).toBe(true);
  });

  it('America/New_York on the 25-hour day: late in the day yesterday is compared whole, never past its end', () => {
    const tz = 'America/New_York';
    const today = '2026-11-01';
    const buckets = [sale(at('2026-10-31', 12, tz), 5000), sale(at(today, 0.25, tz), 4500)];
    const r = dip(buckets, at(today, 24.5, tz), { tz });
    expect(r.figures).toMatchObject({ yesterdayCents: 5000, yesterdaySameTimeCents: 5000, todayCents: 4500 });
    expect(r.firing).toBe(false);
  });

  it('Asia/Kathmandu (+05:45): a sale at 18:00Z is the day before, at 18:15Z the day itself', () => {
    const tz = 'Asia/Kathmandu';
    const today = '2026-06-10';
    const buckets = [
      sale(at(addDays(today, -1), 10, tz), 5000),
      sale(Date.parse('2026-06-09T18:00:00Z'), 3000), // 23:45 on the 9th
      sale(Date.parse('2026-06-09T18:15:00Z'), 50), // 00:00 on the 10th
    ];
    const r = dip(buckets, at(today, 14, tz), { tz });
    expect(r.figures).toMatchObject({ yesterdayCents: 8000, yesterdaySameTimeCents: 5000, todayCents: 50 });
    expect(r.firing).toBe(true);
  });
});

describe('helpers', () => {
  it('belowBy is x < (1 − t) × c without float error', () => {
    expect(belowBy(800, 1000, 0.2)).toBe(false);
    expect(belowBy(799, 1000, 0.2)).toBe(true);
    expect(belowBy(70, 100, 0.3)).toBe(false);
    expect(belowBy(-1, 0, 0.2)).toBe(true);
  });

  it('medianCents', () => {
    expect([medianCents([]), medianCents([3]), medianCents([5, 1]), medianCents([4, 1, 2])]).toEqual([
      null,
      3,
      3,
      2,
    ]);
    expect(medianCents([1, 2])).toBe(2); // 1.5 rounds half away from zero
  });
});
