import { request } from 'node:http';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { METRICS_ROUTE, metricsRoute, routeFamily } from '../../../src/adapters/http/metrics-route.ts';
import { createHttpServer, type HttpServer, type ServedRequest } from '../../../src/adapters/http/server.ts';

const log = pino({ level: 'silent' });
const EXPOSITION = '# HELP up Up.\n# TYPE up gauge\nup 1\n';
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function serve(o: { token?: string; fail?: boolean; seen?: ServedRequest[] } = {}): Promise<string> {
  const route = metricsRoute({
    expose: async () => {
      if (o.fail) throw new Error('registry broke');
      return { contentType: CONTENT_TYPE, body: EXPOSITION };
    },
    token: o.token,
    log,
  });
  const seen = o.seen;
  server = createHttpServer({
    port: 0,
    log,
    routes: [route],
    ...(seen ? { observe: (r: ServedRequest) => void seen.push(r) } : {}),
  });
  const { port } = await server.start();
  return `http://127.0.0.1:${port}`;
}

describe('GET /metrics', () => {
  it('answers the exposition with the registry’s content type; HEAD answers headers only', async () => {
    const base = await serve();
    const res = await fetch(`${base}${METRICS_ROUTE}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(CONTENT_TYPE);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe(EXPOSITION);
    const head = await fetch(`${base}${METRICS_ROUTE}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('with a token: 401 without it or with another, 200 with `Authorization: Bearer <token>`', async () => {
    const base = await serve({ token: 'scrape-me-3f9a' });
    const url = `${base}${METRICS_ROUTE}`;
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.text()).not.toContain('up 1');
    const wrong = await fetch(url, { headers: { authorization: 'Bearer scrape-me-3f9' } });
    expect(wrong.status).toBe(401);
    const basic = await fetch(url, { headers: { authorization: 'Basic scrape-me-3f9a' } });
    expect(basic.status).toBe(401);
    const right = await fetch(url, { headers: { authorization: 'Bearer scrape-me-3f9a' } });
    expect(right.status).toBe(200);
    expect(await right.text()).toBe(EXPOSITION);
  });

  it('405 for another method; other paths are left to the next route (404 here)', async () => {
    const base = await serve();
    const post = await fetch(`${base}${METRICS_ROUTE}`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/metrics/extra`)).status).toBe(404);
    // The query string is not part of the path.
    expect((await fetch(`${base}${METRICS_ROUTE}?x=1`)).status).toBe(200);
  });

  it('500 when the exposition fails, without the error in the answer', async () => {
    const base = await serve({ fail: true });
    const res = await fetch(`${base}${METRICS_ROUTE}`);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('registry broke');
  });
});

describe('the HTTP server’s request observer', () => {
  it('reports each request once its answer is sent: path without the query, method, status, seconds', async () => {
    const seen: ServedRequest[] = [];
    const base = await serve({ seen });
    await (await fetch(`${base}${METRICS_ROUTE}?token=secret`)).text();
    await (await fetch(`${base}/nowhere`, { method: 'DELETE' })).text();
    await new Promise((r) => setTimeout(r, 20));
    expect(seen.map(({ seconds: _, ...r }) => r)).toEqual([
      { path: '/metrics', method: 'GET', status: 200 },
      { path: '/nowhere', method: 'DELETE', status: 404 },
    ]);
    expect(seen.every((r) => r.seconds >= 0 && r.seconds < 5)).toBe(true);
  });

  it('reports `aborted` when the client leaves before the answer is sent', async () => {
    const seen: ServedRequest[] = [];
    const held = createHttpServer({
      port: 0,
      log,
      routes: [() => true], // takes the request and never answers
      observe: (r) => void seen.push(r),
    });
    server = held;
    const { port } = await held.start();
    const req = request({ host: '127.0.0.1', port, path: '/hang', method: 'GET' });
    req.on('error', () => {});
    req.end();
    await new Promise((r) => setTimeout(r, 50));
    req.destroy();
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen.map((r) => [r.path, r.status])).toEqual([['/hang', 'aborted']]);
  });
});

describe('routeFamily: the bounded route label', () => {
  it.each([
    ['/slack/events', '/slack/events'],
    ['/healthz', '/healthz'],
    ['/readyz', '/readyz'],
    ['/metrics', '/metrics'],
    ['/v1/logs', '/v1/logs'],
    ['/v1/metrics', '/v1/metrics'],
    ['/v1/traces', '/v1/traces'],
    ['/api/telemetry/events', '/api/telemetry/events'],
    ['/webhooks/shopify', '/webhooks/shopify'],
    ['/webhooks/stripe', '/webhooks/stripe'],
    ['/webhooks/shopier', '/webhooks/shopier'],
    ['/webhooks/generic/acme-store', '/webhooks/generic'],
    ['/webhooks/generic/another_one', '/webhooks/generic'],
    ['/webhooks/generic/a/b', 'other'],
    ['/webhooks/unknown', 'other'],
    ['/wp-admin/setup.php', 'other'],
    ['/slack/events/', 'other'],
    ['/', 'other'],
  ])('%s → %s', (path, family) => {
    expect(routeFamily(path)).toBe(family);
  });
});
