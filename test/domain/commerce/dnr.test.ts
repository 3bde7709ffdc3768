import { describe, expect, it } from 'vitest';
import { dayStartMs } from '../../../src/domain/commerce/days.ts';
import {
  breakdown,
  convert,
  dailyNet,
  divRound,
  netBetween,
  slopeCentsPerDay,
} from '../../../src/domain/commerce/dnr.ts';
import {
  BUCKET_MS,
  type LedgerEntry,
  type NetBucket,
  netEffect,
} from '../../../src/domain/commerce/ledger.ts';

const HOUR = 3_600_000;
const utc = (iso: string): number => Date.parse(iso);

const bucket = (atMs: number, netCents: number, o: Partial<NetBucket> = {}): NetBucket => ({
  source: 'shopify',
  currency: 'USD',
  startMs: Math.floor(atMs / BUCKET_MS) * BUCKET_MS,
  netCents,
  events: 1,
  ...o,
});

/** What the database does: sum netEffect of the entries into 15-minute buckets; count every entry. */
function bucketsOf(entries: readonly LedgerEntry[]): NetBucket[] {
  const m = new Map<string, NetBucket>();
  const add = (e: LedgerEntry, atMs: number, cents: number, events: number) => {
    const b = bucket(atMs, 0, { source: e.source, currency: e.currency, events: 0 });
    const key = `${b.source}|${b.currency}|${b.startMs}`;
    const had = m.get(key) ?? b;
    m.set(key, { ...had, netCents: had.netCents + cents, events: had.events + events });
  };
  for (const e of entries) {
    add(e, e.occurredAtMs, 0, 1);
    const effect = netEffect(e);
    if (effect) add(e, effect.atMs, effect.cents, 0);
  }
  return [...m.values()];
}

const entry = (o: Partial<LedgerEntry> & Pick<LedgerEntry, 'kind' | 'status'>): LedgerEntry => ({
  source: 'shopify',
  externalId: 'x',
  amountCents: 0,
  currency: 'USD',
  occurredAtMs: 0,
  settledAtMs: null,
  stream: '',
  ...o,
});

const q = { currency: 'USD', tz: 'UTC', fromDay: '2026-06-01', toDay: '2026-06-05' };

