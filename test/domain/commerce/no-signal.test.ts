import { describe, expect, it } from 'vitest';
import { BUCKET_MS, type NetBucket } from '../../../src/domain/commerce/ledger.ts';
import { assessNoSignal, learnLimit } from '../../../src/domain/commerce/no-signal.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-06-10T12:00:00Z');

const active = (startMs: number, o: Partial<NetBucket> = {}): NetBucket => ({
  source: 'stripe',
  currency: 'USD',
  startMs: Math.floor(startMs / BUCKET_MS) * BUCKET_MS,
  netCents: 0,
  events: 1,
  ...o,
});

/** Buckets at the given gaps, the last one at `end`, going back. */
function withGaps(gaps: readonly number[], end = NOW - HOUR): NetBucket[] {
  const out = [active(end)];
  let t = end;
  for (const g of gaps) {
    t -= g;
    out.push(active(t));
  }
  return out;
}

const repeat = (n: number, ms: number): number[] => Array.from({ length: n }, () => ms);

describe('learnLimit = max(24 h, 2 × p95 of the gaps between active buckets over 28 days)', () => {
  it('uses the 24 h floor with fewer than 10 gaps', () => {
    expect(learnLimit(withGaps(repeat(9, 3 * DAY)), NOW)).toBe(DAY);
    expect(learnLimit([], NOW)).toBe(DAY);
  });

  it('a source sending every few minutes keeps the 24 h floor', () => {
    expect(learnLimit(withGaps(repeat(200, BUCKET_MS)), NOW)).toBe(DAY);
  });

  it('a shop that sells every 2 days learns 4 days', () => {
    expect(learnLimit(withGaps(repeat(12, 2 * DAY)), NOW)).toBe(4 * DAY);
  });

  it('p95 is the nearest rank: of 20 gaps the 19th smallest', () => {
    expect(learnLimit(withGaps([...repeat(19, HOUR), 30 * HOUR]), NOW)).toBe(DAY); // p95 = 1 h
    expect(learnLimit(withGaps([...repeat(18, HOUR), 30 * HOUR, 30 * HOUR]), NOW)).toBe(60 * HOUR);
  });

  it('reads only the last 28 days, buckets with events, and the source asked for', () => {
    const old = withGaps(repeat(12, 2 * DAY), NOW - 29 * DAY);
    expect(learnLimit(old, NOW)).toBe(DAY);
    const empty = withGaps(repeat(12, 2 * DAY)).map((b) => ({ ...b, events: 0 }));
    expect(learnLimit(empty, NOW)).toBe(DAY);
    const other = withGaps(repeat(12, 2 * DAY)).map((b) => ({ ...b, source: 'shopify' }));
    expect(learnLimit(other, NOW, { source: 'stripe' })).toBe(DAY);
    expect(learnLimit(other, NOW, { source: 'shopify' })).toBe(4 * DAY);
  });

  it('takes event instants as their bucket: several events in one bucket are one', () => {
    const times = withGaps(repeat(12, 2 * DAY)).flatMap((b) => [b.startMs + 1, b.startMs + 5 * 60_000]);
    expect(learnLimit(times, NOW)).toBe(4 * DAY);
  });

  it('merges currencies of one source: two buckets at the same start are one', () => {
    const usd = withGaps(repeat(12, 2 * DAY));
    const eur = usd.map((b) => ({ ...b, currency: 'EUR' }));
    expect(learnLimit([...usd, ...eur], NOW)).toBe(4 * DAY);
  });
});

describe('assessNoSignal: warn past the limit, page past twice it', () => {
  const read = (silentMs: number, parseError: string | null = null) =>
    assessNoSignal({ lastEventAtMs: NOW - silentMs, nowMs: NOW, limitMs: DAY, parseError });

  it.each([
    [DAY - 1, 'ok'],
    [DAY, 'ok'],
    [DAY + 1, 'warn'],
    [2 * DAY, 'warn'],
    [2 * DAY + 1, 'page'],
  ] as const)('silent %i ms → %s', (silentMs, state) => {
    expect(read(silentMs).state).toBe(state);
  });

  it('shows the figures', () => {
    expect(read(30 * HOUR, 'bad json')).toEqual({
      state: 'warn',
      figures: {
        lastEventAtMs: NOW - 30 * HOUR,
        silentMs: 30 * HOUR,
        limitMs: DAY,
        pageAfterMs: 2 * DAY,
        parseError: 'bad json',
      },
    });
  });

  it('keeps a parse error only while not ok', () => {
    expect(read(HOUR, 'bad json').figures.parseError).toBeNull();
  });

  it('a source that never sent an event is ok, unless its deliveries fail to parse', () => {
    const never = (parseError: string | null) =>
      assessNoSignal({ lastEventAtMs: null, nowMs: NOW, limitMs: DAY, parseError });
    expect(never(null)).toMatchObject({ state: 'ok', figures: { lastEventAtMs: null, silentMs: 0 } });
    expect(never('missing id')).toMatchObject({ state: 'warn', figures: { parseError: 'missing id' } });
  });
});
