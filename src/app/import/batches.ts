import { detach } from '../../shared/detach.ts';
import type { RecordImport, RejectedRow } from '../records/ports.ts';
import type { CheckedBatch } from './rows.ts';

/*
 * The import's inner loop (import.ts runs it): each checked batch is screened for ids repeated in the
 * file, and the accepted rows' encoded text is cut into writes of `batchSize` records, a few in flight.
 */

export const MAX_WRITES_IN_FLIGHT = 2;

/** Appends `b` (sorted by line) to `out`, merged in line order with `extra` (sorted too, often empty). */
function mergeRejections(out: RejectedRow[], b: readonly RejectedRow[], extra: readonly RejectedRow[]): void {
  let j = 0;
  for (const r of b) {
    while (j < extra.length && extra[j]!.line < r.line) out.push(extra[j++]!);
    out.push({ line: r.line, reason: detach(r.reason) });
  }
  while (j < extra.length) out.push(extra[j++]!);
}

/** The batch being filled and the writes in flight; `imported` counts rows the repository reports written. */
export interface BatchWriter {
  readonly imported: number;
  /** Adds encoded rows (slices of a source batch) to the batch being filled. */
  append(text: string): void;
  /** Counts one accepted row into the batch being filled; true once it holds `batchSize` rows. */
  countRow(): boolean;
  /** Starts writing the batch being filled (if any), after waiting for a slot. */
  flush(): Promise<void>;
  /** Rethrows the failure of a write that already settled. */
  check(): void;
  /** Waits for every write in flight. */
  settleAll(): Promise<unknown>;
}

/**
 * Up to MAX_WRITES_IN_FLIGHT writes overlap with parsing: the parser fills the next batch while the target
 * writes (an all-at-once RecordImport runs them one after another on its transaction, so the second one
 * waits there, ready, and the server never idles between batches). A write never rejects: a failure is
 * parked and rethrown by check(), so an error raised while we are still parsing cannot become an
 * unhandled rejection.
 */
export function batchWriter(target: Pick<RecordImport, 'write'>, batchSize: number): BatchWriter {
  // The encoded rows of the batch being filled: a string built from slices of the source's batches.
  let text = '';
  let count = 0;
  let imported = 0;
  const inFlight: Promise<void>[] = [];
  let writeError: { error: unknown } | undefined;
  const check = (): void => {
    if (writeError) throw writeError.error;
  };
  return {
    get imported() {
      return imported;
    },
    append(rows) {
      text += rows;
    },
    countRow: () => ++count >= batchSize,
    async flush() {
      if (inFlight.length >= MAX_WRITES_IN_FLIGHT) await inFlight.shift();
      check();
      if (count === 0) return;
      const lines = text;
      const n = count;
      text = '';
      count = 0;
      inFlight.push(
        target.write(lines, n).then(
          (written) => {
            imported += written;
          },
          (error: unknown) => {
            writeError = { error };
          },
        ),
      );
    },
    check,
    settleAll: () => Promise.all(inFlight.splice(0)),
  };
}

/** What the import has seen so far: data rows, every rejection in file order, each accepted id's first line. */
export interface ImportTally {
  total: number;
  rejected: RejectedRow[];
  firstLine: Map<string, number>;
}

/**
 * Takes one checked batch: an id accepted earlier in the file rejects the row (only an accepted row
 * claims its id), and unless this is a dry run the accepted rows' text goes to the writer, which is
 * flushed each time it holds a full batch.
 */
export async function takeBatch(
  b: CheckedBatch,
  tally: ImportTally,
  writer: BatchWriter,
  dryRun: boolean,
): Promise<void> {
  tally.total += b.rows;
  const firstLine = tally.firstLine;
  const repeats: RejectedRow[] = [];
  // b.text[from, to) is a run of accepted rows not yet given to the writer.
  let from = 0;
  for (let i = 0; i < b.ids.length; i++) {
    // Detached before the lookup so the key's hash is computed once, on the string the map keeps.
    const id = detach(b.ids[i]!);
    const line = b.lines[i]!;
    const first = firstLine.get(id);
    if (first !== undefined) {
      repeats.push({ line, reason: detach(`id '${id}' repeated (first on line ${first})`) });
      if (!dryRun) {
        writer.append(b.text.slice(from, i === 0 ? 0 : b.ends[i - 1]));
        from = b.ends[i]!;
      }
      continue;
    }
    firstLine.set(id, line);
    if (dryRun) continue;
    if (writer.countRow()) {
      writer.append(b.text.slice(from, b.ends[i]));
      from = b.ends[i]!;
      await writer.flush();
    }
  }
  if (!dryRun && from < b.text.length) writer.append(from === 0 ? b.text : b.text.slice(from));
  mergeRejections(tally.rejected, b.rejected, repeats);
  writer.check();
}