describe('dailyNet: net revenue per local day, zero-filled, oldest first', () => {
  it('fills days without buckets with 0 and ignores other currencies, sources and days', () => {
    const buckets = [
      bucket(utc('2026-06-02T10:00:00Z'), 1500),
      bucket(utc('2026-06-02T23:45:00Z'), 500),
      bucket(utc('2026-06-04T00:00:00Z'), 700, { source: 'stripe' }),
      bucket(utc('2026-06-04T01:00:00Z'), 9999, { currency: 'EUR' }),
      bucket(utc('2026-05-31T23:45:00Z'), 9999),
      bucket(utc('2026-06-06T00:00:00Z'), 9999),
    ];
    expect(dailyNet(buckets, q)).toEqual([
      { day: '2026-06-01', netCents: 0 },
      { day: '2026-06-02', netCents: 2000 },
      { day: '2026-06-03', netCents: 0 },
      { day: '2026-06-04', netCents: 700 },
      { day: '2026-06-05', netCents: 0 },
    ]);
    expect(dailyNet(buckets, { ...q, source: 'shopify' }).map((p) => p.netCents)).toEqual([0, 2000, 0, 0, 0]);
    expect(dailyNet([], q).map((p) => p.netCents)).toEqual([0, 0, 0, 0, 0]);
  });

  it('cuts days at local midnight across New York clock changes (a 23-hour day holds 92 buckets)', () => {
    const tz = 'America/New_York';
    const start = dayStartMs('2026-03-08', tz);
    const buckets = [
      bucket(utc('2026-03-08T04:45:00Z'), 100), // 23:45 EST on the 7th
      ...Array.from({ length: 92 }, (_, i) => bucket(start + i * BUCKET_MS, 1)),
      bucket(utc('2026-03-09T04:00:00Z'), 1000), // 00:00 EDT on the 9th
    ];
    const series = dailyNet(buckets, { currency: 'USD', tz, fromDay: '2026-03-07', toDay: '2026-03-09' });
    expect(series).toEqual([
      { day: '2026-03-07', netCents: 100 },
      { day: '2026-03-08', netCents: 92 },
      { day: '2026-03-09', netCents: 1000 },
    ]);
  });

  it('cuts days at 18:15Z in Asia/Kathmandu (+05:45)', () => {
    const tz = 'Asia/Kathmandu';
    const buckets = [bucket(utc('2026-06-01T18:00:00Z'), 40), bucket(utc('2026-06-01T18:15:00Z'), 2)];
    expect(dailyNet(buckets, { currency: 'USD', tz, fromDay: '2026-06-01', toDay: '2026-06-02' })).toEqual([
      { day: '2026-06-01', netCents: 40 },
      { day: '2026-06-02', netCents: 2 },
    ]);
  });

  it('a refund and a lost dispute learned later lower the day they happened when it is recomputed', () => {
    const day2 = utc('2026-06-02T12:00:00Z');
    const sales = [
      entry({
        kind: 'sale',
        status: 'CLEARED',
        amountCents: 10_000,
        occurredAtMs: day2 - HOUR,
        settledAtMs: day2,
      }),
      entry({
        kind: 'sale',
        status: 'CLEARED',
        amountCents: 5_000,
        occurredAtMs: utc('2026-06-03T09:00:00Z'),
      }),
      entry({ kind: 'sale', status: 'PENDING', amountCents: 7_777, occurredAtMs: day2 }),
      entry({ kind: 'sale', status: 'VOIDED', amountCents: 7_777, occurredAtMs: day2 }),
      entry({ kind: 'payout', status: 'POSTED', amountCents: 8_888, occurredAtMs: day2 }),
    ];
    const before = dailyNet(bucketsOf(sales), q).map((p) => p.netCents);
    expect(before).toEqual([0, 10_000, 5_000, 0, 0]);
    const later = [
      entry({ kind: 'refund', status: 'POSTED', amountCents: 2_500, occurredAtMs: day2 + 2 * HOUR }),
      // Opened on the 2nd, lost on the 4th: it counts when it closed.
      entry({
        kind: 'dispute',
        status: 'LOST',
        amountCents: 1_000,
        occurredAtMs: day2,
        settledAtMs: utc('2026-06-04T08:00:00Z'),
      }),
      entry({ kind: 'dispute', status: 'WON', amountCents: 9_999, occurredAtMs: day2, settledAtMs: day2 }),
      entry({ kind: 'dispute', status: 'DISPUTED', amountCents: 9_999, occurredAtMs: day2 }),
    ];
    const after = dailyNet(bucketsOf([...sales, ...later]), q).map((p) => p.netCents);
    expect(after).toEqual([0, 7_500, 5_000, -1_000, 0]);
  });
});

describe('netBetween', () => {
  it('sums buckets starting in [from, to), one currency, optionally one source', () => {
    const t = utc('2026-06-02T10:00:00Z');
    const buckets = [
      bucket(t, 1),
      bucket(t + BUCKET_MS, 10),
      bucket(t + 2 * BUCKET_MS, 100),
      bucket(t, 1000, { source: 'stripe' }),
      bucket(t, 5000, { currency: 'EUR' }),
    ];
    expect(netBetween(buckets, 'USD', t, t + 2 * BUCKET_MS)).toBe(1011);
    expect(netBetween(buckets, 'USD', t, t + 2 * BUCKET_MS, 'shopify')).toBe(11);
    expect(netBetween(buckets, 'USD', t + 1, t + 3 * BUCKET_MS)).toBe(110);
    expect(netBetween(buckets, 'EUR', t, t + 1)).toBe(5000);
  });
});

