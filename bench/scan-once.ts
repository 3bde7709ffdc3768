/**
 * One full scan in a process of its own, so its peak RSS is the scan's alone. Prints one JSON line:
 * total, load, evaluate+price, persist (ms), issues, and peak RSS (MiB). Used by bench/run.ts.
 */
import type { RecordRepository, ScanRepository } from '../src/app/records/ports.ts';
import { runScan } from '../src/app/scan/scan.ts';
import { openServices } from '../src/composition/services.ts';
import { loadConfig } from '../src/config/config.ts';
import { BENCH_AS_OF } from './generate.ts';

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
let loadMs = 0;
let persistMs = 0;
const records: RecordRepository = {
  ...s.repos.records,
  async loadAll() {
    const t = performance.now();
    const rows = await s.repos.records.loadAll();
    loadMs = performance.now() - t;
    return rows;
  },
};
const scans: ScanRepository = {
  ...s.repos.scans,
  async record(scan) {
    const t = performance.now();
    const r = await s.repos.scans.record(scan);
    persistMs = performance.now() - t;
    return r;
  },
};
const t0 = performance.now();
const o = await runScan(
  { ...s.scanDeps, records, scans },
  { actor: { type: 'system', job: 'bench' }, requestId: 'bench', log: quiet },
  { asOfMs: BENCH_AS_OF },
);
const totalMs = performance.now() - t0;
await s.close();
process.stdout.write(
  `${JSON.stringify({
    totalMs,
    loadMs,
    evaluateMs: totalMs - loadMs - persistMs,
    persistMs,
    records: o.summary.records,
    issues: o.summary.issues.length,
    delta: o.delta,
    atRiskUsd: o.summary.totalAtRiskCents / 100,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
