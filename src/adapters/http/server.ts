import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { RouteHandler } from './health.ts';

/**
 * The one HTTP server of the process: every route (health and readiness, the telemetry ingest routes,
 * the Slack receiver in HTTP mode) is a RouteHandler mounted here, asked in order; none answering → 404.
 * The adapters that own routes (health.ts, ingest.ts, slack/app.ts) never open a port themselves. Every
 * request is reported to `observe` when it ends (the request count and duration metrics).
 */
export interface HttpServerDeps {
  port: number;
  log: Logger;
  routes: readonly RouteHandler[];
  /** Told of every request once its answer is sent or the client left (the request metrics). */
  observe?: (r: ServedRequest) => void;
}

/** A request as the server saw it: the path only (no query), the status sent or `aborted`. */
export interface ServedRequest {
  path: string;
  method: string | undefined;
  status: number | 'aborted';
  seconds: number;
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

/** Reports the request to `observe` when its response closes (sent, or the connection gone). */
function watch(deps: HttpServerDeps, req: IncomingMessage, res: ServerResponse): void {
  const { observe } = deps;
  if (!observe) return;
  const started = performance.now();
  res.once('close', () => {
    try {
      observe({
        path: pathOf(req),
        method: req.method,
        status: res.writableFinished ? res.statusCode : 'aborted',
        seconds: (performance.now() - started) / 1000,
      });
    } catch (err) {
      deps.log.warn({ err }, 'request observer failed');
    }
  });
}

const pathOf = (req: IncomingMessage): string => {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return '/';
  }
};

export function createHttpServer(deps: HttpServerDeps): HttpServer {
  const server: Server = createServer((req, res) => {
    watch(deps, req, res);
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
