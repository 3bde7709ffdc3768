/**
 * One full scan in a process of its own, so its peak RSS is the scan's alone. Prints one JSON line:
 * total, load, evaluate+price, persist (ms) and persist's parts, issues, and peak RSS (MiB). Used by
 * bench/run.ts and bench/dirty-once.ts.
 *
 * Persist is split by what its statements do (the scans repository runs on a Db whose statements are
 * timed here): `diff` reads the stored findings and compares them with the scan's issues (findings-diff.ts:
 * the COPY out and the client's merge run together, so this is their sum), `stage` COPYs the changed
 * ones (re-priced, reopened, cleared) into a temporary table, `write` is what reaches `findings` (the COPY
 * of new findings, the UPDATEs of changed ones), `other` the rest (lock, the scans row, counts). `path`
 * says which way the findings went (findings-reconcile.ts): `copy` (nothing stored yet: every issue
 * COPYed) or `diffed`.
 *
 *   BENCH_URL / BENCH_PGLITE_DIR  the database (PostgreSQL, else embedded PGlite)
 *   BENCH_AS_OF                   the scan's as-of (ISO; default generate.ts BENCH_AS_OF)
 *   BENCH_SCAN_JSON               also write `leak scan --json`'s document to this file, timed as `jsonMs`
 */
import { createWriteStream } from 'node:fs';
import { writeScanJson } from '../src/adapters/cli/scan-report.ts';
import type { Db, Sql } from '../src/adapters/db/client.ts';
import { scanRepository } from '../src/adapters/db/scans-repository.ts';
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
const asOfMs = process.env['BENCH_AS_OF'] ? Date.parse(process.env['BENCH_AS_OF']) : BENCH_AS_OF;
const s = await openServices(config, quiet);

type Part = 'stage' | 'diff' | 'write' | 'other';
const parts: Record<Part, number> = { stage: 0, diff: 0, write: 0, other: 0 };
let path: 'copy' | 'diffed' | 'none' = 'none';
const partOfQuery = (text: string): Part =>
  /findings_diff ON COMMIT DROP AS/.test(text)
    ? 'diff'
    : /^\s*(INSERT INTO|UPDATE) findings\b/.test(text)
      ? 'write'
      : 'other';
const timedPart = async <T>(part: Part, f: () => Promise<T>): Promise<T> => {
  const t = performance.now();
  try {
    return await f();
  } finally {
    parts[part] += performance.now() - t;
  }
};
const timedSql = (sql: Sql): Sql => ({
  query: (text, params) => timedPart(partOfQuery(text), () => sql.query(text, params)),
  queryArrays: (text, params) => timedPart(partOfQuery(text), () => sql.queryArrays(text, params)),
  exec: (script) => timedPart('other', () => sql.exec(script)),
  copyOut: (query, onText) => {
    if (!/\bFROM findings\b/.test(query)) return timedPart('other', () => sql.copyOut(query, onText));
    path = 'diffed';
    return timedPart('diff', () => sql.copyOut(query, onText));
  },
  copyIn: (table, columns, lines) => {
    if (path === 'none') path = 'copy';
    return timedPart(table === 'findings' ? 'write' : 'stage', () => sql.copyIn(table, columns, lines));
  },
});
const timedDb: Db = { ...s.db, transaction: (fn) => s.db.transaction((tx) => fn(timedSql(tx))) };

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
const timedScans = scanRepository(timedDb);
const scans: ScanRepository = {
  ...timedScans,
  async record(scan) {
    const t = performance.now();
    const r = await timedScans.record(scan);
    persistMs = performance.now() - t;
    return r;
  },
};
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const o = await runScan(
  { ...s.scanDeps, records, scans },
  { actor: { type: 'system', job: 'bench' }, requestId: 'bench', log: quiet },
  { asOfMs },
);
const totalMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
let jsonMs: number | undefined;
const jsonFile = process.env['BENCH_SCAN_JSON'];
if (jsonFile) {
  const t = performance.now();
  const out = createWriteStream(jsonFile);
  await writeScanJson(out, o, config.thresholds);
  await new Promise<void>((resolve, reject) => out.end(() => resolve()).once('error', reject));
  jsonMs = performance.now() - t;
}
await s.close();
process.stdout.write(
  `${JSON.stringify({
    totalMs,
    loadMs,
    evaluateMs: totalMs - loadMs - persistMs,
    persistMs,
    persist: { path, stageMs: parts.stage, diffMs: parts.diff, writeMs: parts.write, otherMs: parts.other },
    jsonMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    records: o.summary.records,
    issues: o.summary.issues.length,
    delta: o.delta,
    atRiskUsd: o.summary.totalAtRiskCents / 100,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
