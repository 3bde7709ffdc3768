import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Liveness and readiness, framework-free route handlers that the process's one HTTP server (server.ts)
 * mounts beside the ingest routes and the Slack receiver, in HTTP and Socket Mode alike.
 *   GET /healthz → 200 while the process can answer at all; it checks nothing else, so a database outage
 *                  never gets a healthy process restarted by its orchestrator.
 *   GET /readyz  → 200 when dependencies are usable (database reachable and migrated, Slack answering:
 *                  main.ts composes them), else 503 with what is not ("Slack unreachable: auth.test …").
 */
export interface Readiness {
  ready(): Promise<{ ok: boolean; detail: string }>;
}

/** Handles the request and returns true, or returns false without touching it. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';
/** A probe that hangs is worse than one that fails: orchestrators time probes out at a few seconds. */
export const READY_TIMEOUT_MS = 2_000;

function send(res: ServerResponse, status: number, body: object, head: boolean): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'cache-control': 'no-store',
  });
  res.end(head ? undefined : json);
}

async function checkReady(r: Readiness, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: boolean; detail: string }>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, detail: `readiness check timed out after ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      r
        .ready()
        .catch((e: unknown) => ({ ok: false, detail: `readiness check failed: ${(e as Error).message}` })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(readiness: Readiness, opts: { timeoutMs?: number } = {}): RouteHandler {
  const timeoutMs = opts.timeoutMs ?? READY_TIMEOUT_MS;
  return (req, res) => {
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') return false;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const head = method === 'HEAD';
    if (path === HEALTH_PATH) {
      send(res, 200, { status: 'ok' }, head);
      return true;
    }
    if (path === READY_PATH) {
      void checkReady(readiness, timeoutMs).then((r) =>
        send(res, r.ok ? 200 : 503, { status: r.ok ? 'ready' : 'not_ready', detail: r.detail }, head),
      );
      return true;
    }
    return false;
  };
}
