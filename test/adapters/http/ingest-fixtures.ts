import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { type IngestRoutesDeps, ingestRoutes } from '../../../src/adapters/http/ingest.ts';
import { storeAsDeltas } from '../../../src/app/telemetry/ingest.ts';
import { DeltaTracker } from '../../../src/domain/telemetry/delta.ts';
import type { TelemetryEvent } from '../../../src/domain/telemetry/event.ts';
import type { MetricPoint } from '../../../src/domain/telemetry/otlp-metrics.ts';

export const TOKEN = 'lk_test_0123456789abcdef';

/**
 * The ingest use case with an in-memory store; `fail` makes the next writes throw (storage down). Metric
 * points go through the use case's own delta step (storeAsDeltas), so `metricBatches` holds deltas.
 */
export class FakeIngest {
  events: TelemetryEvent[] = [];
  metricBatches: MetricPoint[][] = [];
  fail: Error | null = null;
  readonly deltas: DeltaTracker;
  readonly port: IngestRoutesDeps['ingest'] = {
    events: async (events) => {
      if (this.fail) throw this.fail;
      this.events.push(...events);
    },
    metrics: (points) =>
      storeAsDeltas(this.deltas, points, async (deltas) => {
        if (this.fail) throw this.fail;
        this.metricBatches.push(deltas);
      }),
  };
  constructor(deltas = new DeltaTracker()) {
    this.deltas = deltas;
  }
  /** Every metric point received, in order. */
  get points(): MetricPoint[] {
    return this.metricBatches.flat();
  }
}

export const fakeTokens: IngestRoutesDeps['tokens'] = {
  verify: async (t) => (t === TOKEN ? { id: '1', name: 'test' } : null),
};

/** A pino logger writing into `lines` (to check what gets logged). */
export function captureLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) }), lines };
}

export interface Served {
  base: string;
  server: Server;
  ingest: FakeIngest;
  lines: string[];
  close(): Promise<void>;
}

/** The ingest routes on a bare node:http server with a 404 fallback, like the app's. */
export async function serveIngest(
  opts: Partial<IngestRoutesDeps> & { deltas?: DeltaTracker } = {},
): Promise<Served> {
  const { deltas, ...routeOpts } = opts;
  const ingest = new FakeIngest(deltas);
  const { log, lines } = captureLog();
  const routes = ingestRoutes({ tokens: fakeTokens, ingest: ingest.port, log, ...routeOpts });
  const server = createServer((req, res) => {
    if (routes(req, res)) return;
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    server,
    ingest,
    lines,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
