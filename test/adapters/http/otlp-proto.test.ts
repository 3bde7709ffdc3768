import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeRequest,
  decodeResponse,
  decodeStatus,
  encodeRequest,
  encodeResponse,
  encodeStatus,
  ProtoDecodeError,
  rpcCodeFor,
} from '../../../src/adapters/http/otlp-proto.ts';

/**
 * The protobuf ↔ OTLP/JSON mapping of otlp-proto.ts: what a decoded request looks like is what the
 * converters (domain/telemetry/otlp-*.ts) read, so it must be exactly the OTLP/JSON form.
 */
const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';

const kv = (key: string, value: object) => ({ key, value });

/** A protobuf varint. */
function varint(n: number): Buffer {
  const out: number[] = [];
  for (; n > 0x7f; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
  return Buffer.from(out);
}

const logsRequest = {
  resourceLogs: [
    {
      resource: { attributes: [kv('service.name', { stringValue: 'checkout' })] },
      scopeLogs: [
        {
          scope: { name: 'payments', version: '1.0.0' },
          logRecords: [
            {
              timeUnixNano: '1764547200123456789',
              severityNumber: 17,
              severityText: 'ERROR',
              eventName: 'payment.declined',
              traceId: TRACE_ID.toUpperCase(),
              spanId: SPAN_ID,
              flags: 1,
              body: { stringValue: 'card declined' },
              attributes: [
                kv('big', { intValue: '9007199254740993' }),
                kv('small', { intValue: 42 }),
                kv('ratio', { doubleValue: 0.25 }),
                kv('nan', { doubleValue: 'NaN' }),
                kv('inf', { doubleValue: '-Infinity' }),
                kv('ok', { boolValue: false }),
                kv('raw', { bytesValue: Buffer.from('hi there').toString('base64') }),
                kv('list', { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }] } }),
                kv('map', { kvlistValue: { values: [kv('inner', { stringValue: 'x' })] } }),
              ],
            },
          ],
        },
      ],
    },
  ],
};

/** The canonical OTLP/JSON form of logsRequest: int64 as strings, ids lowercase hex, ints as strings. */
const logsDecoded = structuredClone(logsRequest);
{
  const rec = logsDecoded.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
  rec.traceId = TRACE_ID;
  rec.attributes[1] = kv('small', { intValue: '42' });
}

/**
 * A logs request whose one record's body is AnyValue{kvlistValue{values[KeyValue{value: AnyValue{…}}]}}
 * `depth` deep, in raw bytes (no SDK sends this: a hostile body). Every header comes before what it holds,
 * so the bytes are the headers outside in, then the innermost value.
 */
function nestedBody(depth: number): Buffer {
  const vlen = (n: number) => varint(n).length;
  const lengths: { value: number; list: number; kv: number }[] = [];
  let inner = 2; // AnyValue{stringValue: ""}
  for (let i = 0; i < depth; i++) {
    const kv = 1 + vlen(inner) + inner; // KeyValue.value = 2
    const list = 1 + vlen(kv) + kv; // KeyValueList.values = 1
    lengths.push({ value: inner, list, kv });
    inner = 1 + vlen(list) + list; // AnyValue.kvlist_value = 6
  }
  const parts: Buffer[] = [];
  for (const { value, list, kv } of lengths.reverse()) {
    parts.push(
      Buffer.from([0x32]),
      varint(list),
      Buffer.from([0x0a]),
      varint(kv),
      Buffer.from([0x12]),
      varint(value),
    );
  }
  parts.push(Buffer.from([0x0a, 0x00]));
  const wrap = (tag: number, b: Buffer) => Buffer.concat([Buffer.from([tag]), varint(b.length), b]);
  // LogRecord.body = 5, ScopeLogs.log_records = 2, ResourceLogs.scope_logs = 2, request.resource_logs = 1
  return wrap(0x0a, wrap(0x12, wrap(0x12, wrap(0x2a, Buffer.concat(parts)))));
}

