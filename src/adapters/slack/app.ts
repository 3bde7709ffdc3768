import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  App,
  HTTPReceiver,
  type Receiver,
  type Logger as SlackLogger,
  SocketModeReceiver,
} from '@slack/bolt';
import type { RetryOptions, WebClientOptions } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.ts';
import type { RuleThresholds } from '../../domain/rules/catalog.ts';
import { type RetryPolicy, slackConnection } from './connection.ts';
import { installErrorBoundary } from './errors.ts';
import { registerActions } from './listeners/actions.ts';
import { registerCommands } from './listeners/commands.ts';
import { registerEvents } from './listeners/events.ts';
import { registerFixActions } from './listeners/fix-actions.ts';
import { requestContextMiddleware } from './request-context.ts';
import { verifySlackRequest } from './signature.ts';
import type { SlackUseCases } from './use-cases.ts';

/** Where Slack delivers commands, interactions and events (manifest.yml points all three here). */
export const EVENTS_PATH = '/slack/events';
/** Slack payloads are small; Bolt's own default cap is 4 MB, which is far more than any of ours. */
const BODY_LIMIT_BYTES = 1 << 20;
/** How long stop() waits for listener work already running (a scan answering its response_url). */
const DRAIN_TIMEOUT_MS = 10_000;
/**
 * How long a Slack request that arrives before Slack has answered auth.test waits for it (at start, usually
 * milliseconds): inside the 3 seconds Slack gives an ack. Still unanswered, it gets a 503.
 */
const CONNECT_WAIT_MS = 2_000;

/** Non-Slack routes served on the same port (health, readiness); true when the request was handled. */
export type HttpRoutes = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface SlackAppDeps {
  slack: Config['slack'];
  log: Logger;
  /**
   * The same logger in the shape Bolt, the WebClient and Socket Mode expect (adapters/log/bolt-logger.ts),
   * injected by main.ts: adapters never import each other (ARCHITECTURE.md import rules).
   */
  slackLog: SlackLogger;
  /** The only thing listeners may call (ARCHITECTURE.md habit 5). */
  useCases: SlackUseCases;
  thresholds: RuleThresholds;
  /**
   * Who may approve fixes (config.fixes.approval), named to someone refused. Only for the answer: the
   * approve, reject and roll back use cases decide who may, from the same configuration.
   */
  approvers?: { users: string[]; group: string | null };
  /** Injected for the same reason (adapters/http/health.ts in production). */
  routes: HttpRoutes;
  port: number;
  /** Web API retries; tests pass `{ retries: 0 }` so a failing fake cannot retry for half an hour. */
  retryConfig?: RetryOptions;
  /** The pause between auth.test tries while Slack does not answer (connection.ts); tests shorten it. */
  connectRetry?: RetryPolicy;
  /** Unix seconds, for the signature window. */
  nowSec?: () => number;
  /** Milliseconds, for what listeners render with a time (the App Home's "Updated …"). */
  nowMs?: () => number;
}

