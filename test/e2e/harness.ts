import { randomBytes } from 'node:crypto';
import type { DestinationStream } from 'pino';
import { signatureFor } from '../../src/adapters/slack/signature.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { FunnelRecord } from '../../src/domain/records/record.ts';
import { type Running, start } from '../../src/main.ts';
import { openServices } from '../../src/services.ts';
import { backends, silentLog } from '../support/db.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';

/**
 * The real app (src/main.ts `start`) on port 0, a fresh database (in-memory PGlite, or a fresh database on
 * the server in DATABASE_URL via test/support/db.ts), seeded records, and a fake Slack that records calls.
 * Requests are signed exactly as Slack signs them.
 */
export const SIGNING_SECRET = 'e2e-signing-secret-7c1d9a';
export const BOT_TOKEN = 'xoxb-e2e-000000000-secret-bot-token';
export const APP_TOKEN = 'xapp-1-e2e-secret-app-token';

export interface SlashResult {
  status: number;
  body: string;
  elapsedMs: number;
  responseId: string;
}

export interface Harness {
  port: number;
  baseUrl: string;
  fake: FakeSlack;
  /** Every log line the app wrote, as raw JSON text. */
  logs: string[];
  running: Running;
  slash(command: string, text: string, o?: SignOptions): Promise<SlashResult>;
  post(
    path: string,
    body: string,
    o?: SignOptions,
  ): Promise<{ status: number; body: string; elapsedMs: number }>;
  get(path: string): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

export interface SignOptions {
  /** Unix seconds to sign with and send; now by default. */
  timestamp?: number;
  secret?: string;
  /** Sends this signature instead of the computed one. */
  signature?: string;
  contentType?: string;
}

const memoryLog = (lines: string[]): DestinationStream => ({ write: (s: string) => void lines.push(s) });

export async function startHarness(
  opts: { records?: readonly FunnelRecord[]; socketMode?: boolean } = {},
): Promise<Harness> {
  const fake = await startFakeSlack();
  const server = backends.find((b) => b.name === 'postgres');
  const fresh = server ? await server.open() : undefined;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    PORT: '0',
    PGLITE_DIR: 'memory://',
    LOG_LEVEL: 'debug',
    ...(fresh?.url ? { DATABASE_URL: fresh.url } : {}),
    ...(opts.socketMode ? { SLACK_APP_TOKEN: APP_TOKEN } : {}),
  };
  const config = loadConfig(env);
  const services = await openServices(config, silentLog);
  if (opts.records?.length) await services.repos.records.upsertMany(opts.records);

  const logs: string[] = [];
  const running = await start(config, {
    logDestination: memoryLog(logs),
    retryConfig: { retries: 0 },
    services,
  });
  const baseUrl = `http://127.0.0.1:${running.port}`;

  const post: Harness['post'] = async (path, body, o = {}) => {
    const ts = String(o.timestamp ?? Math.floor(Date.now() / 1000));
    const signature = o.signature ?? signatureFor(o.secret ?? SIGNING_SECRET, ts, body);
    const t0 = performance.now();
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      // Exactly this content type: Bolt reads a form only then (SLACK.md).
      headers: {
        'content-type': o.contentType ?? 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': ts,
        'x-slack-signature': signature,
      },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: text, elapsedMs: performance.now() - t0 };
  };

  return {
    port: running.port,
    baseUrl,
    fake,
    logs,
    running,
    post,
    async slash(command, text, o = {}) {
      const responseId = randomBytes(6).toString('hex');
      const form = new URLSearchParams({
        token: 'legacy-verification-token',
        team_id: 'T0001',
        team_domain: 'testteam',
        channel_id: 'C0001',
        channel_name: 'revops',
        user_id: 'U0001',
        user_name: 'ada',
        command,
        text,
        api_app_id: 'A0001',
        response_url: fake.responseUrl(responseId),
        trigger_id: '1.2.3',
      }).toString();
      return { ...(await post('/slack/events', form, o)), responseId };
    },
    async get(path) {
      const res = await fetch(`${baseUrl}${path}`);
      return { status: res.status, body: await res.text() };
    },
    async stop() {
      try {
        await running.stop();
      } finally {
        await fake.close();
        await fresh?.dispose();
      }
    },
  };
}
