import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { RouteHandler } from './health.ts';

/**
 * The one HTTP server of the process: every route (health and readiness, the telemetry ingest routes,
 * the Slack receiver in HTTP mode) is a RouteHandler mounted here, asked in order; none answering → 404.
 * The adapters that own routes (health.ts, ingest.ts, slack/app.ts) never open a port themselves.
 */
export interface HttpServerDeps {
  port: number;
  log: Logger;
  routes: readonly RouteHandler[];
}

export interface HttpServer {
  /** Opens the port; `port` is the one bound (useful with 0). */
  start(): Promise<{ port: number }>;
  /**
   * Stops taking connections, closes idle ones, waits for `drain` (the work requests already started,
   * such as a Slack listener answering), then closes what is left. Calling it again returns the same stop.
   */
  stop(drain?: () => Promise<void>): Promise<void>;
}

export function createHttpServer(deps: HttpServerDeps): HttpServer {
  const server: Server = createServer((req, res) => {
    for (const route of deps.routes) if (route(req, res)) return;
    res.writeHead(404);
    res.end();
  });
  let stopping: Promise<void> | undefined;
  return {
    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(deps.port, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const port = (server.address() as AddressInfo).port;
      deps.log.info({ port }, 'http server listening');
      return { port };
    },
    stop(drain = async () => {}) {
      stopping ??= (async () => {
        const closed = server.listening
          ? new Promise<void>((resolve) => server.close(() => resolve()))
          : Promise.resolve();
        server.closeIdleConnections();
        try {
          await drain();
        } finally {
          server.closeAllConnections();
          await closed;
        }
      })();
      return stopping;
    },
  };
}
