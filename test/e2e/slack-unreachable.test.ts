import { afterEach, describe, expect, it, vi } from 'vitest';
import { signatureFor } from '../../src/adapters/slack/signature.ts';
import { type Running, start } from '../../src/composition/server.ts';
import { loadConfig } from '../../src/config/config.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { closedPort } from '../support/ports.ts';
import { BOT_TOKEN, SIGNING_SECRET } from './harness.ts';

/**
 * Issue 10 item 15: the bot opens its port even when Slack cannot be reached at start. /healthz answers at
 * once, /readyz names what failed (method, URL, cause) until Slack answers auth.test, then turns ready.
 * The retry interval is injected (milliseconds), so nothing here waits on a real backoff.
 */
let running: Running | undefined;
let fake: FakeSlack | undefined;
afterEach(async () => {
  await running?.stop();
  await fake?.close();
  running = fake = undefined;
});

async function startWithSlackAt(port: number, logs: string[]) {
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: `http://127.0.0.1:${port}/api/`,
      PORT: '0',
      PGLITE_DIR: 'memory://',
      SCHEDULER_ENABLED: 'false',
    },
    { storedPiiKey: true },
  );
  running = await start(config, {
    logDestination: { write: (s: string) => void logs.push(s) },
    retryConfig: { retries: 0 },
    slackRetry: { firstMs: 10, maxMs: 40 },
  });
  const base = `http://127.0.0.1:${running.port}`;
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: (await res.json()) as { status: string; detail?: string } };
  };
  return { base, get };
}

/** A signed `/leak help`, as Slack sends it. */
async function slashHelp(base: string, responseUrl: string) {
  const body = new URLSearchParams({
    team_id: 'T0001',
    channel_id: 'C0001',
    user_id: 'U0001',
    command: '/leak',
    text: 'help',
    response_url: responseUrl,
    trigger_id: '1.2',
  }).toString();
  const ts = String(Math.floor(Date.now() / 1000));
  return fetch(`${base}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': signatureFor(SIGNING_SECRET, ts, body),
    },
    body,
  });
}

describe('starting while Slack is unreachable', () => {
  it('serves /healthz at once, says why it is not ready, and turns ready when Slack answers', async () => {
    const slackPort = await closedPort();
    const logs: string[] = [];
    const { base, get } = await startWithSlackAt(slackPort, logs);

    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    const url = `http://127.0.0.1:${slackPort}/api/auth.test`;
    await vi.waitFor(
      async () => {
        const ready = await get('/readyz');
        expect(ready.status).toBe(503);
        expect(ready.body.detail).toBe(`Slack unreachable: auth.test ${url}: ECONNREFUSED`);
      },
      { timeout: 5_000, interval: 20 },
    );
    // The log says the same, in one line an operator can act on.
    expect(logs.join('')).toContain(`"reason":"ECONNREFUSED"`);
    expect(logs.join('')).toContain('Slack unreachable');

    // Slack comes up where the app was told it is: the next attempt connects.
    fake = await startFakeSlack({ port: slackPort });
    await vi.waitFor(
      async () => {
        const ready = await get('/readyz');
        expect(ready.status).toBe(200);
        expect(ready.body.detail).toContain('Slack connected');
      },
      { timeout: 5_000, interval: 20 },
    );
    // And Slack's requests are served (the usage comes back in the ack).
    const res = await slashHelp(base, fake.responseUrl('help-1'));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { text: string }).text).toContain('/leak scan');
    expect(logs.join('')).not.toContain(BOT_TOKEN);
  });

  it('names a refused token the same way (invalid_auth), and keeps the port open', async () => {
    fake = await startFakeSlack();
    fake.reply('auth.test', { ok: false, error: 'invalid_auth' });
    const { get } = await startWithSlackAt(Number(new URL(fake.apiUrl).port), []);
    expect((await get('/healthz')).status).toBe(200);
    await vi.waitFor(
      async () => {
        const ready = await get('/readyz');
        expect(ready.status).toBe(503);
        expect(ready.body.detail).toBe(`Slack unreachable: auth.test ${fake!.apiUrl}auth.test: invalid_auth`);
      },
      { timeout: 5_000, interval: 20 },
    );
  });
});
