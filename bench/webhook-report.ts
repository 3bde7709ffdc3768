/** The webhook benchmark's human-readable lines (bench/webhook-once.ts alone, and bench/run.ts). */

/** The figures the lines show (the JSON line of bench/webhook-once.ts has them all). */
export interface WebhookFigures {
  seconds: number;
  clients: number;
  deliveriesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  non2xx: number;
  sent: Record<'created' | 'paid' | 'charged' | 'refunded' | 'retry' | 'unparsable', number>;
  duplicates: number;
  retriesSent: number;
  wrongDuplicate: number;
  bodyBytes: number;
  answeredNew: number;
  rows: number;
  missing: number;
  probes: number;
  probesMissing: number;
  synchronousCommit: string;
  pendingAtEnd: number;
  parseMs: number;
  parsed: number;
  failed: number;
  ignored: number;
  ledgerRows: number;
  insertRowsPerSec: number;
  unpreparedRowsPerSec: number;
  pgCpuMsPerDelivery: number;
  runSec: number;
  hostCpuSec: number;
  otherCpuSec: number;
  copyRowsPerSec: number;
  serverCpuMsPerDelivery: number;
  clientCpuSec: number;
  loadStart: number;
  loadEnd: number;
}

/** The result lines, in bench/run.ts's layout. */
export function report(r: WebhookFigures, fmt: (n: number, d?: number) => string): string[] {
  const line = (k: string, v: string, target = '') => `  ${k.padEnd(34)} ${v.padStart(16)}   ${target}`;
  const ok = (pass: boolean) => (pass ? 'met' : 'NOT MET');
  const s = r.sent;
  return [
    line(
      'webhook intake (deliveries/s)',
      fmt(r.deliveriesPerSec),
      `target ≥ 2,000/s: ${ok(r.deliveriesPerSec >= 2_000)} (${r.clients} clients, ${fmt(r.seconds)} s)`,
    ),
    line(
      '  request latency p50 / p99 (ms)',
      `${fmt(r.p50Ms, 1)} / ${fmt(r.p99Ms, 1)}`,
      `p99 target ≤ 100 ms: ${ok(r.p99Ms <= 100)} (max ${fmt(r.maxMs)} ms)`,
    ),
    line(
      '  requests / non-2xx',
      `${fmt(r.requests)} / ${fmt(r.non2xx)}`,
      `${r.non2xx === 0 ? 'none failed' : 'SOME FAILED'}; bodies ${fmt(r.bodyBytes / 1024, 1)} KiB on average`,
    ),
    line(
      '  Shopify create+paid / Stripe',
      `${fmt(s.created + s.paid)} / ${fmt(s.charged + s.refunded)}`,
      `retries ${fmt(s.retry)}, unparsable ${fmt(s.unparsable)} (measured window)`,
    ),
    line(
      '  retries answered duplicate',
      `${fmt(r.duplicates)} / ${fmt(r.retriesSent)}`,
      r.wrongDuplicate === 0 ? 'every flag right' : `${fmt(r.wrongDuplicate)} WRONG duplicate flags`,
    ),
    line(
      '  stored rows / new 2xx answers',
      `${fmt(r.rows)} / ${fmt(r.answeredNew)}`,
      `${r.missing === 0 ? 'none missing' : `${fmt(r.missing)} MISSING`}; ${fmt(r.probes)} looked up at the 2xx: ${
        r.probesMissing === 0 ? 'all there' : `${fmt(r.probesMissing)} MISSING`
      } (synchronous_commit=${r.synchronousCommit})`,
    ),
    line(
      '  parsing after the load (s)',
      fmt(r.parseMs / 1000, 2),
      `${fmt(r.pendingAtEnd)} still pending at the end (${fmt((r.pendingAtEnd / r.parseMs) * 1000)}/s); parsed ${fmt(r.parsed)} / failed ${fmt(r.failed)} / ignored ${fmt(r.ignored)}, ${fmt(r.ledgerRows)} ledger rows`,
    ),
    line(
      '  raw INSERT per row (rows/s)',
      fmt(r.insertRowsPerSec),
      `prepared, ${r.clients} connections; intake is ${fmt(r.deliveriesPerSec / r.insertRowsPerSec, 2)}× raw INSERT`,
    ),
    line('    not prepared', fmt(r.unpreparedRowsPerSec), 'Parse+Describe round trip first'),
    line('  raw COPY, same rows (rows/s)', fmt(r.copyRowsPerSec)),
    line(
      '  server CPU per delivery (ms)',
      fmt(r.serverCpuMsPerDelivery, 2),
      `PostgreSQL ${fmt(r.pgCpuMsPerDelivery, 2)} ms; load generator (own process) ${fmt(r.clientCpuSec, 1)} s CPU`,
    ),
    line(
      '  host CPU busy (of 2 cores)',
      `${fmt((r.hostCpuSec / r.runSec / 2) * 100)} %`,
      `of which other processes ${fmt(r.otherCpuSec, 1)} s of ${fmt(r.hostCpuSec, 1)} s`,
    ),
    line('  host load average (1 min)', `${fmt(r.loadStart, 2)} → ${fmt(r.loadEnd, 2)}`, '(2 cores, shared)'),
  ];
}
