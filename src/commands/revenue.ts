import { formatRevenueReport, revenueJson } from '../adapters/cli/revenue-report.ts';
import { createProgressBar } from '../adapters/csv/progress.ts';
import { openCsvFile } from '../adapters/csv/reader.ts';
import { type BackfillOutcome, backfillOrders } from '../app/commerce/backfill.ts';
import type { Ctx } from '../app/context.ts';
import type { Services } from '../composition/services.ts';
import type { UseCases } from '../composition/use-cases.ts';
import { type Io, parse, UsageError } from './common.ts';

/** `leak revenue [--day D] [--json]` and `leak revenue import <orders.csv> [--source S]`. */

/** Bad rows written to stderr as they are found; past this they are only counted (the summary says so). */
const STDERR_REJECTED = 200;
/** Bad rows listed in the summary. */
const SUMMARY_REJECTED = 50;

export async function revenueCommand(
  services: Services,
  uc: UseCases,
  ctx: Ctx,
  rest: string[],
  io: Io,
): Promise<number> {
  const { values, positionals } = parse(rest, {
    day: { type: 'string' },
    json: { type: 'boolean', default: false },
    source: { type: 'string' },
  });
  const [sub, ...args] = positionals;
  if (sub === 'import') {
    if (values.day !== undefined) throw new UsageError('--day is for the revenue view, not for import');
    if (values.json) throw new UsageError('--json is for the revenue view, not for import');
    if (args.length !== 1)
      throw new UsageError('expected exactly one CSV file: leak revenue import <orders.csv>');
    return importOrders(services, uc, ctx, args[0]!, values.source, io);
  }
  if (sub !== undefined)
    throw new UsageError(`unknown subcommand '${sub}' (leak revenue, or leak revenue import)`);
  if (values.source !== undefined) throw new UsageError('--source is for leak revenue import');
  const view = await uc.commerce.view({ day: values.day ?? null });
  io.out.write(values.json ? revenueJson(view) : formatRevenueReport(view));
  return 0;
}

async function importOrders(
  services: Services,
  uc: UseCases,
  ctx: Ctx,
  file: string,
  source: string | undefined,
  io: Io,
): Promise<number> {
  const reader = await openCsvFile(file);
  const bar = createProgressBar(io.err);
  let reported = 0;
  try {
    const outcome = await backfillOrders(
      { ledger: services.repos.ledger, hashEmail: uc.commerce.intake.hashEmail, clock: services.clock },
      ctx,
      reader,
      {
        ...(source === undefined ? {} : { source }),
        onProgress: (p) => bar.update(p),
        onRejected: (r) => {
          if (++reported > STDERR_REJECTED) return;
          bar.done();
          io.err.write(`${file}: line ${r.line}: ${r.reason}\n`);
          if (reported === STDERR_REJECTED)
            io.err.write(`${file}: further bad rows are counted, not listed here (see the summary)\n`);
        },
      },
    );
    bar.done();
    return printBackfill(outcome, file, io);
  } finally {
    bar.done();
  }
}

const n = (x: number): string => x.toLocaleString('en-US');

/** The summary on stdout; exit 0 when every row imported, 2 when some were rejected (as `leak import`). */
export function printBackfill(o: BackfillOutcome, file: string, io: Io): number {
  const format = o.format === 'shopify' ? "Shopify's order export" : 'generic order CSV';
  io.out.write(
    `Imported ${file} (${format}) into source ${o.source}: ${n(o.rows)} rows, ${n(o.orders)} orders → ` +
      `${n(o.entries)} ledger entries (${n(o.written)} new or updated, ${n(o.unchanged)} already there), ` +
      `${n(o.rejectedCount)} rejected (${(o.elapsedMs / 1000).toFixed(2)} s)\n`,
  );
  for (const r of o.rejected.slice(0, SUMMARY_REJECTED)) io.out.write(`  line ${r.line}: ${r.reason}\n`);
  if (o.rejectedCount > SUMMARY_REJECTED)
    io.out.write(`  … and ${n(o.rejectedCount - SUMMARY_REJECTED)} more rejected rows\n`);
  return o.rejectedCount > 0 ? 2 : 0;
}
