import type { CheckedBatch, RowSource } from '../../app/import/rows.ts';
import { RowChecker } from '../../app/import/rows.ts';
import type { RecordLineEncoder } from '../../app/records/ports.ts';
import type { HeaderResult } from '../../domain/records/parse-row.ts';
import type { CsvReader } from './reader.ts';

export interface CheckOptions {
  /** Keyed hash of a trimmed, lowercased email (the plain address is never kept). */
  hashEmail(email: string): string;
  /** The record repository's line encoder; null when nothing will be written (a dry run). */
  encode: RecordLineEncoder | null;
}

/**
 * The in-process RowSource: a CsvReader's records through RowChecker, one batch per chunk read. The
 * worker-backed source (worker-rows.ts) runs this very source on its own thread and posts the batches.
 */
export function checkedRows(reader: CsvReader, opts: CheckOptions): RowSource {
  const checker = new RowChecker(opts.hashEmail, opts.encode);
  const chunks = reader.batches();
  let done = false;

  /** Reads the next chunk into the checker; false at the end of the input. */
  const pull = async (): Promise<boolean> => {
    if (done) return false;
    const r = await chunks.next();
    if (r.done) {
      done = true;
      return false;
    }
    checker.push(r.value);
    return true;
  };

  return {
    sizeBytes: reader.sizeBytes,
    get bytesRead() {
      return reader.bytesRead;
    },
    async header(): Promise<HeaderResult | null> {
      while (checker.header === undefined) if (!(await pull())) return null;
      return checker.header;
    },
    async *batches(): AsyncGenerator<CheckedBatch> {
      if (checker.header?.ok !== true) return;
      // The chunk that held the header may hold data rows too.
      if (checker.pending > 0) yield checker.take(reader.bytesRead);
      while (await pull()) if (checker.pending > 0) yield checker.take(reader.bytesRead);
    },
    async close() {
      done = true;
      // Stops the reader (and destroys its stream) if it was left mid-file.
      await chunks.return(undefined);
    },
  };
}
