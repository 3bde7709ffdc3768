import { describe, expect, it } from 'vitest';
import { levelOfSeverity, logsRequestToEvents } from '../../../src/domain/telemetry/otlp-logs.ts';
import { isAppError } from '../../../src/shared/errors.ts';

const T = '1763985600123456789'; // 2025-11-24T12:00:00.123456789Z
const T_MS = 1_763_985_600_123;
const TRACE = '5B8EFFF798038103D269B633813FC60C';

const str = (key: string, stringValue: string) => ({ key, value: { stringValue } });

/** An ExportLogsServiceRequest as the OTLP/HTTP JSON exporters send it. */
function request(logRecords: unknown[], resourceAttrs: unknown[] = [str('service.name', 'checkout')]) {
  return {
    resourceLogs: [
      {
        resource: { attributes: [...resourceAttrs, { key: 'process.pid', value: { intValue: '4242' } }] },
        scopeLogs: [{ scope: { name: 'checkout.payments', version: '1.2.0' }, logRecords }],
        schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
      },
    ],
  };
}

const errorRecord = {
  timeUnixNano: T,
  observedTimeUnixNano: '1763985600200000000',
  severityNumber: 17,
  severityText: 'ERROR',
  body: { stringValue: 'card declined by gateway' },
  traceId: TRACE,
  spanId: 'EEE19B7EC3C1B174',
  flags: 1,
  attributes: [
    str('http.route', '/api/orders'),
    { key: 'http.response.status_code', value: { intValue: '502' } },
    { key: 'retry', value: { boolValue: true } },
    { key: 'ratio', value: { doubleValue: 0.25 } },
    { key: 'duration_ms', value: { doubleValue: 1834.5 } },
    { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'eu' }, { intValue: 3 }] } } },
    { key: 'cart', value: { kvlistValue: { values: [{ key: 'items', value: { intValue: '2' } }] } } },
    str('enduser.id', 'u-981'),
    str('user.email', 'ana@example.com'),
  ],
};

