import type { IncomingMessage, ServerResponse } from 'node:http';
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
import { type RetryPolicy, type SlackConnection, slackConnection } from './connection.ts';
import { registerActions } from './listeners/actions.ts';
import { registerCommands } from './listeners/commands.ts';
import { installErrorBoundary } from './listeners/errors.ts';
import { registerEvents } from './listeners/events.ts';
import { registerFixActions } from './listeners/fix-actions.ts';
import { requestContextMiddleware } from './listeners/request-context.ts';
import type { SlackUseCases } from './listeners/use-cases.ts';
import { EVENTS_PATH, type SlackReceiverDeps, slackRequestHandler } from './receiver.ts';

export { EVENTS_PATH } from './receiver.ts';

/** How long stop() waits for listener work already running (a scan answering its response_url). */
const DRAIN_TIMEOUT_MS = 10_000;

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
  /** Web API retries; tests pass `{ retries: 0 }` so a failing fake cannot retry for half an hour. */
  retryConfig?: RetryOptions;
  /** The pause between auth.test tries while Slack does not answer (connection.ts); tests shorten it. */
  connectRetry?: RetryPolicy;
  /** Unix seconds, for the signature window. */
  nowSec?: () => number;
  /** Milliseconds, for what listeners render with a time (the App Home's "Updated …"). */
  nowMs?: () => number;
  /** Seconds from a Slack request's arrival to its ack, per kind (HTTP mode; receiver.ts). */
  onAck?: SlackReceiverDeps['onAck'];
}

export interface SlackApp {
  readonly bolt: App;
  /**
   * The receiver of Slack's requests (POST /slack/events, HTTP mode), for the process's one HTTP server
   * (adapters/http/server.ts) to mount beside its other routes: true when it took the request. In Socket
   * Mode it takes none.
   */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Reaches Slack in the background (readiness() says how that goes); call it once the port is open. */
  start(): Promise<void>;
  /** Ready once Slack has answered auth.test (and, in Socket Mode, the socket is open); else why not. */
  readiness(): { ok: boolean; detail: string };
  /** Stops reaching Slack and waits (up to 10 s) for listener work still running. */
  stop(): Promise<void>;
}

/** Bolt's receiver: Socket Mode's, or in HTTP mode the HTTPReceiver that receiver.ts hands requests to. */
function boltReceiver(slack: Config['slack'], slackLog: SlackLogger, clientOptions: WebClientOptions) {
  if (slack.socketMode) {
    if (!slack.appToken) throw new Error('Socket Mode needs slack.appToken');
    const receiver: Receiver = new SocketModeReceiver({
      appToken: slack.appToken,
      logger: slackLog,
      // A copy: the Socket Mode client writes its own retry policy (100 retries) into the object it is given,
      // which must not leak into the App's WebClient built from the same options.
      installerOptions: { clientOptions: { ...clientOptions } },
    });
    return { receiver, httpReceiver: undefined, signingSecret: '' };
  }
  if (!slack.signingSecret) throw new Error('HTTP mode needs slack.signingSecret');
  const signingSecret = slack.signingSecret;
  // Bolt keeps verifying too (defence in depth); our guard (receiver.ts) runs first and also rejects the future.
  const httpReceiver = new HTTPReceiver({ signingSecret, endpoints: EVENTS_PATH, logger: slackLog });
  return { receiver: httpReceiver as Receiver, httpReceiver, signingSecret };
}

/** Middleware and listeners; returns the listener work still running (stop() waits for it). */
function registerListeners(bolt: App, deps: SlackAppDeps): Set<Promise<void>> {
  const { log } = deps;
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
  return inflight;
}

/** Waits up to DRAIN_TIMEOUT_MS for the listener work still running; says so when some is left. */
async function drain(inflight: Set<Promise<void>>, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    Promise.allSettled([...inflight]).then(() => true),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), DRAIN_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  if (!drained) log.warn({ pending: inflight.size }, 'stopped with listener work still running');
}

/** Socket Mode: the socket opens once Slack has answered auth.test; until then, `state()` says so. */
function socketOpener(bolt: App, connection: SlackConnection, log: Logger) {
  let state: { ok: boolean; detail: string } = { ok: false, detail: 'Slack Socket Mode: not connected yet' };
  let opening = false;
  return {
    state: () => state,
    /** True once bolt.start() was called: stop() must then stop Bolt too. */
    opening: () => opening,
    async open() {
      if (!(await connection.connected())) return;
      opening = true;
      try {
        await bolt.start();
        state = { ok: true, detail: `${connection.readiness().detail} (Socket Mode)` };
      } catch (err) {
        state = { ok: false, detail: `Slack Socket Mode failed: ${(err as Error).message}` };
        log.error({ err }, 'socket mode connection failed');
      }
    },
  };
}

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

  const { receiver, httpReceiver, signingSecret } = boltReceiver(slack, slackLog, clientOptions);

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

  const inflight = registerListeners(bolt, deps);

  const { onAck } = deps;
  const handler = slackRequestHandler({ httpReceiver, signingSecret, nowSec, log, connection, onAck });

  let stopping: Promise<void> | undefined;
  const socket = socketOpener(bolt, connection, log);

  return {
    bolt,
    handler,
    readiness() {
      const c = connection.readiness();
      return c.ok && slack.socketMode ? socket.state() : c;
    },
    async start() {
      log.info({ mode: slack.socketMode ? 'socket' : 'http' }, 'slack app started');
      connection.start();
      // Socket Mode: the HTTP server then only carries the health and ingest routes.
      if (slack.socketMode) void socket.open();
    },
    stop() {
      stopping ??= (async () => {
        connection.stop();
        if (socket.opening())
          await bolt.stop().catch((err: unknown) => log.warn({ err }, 'socket mode stop failed'));
        await drain(inflight, log);
        log.info({}, 'slack app stopped');
      })();
      return stopping;
    },
  };
}
