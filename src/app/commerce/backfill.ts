import {
  type MappedOrder,
  type OrderCsvFormat,
  OrderCsvMapper,
  type OrderCsvRow,
  readOrderCsvHeader,
} from '../../domain/commerce/order-csv.ts';
import { AppError } from '../../shared/errors.ts';
import type { Clock, Ctx } from '../context.ts';
import type { ImportProgress } from '../import/import.ts';
import { toWrite } from './intake.ts';
import type { LedgerStore, LedgerWrite } from './ports.ts';

/**
 * `leak revenue import <orders.csv>` (issue 12): a store's order export written into the ledger, for the
 * days before its webhooks were set up. The file is read as it streams (header first, then records in
 * order), each order mapped by domain/commerce/order-csv.ts, and its entries written in batches through
 * the same idempotent ledger upsert the webhooks use: importing the same file again writes nothing new,
 * and an order already sent by a webhook is the same entry. A bad row is reported with its line and
 * reason while the good rows import.
 */

/** The file's records as they stream (the header first), with how far the reading has got. */
export interface OrderRowSource extends AsyncIterable<OrderCsvRow> {
  /** Size of the input in bytes (0 when unknown) and bytes read so far, for progress. */
  readonly sizeBytes: number;
  readonly bytesRead: number;
}

export interface BackfillDeps {
  ledger: Pick<LedgerStore, 'writeEntries'>;
  /** The intake's keyed email hash (PII_HASH_KEY), so a buyer matches the same buyer's webhooks. */
  hashEmail: (email: string) => string;
  clock: Clock;
}

export interface RejectedOrderRow {
  line: number;
  reason: string;
}

export interface BackfillOptions {
  /** The ledger source; default `shopify` for Shopify's export. The generic CSV must name one. */
  source?: string;
  /** Entries per writeEntries call (one transaction each). */
  batchSize?: number;
  onProgress?: (p: ImportProgress) => void;
  /** Each bad row as it is found (the outcome keeps the first REJECTED_KEPT of them). */
  onRejected?: (r: RejectedOrderRow) => void;
}

export interface BackfillOutcome {
  format: OrderCsvFormat;
  source: string;
  /** Data rows read (header and blank lines excluded); a Shopify order spans one row per line item. */
  rows: number;
  orders: number;
  /** Ledger entries sent (sales and refunds), and how many of them were new or moved the stored entry. */
  entries: number;
  written: number;
  unchanged: number;
  rejectedCount: number;
  rejected: RejectedOrderRow[];
  elapsedMs: number;
}

/** A source name as the webhook routes accept it (`/webhooks/<source>`). */
const SOURCE = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const BATCH = 1000;
/** Bad rows kept for the summary; past this they are counted (and still reported to onRejected). */
export const REJECTED_KEPT = 1000;
/** Rows between two progress reports (the bar throttles its own redraws). */
const PROGRESS_EVERY = 500;

function sourceFor(format: OrderCsvFormat, asked: string | undefined): string {
  const source = asked?.trim().toLowerCase() ?? (format === 'shopify' ? 'shopify' : undefined);
  if (source === undefined)
    throw new AppError(
      'VALIDATION',
      'a generic order CSV needs the source its webhooks arrive as (--source <name>, e.g. --source myshop)',
    );
  if (!SOURCE.test(source))
    throw new AppError(
      'VALIDATION',
      `source "${source}" is not a source name: lowercase letters, digits, - and _, at most 40`,
    );
  return source;
}

export async function backfillOrders(
  deps: BackfillDeps,
  ctx: Ctx,
  rows: OrderRowSource,
  opts: BackfillOptions = {},
): Promise<BackfillOutcome> {
  const startedAt = deps.clock.now();
  const it = rows[Symbol.asyncIterator]();
  try {
    const first = await it.next();
    if (first.done) throw new AppError('VALIDATION', 'the file is empty: expected a header row');
    if (first.value.error !== undefined)
      throw new AppError('VALIDATION', `line ${first.value.line}: ${first.value.error}`);
    const header = readOrderCsvHeader(first.value.fields);
    if (!header.ok) throw new AppError('VALIDATION', `line ${first.value.line}: ${header.reason}`);
    const { format } = header.layout;
    const source = sourceFor(format, opts.source);
    const run = new BackfillRun(deps, source, opts);
    const mapper = new OrderCsvMapper(header.layout);
    for (let r = await it.next(); !r.done; r = await it.next()) {
      await run.take(mapper.push(r.value));
      if (++run.rows % PROGRESS_EVERY === 0) run.progress(rows);
    }
    await run.take(mapper.end());
    await run.flush();
    run.progress(rows);
    const outcome: BackfillOutcome = {
      format,
      source,
      ...run.tally(),
      elapsedMs: deps.clock.now() - startedAt,
    };
    ctx.log.info(
      { source, format, rows: outcome.rows, written: outcome.written, rejected: outcome.rejectedCount },
      'order backfill finished',
    );
    return outcome;
  } finally {
    // Stops the reader (and closes the file) when the import ends early.
    await it.return?.();
  }
}

/** The counts and the pending batch of one backfill. */
class BackfillRun {
  rows = 0;
  #orders = 0;
  #entries = 0;
  #written = 0;
  #unchanged = 0;
  #rejectedCount = 0;
  readonly #rejected: RejectedOrderRow[] = [];
  #batch: LedgerWrite[] = [];

  readonly deps: BackfillDeps;
  readonly source: string;
  readonly opts: BackfillOptions;

  constructor(deps: BackfillDeps, source: string, opts: BackfillOptions) {
    this.deps = deps;
    this.source = source;
    this.opts = opts;
  }

  async take(orders: readonly MappedOrder[]): Promise<void> {
    for (const o of orders) {
      if (!o.ok) {
        this.#rejectedCount += 1;
        const r = { line: o.line, reason: o.reason };
        if (this.#rejected.length < REJECTED_KEPT) this.#rejected.push(r);
        this.opts.onRejected?.(r);
        continue;
      }
      this.#orders += 1;
      for (const c of o.changes) this.#batch.push(toWrite(c, o.knownAtMs, this.deps.hashEmail));
    }
    if (this.#batch.length >= (this.opts.batchSize ?? BATCH)) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    const { written, unchanged } = await this.deps.ledger.writeEntries(this.source, batch);
    this.#entries += batch.length;
    this.#written += written;
    this.#unchanged += unchanged;
  }

  progress(rows: OrderRowSource): void {
    this.opts.onProgress?.({
      bytesRead: rows.bytesRead,
      totalBytes: rows.sizeBytes,
      rows: this.rows,
      rejected: this.#rejectedCount,
    });
  }

  tally() {
    return {
      rows: this.rows,
      orders: this.#orders,
      entries: this.#entries,
      written: this.#written,
      unchanged: this.#unchanged,
      rejectedCount: this.#rejectedCount,
      rejected: this.#rejected,
    };
  }
}
