import { describe, expect, it } from 'vitest';
import { rng } from '../../../bench/generate.ts';
import { plainEventSchema, validPlainEvent } from '../../../src/domain/telemetry/event.ts';

/**
 * The hand-written check ingest runs before the schema (validPlainEvent) may only take a shortcut: every
 * record it accepts, plainEventSchema accepts too, with the same output. Pinned on a seeded random sample
 * of valid and invalid records, so a change to either side that lets them drift apart fails here.
 */

const rand = rng(20261130);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const str = (n: number) => 'x'.repeat(n);

const SAMPLES: Record<string, readonly unknown[]> = {
  service: [
    'checkout',
    '  checkout  ',
    '',
    '   ',
    str(200),
    str(201),
    ` ${str(200)} `,
    42,
    null,
    undefined,
    ['a'],
  ],
  name: ['pay', ' pay', '', str(200), str(201), false, null, undefined],
  time: ['2026-11-30T10:00:00Z', 'yesterday', 1_796_035_140_000, -1, 1.5, null, undefined, true, {}],
  duration_ms: [0, 12.5, -1, '12', null, undefined, Number.MAX_VALUE],
  ok: [true, false, null, undefined, 'true', 0],
  level: ['ERROR', '', null, undefined, 3],
  message: ['payment declined', '', str(5000), null, undefined, {}],
  trace_id: ['4bf92f3577b34da6a3ce929d0e0e4736', str(128), str(129), null, undefined, 7],
  user_id: ['u-42', 42, str(256), str(257), null, undefined, true],
  email: ['ann@example.com', str(320), str(321), null, undefined, 1],
  attributes: [
    { route: '/pay', code: 200, cached: false },
    {},
    { '': 'empty key' },
    { [str(256)]: 1 },
    { [str(257)]: 1 },
    { nested: { a: 1 } },
    { list: [1] },
    { nothing: null },
    JSON.parse('{"__proto__": "x"}'),
    null,
    undefined,
    'route=/pay',
    [],
  ],
  duration: [5],
  timestamp: ['2026-11-30T10:00:00Z'],
};
const FIELDS = Object.keys(SAMPLES);

function record(): unknown {
  if (rand() < 0.02) return pick([null, 'event', 7, [], [{ service: 'x' }]]);
  const r: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const base = ['service', 'name', 'time'].includes(f)
      ? 0.97
      : f === 'duration' || f === 'timestamp'
        ? 0.03
        : 0.5;
    if (rand() < base) r[f] = pick(SAMPLES[f]!);
  }
  return r;
}

describe('validPlainEvent: a shortcut of plainEventSchema, never a different judge', () => {
  it('accepts only what the schema accepts, with the same output (20,000 seeded records)', () => {
    let shortcut = 0;
    for (let n = 0; n < 20_000; n++) {
      const item = record();
      const fast = validPlainEvent(item);
      if (fast === null) continue;
      shortcut++;
      const slow = plainEventSchema.safeParse(item);
      if (!slow.success)
        throw new Error(`shortcut accepted what the schema refuses: ${JSON.stringify(item)}`);
      expect(fast).toEqual(slow.data);
    }
    // The sample must exercise the shortcut, not only the refusals.
    expect(shortcut).toBeGreaterThan(200);
  });

  it('the common record takes the shortcut', () => {
    const item = { service: 'checkout', name: 'pay', time: 1_796_035_140_000, duration_ms: 40, ok: true };
    expect(validPlainEvent(item)).toBe(item);
    expect(validPlainEvent({ ...item, service: ' checkout ' })).toEqual(item);
  });
});
