/** The RevOps digest benchmark's human-readable lines (bench/revops-digest-once.ts alone, and bench/run.ts). */

/** One command run `runs` times as a whole process under GNU time: wall and peak RSS of each run. */
export interface ProcessRuns {
  args: string[];
  wallS: number[];
  cpuS: number[];
  maxRssMiB: number[];
}

/** What the lines show (the JSON line of bench/revops-digest-once.ts has all of it). */
export interface RevopsDigestFigures {
  deals: number;
  customers: number;
  mrrRows: number;
  spendRows: number;
  end: string;
  week: string;
  monday: string;
  setup: {
    generateS: number | null;
    importS: Record<string, number>;
    rejected: number;
    vacuumAnalyzeS: number;
    buildS: number;
  };
  startup: ProcessRuns;
  digest: ProcessRuns;
  /** The same command through the built CLI (node dist/cli.js), as the image runs it. */
  digestBuilt: ProcessRuns;
  pipeline: ProcessRuns;
  revenue: ProcessRuns;
  inProcess: { loadedMs: number; openMs: number; coldMs: number; warmMs: number[]; peakRssMiB: number };
  statements: number;
  ceiling: {
    sequentialMs: number[];
    concurrentMs: number[];
    psql: ProcessRuns & { sqlMs: number[] };
    floor: ProcessRuns & { dealsMs: number[]; mrrMs: number[] };
  };
  slowest: { ms: number; what: string; executionMs: number | null }[];
  load: { start: number[]; end: number[]; cores: number };
}

export const TARGET_WALL_S = 3;
export const TARGET_RSS_MIB = 1024;

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const max = (xs: readonly number[]) => Math.max(...xs);

export function report(o: RevopsDigestFigures, fmt: (n: number, d?: number) => string): string[] {
  const line = (k: string, v: string, note = '') => `  ${k.padEnd(34)} ${v.padStart(16)}   ${note}`;
  const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  const runs = (r: ProcessRuns) => `${fmt(median(r.wallS), 2)} / ${fmt(max(r.wallS), 2)}`;
  const rss = (r: ProcessRuns) => `peak RSS ${fmt(max(r.maxRssMiB))} MiB, CPU ${fmt(median(r.cpuS), 2)} s`;
  const digestWall = median(o.digest.wallS);
  const digestRss = max(o.digest.maxRssMiB);
  const n = o.digest.wallS.length;
  return [
    `RevOps digest — ${fmt(o.deals)} deals, ${fmt(o.customers)} customers (${fmt(o.mrrRows)} MRR months, ${fmt(o.spendRows)} spend rows), week ${o.week}`,
    line(
      'setup: generate / import / VACUUM',
      `${o.setup.generateS === null ? 'cached' : `${fmt(o.setup.generateS, 1)} s`} / ${fmt(
        Object.values(o.setup.importS).reduce((a, b) => a + b, 0),
        1,
      )} s / ${fmt(o.setup.vacuumAnalyzeS, 1)} s`,
      `not measured; leak import, ${fmt(o.setup.rejected)} rows rejected; VACUUM (ANALYZE) after`,
    ),
    line(
      `leak digest --json, med/max (s)`,
      runs(o.digest),
      `${n} run${n === 1 ? '' : 's'}; target ≤ ${TARGET_WALL_S} s: ${pass(digestWall <= TARGET_WALL_S)}`,
    ),
    line(
      '  peak RSS (MiB)',
      fmt(digestRss),
      `target ≤ ${fmt(TARGET_RSS_MIB)}: ${pass(digestRss <= TARGET_RSS_MIB)}`,
    ),
    line('  CPU of the process (s)', fmt(median(o.digest.cpuS), 2), 'user + system, median'),
    line(
      '  built: node dist/cli.js (s)',
      runs(o.digestBuilt),
      `${rss(o.digestBuilt)}; targets: ${pass(
        median(o.digestBuilt.wallS) <= TARGET_WALL_S && max(o.digestBuilt.maxRssMiB) <= TARGET_RSS_MIB,
      )}`,
    ),
    line('leak --version, med/max (s)', runs(o.startup), `startup alone: ${rss(o.startup)}`),
    line(
      '  in process: load / open (ms)',
      `${fmt(o.inProcess.loadedMs)} / ${fmt(o.inProcess.openMs)}`,
      'node start + module graph; database pool + migration check',
    ),
    line(
      '  in process: report cold (ms)',
      fmt(o.inProcess.coldMs),
      `revopsReport, week + week before (${o.statements} statements); warm ${o.inProcess.warmMs.map((x) => fmt(x)).join(' / ')} ms`,
    ),
    line('revops pipeline, 30 days (s)', runs(o.pipeline), rss(o.pipeline)),
    line('revops revenue, a quarter (s)', runs(o.revenue), rss(o.revenue)),
    line(
      'ceiling: same SQL, bare client (ms)',
      fmt(median(o.ceiling.concurrentMs)),
      `all at once as the report sends them; one by one ${fmt(median(o.ceiling.sequentialMs))} ms (sum)`,
    ),
    line(
      '  same SQL by psql, one by one (s)',
      runs(o.ceiling.psql),
      `whole process, SQL ${fmt(median(o.ceiling.psql.sqlMs))} ms; peak RSS ${fmt(max(o.ceiling.psql.maxRssMiB))} MiB`,
    ),
    line(
      'floor: GROUP BY every row, psql (s)',
      runs(o.ceiling.floor),
      `deals ${fmt(median(o.ceiling.floor.dealsMs))} ms + MRR history ${fmt(median(o.ceiling.floor.mrrMs))} ms`,
    ),
    ...o.slowest.map((s, i) =>
      line(
        i === 0 ? 'slowest statements (ms, alone)' : '',
        fmt(s.ms),
        `${s.what}${s.executionMs === null ? '' : ` (EXPLAIN ANALYZE ${fmt(s.executionMs)} ms)`}`,
      ),
    ),
    line(
      'load average, start → end',
      `${fmt(o.load.start[0]!, 2)} → ${fmt(o.load.end[0]!, 2)}`,
      `1/5/15 min at start ${o.load.start.map((x) => fmt(x, 2)).join(' ')}; ${o.load.cores} cores`,
    ),
  ];
}
