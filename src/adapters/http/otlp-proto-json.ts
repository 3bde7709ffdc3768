import protobuf from 'protobufjs';

/**
 * Decoding OTLP requests straight into their OTLP/JSON objects, in protobufjs's own decoding pass
 * (otlp-proto.ts): its decoders, generated from the vendored definitions, walk the message and build the
 * objects (plainMessages makes them plain), and read each scalar through a Reader of ours (JsonReader)
 * that returns it already in its OTLP/JSON form: 64-bit integers as exact decimal text, non-finite doubles
 * as "NaN", "Infinity", "-Infinity", `bytes` as lowercase hex (the form of `traceId`, `spanId` and
 * `parentSpanId`). The one thing a reader cannot know, which field it reads, matters only for the other
 * `bytes` fields (AnyValue.bytesValue), base64 in OTLP/JSON: the decoders of the types holding them are
 * wrapped to rewrite them (jsonBytesFields).
 *
 * Why not protobufjs's `toObject({ longs: String, bytes: String })`, or a pass over the decoded request
 * (this file's previous form): both visit every value twice, and protobufjs's readers allocate a Long (two
 * objects) per 64-bit integer and a Buffer view per id, to be turned into text and dropped; and each
 * string a fresh copy, where JSON.parse shares a short string among its occurrences. Ingest is bound by
 * allocation (in the server's profile the garbage collector took more CPU than anything else, more with
 * protobuf than with JSON), so each value is made once, as what the domain reads, short strings shared.
 * On the ingest benchmark's 1,000-record log requests: 807 KB allocated and 645 KB kept per request
 * (was 1,155 and 840; JSON.parse 898 and 584); CPU for decoding 0.6 ms (was 0.95; JSON.parse 2.7), for
 * decoding and converting to events 1.4–2.0 ms (was 2.8–3.5; from OTLP/JSON 4.1–4.6).
 */
export type Obj = Record<string, unknown>;

/** The bytes fields OTLP/JSON writes as hex (Span, Span.Link, LogRecord, Exemplar); others are base64. */
export const HEX_IDS: ReadonlySet<string> = new Set(['traceId', 'spanId', 'parentSpanId']);

const TWO_32 = 2 ** 32;
const TWO_32N = 2n ** 32n;
const SAFE_HIGH = 2 ** 21; // |hi| < 2^21: the value is under 2^53, exact as a double

/**
 * The 64-bit integer hi·2^32 + lo as decimal text, exactly: `hi` is the upper half as a uint32 (unsigned
 * types) or an int32 (signed ones, two's complement), `lo` the lower half as a uint32. Beyond 2^53 (unix
 * nanoseconds are) through BigInt, the fastest exact way measured, and its text is flat, not a rope.
 */
export function int64Text(hi: number, lo: number): string {
  return hi < SAFE_HIGH && hi >= -SAFE_HIGH
    ? String(hi * TWO_32 + lo)
    : (BigInt(hi) * TWO_32N + BigInt(lo)).toString();
}

/** What JsonReader uses of protobufjs's BufferReader (its own types say its 64-bit readers give Longs). */
interface WireReader {
  buf: Buffer;
  pos: number;
  len: number;
  uint32(): number;
}
const BufferReader = protobuf.BufferReader as unknown as new (buf: Buffer) => WireReader;

const outOfRange = (r: { pos: number; len: number }, n: number) =>
  RangeError(`index out of range: ${r.pos} + ${n} > ${r.len}`);

/** Strings up to this many bytes are shared within a request (JsonReader.string). */
const SHARED_MAX = 40;
const SHARED_SLOTS = 1024; // a power of two

/** Whether each character code of `s` equals the byte at its place from buf[start]. */
function sameAscii(s: string, buf: Buffer, start: number): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== buf[start + i]) return false;
  return true;
}

/** A finite double as it is, else its OTLP/JSON name. */
const jsonDouble = (v: number): number | string => (v - v === 0 ? v : String(v));

/**
 * protobufjs's Node reader, but reading each scalar as its OTLP/JSON value (file comment). The wire
 * encodings are protobuf's (a varint is 7 bits a byte, low first; fixed64 is 8 bytes little-endian);
 * which field comes and what it holds is the generated decoders' business, from the definitions.
 */
export class JsonReader extends BufferReader {
  /** The last varint64 read, as two uint32 halves (fields, not a returned pair: nothing allocated). */
  private lo = 0;
  private hi = 0;
  /** The short strings read so far, by a hash of their bytes (a slot holds the last one hashed there). */
  private readonly shared: (string | undefined)[] = new Array(SHARED_SLOTS);

  /**
   * A string, and a short ASCII one (an attribute's key, a service, a route, an event name: a request
   * repeats them record after record) as the same string object each time it recurs, as JSON.parse gives
   * short strings: one copy kept in memory instead of thousands, hashed once as a Map or property key.
   * The slot is chosen from the length and four of the bytes (enough to tell a request's recurring
   * strings apart; a collision only costs a copy) and a hit is checked byte by byte. Only text of one
   * character per byte is kept (ASCII, or U+FFFD for bad bytes, which never equals a byte), so bytes
   * equal to the character codes are that text.
   */
  string(): string {
    const n = this.uint32();
    const start = this.pos;
    const end = start + n;
    if (end > this.len) throw outOfRange(this, n);
    this.pos = end;
    const buf = this.buf;
    if (n === 0) return '';
    if (n > SHARED_MAX) return buf.toString('utf8', start, end);
    let h = Math.imul(n ^ buf[start]!, 0x01000193);
    h = Math.imul(h ^ buf[start + (n >> 2)]!, 0x01000193);
    h = Math.imul(h ^ buf[start + (n >> 1)]!, 0x01000193);
    h = Math.imul(h ^ buf[end - 1]!, 0x01000193);
    const slot = (h ^ (h >>> 15)) & (SHARED_SLOTS - 1);
    const seen = this.shared[slot];
    if (seen !== undefined && seen.length === n && sameAscii(seen, buf, start)) return seen;
    const s = buf.toString('utf8', start, end);
    if (s.length === n) this.shared[slot] = s;
    return s;
  }

