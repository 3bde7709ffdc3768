import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_TOKEN, type Harness, startHarness } from './harness.ts';

/**
 * Socket Mode (SLACK_APP_TOKEN set): Slack traffic arrives over a WebSocket opened via
 * apps.connections.open, and the port carries only the health routes.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ socketMode: true });
});
afterAll(async () => {
  await h?.stop();
});

describe('Socket Mode', () => {
  it('opens the socket through SLACK_API_URL with the app-level token, and connects', async () => {
    const open = await h.fake.waitFor((c) => c.kind === 'api' && c.name === 'apps.connections.open');
    expect(open.headers.authorization).toBe(`Bearer ${APP_TOKEN}`);
    // The socket opens in the background once Slack has answered auth.test (the port is open before).
    await vi.waitFor(() => expect(h.fake.sockets).toBe(1), { timeout: 5_000, interval: 20 });
  });

  it('serves /healthz and /readyz on its own port; ready once the socket is open', async () => {
    expect(await h.get('/healthz')).toEqual({ status: 200, body: JSON.stringify({ status: 'ok' }) });
    await vi.waitFor(
      async () => {
        const ready = await h.get('/readyz');
        expect(ready.status).toBe(200);
        expect(JSON.parse(ready.body)).toMatchObject({
          status: 'ready',
          detail: expect.stringContaining('(Socket Mode)'),
        });
      },
      { timeout: 5_000, interval: 20 },
    );
  });

  it('does not expose an HTTP events endpoint', async () => {
    expect((await h.post('/slack/events', 'command=%2Fleak&text=scan')).status).toBe(404);
  });
});
