import { describe, expect, it } from 'vitest';
import { foldEvents } from '../../../src/domain/telemetry/fold.ts';
import type { RollupFns } from '../../../src/domain/telemetry/minute-batch.ts';
import { spanToEvent, tracesRequestToEvents } from '../../../src/domain/telemetry/otlp-traces.ts';
import { isBronze } from '../../../src/domain/telemetry/route.ts';
import { isAppError } from '../../../src/shared/errors.ts';

/**
 * opentelemetry-proto's examples/trace.json (the OTLP/JSON example of the spec), as published: note the
 * upper-case hex ids and the nanosecond instants as JSON numbers beyond 2^53.
 */
const SPEC_EXAMPLE = JSON.parse(`{
  "resourceSpans": [
    {
      "resource": {
        "attributes": [{ "key": "service.name", "value": { "stringValue": "my.service" } }]
      },
      "scopeSpans": [
        {
          "scope": {
            "name": "my.library",
            "version": "1.0.0",
            "attributes": [{ "key": "my.scope.attribute", "value": { "stringValue": "some scope attribute" } }]
          },
          "spans": [
            {
              "traceId": "5B8EFFF798038103D269B633813FC60C",
              "spanId": "EEE19B7EC3C1B174",
              "parentSpanId": "EEE19B7EC3C1B173",
              "name": "I'm a server span",
              "startTimeUnixNano": 1544712660000000000,
              "endTimeUnixNano": 1544712661000000000,
              "kind": 2,
              "attributes": [{ "key": "my.span.attr", "value": { "stringValue": "some value" } }]
            }
          ]
        }
      ]
    }
  ]
}`);

const START = '1763985600000000000';
const START_MS = 1_763_985_600_000;
const attr = (key: string, value: Record<string, unknown>) => ({ key, value });

/** A span as @opentelemetry/exporter-trace-otlp-http sends it (string instants, lower-case hex). */
const span = (o: Record<string, unknown> = {}) => ({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  name: 'GET /pay',
  kind: 2,
  startTimeUnixNano: START,
  endTimeUnixNano: '1763985600312500000',
  attributes: [
    attr('http.request.method', { stringValue: 'GET' }),
    attr('http.route', { stringValue: '/pay' }),
    attr('http.response.status_code', { intValue: '200' }),
    attr('url.full', { stringValue: 'https://shop.example/pay?card=4111111111111111' }),
    attr('client.address', { stringValue: '203.0.113.9' }),
    attr('enduser.id', { stringValue: 'user-42' }),
    attr('user_agent.original', { stringValue: 'curl/8' }),
  ],
  status: {},
  ...o,
});
const request = (spans: unknown[]) => ({
  resourceSpans: [
    {
      resource: { attributes: [attr('service.name', { stringValue: 'checkout' })] },
      scopeSpans: [{ scope: { name: '@opentelemetry/instrumentation-http' }, spans }],
    },
  ],
});

