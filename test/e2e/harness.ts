import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { signatureFor } from '../../src/adapters/slack/signature.ts';
import type { Clock } from '../../src/app/context.ts';
import { type Running, start } from '../../src/composition/server.ts';
import { openServices, type Services } from '../../src/composition/services.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { FunnelRecord } from '../../src/domain/records/record.ts';
import { backends, silentLog } from '../support/db.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';

/**
 * The real app (src/composition/server.ts `start`) on port 0, a fresh database (in-memory PGlite, or a fresh database on
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
  /** The app's own services (database, repositories): for seeding and reading, never for driving the app. */
  services: Services;
  slash(command: string, text: string, o?: SlashOptions): Promise<SlashResult>;
  /** A signed `block_actions` interaction (a button click), as a form with one `payload` field. */
  action(payload: object, o?: SignOptions): Promise<{ status: number; body: string }>;
  /** A signed Events API delivery (`event_callback`); `retryNum` sends `x-slack-retry-num`. */
  event(event: object, o?: EventOptions): Promise<{ status: number; body: string; eventId: string }>;
  /** Upserts records into the app's database (a CRM sync between scans). */
  seed(records: readonly FunnelRecord[]): Promise<void>;
  /**
   * Delivers what is due and waits out deliveries the app's own worker holds (it is nudged after every
   * commit and races drain()), so what Slack shows can be asserted. Jobs deferred to later stay deferred.
   */
  settle(timeoutMs?: number): Promise<void>;
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
  /** Extra request headers (e.g. `x-slack-retry-num`). */
  headers?: Record<string, string>;
}

export interface SlashOptions extends SignOptions {
  channelId?: string;
  userId?: string;
  /** A fresh one per command by default, as Slack sends. */
  triggerId?: string;
}

export interface EventOptions extends SignOptions {
  /** A fresh one per delivery by default; a retry reuses the first delivery's. */
  eventId?: string;
  retryNum?: number;
  teamId?: string;
}

/** A database that outlives one app (a restart test): a fresh server database, or PGlite in a temp dir. */
export interface SharedDatabase {
  env: Record<string, string>;
  dispose(): Promise<void>;
}

export async function sharedDatabase(): Promise<SharedDatabase> {
  const server = backends.find((b) => b.name === 'postgres');
  if (server) {
    const fresh = await server.open();
    // Only the database is shared: this connection is not needed while the apps run.
    return { env: { DATABASE_URL: fresh.url! }, dispose: () => fresh.dispose() };
  }
  const dir = await mkdtemp(join(tmpdir(), 'leak-e2e-pglite-'));
  return { env: { PGLITE_DIR: dir }, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** What every e2e app runs with: an on-call group, a commander, a responder, an alerts channel, no cron. */
export const INCIDENT_ENV = {
  ONCALL_USERGROUP: 'SONCALL',
  INCIDENT_COMMANDER: 'UCMDR',
  INCIDENT_RESPONDERS: 'URESP',
  ALERTS_CHANNEL: 'CALERTS',
  SCHEDULER_ENABLED: 'false',
} as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const memoryLog = (lines: string[]): DestinationStream => ({ write: (s: string) => void lines.push(s) });

export interface HarnessOptions {
  records?: readonly FunnelRecord[];
  socketMode?: boolean;
  /** Merged over the defaults (INCIDENT_ENV included). */
  env?: Record<string, string>;
  /** Run on this database instead of a fresh one (it is not disposed at stop()). */
  database?: SharedDatabase;
  /** User groups the fake knows before the app starts (its worker may deliver at once). */
  usergroups?: Record<string, readonly string[]>;
  /** The app's clock (ingest's accepted window, SLA evaluations, incidents); the process clock by default. */
  clock?: Clock;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeSlack();
  for (const [id, users] of Object.entries(opts.usergroups ?? {})) fake.setUsergroup(id, users);
  const server = opts.database ? undefined : backends.find((b) => b.name === 'postgres');
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
    ...INCIDENT_ENV,
    ...opts.database?.env,
    ...opts.env,
  };
  // The alerts channel exists in the workspace, with the bot in it (it reads it back after a lost post).
  const alerts = env['ALERTS_CHANNEL'];
  if (alerts) fake.seedChannel({ id: alerts, name: 'revenue-alerts' });
  // The suite runs without PII_HASH_KEY: each database generates and keeps its own key (config.ts).
  const config = loadConfig(env, { storedPiiKey: true });
  const services = await openServices(config, silentLog, opts.clock ? { clock: opts.clock } : {});
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
        ...o.headers,
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
    services,
    post,
    async slash(command, text, o = {}) {
      const responseId = randomBytes(6).toString('hex');
      const form = new URLSearchParams({
        token: 'legacy-verification-token',
        team_id: 'T0001',
        team_domain: 'testteam',
        channel_id: o.channelId ?? 'C0001',
        channel_name: 'revops',
        user_id: o.userId ?? 'U0001',
        user_name: 'ada',
        command,
        text,
        api_app_id: 'A0001',
        response_url: fake.responseUrl(responseId),
        trigger_id: o.triggerId ?? `${Date.now()}.${randomBytes(6).toString('hex')}`,
      }).toString();
      return { ...(await post('/slack/events', form, o)), responseId };
    },
    action(payload, o = {}) {
      return post('/slack/events', new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), o);
    },
    async event(event, o = {}) {
      const eventId = o.eventId ?? `Ev${randomBytes(6).toString('hex').toUpperCase()}`;
      const body = JSON.stringify({
        token: 'legacy-verification-token',
        team_id: o.teamId ?? 'T0001',
        api_app_id: 'A0001',
        event,
        type: 'event_callback',
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
      });
      const headers = {
        ...(o.retryNum === undefined
          ? {}
          : { 'x-slack-retry-num': String(o.retryNum), 'x-slack-retry-reason': 'http_timeout' }),
        ...o.headers,
      };
      return {
        ...(await post('/slack/events', body, { contentType: 'application/json', ...o, headers })),
        eventId,
      };
    },
    async seed(records) {
      await services.repos.records.upsertMany(records);
    },
    async settle(timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        await running.drain();
        const [busy] = await services.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM jobs WHERE state = 'pending'
             AND (run_after <= now() OR locked_until > now())`,
        );
        if (busy!.n === 0) return;
        if (Date.now() > until) throw new Error(`settle: ${busy!.n} deliveries still due or running`);
        await sleep(50);
      }
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
