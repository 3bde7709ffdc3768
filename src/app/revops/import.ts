import {
  type CsvKind,
  type HeaderVerdict,
  type Layout,
  type RevopsKind,
  readHeader,
} from '../../domain/revops/csv-kinds.ts';
import { AppError } from '../../shared/errors.ts';
import { actorLabel, type Clock, type Ctx } from '../context.ts';
import type { ImportOutcome, ImportProgress } from '../import/import.ts';
import type { SourceRow } from '../import/rows.ts';
import type { ImportRunRepository } from '../records/ports.ts';
import { RowsImport } from './import-rows.ts';
import type { RevopsBatchWrites, RevopsImport, RevopsWrites } from './ports.ts';

/**
 * `leak import` of the RevOps CSVs (issue 14): deals, customers, their monthly MRR history, marketing
 * spend. The same contract as the funnel import (app/import/import.ts): the file streams, a bad row is
 * rejected with its line number and reason while the good rows are upserted by their natural key in
 * batches, a key repeated in the file is rejected, and the run is recorded in import_runs (with every
 * rejected line) like a funnel run. Only a bad header, an unreadable file or a database failure stops it.
 *
 * Parsing runs on the main thread, with up to two batch writes in flight: unlike the funnel there is no
 * email to hash, so the per-row work is light. Memory is constant in file size except for the key →
 * first line map (O(distinct keys), ~100 bytes each) and the rejected rows.
 *
 * A run that wrote rows ends with ANALYZE of the table it wrote (RevopsWrites.analyze).
 *
 * All at once (issue 17): where the writes can (RevopsWrites.beginImport), every batch goes into one
 * transaction that also records the run's result, so a digest or view read meanwhile sees the tables
 * before the import or after it; a failure or a killed process leaves nothing of it, and the run failed.
 *
 * The MRR history needs its customers stored first: a history row for an unknown customer is rejected
 * with its line. A dry run writes nothing, so it checks every row but not that its customer exists.
 */

/** A CSV file's records as they stream (adapters/csv/reader.ts CsvReader satisfies it). */
export interface CsvRecords {
  /** Input size in bytes (0 when unknown) and bytes read so far, for progress. */
  readonly sizeBytes: number;
  readonly bytesRead: number;
  /** Records in file order, a batch per chunk read; returning early releases the file. */
  batches(): AsyncGenerator<SourceRow[]>;
}

export interface RevopsImportDeps {
  writes: RevopsWrites;
  importRuns: ImportRunRepository;
  clock: Clock;
  /** Opens a file; AppError NOT_FOUND / VALIDATION for a missing path or a directory. */
  openCsv(file: string): Promise<CsvRecords>;
}

export interface RevopsImportOptions {
  file: string;
  kind: RevopsKind;
  /** Validate only: the run is recorded, nothing is written. */
  dryRun: boolean;
  /** Rows per write. */
  batchSize?: number;
  onProgress?: (p: ImportProgress) => void;
}

export interface RevopsImportOutcome extends ImportOutcome {
  kind: RevopsKind;
}

/** Rows per write: 20k is within ARCHITECTURE's 10–25k; one batch of deals is ~4 MB of COPY text. */
export const REVOPS_BATCH_SIZE = 20_000;

/** The first record of a file: its fields, or why there is none. */
async function firstRecord(
  records: AsyncGenerator<SourceRow[]>,
): Promise<{ head: SourceRow; rest: SourceRow[] }> {
  for (let r = await records.next(); !r.done; r = await records.next()) {
    if (r.value.length > 0) return { head: r.value[0]!, rest: r.value.slice(1) };
  }
  throw new AppError('VALIDATION', 'file is empty (no header line)');
}

/**
 * Which CSV kind a file is, from its header (see domain/revops/csv-kinds.ts); `forced` checks the header
 * against that kind instead. Reads only the first record. Null for an empty file.
 */
export async function readCsvKind(
  openCsv: RevopsImportDeps['openCsv'],
  file: string,
  forced?: CsvKind,
): Promise<HeaderVerdict | null> {
  const records = (await openCsv(file)).batches();
  try {
    const { head } = await firstRecord(records);
    return head.error === undefined ? readHeader(head.fields, forced) : { ok: false, reason: head.error };
  } catch (e) {
    if (e instanceof AppError && e.code === 'VALIDATION') return null;
    throw e;
  } finally {
    await records.return(undefined);
  }
}

