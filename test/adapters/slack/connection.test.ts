import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { boltLogger } from '../../../src/adapters/log/bolt-logger.ts';
import { type SlackConnection, slackConnection } from '../../../src/adapters/slack/connection.ts';

/**
 * The background Slack check (issue 10 item 15) against a Slack that misbehaves in ways the e2e suite does
 * not stage: an endpoint that never answers, and one that answers HTTP errors. Readiness names the cause.
 */
const log = pino({ level: 'silent' });
let server: Server | undefined;
let conn: SlackConnection | undefined;
afterEach(async () => {
  conn?.stop();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = conn = undefined;
});

async function slackAnswering(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
}

function connect(apiUrl: string, timeoutMs = 5_000) {
  conn = slackConnection({
    token: 'xoxb-connection-test',
    apiUrl,
    slackLog: boltLogger(log),
    log,
    retry: { firstMs: 10, maxMs: 20 },
    timeoutMs,
  });
  conn.start();
  return conn;
}

describe('the Slack connection check', () => {
  it('names a Slack that never answers as a timeout, and is not ready', async () => {
    const apiUrl = await slackAnswering(() => {}); // holds every request open
    const c = connect(apiUrl, 100);
    await vi.waitFor(() =>
      expect(c.readiness()).toEqual({
        ok: false,
        detail: `Slack unreachable: auth.test ${apiUrl}auth.test: no answer within 100 ms`,
      }),
    );
    expect(await c.connected(10)).toBe(false);
  });

  it('names an HTTP error by its status, then connects when Slack recovers', async () => {
    let healthy = false;
    const apiUrl = await slackAnswering((_req, res) => {
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(healthy ? { ok: true, user_id: 'UBOT', bot_id: 'BBOT' } : { ok: false }));
    });
    const c = connect(apiUrl);
    await vi.waitFor(() => expect(c.readiness().detail).toMatch(/: HTTP 503$/));
    const waiting = c.connected();
    healthy = true;
    expect(await waiting).toBe(true);
    expect(c.identity()).toEqual({ botUserId: 'UBOT', botId: 'BBOT' });
    expect(c.readiness()).toEqual({ ok: true, detail: 'Slack connected as UBOT' });
  });

  it('never shows credentials that SLACK_API_URL carries', async () => {
    const apiUrl = await slackAnswering(() => {});
    // fetch refuses such a URL, and its error repeats it: neither the URL nor the reason may show them.
    const c = connect(apiUrl.replace('http://', 'http://proxyuser:proxypass@'));
    await vi.waitFor(() =>
      expect(c.readiness().detail).toMatch(
        new RegExp(`^Slack unreachable: auth\\.test ${apiUrl}auth\\.test: `),
      ),
    );
    expect(c.readiness().detail).not.toMatch(/proxyuser|proxypass/);
  });
});
