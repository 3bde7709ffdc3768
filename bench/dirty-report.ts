/** The dirty-CRM profile's lines in `npm run bench`'s report (bench/dirty-once.ts measures them). */
import type { DirtyProfile, Timed } from './dirty-once.ts';

/** Issue 15's targets for the whole processes (seconds, MiB). */
export const TARGETS = { firstScanS: 2.5, steadyJsonS: 3, rssMiB: 1024 } as const;

type Fmt = (n: number, d?: number) => string;

export function report(out: { profiles: DirtyProfile[] }, fmt: Fmt): string[] {
  const line = (k: string, v: string, rest = '') => `  ${k.padEnd(34)} ${v.padStart(16)}   ${rest}`;
  const ok = (pass: boolean) => (pass ? 'met' : 'NOT MET');
  const proc = (t: Timed) =>
    `CPU ${fmt(t.cpuS, 2)} s, peak RSS ${fmt(t.maxRssMiB)} MiB, load ${fmt(t.load[0], 2)} → ${fmt(t.load[1], 2)}`;
  const s = (x: { wallS: number }) => fmt(x.wallS, 2);
  const ms = (v: unknown) => fmt(Number(v ?? 0) / 1000, 2);
  const lines: string[] = [];
  for (const p of out.profiles) {
    const c = p.ceiling;
    const ratio = (t: { wallS: number }, base: { wallS: number }) => `${fmt(t.wallS / base.wallS, 1)}×`;
    const where = p.backend === 'postgres' ? 'psql, whole process' : 'same statement in PGlite';
    lines.push(
      `${p.profile === 'default' ? 'Default funnel' : 'Dirty CRM'} — ${fmt(p.rows)} records (${p.profile === 'default' ? 'bench/generate.ts, seed 42' : 'every row an email, ~200 a domain'}), ${fmt(p.issues)} issues, ${p.backend === 'postgres' ? 'PostgreSQL' : 'PGlite'}`,
      line('leak import (s)', s(p.import), proc(p.import)),
      line(
        '  ceiling: \\copy of the CSV (s)',
        s(c.csvCopy),
        `${where}; import is ${ratio(p.import, c.csvCopy)}`,
      ),
      line(
        'leak scan, first (s)',
        s(p.firstScan),
        `target ≤ ${TARGETS.firstScanS}: ${ok(p.firstScan.wallS <= TARGETS.firstScanS)}; ${proc(p.firstScan)}`,
      ),
      line(
        'leak scan --json > file, steady (s)',
        s(p.steadyJson),
        `target ≤ ${TARGETS.steadyJsonS}: ${ok(p.steadyJson.wallS <= TARGETS.steadyJsonS)}; ${fmt(p.steadyJson.bytes / 1e6)} MB; ${proc(p.steadyJson)}`,
      ),
      line(
        '  ceiling: COPY of the findings (s)',
        `${s(c.findingsCopy)} / ${s(c.findingsKeyCopy)}`,
        `bare table / with findings' primary key (${where}); first scan is ${ratio(p.firstScan, c.findingsKeyCopy)} the keyed COPY`,
      ),
      line(
        '  ceiling: COPY out of the records (s)',
        s(c.recordsRead),
        `the scan's own read statement (${where}); with the keyed COPY, ${fmt(c.recordsRead.wallS + c.findingsKeyCopy.wallS + (c.pgliteOpenS ?? 0), 2)} s of database work a first scan cannot avoid`,
      ),
      ...(c.pgliteOpenS !== undefined
        ? [line('  PGlite open, in a process (s)', fmt(c.pgliteOpenS, 2), 'paid by every command on PGlite')]
        : []),
      line(
        'peak RSS, import / first / steady (MiB)',
        `${fmt(p.import.maxRssMiB)} / ${fmt(p.firstScan.maxRssMiB)} / ${fmt(p.steadyJson.maxRssMiB)}`,
        `target ≤ ${fmt(TARGETS.rssMiB)}: ${ok(Math.max(p.import.maxRssMiB, p.firstScan.maxRssMiB, p.steadyJson.maxRssMiB) <= TARGETS.rssMiB)}`,
      ),
    );
    for (const [name, b] of [
      ['first', p.breakdown.first],
      ['steady', p.breakdown.steady],
    ] as const) {
      const persist = (b['persist'] ?? {}) as Record<string, unknown>;
      lines.push(
        line(
          `  in process, ${name} (s)`,
          ms(b['totalMs']),
          `load ${ms(b['loadMs'])} / evaluate ${ms(b['evaluateMs'])} / persist ${ms(b['persistMs'])} ` +
            `(${persist['path']}: stage ${ms(persist['stageMs'])}, diff ${ms(persist['diffMs'])}, write ${ms(persist['writeMs'])})` +
            (b['jsonMs'] !== undefined ? ` / JSON ${ms(b['jsonMs'])}` : ''),
        ),
      );
    }
  }
  return lines;
}
