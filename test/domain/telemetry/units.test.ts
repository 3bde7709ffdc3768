import { describe, expect, it } from 'vitest';
import { metricsRequestToPoints } from '../../../src/domain/telemetry/otlp-metrics.ts';
import { msPerUnit, normalizeUnit, scaled } from '../../../src/domain/telemetry/units.ts';

describe('normalizeUnit (UCUM)', () => {
  it.each([
    ['s', 'ms', 1000],
    ['ms', 'ms', 1],
    ['us', 'ms', 0.001],
    ['μs', 'ms', 0.001],
    ['µs', 'ms', 0.001],
    ['ns', 'ms', 1e-6],
    ['min', 'ms', 60_000],
    ['h', 'ms', 3_600_000],
    ['d', 'ms', 86_400_000],
    [' s ', 'ms', 1000],
    ['seconds', 'ms', 1000],
    ['Milliseconds', 'ms', 1],
    ['By', 'By', 1],
    ['KiBy', 'KiBy', 1],
    ['MiBy', 'MiBy', 1],
    ['{request}', '{request}', 1],
    ['1', '1', 1],
    ['furlongs', 'furlongs', 1],
  ])('%j → %j ×%d', (sent, unit, factor) => {
    expect(normalizeUnit(sent)).toEqual({ unit, factor });
  });

  it('is case-sensitive where UCUM is: S (siemens) and MS are not time', () => {
    expect(normalizeUnit('S')).toEqual({ unit: 'S', factor: 1 });
    expect(normalizeUnit('MS')).toEqual({ unit: 'MS', factor: 1 });
    expect(msPerUnit('toString')).toBeNull();
    expect(msPerUnit('constructor')).toBeNull();
  });

  it('has no unit for an empty or absent one, and cuts an absurd one', () => {
    for (const none of [undefined, null, '', '  ', 42])
      expect(normalizeUnit(none)).toEqual({ unit: undefined, factor: 1 });
    expect(normalizeUnit('x'.repeat(100)).unit).toHaveLength(63);
  });

  it('scales by dividing by whole reciprocals (no double rounding)', () => {
    expect(scaled(1.75, 1000)).toBe(1750);
    expect(scaled(1500, 0.001)).toBe(1.5);
    expect(scaled(123456, 1e-6)).toBe(0.123456);
    expect(scaled(0.1, 1)).toBe(0.1);
  });
});

const T = '1763985600000000000';
const request = (metrics: unknown[]) => ({
  resourceMetrics: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
      scopeMetrics: [{ metrics }],
    },
  ],
});

describe('metricsRequestToPoints converts values by the metric’s unit', () => {
  it('a histogram in seconds: sum, min, max and bounds in ms', () => {
    const { points } = metricsRequestToPoints(
      request([
        {
          name: 'http.server.request.duration',
          unit: 's',
          histogram: {
            aggregationTemporality: 1,
            dataPoints: [
              {
                timeUnixNano: T,
                count: '3',
                sum: 2.125,
                min: 0.125,
                max: 1.75,
                explicitBounds: [0.1, 0.3, 1],
                bucketCounts: ['0', '1', '1', '1'],
              },
            ],
          },
        },
      ]),
    );
    expect(points[0]).toMatchObject({
      unit: 'ms',
      count: 3,
      sum: 2125,
      min: 125,
      max: 1750,
      bounds: [100, 300, 1000],
      bucketCounts: [0, 1, 1, 1],
    });
  });

  it('a gauge and a counter in microseconds; bytes and counts untouched but recorded', () => {
    const { points } = metricsRequestToPoints(
      request([
        { name: 'gc.pause', unit: 'us', gauge: { dataPoints: [{ timeUnixNano: T, asInt: '2500' }] } },
        {
          name: 'cpu.time',
          unit: 'ns',
          sum: {
            aggregationTemporality: 1,
            isMonotonic: true,
            dataPoints: [{ timeUnixNano: T, asInt: '3000000' }],
          },
        },
        { name: 'heap', unit: 'By', gauge: { dataPoints: [{ timeUnixNano: T, asInt: '4096' }] } },
        {
          name: 'http.server.requests',
          unit: '{request}',
          sum: {
            aggregationTemporality: 1,
            isMonotonic: true,
            dataPoints: [{ timeUnixNano: T, asInt: '7' }],
          },
        },
        { name: 'no.unit', gauge: { dataPoints: [{ timeUnixNano: T, asDouble: 0.5 }] } },
      ]),
    );
    expect(points.map((p) => [p.metric, p.unit, p.value])).toEqual([
      ['gc.pause', 'ms', 2.5],
      ['cpu.time', 'ms', 3],
      ['heap', 'By', 4096],
      ['http.server.requests', '{request}', 7],
      ['no.unit', undefined, 0.5],
    ]);
    expect(points[4]).not.toHaveProperty('unit');
  });
});
