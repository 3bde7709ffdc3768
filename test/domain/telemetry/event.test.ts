import { describe, expect, it } from 'vitest';
import { parseEventBatch, parseEventTime, parseLevel } from '../../../src/domain/telemetry/event.ts';
import { isAppError } from '../../../src/shared/errors.ts';

const T_ISO = '2025-11-24T12:00:00.123Z';
const T_MS = 1_763_985_600_123;
const minimal = { service: 'checkout', name: 'http.request', time: T_MS };

describe('parseEventBatch', () => {
  it('converts a full record', () => {
    const r = parseEventBatch([
      {
        service: ' checkout ',
        name: 'http.request',
        time: T_ISO,
        duration_ms: 412.5,
        ok: false,
        level: 'error',
        message: 'gateway timeout',
        trace_id: '5b8efff798038103d269b633813fc60c',
        user_id: 981,
        email: 'ana@example.com',
        attributes: { route: '/api/orders', status: 504, retried: true },
      },
    ]);
    expect(r).toEqual({
      rejected: [],
      events: [
        {
          service: 'checkout',
          name: 'http.request',
          timeMs: T_MS,
          durationMs: 412.5,
          ok: false,
          level: 'ERROR',
          message: 'gateway timeout',
          traceId: '5b8efff798038103d269b633813fc60c',
          userId: '981',
          email: 'ana@example.com',
          attributes: { route: '/api/orders', status: 504, retried: true },
        },
      ],
    });
  });

  it('fills defaults: ok from the level, nulls for what is missing, null accepted for optional fields', () => {
    const { events } = parseEventBatch({
      events: [
        minimal,
        { ...minimal, level: 'FATAL' },
        { ...minimal, level: 'warning', message: null, ok: null },
      ],
    });
    expect(events[0]).toEqual({
      ...{ service: 'checkout', name: 'http.request', timeMs: T_MS },
      ...{ durationMs: null, ok: true, level: null, message: null, traceId: null, userId: null, email: null },
      attributes: {},
    });
    expect(events[1]).toMatchObject({ ok: false, level: 'FATAL' });
    expect(events[2]).toMatchObject({ ok: true, level: 'WARN', message: null });
  });

  it('keeps an explicit ok even when the level disagrees', () => {
    const { events } = parseEventBatch([{ ...minimal, ok: true, level: 'ERROR' }]);
    expect(events[0]).toMatchObject({ ok: true, level: 'ERROR' });
  });

  it('rejects bad records by index with every reason, and keeps the rest', () => {
    const r = parseEventBatch([
      minimal,
      { ...minimal, service: '' },
      { ...minimal, time: 'yesterday' },
      { ...minimal, time: 1_763_985_600 },
      { ...minimal, time: true },
      { ...minimal, duration_ms: -1, level: 'LOUD' },
      { ...minimal, level: 'LOUD' },
      { ...minimal, duration: 5, timestamp: 1 },
      { ...minimal, attributes: { nested: { a: 1 } } },
      'not an object',
      minimal,
    ]);
    expect(r.events).toHaveLength(2);
    expect(r.rejected.map((x) => x.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const reason = (i: number) => r.rejected.find((x) => x.index === i)!.reason;
    expect(reason(1)).toMatch(/^service: /);
    expect(reason(2)).toBe('time: not an ISO-8601 instant with a zone: "yesterday"');
    expect(reason(3)).toBe('time: 1763985600 looks like epoch seconds; send epoch milliseconds');
    expect(reason(4)).toBe('time: expected an ISO-8601 instant or epoch milliseconds');
    expect(reason(5)).toMatch(/^duration_ms: /);
    expect(reason(6)).toBe('level: unknown level "LOUD" (expected DEBUG, INFO, WARN, ERROR, FATAL)');
    expect(reason(7)).toBe('event: unknown fields "duration", "timestamp"');
    expect(reason(8)).toMatch(/^attributes\.nested: /);
    expect(reason(9)).toMatch(/^event: /);
  });

  it("cannot be made to change an attributes object's prototype", () => {
    const body = JSON.parse(`[{"service":"s","name":"n","time":${T_MS},"attributes":{"__proto__":"x"}}]`);
    const { events } = parseEventBatch(body);
    expect(Object.getPrototypeOf(events[0]!.attributes)).toBe(Object.prototype);
  });

  it('refuses a body that is neither an array nor { events: [...] } (400)', () => {
    expect(parseEventBatch({ events: [] })).toEqual({ events: [], rejected: [] });
    for (const body of [null, 'x', 5, {}, { events: {} }]) {
      let caught: unknown;
      try {
        parseEventBatch(body);
      } catch (e) {
        caught = e;
      }
      expect(isAppError(caught) && caught.code === 'VALIDATION', JSON.stringify(body)).toBe(true);
    }
  });
});

describe('parseEventTime and parseLevel', () => {
  it('reads ISO instants with zones and epoch ms; refuses out-of-range numbers', () => {
    expect(parseEventTime('2025-11-24T13:00:00.123+01:00')).toEqual({ ms: T_MS });
    expect(parseEventTime('2025-11-24T12:00:00')).toHaveProperty('reason');
    expect(parseEventTime(T_MS + 0.9)).toEqual({ ms: T_MS });
    expect(parseEventTime(-1)).toHaveProperty('reason');
    expect(parseEventTime(9e15)).toHaveProperty('reason');
  });

  it('knows the levels and their aliases', () => {
    expect(
      ['trace', 'Debug', 'info', 'Information', 'WARNING', 'warn', 'error', 'critical', 'fatal', 'x'].map(
        parseLevel,
      ),
    ).toEqual(['DEBUG', 'DEBUG', 'INFO', 'INFO', 'WARN', 'WARN', 'ERROR', 'FATAL', 'FATAL', null]);
  });
});
