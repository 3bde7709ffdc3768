import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { AppError } from '../../shared/errors.ts';

/**
 * One CSV record. `line` is the 1-based physical line on which the record starts (the header is line 1),
 * so a record with an embedded newline moves every later record's line number down. `error` is set when
 * the record is malformed (unterminated quote, text after a closing quote, overlong record): the fields
 * are then a best effort and the caller should reject the row, not crash.
 */
export interface CsvRow {
  line: number;
  fields: string[];
  error?: string;
}

export interface CsvOptions {
  /**
   * Longest record kept while waiting for its end. A stray quote would otherwise turn the rest of the
   * file into one field and buffer all of it; past this cap the record is reported and parsing resumes
   * on the line after the one it started on. 1 Mi characters is far beyond any real CRM row.
   */
  maxRecordChars?: number;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const DEFAULT_MAX_RECORD = 1 << 20;
/** Bytes per file read: fewer chunks, fewer awaits, same constant memory. */
export const CSV_READ_BYTES = 1 << 20;

/** Number of '\n' in buf[from, to). indexOf runs natively, far faster than a charCodeAt loop. */
function countLf(buf: string, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf('\n', from); i !== -1 && i < to; i = buf.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Incremental RFC 4180 parser over decoded text. Synchronous and allocation-light: a line with no quote
 * (the common case) is one native slice + split; only a line containing a quote goes through the
 * character scanner. Text after the last complete record is carried into the next push, so a chunk
 * boundary may fall anywhere (inside a field, between CR and LF, between two quotes of an escape).
 *
 * Leniencies, chosen so a human-exported file imports rather than fails: LF or CRLF line ends (a lone
 * CR is data); a quote inside an unquoted field is literal; blank lines are skipped (their line numbers
 * still count). Text after a closing quote is kept but flags the row as an error.
 */
export class CsvParser {
  #carry = '';
  /** Physical line on which #carry (the incomplete record) starts. */
  #line = 1;
  #started = false;
  /** Dropping an overlong line until its newline arrives. */
  #skipping = false;
  readonly #max: number;

  constructor(opts: CsvOptions = {}) {
    this.#max = opts.maxRecordChars ?? DEFAULT_MAX_RECORD;
  }

  /** Parses `text` (the next piece of the input) and appends every complete record to `out`. */
  push(text: string, out: CsvRow[]): void {
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.#skipping) {
      const nl = text.indexOf('\n');
      if (nl === -1) return;
      text = text.slice(nl + 1);
      this.#line++;
      this.#skipping = false;
    }
    // One concatenation per chunk, and only when a record straddles the boundary.
    const buf = this.#carry.length > 0 ? this.#carry + text : text;
    let pos = this.#scan(buf, 0, out, false);
    while (buf.length - pos > this.#max) {
      out.push({
        line: this.#line,
        fields: [],
        error: `record longer than ${this.#max} characters (unterminated quote?)`,
      });
      const nl = buf.indexOf('\n', pos);
      if (nl === -1) {
        this.#skipping = true;
        pos = buf.length;
        break;
      }
      this.#line++;
      pos = this.#scan(buf, nl + 1, out, false);
    }
    this.#carry = pos < buf.length ? buf.slice(pos) : '';
  }

  /** Signals end of input: the carried record (no trailing newline, or an unterminated quote) is emitted. */
  end(out: CsvRow[]): void {
    if (!this.#skipping && this.#carry.length > 0) this.#scan(this.#carry, 0, out, true);
    this.#carry = '';
  }

  /** Emits complete records from buf[pos…]; returns where the first incomplete one starts. */
  #scan(buf: string, pos: number, out: CsvRow[], final: boolean): number {
    const len = buf.length;
    let quoteAt = buf.indexOf('"', pos);
    while (pos < len) {
      let nl = buf.indexOf('\n', pos);
      if (quoteAt !== -1 && quoteAt < pos) quoteAt = buf.indexOf('"', pos);
      if (quoteAt === -1 || (nl !== -1 && quoteAt > nl)) {
        if (nl === -1) {
          if (!final) return pos;
          nl = len;
        }
        const end = nl > pos && buf.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
        if (end > pos) out.push({ line: this.#line, fields: buf.slice(pos, end).split(',') });
        this.#line++;
        pos = nl + 1;
        continue;
      }
      const next = this.#quotedRecord(buf, pos, out, final);
      if (next === -1) return pos;
      pos = next;
    }
    return len;
  }

  /**
   * Parses one record that contains a quote, starting at `start`. Returns the index after it, or -1 when
   * the buffer ends before the record does (and more input may come).
   */
  #quotedRecord(buf: string, start: number, out: CsvRow[], final: boolean): number {
    const len = buf.length;
    const fields: string[] = [];
    let newlines = 0;
    let error: string | undefined;
    let i = start;
    for (;;) {
      let value: string;
      if (i < len && buf.charCodeAt(i) === QUOTE) {
        const openedOn = this.#line + newlines;
        value = '';
        let s = i + 1;
        for (;;) {
          const q = buf.indexOf('"', s);
          if (q === -1) {
            if (!final) return -1;
            value += buf.slice(s);
            newlines += countLf(buf, s, len);
            error ??= `unterminated quoted field (opened on line ${openedOn})`;
            i = len;
            break;
          }
          // A quote as the last character may be the first half of an escaped "" split by the chunk.
          if (q + 1 === len && !final) return -1;
          newlines += countLf(buf, s, q);
          if (buf.charCodeAt(q + 1) === QUOTE) {
            value += buf.slice(s, q + 1);
            s = q + 2;
            continue;
          }
          value += buf.slice(s, q);
          i = q + 1;
          break;
        }
        // After the closing quote only a delimiter may follow; anything else is kept but flagged.
        const j = this.#fieldEnd(buf, i);
        if (j === len && !final) return -1;
        const raw = buf.slice(i, trimCr(buf, i, j));
        if (raw.length > 0) {
          error ??= `unexpected text after closing quote in column ${fields.length + 1}`;
          value += raw;
        }
        i = j;
      } else {
        const j = this.#fieldEnd(buf, i);
        if (j === len && !final) return -1;
        value = buf.slice(i, trimCr(buf, i, j));
        i = j;
      }
      fields.push(value);
      if (i < len && buf.charCodeAt(i) === COMMA) {
        i++;
        continue;
      }
      out.push(error === undefined ? { line: this.#line, fields } : { line: this.#line, fields, error });
      // i is at the terminating LF, or at the end of the final buffer.
      this.#line += newlines + 1;
      return i < len ? i + 1 : len;
    }
  }

  /** Index of the next comma or LF at or after i (len if none). */
  #fieldEnd(buf: string, i: number): number {
    const len = buf.length;
    while (i < len) {
      const c = buf.charCodeAt(i);
      if (c === COMMA || c === LF) return i;
      i++;
    }
    return len;
  }
}

/** End of a field that stops at j: drops the CR of a CRLF (or of a final CR at end of input). */
function trimCr(buf: string, from: number, j: number): number {
  return j > from && buf.charCodeAt(j - 1) === CR && (j === buf.length || buf.charCodeAt(j) === LF)
    ? j - 1
    : j;
}

/**
 * Streams CSV records from a Readable of bytes (or strings). Pull-based: the stream is read only as fast
 * as the consumer iterates, so back-pressure holds and memory stays at about one chunk plus one batch.
 */
export class CsvReader {
  /** Size of the input in bytes when known (0 otherwise), for progress. */
  readonly sizeBytes: number;
  readonly #stream: Readable;
  readonly #parser: CsvParser;
  #bytes = 0;

  constructor(stream: Readable, opts: CsvOptions & { sizeBytes?: number } = {}) {
    this.#stream = stream;
    this.#parser = new CsvParser(opts);
    this.sizeBytes = opts.sizeBytes ?? 0;
  }

  /** Bytes pulled from the stream so far. */
  get bytesRead(): number {
    return this.#bytes;
  }

  /**
   * Records in batches, one batch per stream chunk. A batch costs one await instead of one per record,
   * which matters at a million rows. Breaking out of the loop destroys the stream.
   */
  async *batches(): AsyncGenerator<CsvRow[]> {
    // ignoreBOM keeps the BOM in the text so the parser strips it in one place, for strings too.
    // stream: true holds back a multi-byte character split across two chunks.
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    for await (const chunk of this.#stream as AsyncIterable<Buffer | string>) {
      let text: string;
      if (typeof chunk === 'string') {
        this.#bytes += Buffer.byteLength(chunk);
        text = chunk;
      } else {
        this.#bytes += chunk.byteLength;
        text = decoder.decode(chunk, { stream: true });
      }
      const out: CsvRow[] = [];
      this.#parser.push(text, out);
      if (out.length > 0) yield out;
      // A buffered stream resolves the next chunk as a microtask, so a fast consumer could parse the
      // whole file without ever letting I/O callbacks run; the database write in flight would then stall
      // on every round trip (measured: a third of a 1M-row import spent idle). Yield to the event loop.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const out: CsvRow[] = [];
    const tail = decoder.decode();
    if (tail.length > 0) this.#parser.push(tail, out);
    this.#parser.end(out);
    if (out.length > 0) yield out;
  }

  /** Records one at a time; convenient, but a promise per record (prefer batches() on hot paths). */
  async *[Symbol.asyncIterator](): AsyncGenerator<CsvRow> {
    for await (const batch of this.batches()) yield* batch;
  }
}

/**
 * Size of the CSV file at `path`. A missing path is NOT_FOUND and a directory is VALIDATION, so the CLI
 * shows a plain message instead of a stack.
 */
export async function csvFileSize(path: string): Promise<number> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new AppError('VALIDATION', `not a file: ${path}`);
    return st.size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new AppError('NOT_FOUND', `file not found: ${path}`);
    throw e;
  }
}

/** Opens a CSV file for streaming (errors as csvFileSize). 1 MiB reads: fewer chunks, fewer awaits. */
export async function openCsvFile(path: string, opts: CsvOptions = {}): Promise<CsvReader> {
  const size = await csvFileSize(path);
  return new CsvReader(createReadStream(path, { highWaterMark: CSV_READ_BYTES }), {
    ...opts,
    sizeBytes: size,
  });
}
