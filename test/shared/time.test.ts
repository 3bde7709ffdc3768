import { describe, expect, it } from 'vitest';
import { DAY_MS, MINUTE_MS, parseIsoInstant, wholeDays, wholeMinutes } from '../../src/shared/time.ts';

describe('whole minutes and days truncate toward zero (DOMAIN.md time rule)', () => {
  const t0 = Date.parse('2025-06-01T00:00:00Z');
  it.each([
    [0, 0, 0],
    [MINUTE_MS - 1, 0, 0],
    [MINUTE_MS, 1, 0],
    [30 * MINUTE_MS + 59_999, 30, 0],
    [DAY_MS - 1, 1439, 0],
    [DAY_MS, 1440, 1],
    [2 * DAY_MS - 1, 2879, 1],
    [-(MINUTE_MS + 1), -1, 0],
    [-(DAY_MS + 1), -1440, -1],
  ])('%i ms elapsed → %i minutes, %i days', (elapsed, minutes, days) => {
    // `+ 0` folds the -0 that truncating a small negative gives into 0.
    expect(wholeMinutes(t0, t0 + elapsed) + 0).toBe(minutes);
    expect(wholeDays(t0, t0 + elapsed) + 0).toBe(days);
  });
});

describe('parseIsoInstant', () => {
  it.each([
    ['2025-06-01T12:00:00Z', Date.UTC(2025, 5, 1, 12)],
    ['2025-06-01T12:00Z', Date.UTC(2025, 5, 1, 12)],
    ['2025-06-01T12:00:00.250Z', Date.UTC(2025, 5, 1, 12, 0, 0, 250)],
    ['2025-06-01T14:00:00+02:00', Date.UTC(2025, 5, 1, 12)],
    ['2025-06-01T07:00:00-0500', Date.UTC(2025, 5, 1, 12)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['2025-12-31T23:59:59Z', Date.UTC(2025, 11, 31, 23, 59, 59)],
  ])('%s → epoch ms', (text, ms) => {
    expect(parseIsoInstant(text)).toBe(ms);
  });

  it.each([
    ['no zone', '2025-06-01T12:00:00'],
    ['date only', '2025-06-01'],
    ['space separator', '2025-06-01 12:00:00Z'],
    ['month 13', '2025-13-01T00:00:00Z'],
    ['month 0', '2025-00-10T00:00:00Z'],
    ['day 0', '2025-01-00T00:00:00Z'],
    ['February 30 (would roll to March 1)', '2024-02-30T00:00:00Z'],
    ['February 29 in a common year', '2023-02-29T00:00:00Z'],
    ['February 29 in 1900 (not a leap year)', '1900-02-29T00:00:00Z'],
    ['April 31', '2025-04-31T00:00:00Z'],
    ['September 31', '2025-09-31T00:00:00Z'],
    ['minute 60', '2025-06-01T12:60:00Z'],
    ['text', 'yesterday'],
    ['empty', ''],
  ])('rejects %s', (_label, text) => {
    expect(parseIsoInstant(text)).toBeNull();
  });
});

describe('parseIsoInstant agrees with the grammar written as a regular expression', () => {
  // The specification, kept here as the reference the hand-written scanner must match.
  const ISO =
    /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/;
  const reference = (text: string): number | null => {
    const m = ISO.exec(text);
    if (!m) return null;
    const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    const s = m[6] === undefined ? 0 : Number(m[6]);
    const dim = new Date(Date.UTC(2000, mo, 0)).getUTCDate();
    const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    const days = mo === 2 ? (leap ? 29 : 28) : dim;
    if (mo < 1 || mo > 12 || d < 1 || d > days || h > 23 || mi > 59 || s > 59) return null;
    const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
    let off = 0;
    if (m[8] === undefined) {
      const [oh, om] = [Number(m[10]), Number(m[11])];
      if (oh > 23 || om > 59) return null;
      off = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
    }
    const dt = new Date(0);
    dt.setUTCFullYear(y, mo - 1, d);
    dt.setUTCHours(h, mi, s, ms);
    return dt.getTime() - off * 60_000;
  };

  it('on 20,000 mutated timestamps', () => {
    const seeds = [
      '2026-11-02T16:00:00Z',
      '2023-02-28T23:59:59.999+05:30',
      '0099-12-31T00:00-0800',
      '2024-02-29T12:34:56.123456789Z',
      '2026-01-01T00:00Z',
    ];
    const alphabet = '0123456789-:T.Z+ ';
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let k = 0; k < 20_000; k++) {
      let t = seeds[rand(seeds.length)]!;
      for (let e = rand(3); e > 0; e--) {
        const at = rand(t.length + 1);
        const c = alphabet[rand(alphabet.length)]!;
        const op = rand(3);
        t =
          op === 0
            ? t.slice(0, at) + c + t.slice(at + 1)
            : op === 1
              ? t.slice(0, at) + c + t.slice(at)
              : t.slice(0, at) + t.slice(at + 1);
      }
      expect([t, parseIsoInstant(t)]).toEqual([t, reference(t)]);
    }
  });
});

describe('isoWeekOf', () => {
  it('spans Monday 00:00 UTC to the next Monday, Sundays included', async () => {
    const { isoWeekOf } = await import('../../src/shared/time.ts');
    const monday = Date.UTC(2026, 10, 30);
    expect(isoWeekOf(monday)).toEqual({ startMs: monday, endMs: monday + 7 * 86_400_000 });
    expect(isoWeekOf(Date.UTC(2026, 11, 6, 23, 59)).startMs).toBe(monday);
    expect(isoWeekOf(monday - 1).startMs).toBe(monday - 7 * 86_400_000);
  });
});
