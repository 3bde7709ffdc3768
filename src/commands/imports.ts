import { type ImportRunRow, listImportRuns } from '../adapters/db/import-runs-repository.ts';
import type { Services } from '../composition/services.ts';
import { type Io, parse, UsageError, when, writeListing } from './common.ts';

/**
 * `leak imports [--limit N] [--json]`: the newest import runs (funnel and RevOps) with their state. A run
 * whose process died was marked failed when this command's process opened the database (issue 17), so a
 * `running` row here is an import that is running now.
 */
export async function importsCommand(services: Services, rest: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(rest, {
    limit: { type: 'string', default: '20' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new UsageError(`--limit must be a whole number from 1 to 1000, got '${values.limit}'`);
  const runs = await listImportRuns(services.db, limit);
  writeListing(io, runs, {
    json: values.json === true,
    empty: 'No import runs yet. Import a file with: leak import <file.csv>',
    header: ['RUN', 'STATE', 'STARTED', 'TOOK', 'ROWS', 'IMPORTED', 'REJECTED', 'FILE', 'BY', 'ERROR'],
    row: (r) => [
      r.id,
      r.dryRun ? `${r.status} (dry run)` : r.status,
      when(r.startedAtMs),
      took(r, services.clock.now()),
      count(r.total),
      count(r.imported),
      count(r.rejected),
      r.file,
      r.actor,
      oneLine(r.error),
    ],
  });
  return 0;
}

const count = (n: number | null) => (n === null ? '-' : n.toLocaleString('en-US'));

/** How long it ran, or has been running (`12.3 s…`). */
function took(r: ImportRunRow, nowMs: number): string {
  const ms = (r.finishedAtMs ?? nowMs) - r.startedAtMs;
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s${r.finishedAtMs === null ? '…' : ''}`;
}

/** An error on one table line, cut at 120 characters (`--json` has it whole). */
function oneLine(error: string | null): string {
  if (error === null) return '';
  const flat = error.replace(/\s+/g, ' ');
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}
