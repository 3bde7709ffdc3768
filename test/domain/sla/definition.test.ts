import { describe, expect, it } from 'vitest';
import { isActiveAt, reviseDefinition, type SlaDefinition } from '../../../src/domain/sla/definition.ts';
import {
  AVAILABILITY,
  definitionsOf,
  edit,
  NOW,
  REQUESTS,
  service,
  set,
  sli,
  slo,
  source,
} from './openslo-fixtures.ts';

describe('openSloToDefinitions: accepted sets', () => {
  it('an availability SLO with its SLI by reference and its Service', () => {
    expect(definitionsOf(set())).toEqual([AVAILABILITY]);
  });

  it('a latency SLO with its SLI inline (share of requests under 300 ms), 7 days, targetPercent', () => {
    const latency = edit(
      edit(edit(slo(), 'metadata', { name: 'checkout-latency' }), 'spec.indicatorRef', undefined),
      'spec.indicator',
      {
        spec: {
          ratioMetric: { good: source({ ...REQUESTS, latencyBelowMs: 300 }), total: source(REQUESTS) },
        },
      },
    );
    const docs = [
      service(),
      edit(edit(latency, 'spec.objectives', [{ targetPercent: 99 }]), 'spec.timeWindow', [
        { duration: '7d' },
      ]),
    ];
    expect(definitionsOf(docs)).toEqual([
      {
        ...AVAILABILITY,
        id: 'checkout-latency',
        name: 'checkout-latency', // no displayName: the name
        indicator: { kind: 'latency', thresholdMs: 300 },
        target: 0.99,
        windowDays: 7,
      },
    ]);
  });

  it('an availability SLI may count the bad events (ok: false) instead of the good ones', () => {
    const bad = edit(sli(), 'spec.ratioMetric', {
      bad: source({ ...REQUESTS, ok: false }),
      total: source(REQUESTS),
    });
    expect(definitionsOf([service(), bad, slo()])).toEqual([AVAILABILITY]);
  });

  it.each([
    [99.9, 0.999],
    [99.95, 0.9995],
    [95, 0.95],
  ])('targetPercent %d → target %d exactly', (percent, target) => {
    const docs = [service(), sli(), edit(slo(), 'spec.objectives', [{ targetPercent: percent }])];
    expect(definitionsOf(docs)[0]!.target).toBe(target);
  });

  it.each([
    ['30d', 30],
    ['4w', 28],
    ['720h', 30],
    ['43200m', 30],
    ['1d', 1],
    ['366d', 366],
  ])('duration %s → %d days', (duration, days) => {
    const docs = [service(), sli(), edit(slo(), 'spec.timeWindow', [{ duration }])];
    expect(definitionsOf(docs)[0]!.windowDays).toBe(days);
  });

  it('skips empty YAML documents (null) and keeps document order; several SLOs share an SLI', () => {
    const second = edit(slo(), 'metadata', { name: 'checkout-three-nines-weekly' });
    const docs = [
      null,
      service(),
      sli(),
      slo(),
      undefined,
      edit(second, 'spec.timeWindow', [{ duration: '1w' }]),
    ];
    expect(definitionsOf(docs).map((d) => [d.id, d.windowDays])).toEqual([
      ['checkout-availability', 30],
      ['checkout-three-nines-weekly', 7],
    ]);
  });
});

describe('versions: never edited in place', () => {
  const v1 = AVAILABILITY;
  const LATER = NOW + 86_400_000;

  it('the first apply opens version 1', () => {
    expect(reviseDefinition(null, v1, NOW)).toEqual({ kind: 'new', open: v1 });
  });

  it('applying the same terms again changes nothing', () => {
    expect(reviseDefinition(v1, { ...v1, activeFromMs: LATER }, LATER)).toEqual({
      kind: 'unchanged',
      current: v1,
    });
  });

  it.each<[string, Partial<SlaDefinition>]>([
    ['target', { target: 0.9995 }],
    ['window', { windowDays: 7 }],
    ['indicator', { indicator: { kind: 'latency', thresholdMs: 300 } }],
    ['name', { name: 'Checkout' }],
  ])('a new %s closes the version and opens the next', (_label, change) => {
    const r = reviseDefinition(v1, { ...v1, ...change }, LATER);
    expect(r).toEqual({
      kind: 'revised',
      close: { ...v1, activeToMs: LATER },
      open: { ...v1, ...change, version: 2, activeFromMs: LATER, activeToMs: null },
    });
  });

  it('a version is active from activeFromMs (inclusive) to activeToMs (exclusive)', () => {
    const closed = { ...v1, activeToMs: LATER };
    expect([NOW - 1, NOW, LATER - 1, LATER].map((t) => isActiveAt(closed, t))).toEqual([
      false,
      true,
      true,
      false,
    ]);
    expect(isActiveAt(v1, LATER * 2)).toBe(true);
  });
});
