import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { RouteHandler } from '../../../src/adapters/http/health.ts';
import { createHttpServer, type HttpServer } from '../../../src/adapters/http/server.ts';

const log = pino({ level: 'silent' });
let server: HttpServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** A route answering `path` with `body`, recording that it was asked. */
const route =
  (path: string, body: string, asked: string[]): RouteHandler =>
  (req: IncomingMessage, res: ServerResponse) => {
    asked.push(path);
    if (req.url !== path) return false;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(body);
    return true;
  };

async function serve(routes: RouteHandler[]): Promise<string> {
  server = createHttpServer({ port: 0, log, routes });
  const { port } = await server.start();
  return `http://127.0.0.1:${port}`;
}

describe('createHttpServer', () => {
  it('asks the routes in order, stops at the first that answers, and answers 404 when none does', async () => {
    const asked: string[] = [];
    const base = await serve([route('/a', 'first', asked), route('/b', 'second', asked)]);
    expect(await (await fetch(`${base}/b`)).text()).toBe('second');
    expect(asked).toEqual(['/a', '/b']);
    asked.length = 0;
    expect(await (await fetch(`${base}/a`)).text()).toBe('first');
    expect(asked).toEqual(['/a']);
    const missing = await fetch(`${base}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('');
  });

  it('stop() waits for the drain before closing connections still open, and stops taking new ones', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const slow: RouteHandler = (_req, res) => {
      void held.then(() => res.end('late'));
      return true;
    };
    const base = await serve([slow]);
    const pending = fetch(`${base}/slow`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50));
    let drained = false;
    const stopped = server!.stop(async () => {
      release();
      await new Promise((r) => setTimeout(r, 20));
      drained = true;
    });
    expect(await pending).toBe('late');
    await stopped;
    expect(drained).toBe(true);
    await expect(fetch(`${base}/slow`)).rejects.toThrow();
    // A second stop is the same stop.
    await server!.stop();
  });

  it('start() fails when the port is taken', async () => {
    const base = await serve([]);
    const port = Number(new URL(base).port);
    const second = createHttpServer({ port, log, routes: [] });
    await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
  });
});
