import { DDSketch } from '@datadog/sketches-js';
import { type Bins, GAMMA, inner, outer, RELATIVE_ACCURACY, type Sketch, SketchImpl } from './sketch-core.ts';

/**
 * Sketch bytes for storage: `toBytes` writes a compact encoding (version byte 0x01); `fromBytes` also reads
 * the library's protobuf form, which rows written before this encoding hold (the library stays the owner of
 * that format).
 */

/** The first byte of the compact encoding. Never the first byte of a protobuf message (field 0). */
const COMPACT_V1 = 0x01;
/** Flag: counts are float64 (some count is fractional or too large for a safe varint). */
const FLOAT_COUNTS = 1;

/** A growable byte buffer for toBytes, reused across calls (encoding is synchronous). */
let out = new Uint8Array(4096);
let outView = new DataView(out.buffer);
let pos = 0;

function room(n: number): void {
  if (pos + n <= out.length) return;
  const bigger = new Uint8Array(Math.max(out.length * 2, pos + n));
  bigger.set(out.subarray(0, pos));
  out = bigger;
  outView = new DataView(out.buffer);
}

/** An unsigned integer up to 2^53 as a LEB128 varint (8 bytes at most; room for 10 all the same). */
function writeVarint(n: number): void {
  room(10);
  while (n >= 0x80) {
    out[pos++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  out[pos++] = n;
}

const zigzag = (n: number): number => (n >= 0 ? n * 2 : -n * 2 - 1);
const unzigzag = (n: number): number => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

function writeCount(n: number, float: boolean): void {
  if (float) {
    room(8);
    outView.setFloat64(pos, n, true);
    pos += 8;
  } else writeVarint(n);
}

const isVarintCount = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER;

function writeBins(b: Bins, float: boolean): void {
  const n = b.keys.length;
  writeVarint(n);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const k = b.keys[i]!;
    // The first key zigzagged, then the (positive) steps between keys.
    writeVarint(i === 0 ? zigzag(k) : k - prev);
    prev = k;
    writeCount(b.counts[i]!, float);
  }
}

/**
 * The compact bytes of the sketch (bins only; not min, max or sum): 0x01, a flags varint, the zero count,
 * then the positive and the negative bins, each as a varint bin count, the first key (zigzag varint), the
 * steps to the following keys (varints) and each bin's count (varint, or float64 little-endian when the
 * FLOAT_COUNTS flag is set). A minute of a few values is a few bytes (the protobuf form was over 1 KiB).
 */
export function toBytes(sketch: Sketch): Uint8Array {
  const s = inner(sketch);
  let float = !isVarintCount(s.zeroCount);
  for (const b of [s.positive, s.negative])
    for (let i = 0; i < b.counts.length && !float; i++) float = !isVarintCount(b.counts[i]!);
  pos = 0;
  room(2);
  out[pos++] = COMPACT_V1;
  out[pos++] = float ? FLOAT_COUNTS : 0;
  writeCount(s.zeroCount, float);
  writeBins(s.positive, float);
  writeBins(s.negative, float);
  return out.slice(0, pos);
}

const malformed = (why: string): Error => new Error(`sketch bytes are malformed: ${why}`);
/**
 * No double maps past this key at 1% accuracy (Number.MAX_VALUE is key ~35,500, the smallest subnormal
 * ~-37,300): a larger one in stored bytes is corruption, and would turn quantiles into Infinity.
 */
const MAX_KEY = 40_000;

/** Reads the compact encoding (toBytes). */
function fromCompact(bytes: Uint8Array): SketchImpl {
  let at = 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const varint = (): number => {
    let n = 0;
    let scale = 1;
    for (;;) {
      if (at >= bytes.length) throw malformed('truncated');
      const b = bytes[at++]!;
      n += (b & 0x7f) * scale;
      if (b < 0x80) {
        // toBytes writes safe integers only; anything larger was not written by it.
        if (n > Number.MAX_SAFE_INTEGER) throw malformed('varint too large');
        return n;
      }
      scale *= 0x80;
      if (scale > 2 ** 56) throw malformed('varint too long');
    }
  };
  const flags = varint();
  if (flags & ~FLOAT_COUNTS) throw malformed(`unknown flags ${flags}`);
  const float = (flags & FLOAT_COUNTS) !== 0;
  const count = (): number => {
    if (!float) return varint();
    if (at + 8 > bytes.length) throw malformed('truncated');
    const v = view.getFloat64(at, true);
    at += 8;
    if (!(Number.isFinite(v) && v >= 0)) throw malformed(`bad count ${v}`);
    return v;
  };
  const bins = (into: Bins): void => {
    const n = varint();
    if (n > bytes.length) throw malformed('bin count past the end');
    let key = 0;
    for (let i = 0; i < n; i++) {
      const step = varint();
      if (i > 0 && step === 0) throw malformed('keys not increasing');
      key = i === 0 ? unzigzag(step) : key + step;
      if (Math.abs(key) > MAX_KEY) throw malformed(`bin key ${key} out of range`);
      const c = count();
      if (c > 0) {
        into.keys.push(key);
        into.counts.push(c);
        into.count += c;
      }
    }
  };
  const s = new SketchImpl();
  s.zeroCount = count();
  bins(s.positive);
  bins(s.negative);
  if (at !== bytes.length) throw malformed('trailing bytes');
  s.count = s.negative.count + s.zeroCount + s.positive.count;
  return s;
}

/** The library's view of a decoded protobuf sketch (its fields are not all in its typings). */
interface LibrarySketch {
  mapping: { gamma: number; _offset: number };
  store: LibraryStore;
  negativeStore: LibraryStore;
  zeroCount: number;
}
interface LibraryStore {
  bins: number[];
  offset: number;
}

/**
 * Reads the library's protobuf form (rows written before the compact encoding). Throws when it was
 * written with another relative accuracy (such a sketch could not be merged with ours).
 */
function fromProtobuf(bytes: Uint8Array): SketchImpl {
  const decoded = DDSketch.fromProto(bytes) as unknown as LibrarySketch;
  // fromProto rebuilds gamma through the relative accuracy, which may move its last bits.
  if (!(Math.abs(decoded.mapping.gamma - GAMMA) < 1e-12))
    throw new Error(`sketch bytes use another relative accuracy than ${RELATIVE_ACCURACY}`);
  const s = new SketchImpl();
  // The decoded keys include the mapping's index offset; ours is 0.
  const shift = decoded.mapping._offset ?? 0;
  const copy = (from: LibraryStore, into: Bins) => {
    for (let i = 0; i < from.bins.length; i++) {
      const c = from.bins[i]!;
      if (c > 0) into.add(from.offset + i - shift, c);
    }
  };
  copy(decoded.store, s.positive);
  copy(decoded.negativeStore, s.negative);
  s.zeroCount = decoded.zeroCount;
  s.count = s.negative.count + s.zeroCount + s.positive.count;
  return s;
}

/**
 * A sketch read back from `toBytes` (or from the library's protobuf bytes). Throws on malformed bytes,
 * and on protobuf bytes written with another relative accuracy.
 */
export function fromBytes(bytes: Uint8Array): Sketch {
  if (bytes.length === 0) throw malformed('empty');
  return outer(bytes[0] === COMPACT_V1 ? fromCompact(bytes) : fromProtobuf(bytes));
}