describe('logsRequestToEvents', () => {
  it('converts a realistic error record (ids, severity, attributes, PII moved out of the attributes)', () => {
    const r = logsRequestToEvents(request([errorRecord]));
    expect(r).toEqual({
      rejected: 0,
      errors: [],
      events: [
        {
          service: 'checkout',
          name: 'checkout.payments',
          timeMs: T_MS,
          durationMs: 1834.5,
          ok: false,
          level: 'ERROR',
          message: 'card declined by gateway',
          traceId: TRACE.toLowerCase(),
          userId: 'u-981',
          email: 'ana@example.com',
          attributes: {
            'http.route': '/api/orders',
            'http.response.status_code': 502,
            retry: true,
            ratio: 0.25,
            tags: '["eu",3]',
            cart: '{"items":2}',
          },
        },
      ],
    });
  });

  it('names an event by eventName, then attribute event.name, then the scope, then "log"', () => {
    const base = { timeUnixNano: T, severityNumber: 9 };
    const r = logsRequestToEvents(
      request([
        { ...base, eventName: 'order.placed', attributes: [str('event.name', 'ignored')] },
        { ...base, attributes: [str('event.name', 'cart.abandoned')] },
        base,
      ]),
    );
    expect(r.events.map((e) => e.name)).toEqual(['order.placed', 'cart.abandoned', 'checkout.payments']);
    expect(r.events[1]!.attributes).toEqual({});
    const noScope = { resourceLogs: [{ scopeLogs: [{ logRecords: [base] }] }] };
    const [e] = logsRequestToEvents(noScope).events;
    expect(e).toMatchObject({
      service: 'unknown_service',
      name: 'log',
      level: 'INFO',
      ok: true,
      message: null,
    });
  });

  it('maps every severityNumber band; 17 and above are errors', () => {
    const bands: [number, string | null][] = [
      [0, null],
      [1, 'DEBUG'],
      [4, 'DEBUG'],
      [5, 'DEBUG'],
      [8, 'DEBUG'],
      [9, 'INFO'],
      [12, 'INFO'],
      [13, 'WARN'],
      [16, 'WARN'],
      [17, 'ERROR'],
      [20, 'ERROR'],
      [21, 'FATAL'],
      [24, 'FATAL'],
    ];
    for (const [n, level] of bands) expect(levelOfSeverity(n), `severity ${n}`).toBe(level);
    const records = bands.map(([severityNumber]) => ({ timeUnixNano: T, severityNumber }));
    const { events } = logsRequestToEvents(request(records));
    expect(events.map((e) => e.ok)).toEqual(bands.map(([n]) => n < 17));
  });

  it('reads severityText when severityNumber is unspecified', () => {
    const { events } = logsRequestToEvents(request([{ timeUnixNano: T, severityText: 'error' }]));
    expect(events[0]).toMatchObject({ level: 'ERROR', ok: false });
  });

  it('accepts nanoseconds as numbers and falls back to observedTimeUnixNano', () => {
    const r = logsRequestToEvents(
      request([
        { timeUnixNano: 1_763_985_600_123_000_000 },
        { timeUnixNano: '0', observedTimeUnixNano: '1763985601000000000' },
        { observedTimeUnixNano: 1_763_985_602_000_000_000 },
      ]),
    );
    expect(r.events.map((e) => e.timeMs)).toEqual([T_MS, 1_763_985_601_000, 1_763_985_602_000]);
  });

  it('writes non-string bodies as JSON and treats an all-zero trace id as none', () => {
    const body = { kvlistValue: { values: [{ key: 'order', value: { intValue: '77' } }] } };
    const r = logsRequestToEvents(request([{ timeUnixNano: T, body, traceId: '0'.repeat(32) }]));
    expect(r.events[0]).toMatchObject({ message: '{"order":77}', traceId: null });
    const { events } = logsRequestToEvents(request([{ timeUnixNano: T, body: { intValue: '5' } }]));
    expect(events[0]!.message).toBe('5');
  });

  it('rejects malformed records with reasons and keeps the others (partial success)', () => {
    const good = { timeUnixNano: T, severityNumber: 9, body: { stringValue: 'ok' } };
    const r = logsRequestToEvents(
      request([
        good,
        { severityNumber: 9 },
        { timeUnixNano: 'yesterday' },
        { timeUnixNano: T, severityNumber: 99 },
        { timeUnixNano: T, traceId: 'W4j/95gDgQPSabYzgT/GDA==' },
        { timeUnixNano: T, attributes: [{ key: 'duration_ms', value: { stringValue: 'slow' } }] },
        { timeUnixNano: T, attributes: [{ value: { stringValue: 'no key' } }] },
        'not a record',
        good,
      ]),
    );
    expect(r.events).toHaveLength(2);
    expect(r.rejected).toBe(7);
    const at = 'resourceLogs[0].scopeLogs[0].logRecords';
    expect(r.errors).toEqual([
      `${at}[1]: no timeUnixNano or observedTimeUnixNano`,
      `${at}[2]: timeUnixNano: expected unsigned nanoseconds, got "yesterday"`,
      `${at}[3]: severityNumber: expected an integer 0–24, got 99`,
      `${at}[4]: traceId: expected 32 hex digits, got "W4j/95gDgQPSabYzgT/GDA=="`,
      `${at}[5]: attribute duration_ms: expected a number ≥ 0, got "slow"`,
      `${at}[6]: attributes: each attribute needs a non-empty "key"`,
      `${at}[7]: expected a LogRecord object`,
    ]);
  });

  it('keeps only the first 10 reasons', () => {
    const r = logsRequestToEvents(request(Array.from({ length: 13 }, () => ({}))));
    expect(r.rejected).toBe(13);
    expect(r.errors).toHaveLength(11);
    expect(r.errors[10]).toBe('… and 3 more');
  });

  it('reports broken containers without losing the valid ones', () => {
    const body = {
      resourceLogs: [
        'junk',
        { scopeLogs: { not: 'an array' } },
        { scopeLogs: [{ logRecords: 3 }, { logRecords: [{ timeUnixNano: T }] }] },
      ],
    };
    const r = logsRequestToEvents(body);
    expect(r.events).toHaveLength(1);
    expect(r.errors).toEqual([
      'resourceLogs[0]: expected a ResourceLogs object',
      'resourceLogs[1]: scopeLogs: expected an array',
      'resourceLogs[2].scopeLogs[0]: logRecords: expected an array',
    ]);
  });

  it('keeps an attribute named __proto__ as data, not as a prototype', () => {
    const attributes = [{ key: '__proto__', value: { stringValue: 'x' } }];
    const { events } = logsRequestToEvents(request([{ timeUnixNano: T, attributes }]));
    expect(Object.getPrototypeOf(events[0]!.attributes)).toBe(Object.prototype);
    expect(Object.keys(events[0]!.attributes)).toEqual(['__proto__']);
  });

  it('accepts an empty request and refuses a body that is not one (400)', () => {
    expect(logsRequestToEvents({})).toEqual({ events: [], rejected: 0, errors: [] });
    for (const body of [null, [], 'x', { resourceLogs: {} }]) {
      let caught: unknown;
      try {
        logsRequestToEvents(body);
      } catch (e) {
        caught = e;
      }
      expect(isAppError(caught) && caught.code === 'VALIDATION', JSON.stringify(body)).toBe(true);
    }
  });
});