describe('otlp-proto: requests', () => {
  it('decodes to the OTLP/JSON object: ids hex, int64 as strings, enums as numbers, oneofs by member', () => {
    const bytes = encodeRequest('logs', logsRequest);
    expect(decodeRequest('logs', bytes)).toEqual(logsDecoded);
  });

  it('puts ids on the wire as raw bytes (16 and 8), not as their hex text', () => {
    const bytes = Buffer.from(encodeRequest('logs', logsRequest));
    expect(bytes.includes(Buffer.from(TRACE_ID, 'hex'))).toBe(true);
    expect(bytes.includes(Buffer.from(SPAN_ID, 'hex'))).toBe(true);
    expect(bytes.includes(Buffer.from(TRACE_ID))).toBe(false);
  });

  it('converts the ids of spans, their parents and links, and of metric exemplars', () => {
    const traces = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: TRACE_ID,
                  spanId: SPAN_ID,
                  parentSpanId: 'eee19b7ec3c1b173',
                  name: 'GET /pay',
                  kind: 2,
                  startTimeUnixNano: '1764547200000000000',
                  endTimeUnixNano: '1764547200250000000',
                  status: { code: 2, message: 'boom' },
                  links: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' }],
                  events: [{ name: 'exception', timeUnixNano: '1764547200100000000' }],
                },
              ],
            },
          ],
        },
      ],
    };
    expect(decodeRequest('traces', encodeRequest('traces', traces))).toEqual(traces);
    const metrics = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'orders',
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: [
                      {
                        timeUnixNano: '1764547200000000000',
                        asInt: '7',
                        exemplars: [
                          {
                            timeUnixNano: '1764547200000000000',
                            asDouble: 1,
                            traceId: TRACE_ID,
                            spanId: SPAN_ID,
                          },
                        ],
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    expect(decodeRequest('metrics', encodeRequest('metrics', metrics))).toEqual(metrics);
  });

  it('writes every 64-bit integer exactly, signed and unsigned, at and beyond 2^53, repeated ones too', () => {
    const ints = ['0', '-1', '9007199254740991', '9007199254740992', '-9007199254740993'];
    const extremes = ['9223372036854775807', '-9223372036854775808'];
    const request = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'h',
                  histogram: {
                    aggregationTemporality: 1,
                    dataPoints: [
                      {
                        timeUnixNano: '18446744073709551615',
                        count: '18446744073709551615',
                        bucketCounts: ['1', '4294967296', '9007199254740993'],
                        attributes: [...ints, ...extremes].map((v, i) => kv(`i${i}`, { intValue: v })),
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    expect(decodeRequest('metrics', encodeRequest('metrics', request))).toEqual(request);
  });

  it('leaves fields the sender did not set absent, and an empty body is an empty request', () => {
    expect(decodeRequest('logs', new Uint8Array())).toEqual({});
    const sparse = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1' }] }] }] };
    const decoded = decodeRequest('logs', encodeRequest('logs', sparse)) as typeof sparse;
    expect(decoded).toEqual(sparse);
    // No protobufjs defaults, accessors or toJSON behind them: what JSON.parse would have given.
    const rec = decoded.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]! as Record<string, unknown>;
    expect([rec['severityNumber'], rec['attributes'], rec['body'], rec['traceId']]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(sparse));
    const point = { timeUnixNano: '5', asDouble: 1.5 };
    const metrics = {
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'g', gauge: { dataPoints: [point] } }] }] }],
    };
    const m = decodeRequest('metrics', encodeRequest('metrics', metrics)) as typeof metrics;
    const got = m.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!;
    expect('value' in got.gauge.dataPoints[0]!).toBe(false); // NumberDataPoint's oneof
    expect('data' in got).toBe(false); // Metric's oneof
    expect(JSON.stringify(m)).toBe(JSON.stringify(metrics));
  });

  it('skips fields it does not know (a newer sender), as the protobuf rules say', () => {
    const known = encodeRequest('logs', logsRequest);
    // Field 99, wire type 2 (length-delimited), 3 bytes: appended to the top-level message.
    const withUnknown = Buffer.concat([known, Buffer.from([0x9a, 0x06, 3, 1, 2, 3])]);
    expect(decodeRequest('logs', withUnknown)).toEqual(logsDecoded);
  });

  it('refuses bytes that are not the message, naming it', () => {
    expect(() => decodeRequest('metrics', Buffer.from('{"resourceMetrics":[]}'))).toThrow(ProtoDecodeError);
    expect(() => decodeRequest('traces', new Uint8Array([0x0a, 0x05, 0x01]))).toThrow(
      /^body is not a protobuf ExportTraceServiceRequest: /,
    );
  });

  it('refuses values nested deeper than the stack as not the message, rather than failing', () => {
    const shallow = decodeRequest('logs', nestedBody(3)) as typeof logsRequest;
    const body = shallow.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.body as unknown;
    expect(JSON.stringify(body)).toBe(
      '{"kvlistValue":{"values":[{"value":{"kvlistValue":{"values":[{"value":{"kvlistValue":{"values":[{"value":{"stringValue":""}}]}}}]}}}]}}',
    );
    expect(() => decodeRequest('logs', nestedBody(100_000))).toThrow(ProtoDecodeError);
  });

  it('refuses to encode an id that is not hex', () => {
    const bad = structuredClone(logsRequest);
    bad.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.traceId = 'not-hex';
    expect(() => encodeRequest('logs', bad)).toThrow(/expected an id in hex/);
  });
});

describe('otlp-proto: answers', () => {
  it('an empty Export*ServiceResponse is zero bytes; partial success round-trips', () => {
    expect(encodeResponse('logs', {})).toHaveLength(0);
    const partial = { partialSuccess: { rejectedSpans: 2, errorMessage: '2 rejected: bad' } };
    expect(decodeResponse('traces', encodeResponse('traces', partial))).toEqual({
      partialSuccess: { rejectedSpans: '2', errorMessage: '2 rejected: bad' },
    });
    expect(
      decodeResponse('metrics', encodeResponse('metrics', { partialSuccess: { rejectedDataPoints: 1 } })),
    ).toEqual({ partialSuccess: { rejectedDataPoints: '1' } });
  });

  it('a google.rpc.Status round-trips, on the wire as code = 1, message = 2', () => {
    const bytes = encodeStatus({ code: 3, message: 'bad' });
    expect([...bytes]).toEqual([0x08, 3, 0x12, 3, ...Buffer.from('bad')]);
    expect(decodeStatus(bytes)).toEqual({ code: 3, message: 'bad' });
  });

  it('maps HTTP statuses to google.rpc.Code as the Collector does', () => {
    expect([400, 401, 403, 404, 405, 413, 415, 429, 500, 503].map(rpcCodeFor)).toEqual([
      3, 16, 7, 12, 2, 8, 2, 8, 2, 14,
    ]);
  });
});

describe('otlp-proto: the vendored definitions', () => {
  it('are byte for byte the files its README names (sha256)', () => {
    const dir = new URL('../../../src/adapters/http/otlp-proto/', import.meta.url);
    const readme = readFileSync(new URL('README.md', dir), 'utf8');
    const listed = [...readme.matchAll(/^\| `([0-9a-f]{64})` \| `([^`]+)` *\|$/gm)];
    expect(listed).toHaveLength(9);
    for (const [, sha, file] of listed) {
      const actual = createHash('sha256')
        .update(readFileSync(new URL(file!, dir)))
        .digest('hex');
      expect([file, actual]).toEqual([file, sha]);
    }
  });
});
