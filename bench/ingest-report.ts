/** The ingest benchmark's human-readable lines (bench/ingest-once.ts alone, and bench/run.ts). */

/** The figures the lines show (the JSON line of bench/ingest-once.ts has them all). */
export interface IngestFigures {
  /** What the clients sent (ingest-load.ts IngestFormat); absent in results from before issue 13. */
  format?: string;
  /** Every format's figures, when several ran (the top level repeats the first). */
  formats?: Record<string, IngestFigures>;
  eventsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  accepted: number;
  failed: number;
  rejected: number;
  bronzeRows: number;
  silverRows: number;
  copyRowsPerSec: number;
  seconds: number;
  clients: number;
  batch: number;
  serverCpuMsPer1000?: number;
  clientCpuSec?: number;
  loadStart?: number;
  loadEnd?: number;
  compactedRows?: number;
  compactMs?: number;
  compactDuring?: boolean;
  compactedDuringRows?: number;
}

/**
 * Each format's name and targets: plain batches keep issue 5's (≥ 50,000 events/s, p99 ≤ 250 ms); OTLP
 * logs, in either encoding, issue 13's (≥ 100,000 events/s, p99 ≤ 100 ms).
 */
const FORMAT_LINES: Record<string, { title: string; rate: number; p99: number }> = {
  events: { title: 'ingest rate, plain events (events/s)', rate: 50_000, p99: 250 },
  'otlp-json': { title: 'OTLP/HTTP logs, JSON (events/s)', rate: 100_000, p99: 100 },
  'otlp-proto': { title: 'OTLP/HTTP logs, protobuf (events/s)', rate: 100_000, p99: 100 },
};

/** The result lines, in bench/run.ts's layout: one block per format that ran. */
export function report(r: IngestFigures, fmt: (n: number, d?: number) => string): string[] {
  const all = r.formats ? Object.values(r.formats) : [r];
  return all.flatMap((f) => block(f, fmt));
}

function block(r: IngestFigures, fmt: (n: number, d?: number) => string): string[] {
  const line = (k: string, v: string, target = '') => `  ${k.padEnd(34)} ${v.padStart(16)}   ${target}`;
  const ok = (pass: boolean) => (pass ? 'met' : 'NOT MET');
  const t = FORMAT_LINES[r.format ?? 'events'] ?? FORMAT_LINES['events']!;
  return [
    line(
      t.title,
      fmt(r.eventsPerSec),
      `target ≥ ${fmt(t.rate)}: ${ok(r.eventsPerSec >= t.rate)} (${r.clients} clients × ${fmt(r.batch)}, ${fmt(r.seconds)} s)`,
    ),
    line(
      '  request latency p50 / p99 (ms)',
      `${fmt(r.p50Ms)} / ${fmt(r.p99Ms)}`,
      `p99 target ≤ ${fmt(t.p99)}: ${ok(r.p99Ms <= t.p99)}`,
    ),
    line('  requests / failed / rejected ev.', `${fmt(r.requests)} / ${fmt(r.failed)} / ${fmt(r.rejected)}`),
    line('  Bronze / Silver rows', `${fmt(r.bronzeRows)} / ${fmt(r.silverRows)}`),
    line(
      '  raw COPY rate (rows/s)',
      fmt(r.copyRowsPerSec),
      `ingest is ${fmt(r.eventsPerSec / r.copyRowsPerSec, 2)}× raw COPY (ceiling)`,
    ),
    ...(r.serverCpuMsPer1000 !== undefined && r.clientCpuSec !== undefined
      ? [
          line(
            '  server CPU per 1,000 events (ms)',
            fmt(r.serverCpuMsPer1000, 1),
            `load generator (own process): ${fmt(r.clientCpuSec, 1)} s CPU`,
          ),
        ]
      : []),
    ...(r.loadStart !== undefined && r.loadEnd !== undefined
      ? [
          line(
            '  host load average (1 min)',
            `${fmt(r.loadStart, 2)} → ${fmt(r.loadEnd, 2)}`,
            '(2 cores, shared)',
          ),
        ]
      : []),
    ...(r.compactDuring && r.compactedDuringRows !== undefined
      ? [
          line(
            '  compacted during the ingest (rows)',
            fmt(r.compactedDuringRows),
            '(one compactor all along)',
          ),
        ]
      : []),
    ...(r.compactedRows !== undefined && r.compactMs !== undefined
      ? [
          line(
            '  compaction afterwards (rows/s)',
            fmt((r.compactedRows / r.compactMs) * 1000),
            `${fmt(r.compactedRows)} pending rows in ${fmt(r.compactMs / 1000, 1)} s`,
          ),
        ]
      : []),
  ];
}