export interface SlackApp {
  readonly bolt: App;
  /** Opens the port at once; Slack is reached in the background (readiness() says how that goes). */
  start(): Promise<{ port: number }>;
  /** Ready once Slack has answered auth.test (and, in Socket Mode, the socket is open); else why not. */
  readiness(): { ok: boolean; detail: string };
  stop(): Promise<void>;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const empty = (res: ServerResponse, status: number, headers: Record<string, string> = {}) => {
  res.writeHead(status, headers);
  res.end();
};

export function createSlackApp(deps: SlackAppDeps): SlackApp {
  const { slack, log, slackLog } = deps;
  const botToken = slack.botToken;
  if (!botToken) throw new Error('createSlackApp needs slack.botToken');
  const nowSec = deps.nowSec ?? (() => Math.floor(Date.now() / 1000));
  // Every Web API call goes to SLACK_API_URL, including Socket Mode's apps.connections.open.
  const clientOptions: WebClientOptions = {
    slackApiUrl: slack.apiUrl,
    logger: slackLog,
    ...(deps.retryConfig ? { retryConfig: deps.retryConfig } : {}),
  };

  let receiver: Receiver;
  let httpReceiver: HTTPReceiver | undefined;
  let signingSecret = '';
  if (slack.socketMode) {
    if (!slack.appToken) throw new Error('Socket Mode needs slack.appToken');
    receiver = new SocketModeReceiver({
      appToken: slack.appToken,
      logger: slackLog,
      // A copy: the Socket Mode client writes its own retry policy (100 retries) into the object it is given,
      // which must not leak into the App's WebClient built from the same options below.
      installerOptions: { clientOptions: { ...clientOptions } },
    });
  } else {
    if (!slack.signingSecret) throw new Error('HTTP mode needs slack.signingSecret');
    signingSecret = slack.signingSecret;
    // Bolt keeps verifying too (defence in depth); our guard below runs first and also rejects the future.
    httpReceiver = new HTTPReceiver({ signingSecret, endpoints: EVENTS_PATH, logger: slackLog });
    receiver = httpReceiver;
  }

  const connection = slackConnection({
    token: botToken,
    apiUrl: slack.apiUrl,
    slackLog,
    log,
    ...(deps.connectRetry ? { retry: deps.connectRetry } : {}),
  });
  const bolt = new App({
    // Bolt's own auth.test (with `token`: at construction or in init(), or on every request with verification
    // off) would hold the port closed while Slack is down. Instead the connection asks it in the background,
    // and this `authorize` hands Bolt the bot token with the ids that answer gave. Requests only reach Bolt
    // once it has (the HTTP guard waits for it; Socket Mode connects after it).
    authorize: async () => {
      const id = connection.identity();
      if (!id) throw new Error('Slack has not answered auth.test yet');
      return { botToken, botUserId: id.botUserId, botId: id.botId };
    },
    receiver,
    logger: slackLog,
    clientOptions,
    convoStore: false,
    extendedErrorHandler: true,
  });

  // Listener work still running; stop() waits for it so the database is not closed under a scan.
  const inflight = new Set<Promise<void>>();
  bolt.use(async ({ next }) => {
    const p = next();
    inflight.add(p);
    try {
      await p;
    } finally {
      inflight.delete(p);
    }
  });
  bolt.use(requestContextMiddleware(log));
  installErrorBoundary(bolt, log);
  const listenerDeps = { useCases: deps.useCases, thresholds: deps.thresholds, log };
  registerCommands(bolt, listenerDeps);
  registerActions(bolt, listenerDeps);
  registerFixActions(bolt, {
    useCases: deps.useCases,
    log,
    ...(deps.approvers ? { approvers: deps.approvers } : {}),
  });
  registerEvents(bolt, { useCases: deps.useCases, log, nowMs: deps.nowMs ?? (() => Date.now()) });

  /**
   * The replay window has two sides. Bolt rejects a stale timestamp but accepts one from the future, so the
   * raw body is read and verified here first; a verified request is handed to Bolt with the body attached
   * as `rawBody`, which Bolt reuses instead of reading the (already consumed) stream again.
   */
  async function guardSlackRequest(
    req: IncomingMessage,
    res: ServerResponse,
    r: HTTPReceiver,
  ): Promise<void> {
    let raw: Buffer;
    try {
      raw = await readBody(req, BODY_LIMIT_BYTES);
    } catch (e) {
      if (e instanceof BodyTooLarge) return empty(res, 413, { connection: 'close' });
      throw e;
    }
    // Slack's certificate check carries no payload; Bolt exempts it from verification and only answers 200.
    // Answer it the same way here, without handing anything on.
    if (
      header(req, 'content-type') === 'application/x-www-form-urlencoded' &&
      raw.toString() === 'ssl_check=1'
    )
      return empty(res, 200);
    const verdict = verifySlackRequest({
      signingSecret,
      timestamp: header(req, 'x-slack-request-timestamp'),
      signature: header(req, 'x-slack-signature'),
      rawBody: raw,
      nowSec: nowSec(),
    });
    if (!verdict.ok) {
      log.warn({ reason: verdict.reason, path: EVENTS_PATH }, 'slack request rejected');
      return empty(res, 401);
    }
    if (!(await connection.connected(CONNECT_WAIT_MS))) {
      log.warn({ path: EVENTS_PATH }, 'slack request refused: Slack has not answered auth.test yet');
      return empty(res, 503);
    }
    Object.assign(req, { rawBody: raw });
    r.requestListener(req, res);
  }

  const server: Server = createServer((req, res) => {
    if (deps.routes(req, res)) return;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (httpReceiver && path === EVENTS_PATH) {
      if (req.method !== 'POST') return empty(res, 405, { allow: 'POST' });
      guardSlackRequest(req, res, httpReceiver).catch((err: unknown) => {
        log.error({ err }, 'slack request failed before dispatch');
        if (!res.headersSent) empty(res, 500);
        else res.end();
      });
      return;
    }
    empty(res, 404);
  });

  let stopping: Promise<void> | undefined;
  // Socket Mode: the socket opens once Slack has answered auth.test; until then, this says so.
  let socket: { ok: boolean; detail: string } = { ok: false, detail: 'Slack Socket Mode: not connected yet' };
  let socketOpening = false;
  const openSocket = async () => {
    if (!(await connection.connected())) return;
    socketOpening = true;
    try {
      await bolt.start();
      socket = { ok: true, detail: `${connection.readiness().detail} (Socket Mode)` };
    } catch (err) {
      socket = { ok: false, detail: `Slack Socket Mode failed: ${(err as Error).message}` };
      log.error({ err }, 'socket mode connection failed');
    }
  };

  return {
    bolt,
    readiness() {
      const c = connection.readiness();
      return c.ok && slack.socketMode ? socket : c;
    },
    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(deps.port, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const port = (server.address() as AddressInfo).port;
      log.info({ port, mode: slack.socketMode ? 'socket' : 'http' }, 'slack app listening');
      connection.start();
      // Socket Mode: the server above then only carries health routes.
      if (slack.socketMode) void openSocket();
      return { port };
    },
    stop() {
      stopping ??= (async () => {
        const closed = server.listening
          ? new Promise<void>((resolve) => server.close(() => resolve()))
          : Promise.resolve();
        server.closeIdleConnections();
        connection.stop();
        if (socketOpening)
          await bolt.stop().catch((err: unknown) => log.warn({ err }, 'socket mode stop failed'));
        let timer: NodeJS.Timeout | undefined;
        const drained = await Promise.race([
          Promise.allSettled([...inflight]).then(() => true),
          new Promise<boolean>((r) => {
            timer = setTimeout(() => r(false), DRAIN_TIMEOUT_MS);
          }),
        ]);
        clearTimeout(timer);
        if (!drained) log.warn({ pending: inflight.size }, 'stopped with listener work still running');
        server.closeAllConnections();
        await closed;
        log.info({}, 'slack app stopped');
      })();
      return stopping;
    },
  };
}
