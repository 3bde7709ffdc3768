/**
 * The digest's compute alone, in a process of its own (bench/revops-digest-once.ts runs it): opens the
 * services as `leak digest` does, then times the very call the command makes (`uc.revops.digest(week)`:
 * revopsReport for the week and the week before) once cold (fresh pool, as the command runs it) and
 * BENCH_REVOPS_WARM more times on the same connections. Every statement the cold call sends is recorded
 * (text, parameters, whether it ran inside a transaction and with which SET LOCALs, its latency) so the
 * ceiling step can replay exactly that SQL with a bare client. Prints one JSON line.
 *
 *   BENCH_URL           the loaded PostgreSQL database
 *   BENCH_REVOPS_WEEK   the week (`2026-W48` or its Monday)
 *   BENCH_REVOPS_WARM   warm repeats (default 3)
 */
// Static imports are evaluated before this module's body: the time to here is the module graph's load.
import type { Db, Row, Sql } from '../src/adapters/db/sql.ts';
import { openServices } from '../src/composition/services.ts';
import { composeUseCases } from '../src/composition/use-cases.ts';
import { loadConfig } from '../src/config/config.ts';

const loadedMs = performance.now();

/** One statement as the report sent it; `unit` groups the statements of one transaction. */
export interface RecordedStatement {
  unit: number;
  inTransaction: boolean;
  text: string;
  params: unknown[];
  ms: number;
  rows: number;
}

const quiet = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet };
const week = process.env['BENCH_REVOPS_WEEK'];
if (!week) throw new Error('BENCH_REVOPS_WEEK is required');
const warmRuns = Number(process.env['BENCH_REVOPS_WARM'] ?? 3);
// A throwaway bench database keeps its own random PII key (config.ts LoadOptions).
const config = loadConfig(
  { DATABASE_URL: process.env['BENCH_URL'], LOG_LEVEL: 'silent' },
  { storedPiiKey: true },
);
const s = await openServices(config, quiet as never);
const openedMs = performance.now();

let recording: RecordedStatement[] | null = null;
let units = 0;
function recorder(inner: Sql, unit: () => number, inTransaction: boolean): Sql {
  return {
    ...inner,
    async query<T extends Row = Row>(text: string, params: readonly unknown[] = []): Promise<T[]> {
      const t = performance.now();
      const rows = await inner.query<T>(text, params);
      recording?.push({
        unit: unit(),
        inTransaction,
        text,
        params: [...params],
        ms: performance.now() - t,
        rows: rows.length,
      });
      return rows;
    },
  };
}
// The report reads through `services.db` only (adapters/db/revops-reads.ts): wrap its query and transaction.
const db: Db = {
  ...s.db,
  ...recorder(s.db, () => units++, false),
  transaction: (fn) =>
    s.db.transaction((tx) => {
      const unit = units++;
      return fn(recorder(tx, () => unit, true));
    }),
};
const uc = composeUseCases({ ...s, db }, config);

recording = [];
let t = performance.now();
const digest = await uc.revops.digest(week);
const coldMs = performance.now() - t;
const statements = recording;
recording = null;
const warmMs: number[] = [];
for (let i = 0; i < warmRuns; i++) {
  t = performance.now();
  await uc.revops.digest(week);
  warmMs.push(performance.now() - t);
}
await s.close();
process.stdout.write(
  `${JSON.stringify({
    week: digest.week.label,
    fromMs: digest.report.filter.fromMs,
    toMs: digest.report.filter.toMs,
    openDeals: digest.report.pipeline.openDeals,
    mrrCents: digest.report.revenue.mrrCents,
    loadedMs,
    openMs: openedMs - loadedMs,
    coldMs,
    warmMs,
    reportBytes: JSON.stringify(digest.report).length,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    statements,
  })}\n`,
);
