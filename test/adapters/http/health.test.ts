import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { healthRoutes, type Readiness } from '../../../src/adapters/http/health.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => server?.close(r));
  server = undefined;
});

/** Mounts the routes on a bare node:http server, with a 404 fallback like the app's. */
async function serve(readiness: Readiness, timeoutMs?: number): Promise<string> {
  const routes = healthRoutes(readiness, timeoutMs === undefined ? {} : { timeoutMs });
  server = createServer((req, res) => {
    if (routes(req, res)) return;
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const ok: Readiness = {
  ready: async () => ({ ok: true, detail: 'database reachable, 3 migrations applied' }),
};

describe('healthRoutes', () => {
  it('/healthz is 200 even when the database is down', async () => {
    const base = await serve({ ready: async () => ({ ok: false, detail: 'database unreachable' }) });
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 with the detail when ready', async () => {
    const res = await fetch(`${await serve(ok)}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', detail: 'database reachable, 3 migrations applied' });
  });

  it('/readyz is 503 with the detail when not ready', async () => {
    const base = await serve({
      ready: async () => ({ ok: false, detail: 'migrations pending: 0002_scans' }),
    });
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not_ready', detail: 'migrations pending: 0002_scans' });
  });

  it('/readyz is 503 when the check throws', async () => {
    const base = await serve({ ready: () => Promise.reject(new Error('connection refused')) });
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'not_ready',
      detail: 'readiness check failed: connection refused',
    });
  });

  it('/readyz is 503 when the check hangs past the timeout', async () => {
    const base = await serve({ ready: () => new Promise(() => {}) }, 50);
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'not_ready',
      detail: 'readiness check timed out after 50 ms',
    });
  });

  it('answers HEAD without a body and leaves other methods and paths alone', async () => {
    const base = await serve(ok);
    const head = await fetch(`${base}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${base}/healthz/extra`)).status).toBe(404);
    expect((await fetch(`${base}/healthz?probe=k8s`)).status).toBe(200);
  });
});
