import { Bad } from '../../domain/revops/cells.ts';
import { type Layout, pick, type RevopsKind } from '../../domain/revops/csv-kinds.ts';
import { ROW_KINDS, type RowKind } from '../../domain/revops/rows.ts';
import type { MrrMonth } from '../../domain/revops/types.ts';
import type { SourceRow } from '../import/rows.ts';
import type { RejectedRow } from '../records/ports.ts';
import type { RevopsBatchWrites } from './ports.ts';

/*
 * The inner loop of a RevOps import (import.ts runs it): each record is checked (column count, the kind's
 * parser), its natural key claimed (a key repeated in the file is rejected: a batch upsert cannot touch a
 * row twice, and a silent "last wins" would hide a broken export), and good rows are written in batches,
 * up to MAX_WRITES_IN_FLIGHT at once so parsing goes on while the database works.
 */

/** As the funnel import (app/import/batches.ts): two writes in flight keep both the parser and the database busy. */
export const MAX_WRITES_IN_FLIGHT = 2;

/**
 * A copy of a string that pins nothing else: parsed cells are slices of a ~1 MiB decoded chunk, and a key
 * kept for the whole import must not keep its chunk alive (see app/import/batches.ts for the measurement).
 */
const detach = (s: string): string => (s.length < 13 ? s : `${s} `.slice(0, -1));

type Written = { written: number; refused?: (row: unknown) => string | null };
type BatchWrite = (w: RevopsBatchWrites, rows: unknown[]) => Promise<Written>;

/** How each kind's batch is written; the MRR history refuses rows whose customer is not stored. */
const WRITE: Readonly<Record<RevopsKind, BatchWrite>> = {
  deals: async (w, rows) => ({ written: await w.upsertDeals(rows as never) }),
  customers: async (w, rows) => ({ written: await w.upsertCustomers(rows as never) }),
  spend: async (w, rows) => ({ written: await w.upsertSpend(rows as never) }),
  mrr: async (w, rows) => {
    const r = await w.upsertMrrHistory(rows as MrrMonth[]);
    if (r.unknownCustomers.length === 0) return { written: r.written };
    const unknown = new Set(r.unknownCustomers);
    return {
      written: r.written,
      refused: (row) => {
        const id = (row as MrrMonth).customerId;
        return unknown.has(id) ? `unknown customer_id '${id}' (import it in customers.csv first)` : null;
      },
    };
  },
};

export interface RowsImportOptions {
  kind: RevopsKind;
  layout: Layout;
  writes: RevopsBatchWrites;
  batchSize: number;
  dryRun: boolean;
}

/** One import's rows: counts, rejections, the key → first line map, the batch being filled and the writes. */
export class RowsImport {
  total = 0;
  imported = 0;
  readonly rejected: RejectedRow[] = [];
  readonly #o: RowsImportOptions;
  readonly #rows: RowKind<unknown>;
  readonly #write: BatchWrite;
  readonly #firstLine = new Map<string, number>();
  readonly #cells: string[] = [];
  #batch: unknown[] = [];
  #lines: number[] = [];
  readonly #inFlight: Promise<void>[] = [];
  #failure: { error: unknown } | undefined;

  constructor(o: RowsImportOptions) {
    this.#o = o;
    this.#rows = ROW_KINDS[o.kind] as RowKind<unknown>;
    this.#write = WRITE[o.kind];
  }

  /** Checks records in file order; each full batch is handed to a write (after waiting for a slot). */
  async push(records: readonly SourceRow[]): Promise<void> {
    const width = this.#o.layout.width;
    for (const r of records) {
      this.total++;
      if (r.error !== undefined) {
        this.#reject(r.line, r.error);
        continue;
      }
      if (r.fields.length !== width) {
        this.#reject(r.line, `expected ${width} columns, got ${r.fields.length}`);
        continue;
      }
      const row = this.#rows.parse(pick(r.fields, this.#o.layout, this.#cells));
      if (row instanceof Bad) {
        this.#reject(r.line, row.reason);
        continue;
      }
      const key = detach(this.#rows.key(row));
      const first = this.#firstLine.get(key);
      if (first !== undefined) {
        this.#reject(r.line, `${this.#rows.describeKey(row)} repeated (first on line ${first})`);
        continue;
      }
      // Only an accepted row claims its key, so a bad row does not block a later good one.
      this.#firstLine.set(key, r.line);
      if (this.#o.dryRun) continue;
      this.#batch.push(row);
      this.#lines.push(r.line);
      if (this.#batch.length >= this.#o.batchSize) await this.flush();
    }
    this.check();
  }

  /** Starts writing the batch being filled, after waiting for a free slot. */
  async flush(): Promise<void> {
    if (this.#inFlight.length >= MAX_WRITES_IN_FLIGHT) await this.#inFlight.shift();
    this.check();
    if (this.#batch.length === 0) return;
    const rows = this.#batch;
    const lines = this.#lines;
    this.#batch = [];
    this.#lines = [];
    // A write never rejects: its failure is parked and rethrown by check(), so an error raised while we
    // are still parsing cannot become an unhandled rejection.
    this.#inFlight.push(
      this.#write(this.#o.writes, rows).then(
        (w) => {
          this.imported += w.written;
          if (w.refused === undefined) return;
          for (let i = 0; i < rows.length; i++) {
            const reason = w.refused(rows[i]);
            if (reason !== null) this.#reject(lines[i]!, reason);
          }
        },
        (error: unknown) => {
          this.#failure ??= { error };
        },
      ),
    );
  }

  /** Writes what is left and waits for every write; rejections end up in file order. */
  async finish(): Promise<void> {
    await this.flush();
    await this.settle();
    this.check();
    this.rejected.sort((a, b) => a.line - b.line);
  }

  /** Waits for the writes in flight (after a failure too, so the database is not closed under them). */
  async settle(): Promise<void> {
    await Promise.all(this.#inFlight.splice(0));
  }

  /** Rethrows the failure of a write that already settled. */
  check(): void {
    if (this.#failure) throw this.#failure.error;
  }

  #reject(line: number, reason: string): void {
    this.rejected.push({ line, reason: detach(reason) });
  }
}
