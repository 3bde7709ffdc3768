/** One `leak import` in a process of its own (peak RSS is the import's alone); prints one JSON line. */
import { runImport } from '../src/app/import/import.ts';
import { openServices } from '../src/composition/services.ts';
import { loadConfig } from '../src/config/config.ts';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
// A throwaway bench database keeps its own random PII key (config.ts LoadOptions).
const config = loadConfig(
  {
    DATABASE_URL: process.env['BENCH_URL'],
    PGLITE_DIR: process.env['BENCH_PGLITE_DIR'],
  },
  { storedPiiKey: true },
);
const s = await openServices(config, quiet);
const t0 = performance.now();
const o = await runImport(
  s.importDeps,
  { actor: { type: 'system', job: 'bench' }, requestId: 'bench', log: quiet },
  {
    file: process.argv[2]!,
    dryRun: false,
  },
);
const totalMs = performance.now() - t0;
await s.close();
process.stdout.write(
  `${JSON.stringify({ totalMs, rows: o.total, imported: o.imported, rejected: o.rejected.length, peakRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
