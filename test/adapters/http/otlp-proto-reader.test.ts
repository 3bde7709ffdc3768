import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeRequest, encodeRequest, ProtoDecodeError } from '../../../src/adapters/http/otlp-proto.ts';
import { int64Text, JsonReader } from '../../../src/adapters/http/otlp-proto-json.ts';

/**
 * The reader that decodes OTLP protobuf scalars straight into their OTLP/JSON values (otlp-proto-json.ts),
 * checked against protobufjs's own Writer (an independent encoder) and BigInt arithmetic.
 */
const reader = (w: protobuf.Writer) => new JsonReader(Buffer.from(w.finish()));

/** Deterministic 64-bit patterns: edges, every power of two ± 1, and pseudo-random ones. */
function patterns(): bigint[] {
  const out = [0n, 1n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 63n - 1n, 2n ** 53n, 2n ** 53n + 1n];
  for (let b = 0n; b < 64n; b++) out.push(2n ** b - 1n, 2n ** b, 2n ** b + 1n);
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < 200; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & (2n ** 64n - 1n);
    out.push(x, x >> BigInt(i % 64));
  }
  return out.map((v) => BigInt.asUintN(64, v));
}

describe('otlp-proto-json: 64-bit integers', () => {
  it('int64Text writes hi·2^32 + lo exactly, unsigned and signed', () => {
    for (const v of patterns()) {
      const lo = Number(v & 0xffffffffn);
      expect(int64Text(Number(v >> 32n), lo)).toBe(v.toString());
      const s = BigInt.asIntN(64, v);
      expect(int64Text(Number(BigInt.asIntN(32, v >> 32n)), lo)).toBe(s.toString());
    }
  });

  it('reads every 64-bit wire type as protobufjs wrote it, as exact decimal text', () => {
    for (const v of patterns()) {
      const u = v.toString();
      const s = BigInt.asIntN(64, v).toString();
      const w = protobuf.Writer.create().uint64(u).int64(s).sint64(s).fixed64(u).sfixed64(s);
      const r = reader(w);
      expect([r.uint64(), r.int64(), r.sint64(), r.fixed64(), r.sfixed64()]).toEqual([u, s, s, u, s]);
      expect(r.pos).toBe(r.len);
    }
  });

  it('refuses a varint cut short and one longer than ten bytes', () => {
    expect(() => new JsonReader(Buffer.from([0xff, 0xff])).uint64()).toThrow(RangeError);
    expect(() => new JsonReader(Buffer.alloc(11, 0xff)).uint64()).toThrow(/invalid varint/);
    expect(() => new JsonReader(Buffer.alloc(7)).fixed64()).toThrow(RangeError);
  });
});

describe('otlp-proto-json: other scalars', () => {
  it('doubles and floats as numbers, the non-finite ones by their OTLP/JSON names', () => {
    const values = [0, -0, 1.5, -2.25e300, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const w = protobuf.Writer.create();
    for (const v of values) w.double(v).float(v);
    const r = reader(w);
    const got = values.map(() => [r.double(), r.float()]);
    expect(got).toEqual([
      [0, 0],
      [-0, -0],
      [1.5, 1.5],
      [-2.25e300, '-Infinity'], // beyond a float's range
      ['NaN', 'NaN'],
      ['Infinity', 'Infinity'],
      ['-Infinity', '-Infinity'],
    ]);
  });

  it('bytes as lowercase hex, empty ones as ""', () => {
    const r = reader(protobuf.Writer.create().bytes(Buffer.from('5B8EFF00', 'hex')).bytes(Buffer.alloc(0)));
    expect([r.bytes(), r.bytes()]).toEqual(['5b8eff00', '']);
  });

  it('strings: each the text it was, however often the same bytes recur or collide', () => {
    // Same length, same first, quarter, middle and last bytes: they differ only where the slot's hash
    // does not look, so they share a slot and must still come back as themselves.
    const colliding = ['aXbcYdeZ', 'aQbcRdeZ', 'aXbcRdeZ', 'aQbcYdeZ'];
    const texts = [
      ...colliding,
      ...colliding,
      '',
      'é',
      'ü-route',
      '東京',
      '😀 emoji',
      'x'.repeat(40),
      'x'.repeat(41),
      `${'y'.repeat(39)}é`,
      'service.name',
      'service.name',
    ];
    const w = protobuf.Writer.create();
    for (const t of texts) w.string(t);
    const r = reader(w);
    expect(texts.map(() => r.string())).toEqual(texts);
  });

  it('strings that are not UTF-8 read as Buffer#toString reads them, and are not mistaken for ASCII', () => {
    const bad = [Buffer.from([0xff]), Buffer.from([0x61, 0xc3]), Buffer.from([0xc3, 0xa9]), Buffer.from('a')];
    const w = protobuf.Writer.create();
    for (const b of [...bad, ...bad]) w.bytes(b); // a string is written as length + bytes, as bytes are
    const r = reader(w);
    const want = [...bad, ...bad].map((b) => b.toString('utf8'));
    expect(want.map(() => r.string())).toEqual(want);
  });

  it('refuses a string or bytes longer than what is left', () => {
    const cut = Buffer.from([0x05, 0x61, 0x62]);
    expect(() => new JsonReader(cut).string()).toThrow(RangeError);
    expect(() => new JsonReader(cut).bytes()).toThrow(RangeError);
  });
});

describe('otlp-proto-json: requests', () => {
  const kv = (key: string, value: object) => ({ key, value });
  const raw = (s: string) => Buffer.from(s).toString('base64');

  it('bytesValue is base64 at any depth, ids are hex beside it', () => {
    const request = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: '1764547200123456789',
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                  spanId: 'b7ad6b7169203331',
                  body: { arrayValue: { values: [{ bytesValue: raw('a') }, { stringValue: 'b' }] } },
                  attributes: [
                    kv('raw', { bytesValue: raw('hi there') }),
                    kv('empty', { bytesValue: '' }),
                    kv('map', { kvlistValue: { values: [kv('deep', { bytesValue: raw('\u0000\u00ff') })] } }),
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    expect(decodeRequest('logs', encodeRequest('logs', request))).toEqual(request);
  });

  it('a request decoded twice gives equal objects (nothing carried from one to the next)', () => {
    const request = {
      resourceLogs: [
        {
          resource: { attributes: [kv('service.name', { stringValue: 'checkout' })] },
          scopeLogs: [
            {
              logRecords: [
                { timeUnixNano: '1', eventName: 'pay', attributes: [kv('k', { intValue: '-3' })] },
              ],
            },
          ],
        },
      ],
    };
    const bytes = encodeRequest('logs', request);
    expect(decodeRequest('logs', bytes)).toEqual(request);
    expect(decodeRequest('logs', bytes)).toEqual(request);
  });

  it('a body cut inside a string, an id or a time is not the message', () => {
    const bytes = encodeRequest('logs', {
      resourceLogs: [
        {
          scopeLogs: [{ logRecords: [{ timeUnixNano: '5', eventName: 'a name', traceId: 'ab'.repeat(16) }] }],
        },
      ],
    });
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(() => decodeRequest('logs', bytes.subarray(0, cut))).toThrow(ProtoDecodeError);
    }
  });
});