export async function runRevopsImport(
  deps: RevopsImportDeps,
  ctx: Ctx,
  opts: RevopsImportOptions,
): Promise<RevopsImportOutcome> {
  const startedAtMs = deps.clock.now();
  const batchSize = opts.batchSize ?? REVOPS_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new AppError('VALIDATION', `batch size must be a positive integer, got ${batchSize}`);
  const csv = await deps.openCsv(opts.file);
  const records = csv.batches();
  let run: RowsImport | undefined;
  let runId: string | undefined;
  let atOnce: RevopsImport | undefined;
  try {
    const { head, rest } = await firstRecord(records).catch((e: unknown) => {
      throw e instanceof AppError ? new AppError(e.code, `${opts.file}: ${e.message}`) : e;
    });
    const layout = headerLayout(opts, head);
    const start = { file: opts.file, dryRun: opts.dryRun, actor: actorLabel(ctx.actor), startedAtMs };
    let writes: RevopsBatchWrites = deps.writes;
    if (!opts.dryRun && deps.writes.beginImport) {
      atOnce = await deps.writes.beginImport(start);
      ({ runId, writes } = atOnce);
    } else runId = await deps.importRuns.start(start);
    run = new RowsImport({ kind: opts.kind, layout, writes, batchSize, dryRun: opts.dryRun });
    const progress = (): void =>
      opts.onProgress?.({
        bytesRead: csv.bytesRead,
        totalBytes: csv.sizeBytes,
        rows: run!.total,
        rejected: run!.rejected.length,
      });
    await run.push(rest);
    for (let r = await records.next(); !r.done; r = await records.next()) {
      await run.push(r.value);
      progress();
    }
    await run.finish();
    progress();
  } catch (e) {
    await abandon(deps, { run, runId, atOnce }, e);
    throw e;
  } finally {
    await records.return(undefined);
  }
  return finish(deps, ctx, opts, { runId, run, startedAtMs, atOnce });
}

/** The header checked against the kind asked for; a mismatch stops the import before a run is recorded. */
function headerLayout(opts: RevopsImportOptions, head: SourceRow): Layout {
  if (head.error !== undefined)
    throw new AppError('VALIDATION', `${opts.file}: line ${head.line}: ${head.error}`);
  const verdict = readHeader(head.fields, opts.kind);
  if (!verdict.ok) throw new AppError('VALIDATION', `${opts.file}: ${verdict.reason}`);
  return verdict.layout;
}

/** After a failure: let writes in flight settle, close the run as failed, keep the original error. */
async function abandon(
  deps: RevopsImportDeps,
  r: { run: RowsImport | undefined; runId: string | undefined; atOnce: RevopsImport | undefined },
  e: unknown,
): Promise<void> {
  await r.run?.settle();
  if (r.runId === undefined) return;
  const result = {
    total: r.run?.total ?? 0,
    imported: r.run?.imported ?? 0,
    rejected: r.run?.rejected ?? [],
    finishedAtMs: deps.clock.now(),
    error: (e as Error).message,
  };
  // All at once, nothing of it was applied (abort records that); batch by batch, what was written stays.
  await (r.atOnce ? r.atOnce.abort(result) : deps.importRuns.finish(r.runId, result)).catch(() => {});
}

async function finish(
  deps: RevopsImportDeps,
  ctx: Ctx,
  opts: RevopsImportOptions,
  r: { runId: string; run: RowsImport; startedAtMs: number; atOnce: RevopsImport | undefined },
): Promise<RevopsImportOutcome> {
  const { total, imported, rejected } = r.run;
  const finishedAtMs = deps.clock.now();
  const result = { total, imported, rejected, finishedAtMs };
  if (r.atOnce) await r.atOnce.commit(result);
  else await deps.importRuns.finish(r.runId, result);
  // After a bulk load the planner has no statistics (or stale ones) and autovacuum may be off: the
  // reads that follow would plan for the table as it was. After the commit, so ANALYZE sees the rows.
  if (!opts.dryRun && imported > 0) await deps.writes.analyze(opts.kind);
  const elapsedMs = deps.clock.now() - r.startedAtMs;
  ctx.log.info(
    {
      import_run_id: r.runId,
      file: opts.file,
      kind: opts.kind,
      dry_run: opts.dryRun,
      total,
      imported,
      rejected: rejected.length,
      elapsed_ms: elapsedMs,
    },
    'revops import finished',
  );
  return { runId: r.runId, kind: opts.kind, total, imported, rejected, dryRun: opts.dryRun, elapsedMs };
}