describe('slopeCentsPerDay = (DNR last day − DNR 7 days before) / 7, rounded half away from zero', () => {
  const series = (values: number[], from = '2026-06-01') =>
    dailyNet(
      values.map((v, i) => bucket(dayStartMs(from, 'UTC') + i * 86_400_000, v)),
      { currency: 'USD', tz: 'UTC', fromDay: from, toDay: `2026-06-0${values.length}` },
    );

  it.each([
    [[0, 5, 5, 5, 5, 5, 5, 1000], 143], // 142.857…
    [[1000, 0, 0, 0, 0, 0, 0, 0], -143],
    [[700, 1, 2, 3, 4, 5, 6, 1400], 100],
    [[100, 9, 9, 9, 9, 9, 9, 100], 0],
    [[5000, 700, 0, 0, 0, 0, 0, 0, 1000], 43], // 9 days: the 9th against the 2nd, not the 1st
  ])('%j → %i', (values, want) => {
    expect(slopeCentsPerDay(series(values))).toBe(want);
  });

  it('is 0 without a point 7 days before the last (fewer than 8 days)', () => {
    expect(slopeCentsPerDay(series([0, 0, 0, 0, 0, 0, 7000]))).toBe(0);
    expect(slopeCentsPerDay([])).toBe(0);
  });

  it('divRound rounds half away from zero', () => {
    expect([divRound(7, 2), divRound(-7, 2), divRound(5, 3), divRound(-5, 3), divRound(4, 3)]).toEqual([
      4, -4, 2, -2, 1,
    ]);
  });
});

describe('breakdown: one day by source, per currency', () => {
  it('never adds currencies; sources largest first', () => {
    const t = utc('2026-06-02T10:00:00Z');
    const buckets = [
      bucket(t, 300),
      bucket(t + BUCKET_MS, 200),
      bucket(t, 900, { source: 'stripe', events: 3 }),
      bucket(t, 4000, { currency: 'EUR', source: 'shopier' }),
      bucket(utc('2026-06-03T00:00:00Z'), 1, { source: 'late' }),
    ];
    expect(breakdown(buckets, { tz: 'UTC', day: '2026-06-02' })).toEqual([
      { currency: 'EUR', totalCents: 4000, sources: [{ source: 'shopier', netCents: 4000, events: 1 }] },
      {
        currency: 'USD',
        totalCents: 1400,
        sources: [
          { source: 'stripe', netCents: 900, events: 3 },
          { source: 'shopify', netCents: 500, events: 2 },
        ],
      },
    ]);
  });
});

describe('convert: fixed rates into the reporting currency, integer math', () => {
  const rates = { EUR: 1.08, JPY: 0.0067, KWD: 3.25, XAA: 1e-7, ZZZ: 0 };

  it.each([
    [1000, 'EUR', 'USD', 1080],
    [1000, 'JPY', 'USD', 670], // ¥1,000 → $6.70
    [1250, 'KWD', 'USD', 406], // KWD 1.250 → $4.0625 → $4.06
    [-1250, 'KWD', 'USD', -406],
    [10_000_000_000, 'XAA', 'USD', 1000],
    [123, 'USD', 'USD', 123],
  ])('%i %s → %s = %i', (cents, from, to, want) => {
    expect(convert(cents, from, to, rates)).toBe(want);
  });

  it('rounds half away from zero', () => {
    expect(convert(1, 'EUR', 'USD', { EUR: 0.5 })).toBe(1);
    expect(convert(-1, 'EUR', 'USD', { EUR: 0.5 })).toBe(-1);
    expect(convert(3, 'EUR', 'USD', { EUR: 0.5 })).toBe(2);
    expect(convert(1, 'EUR', 'USD', { EUR: 0.49 })).toBe(0);
  });

  it('is exact where floats are not (1.1 × 3 is 3.3000000000000003)', () => {
    expect(convert(3, 'EUR', 'USD', { EUR: 1.1 })).toBe(3);
    expect(convert(15, 'EUR', 'USD', { EUR: 1.1 })).toBe(17); // 16.5 → 17
  });

  it('a missing or non-positive rate gives null', () => {
    expect(convert(1000, 'GBP', 'USD', rates)).toBeNull();
    expect(convert(1000, 'ZZZ', 'USD', rates)).toBeNull();
    expect(convert(1000, 'EUR', 'USD', { EUR: Number.NaN })).toBeNull();
  });
});
