import { checkHeader, type HeaderResult, parseRow } from '../../domain/records/parse-row.ts';
import type { RecordLineEncoder, RejectedRow } from '../records/ports.ts';

/*
 * The row side of an import: what a row source yields and the per-row checking it runs. Kept apart from
 * the use case (import.ts) because it also runs on the CSV adapter's worker thread.
 */
/** A CSV record as a reader yields it (adapters/csv/reader.ts CsvRow satisfies it). */
export interface SourceRow {
  /** 1-based physical line where the record starts; the header is line 1. */
  line: number;
  fields: string[];
  /** Set when the record itself is malformed (e.g. unterminated quote): the row is rejected with it. */
  error?: string;
}

/**
 * A run of consecutive data rows after validation, in file order. Plain data (strings and typed arrays)
 * so a source that parses on a worker thread can post it cheaply: no object per row.
 */
export interface CheckedBatch {
  /** Data rows this batch covers, valid and rejected. */
  rows: number;
  /** Input bytes consumed when the batch was cut, for progress. */
  bytesRead: number;
  /** Valid rows: the 1-based line each starts on … */
  lines: Int32Array;
  /** … its trimmed id … */
  ids: string[];
  /** … and where its encoded line ends in `text` (empty when the source was opened without encoding). */
  ends: Int32Array;
  /** The valid rows, each encoded by the RecordLineEncoder the source was given, concatenated. */
  text: string;
  /** Rows the source rejected (malformed record, failed validation), in file order. */
  rejected: RejectedRow[];
}

/**
 * The port through which the use case reads a file, validated: app code may not import adapters
 * (ARCHITECTURE.md), so the source is injected. It runs RowChecker (below) over the records, in process
 * or on a worker thread (adapters/csv). The id-repeat check stays with the use case: it needs every id
 * seen so far, and keeping it off the parsing thread balances the two threads.
 */
export interface RowSource {
  /** Input size in bytes, 0 when unknown. */
  readonly sizeBytes: number;
  /** Bytes consumed so far. */
  readonly bytesRead: number;
  /** The verdict on the first record (the header), or null when the input has no record at all. */
  header(): Promise<HeaderResult | null>;
  /** The data rows in batches, after header(); pulled, so back-pressure holds. */
  batches(): AsyncIterable<CheckedBatch>;
  /** Releases the input (and any thread); safe to call more than once, also after a failure. */
  close(): Promise<void>;
}

export interface OpenRowsOptions {
  /** Encode valid rows for upsertLines; false in a dry run, which writes nothing. */
  encode: boolean;
}

/**
 * The per-row stage of an import, run by every RowSource: the first record is checked as the header,
 * each later one is validated (parseRow: the email hashed, never kept) and, when valid, encoded. Rows
 * accumulate until take() cuts a batch. Pure apart from the injected hash and encoder, and synchronous,
 * so it runs as well on a worker thread as in process.
 */
export class RowChecker {
  readonly #hashEmail: (email: string) => string;
  readonly #encode: RecordLineEncoder | null;
  #header: HeaderResult | undefined;
  #rows = 0;
  #lines: number[] = [];
  #ids: string[] = [];
  #ends: number[] = [];
  /** Encoded lines since the last take(), joined there: one flat string, no tree of concatenations. */
  #parts: string[] = [];
  #length = 0;
  #rejected: RejectedRow[] = [];

  constructor(hashEmail: (email: string) => string, encode: RecordLineEncoder | null) {
    this.#hashEmail = hashEmail;
    this.#encode = encode;
  }

  /** The header verdict, once the first record has been pushed. */
  get header(): HeaderResult | undefined {
    return this.#header;
  }

  /** Data rows pushed since the last take(). */
  get pending(): number {
    return this.#rows;
  }

  /** Checks records in order; after a bad header the rest are ignored (the import stops there). */
  push(rows: readonly SourceRow[]): void {
    const encode = this.#encode;
    for (const row of rows) {
      if (this.#header === undefined) {
        this.#header =
          row.error === undefined ? checkHeader(row.fields) : { ok: false as const, reason: row.error };
        continue;
      }
      if (!this.#header.ok) return;
      this.#rows++;
      if (row.error !== undefined) {
        this.#rejected.push({ line: row.line, reason: row.error });
        continue;
      }
      const parsed = parseRow(row.fields, this.#hashEmail);
      if (!parsed.ok) {
        this.#rejected.push({ line: row.line, reason: parsed.reason });
        continue;
      }
      this.#lines.push(row.line);
      this.#ids.push(parsed.record.id);
      if (encode !== null) {
        const line = encode(parsed.record);
        this.#parts.push(line);
        this.#length += line.length;
        this.#ends.push(this.#length);
      }
    }
  }

  /** The rows pushed since the last take(), as one batch. */
  take(bytesRead: number): CheckedBatch {
    const batch: CheckedBatch = {
      rows: this.#rows,
      bytesRead,
      lines: Int32Array.from(this.#lines),
      ids: this.#ids,
      ends: Int32Array.from(this.#ends),
      text: this.#parts.join(''),
      rejected: this.#rejected,
    };
    this.#rows = 0;
    this.#lines = [];
    this.#ids = [];
    this.#ends = [];
    this.#parts = [];
    this.#length = 0;
    this.#rejected = [];
    return batch;
  }
}
