import { formatScanTable, writeScanJson } from '../adapters/cli/scan-report.ts';
import { createProgressBar } from '../adapters/csv/progress.ts';
import type { Ctx } from '../app/context.ts';
import { type ImportOutcome, runImport } from '../app/import/import.ts';
import type { IncidentChange } from '../app/incidents/transitions.ts';
import { readCsvKind, runRevopsImport } from '../app/revops/import.ts';
import type { Services } from '../composition/services.ts';
import type { UseCases } from '../composition/use-cases.ts';
import type { Config } from '../config/config.ts';
import { CSV_KINDS, isCsvKind } from '../domain/revops/csv-kinds.ts';
import { parseIsoInstant } from '../shared/time.ts';
import { type Io, parse, UsageError } from './common.ts';

/** `leak import` and `leak scan`. */

export async function doImport(services: Services, ctx: Ctx, file: string, dryRun: boolean, io: Io) {
  const bar = createProgressBar(io.err);
  try {
    return await runImport(services.importDeps, ctx, { file, dryRun, onProgress: (p) => bar.update(p) });
  } finally {
    bar.done();
  }
}

export function printImport(o: ImportOutcome, file: string, io: Io, limit = 50): number {
  const good = o.total - o.rejected.length;
  const rate = o.elapsedMs > 0 ? Math.round((o.total / o.elapsedMs) * 1000) : o.total;
  io.out.write(
    `${o.dryRun ? 'Validated' : 'Imported'} ${file}: ${o.total.toLocaleString('en-US')} rows, ` +
      `${(o.dryRun ? good : o.imported).toLocaleString('en-US')} ${o.dryRun ? 'valid' : 'upserted'}, ` +
      `${o.rejected.length.toLocaleString('en-US')} rejected (run ${o.runId}, ${(o.elapsedMs / 1000).toFixed(2)} s, ${rate.toLocaleString('en-US')} rows/s)\n`,
  );
  for (const r of o.rejected.slice(0, limit)) io.out.write(`  line ${r.line}: ${r.reason}\n`);
  if (o.rejected.length > limit)
    io.out.write(
      `  … and ${(o.rejected.length - limit).toLocaleString('en-US')} more (all are stored with import run ${o.runId})\n`,
    );
  return o.rejected.length > 0 ? 2 : 0;
}

/**
 * `leak import <file> [--kind K] [--dry-run]`: the kind (funnel, deals, customers, mrr, spend) is read
 * from the header unless --kind forces it. A header that fits no kind, or not the forced one, exits 2
 * with the missing and unexpected columns, as a file with bad rows does; nothing is recorded then.
 */
export async function importCommand(services: Services, ctx: Ctx, rest: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(rest, {
    'dry-run': { type: 'boolean', default: false },
    kind: { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('expected exactly one CSV file');
  const file = positionals[0]!;
  const forced = values.kind;
  if (forced !== undefined && !isCsvKind(forced))
    throw new UsageError(`--kind must be one of ${CSV_KINDS.join(', ')}, got '${forced}'`);
  const dryRun = values['dry-run'] === true;
  const verdict = await readCsvKind(services.revopsImportDeps.openCsv, file, forced);
  if (verdict !== null && !verdict.ok) {
    io.err.write(`leak import: ${file}: ${verdict.reason}\n`);
    return 2;
  }
  // An empty file goes the funnel's way, which says so (exit 1), as before there were other kinds.
  const kind = verdict === null ? 'funnel' : verdict.layout.kind;
  if (kind === 'funnel') return printImport(await doImport(services, ctx, file, dryRun, io), file, io);
  const bar = createProgressBar(io.err);
  try {
    const outcome = await runRevopsImport(services.revopsImportDeps, ctx, {
      file,
      kind,
      dryRun,
      onProgress: (p) => bar.update(p),
    });
    bar.done();
    return printImport(outcome, `${file} (${kind})`, io);
  } finally {
    bar.done();
  }
}

export async function scanCommand(
  uc: UseCases,
  config: Config,
  ctx: Ctx,
  rest: string[],
  io: Io,
): Promise<number> {
  const { values, positionals } = parse(rest, {
    'as-of': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  let asOfMs: number | undefined;
  if (values['as-of'] !== undefined) {
    const parsed = parseIsoInstant(String(values['as-of']));
    if (parsed === null)
      throw new UsageError(`--as-of must be an ISO-8601 time with a zone, e.g. 2026-11-02T16:00:00Z`);
    asOfMs = parsed;
  }
  if (io.err.isTTY) io.err.write('Scanning…\r');
  // The same use case as /leak scan: the incident follows the scan; a running bot delivers its messages.
  const outcome = await uc.scan(ctx, asOfMs === undefined ? {} : { asOfMs });
  if (io.err.isTTY) io.err.write('\u001b[2K');
  if (values.json) await writeScanJson(io.out, outcome, config.thresholds);
  else io.out.write(`${formatScanTable(outcome, config.thresholds)}\n${incidentLine(outcome.incident)}\n`);
  return 0;
}

/** One line on what the scan did to the incident. */
export function incidentLine(change: IncidentChange): string {
  const i = change.incident;
  if (i === null) return 'No incident: nothing is leaking.';
  const head = `Incident #${i.id} (SEV-${i.severity}, ${i.paging}, ${i.state})`;
  switch (change.action) {
    case 'declared':
      return `${head} declared.`;
    case 'reopened':
      return `${head} reopened.`;
    case 'resolved':
      return `Incident #${i.id} resolved: the scan found no open leak.`;
    case 'updated':
      return `${head} updated.`;
    case 'none':
      return `${head} unchanged.`;
  }
}