describe('tracesRequestToEvents', () => {
  it('reads the spec’s example trace: one server span, one second long', () => {
    expect(tracesRequestToEvents(SPEC_EXAMPLE)).toEqual({
      rejected: 0,
      errors: [],
      events: [
        {
          service: 'my.service',
          name: "I'm a server span",
          timeMs: 1_544_712_661_000,
          durationMs: 1000,
          ok: true,
          level: null,
          message: null,
          traceId: '5b8efff798038103d269b633813fc60c',
          userId: null,
          email: null,
          attributes: {},
        },
      ],
    });
  });

  it('makes a server span a request event with a bounded attribute set: no URL, address or user', () => {
    const { events } = tracesRequestToEvents(request([span()]));
    expect(events).toEqual([
      {
        service: 'checkout',
        name: 'GET /pay',
        timeMs: START_MS + 312,
        durationMs: 312.5,
        ok: true,
        level: null,
        message: null,
        traceId: '0af7651916cd43dd8448eb211c80319c',
        userId: null,
        email: null,
        attributes: { 'http.request.method': 'GET', 'http.route': '/pay', 'http.response.status_code': 200 },
      },
    ]);
    expect(JSON.stringify(events)).not.toMatch(/4111|203\.0\.113|user-42|curl/);
  });

  it('measures durations exactly from nanosecond strings beyond 2^53', () => {
    const e = spanToEvent(
      span({ startTimeUnixNano: '1763985600000000001', endTimeUnixNano: '1763985600000000002' }),
      's',
    );
    expect(e!.durationMs).toBe(0.000001);
  });

  it('takes SERVER and CONSUMER spans; skips CLIENT, PRODUCER, INTERNAL and UNSPECIFIED without rejecting', () => {
    const kinds = [0, 1, 2, 3, 4, 5, 'SPAN_KIND_SERVER', 'SPAN_KIND_CONSUMER', 'SPAN_KIND_CLIENT', undefined];
    const r = tracesRequestToEvents(
      request(kinds.map((kind, i) => span({ kind, name: `op ${i}`, parentSpanId: '' }))),
    );
    expect(r.events.map((e) => e.name)).toEqual(['op 2', 'op 5', 'op 6', 'op 7']);
    expect(r.rejected).toBe(0);
  });

  it.each([
    ['status ERROR', { status: { code: 2, message: 'card declined' } }, false],
    ['status ERROR by name', { status: { code: 'STATUS_CODE_ERROR' } }, false],
    ['HTTP 500, status unset', { attributes: [attr('http.response.status_code', { intValue: 500 })] }, false],
    ['HTTP 503 (pre-1.21 key)', { attributes: [attr('http.status_code', { intValue: 503 })] }, false],
    ['HTTP 404', { attributes: [attr('http.response.status_code', { intValue: 404 })] }, true],
    ['error.type', { attributes: [attr('error.type', { stringValue: 'TimeoutError' })] }, false],
    ['gRPC UNAVAILABLE', { attributes: [attr('rpc.grpc.status_code', { intValue: 14 })] }, false],
    ['gRPC NOT_FOUND', { attributes: [attr('rpc.grpc.status_code', { intValue: 5 })] }, true],
    ['gRPC OK', { attributes: [attr('rpc.grpc.status_code', { intValue: 0 })] }, true],
    [
      'status OK is final',
      { status: { code: 1 }, attributes: [attr('http.response.status_code', { intValue: 500 })] },
      true,
    ],
  ])('%s → ok %s', (_name, over, ok) => {
    const e = spanToEvent(span(over), 'checkout')!;
    expect(e.ok).toBe(ok);
    expect(e.level).toBe(ok ? null : 'ERROR');
  });

  it('keeps the status message (bounded) on a failed span: Bronze evidence', () => {
    const failed = spanToEvent(span({ status: { code: 2, message: `  ${'x'.repeat(600)} ` } }), 'checkout')!;
    expect(failed.message).toHaveLength(500);
    expect(failed.message!.endsWith('…')).toBe(true);
    expect(isBronze(failed, null)).toBe(true);
    expect(isBronze(spanToEvent(span(), 'checkout')!, null)).toBe(false);
  });

  it('rejects malformed spans with their reason and keeps the rest', () => {
    const r = tracesRequestToEvents(
      request([
        'x',
        span({ kind: 9 }),
        span({ name: '  ' }),
        span({ endTimeUnixNano: undefined }),
        span({ endTimeUnixNano: '1763985599000000000' }),
        span({ startTimeUnixNano: '-1' }),
        span({ traceId: 'xyz' }),
        span({ status: { code: 7 } }),
        span({ attributes: [attr('http.route', { intValue: 'x' })] }),
        span({ attributes: 'x' }),
        span({ kind: 3, name: '' }),
        span(),
      ]),
    );
    expect(r.events).toHaveLength(1);
    expect(r.rejected).toBe(10);
    const at = 'resourceSpans[0].scopeSpans[0].spans';
    expect(r.errors).toEqual([
      `${at}[0]: expected a Span object`,
      `${at}[1]: kind: expected an integer 0–5, got 9`,
      `${at}[2]: a span needs a name of 1–200 characters, got "  "`,
      `${at}[3]: a span needs startTimeUnixNano and endTimeUnixNano`,
      `${at}[4]: endTimeUnixNano is before startTimeUnixNano`,
      `${at}[5]: startTimeUnixNano: expected unsigned nanoseconds, got "-1"`,
      `${at}[6]: traceId: expected 32 hex digits, got "xyz"`,
      `${at}[7]: status.code: expected an integer 0–2, got 7`,
      `${at}[8]: attributes.http.route: intValue must be an integer, got "x"`,
      `${at}[9]: attributes: expected an array of key/value pairs`,
    ]);
  });

  it('lets the caller refuse events (the retention window) and refuses a body that is not a request', () => {
    const r = tracesRequestToEvents(request([span(), span()]), (e) => (e.timeMs > 0 ? 'too old' : null));
    expect(r).toMatchObject({ events: [], rejected: 2 });
    expect(r.errors[0]).toBe('resourceSpans[0].scopeSpans[0].spans[0]: too old');
    for (const bad of [undefined, 'x', [1], { resourceSpans: 'x' }]) {
      let caught: unknown;
      try {
        tracesRequestToEvents(bad);
      } catch (e) {
        caught = e;
      }
      expect(isAppError(caught) && caught.code === 'VALIDATION', JSON.stringify(bad)).toBe(true);
    }
  });

  it('a span-only availability and latency: Silver counts requests, errors and durations by span name', () => {
    const spans = Array.from({ length: 10 }, (_, i) =>
      span({
        endTimeUnixNano: String(BigInt(START) + BigInt((i + 1) * 100) * 1_000_000n),
        attributes: [attr('http.response.status_code', { intValue: i < 3 ? 500 : 200 })],
      }),
    );
    const recorder: RollupFns<number[]> = {
      newRollup: () => [],
      addValue: (r, v) => void r.push(v),
      toBytes: (r) => new TextEncoder().encode(JSON.stringify(r)),
    };
    const rows = foldEvents(tracesRequestToEvents(request(spans)).events, recorder);
    const byStatus = Object.fromEntries(
      rows.map((r) => [r.tags['http.response.status_code'], [r.metric, r.count, r.errors]]),
    );
    expect(byStatus).toEqual({ '500': ['GET /pay', 3, 3], '200': ['GET /pay', 7, 0] });
    expect(rows.reduce((a, r) => a + r.sum, 0)).toBe(5500);
  });
});