  private varint64(): void {
    const { buf, len } = this;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      // bits 0–34: the 5th byte's low 4 go to lo, its next 3 to hi
      if (pos >= len) throw outOfRange(this, 1);
      const b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (shift === 28) hi = (b & 0x7f) >> 4;
      if (b < 0x80) {
        this.done(pos, lo, hi);
        return;
      }
    }
    for (let shift = 3; shift < 32; shift += 7) {
      // bits 35–63
      if (pos >= len) throw outOfRange(this, 1);
      const b = buf[pos++]!;
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.done(pos, lo, hi);
        return;
      }
    }
    throw Error('invalid varint encoding');
  }

  private done(pos: number, lo: number, hi: number): void {
    this.pos = pos;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** fixed64's two halves into lo / hi. */
  private fixed(): void {
    if (this.pos + 8 > this.len) throw outOfRange(this, 8);
    this.lo = this.buf.readUInt32LE(this.pos);
    this.hi = this.buf.readUInt32LE(this.pos + 4);
    this.pos += 8;
  }

  uint64(): string {
    this.varint64();
    return int64Text(this.hi, this.lo);
  }

  int64(): string {
    this.varint64();
    return int64Text(this.hi | 0, this.lo);
  }

  sint64(): string {
    this.varint64();
    const mask = -(this.lo & 1); // zigzag
    return int64Text((this.hi >>> 1) ^ mask, (((this.lo >>> 1) | (this.hi << 31)) ^ mask) >>> 0);
  }

  fixed64(): string {
    this.fixed();
    return int64Text(this.hi, this.lo);
  }

  sfixed64(): string {
    this.fixed();
    return int64Text(this.hi | 0, this.lo);
  }

  double(): number | string {
    if (this.pos + 8 > this.len) throw outOfRange(this, 8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return jsonDouble(v);
  }

  float(): number | string {
    if (this.pos + 4 > this.len) throw outOfRange(this, 4);
    const v = this.buf.readFloatLE(this.pos);
    this.pos += 4;
    return jsonDouble(v);
  }

  /** Lowercase hex, read straight from the body (no Buffer view made). */
  bytes(): string {
    const n = this.uint32();
    const start = this.pos;
    if (start + n > this.len) throw outOfRange(this, n);
    this.pos = start + n;
    return this.buf.toString('hex', start, start + n);
  }
}

/** The message types reachable from `roots`. */
export function reachable(roots: readonly protobuf.Type[]): Set<protobuf.Type> {
  const all = new Set<protobuf.Type>();
  const visit = (t: protobuf.Type): void => {
    if (all.has(t)) return;
    all.add(t);
    for (const f of t.fieldsArray) if (f.resolvedType instanceof protobuf.Type) visit(f.resolvedType);
  };
  for (const r of roots) visit(r);
  return all;
}

/**
 * Makes protobufjs's decoders of `roots` (and of every message inside them) build plain objects that
 * hold only what was on the wire, as JSON.parse of the OTLP/JSON form would: each type gets a constructor
 * of its own (protobufjs's documented `Type#ctor`, which its decoder instantiates), whose prototype is then
 * replaced by an empty object. The one protobufjs installs serves its Message API and is not wanted here:
 * fields' default values (an absent field would read 0 or an empty Long instead of undefined), oneofs'
 * accessors (a NumberDataPoint's `value` naming its member) and `toJSON` (protobufjs's own wording).
 * Encoding is unaffected: protobufjs's encoders and fromObject read only own properties. Use it on a Root
 * of one's own, before decoding.
 */
export function plainMessages(roots: readonly protobuf.Type[]): void {
  for (const t of reachable(roots)) {
    const Plain = function OtlpMessage() {} as unknown as protobuf.Constructor<object>;
    t.ctor = Plain;
    Plain.prototype = {};
  }
}

type Decode = (r: unknown, length?: number, end?: number, depth?: number) => Obj;

const base64OfHex = (v: unknown): unknown =>
  typeof v === 'string' ? Buffer.from(v, 'hex').toString('base64') : v;

/**
 * Wraps the decoders of the types under `roots` that hold `bytes` fields other than the ids (AnyValue's
 * `bytesValue`), so that JsonReader's hex becomes base64 there, as soon as each message is decoded. Use
 * it with plainMessages, on the same Root; such decoders then expect a JsonReader.
 */
export function jsonBytesFields(roots: readonly protobuf.Type[]): void {
  for (const t of reachable(roots)) {
    const fields = t.fieldsArray.filter((f) => f.type === 'bytes' && !HEX_IDS.has(f.name));
    if (fields.length === 0) continue;
    const decode = t.setup().decode as unknown as Decode;
    const rewrite = (m: Obj): void => {
      for (const { name, repeated } of fields) {
        const v = m[name];
        if (v !== undefined) m[name] = repeated ? (v as unknown[]).map(base64OfHex) : base64OfHex(v);
      }
    };
    (t as unknown as { decode: Decode }).decode = function (this: protobuf.Type, r, length, end, depth) {
      const m = decode.call(this, r, length, end, depth);
      rewrite(m);
      return m;
    };
  }
}
