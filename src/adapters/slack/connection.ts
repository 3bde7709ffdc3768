import { ErrorCode, type Logger as SlackLogger, WebClient } from '@slack/web-api';
import type { Logger } from 'pino';

/**
 * Whether Slack answers, checked in the background: the bot opens its port first (health routes answer at
 * once) and asks Slack `auth.test` until it does, with a growing pause between tries. Until then readiness
 * names the method, the URL and the real cause (ECONNREFUSED, a timeout, invalid_auth …); the answer also
 * says who the bot is, which Bolt needs to tell the bot's own events from others'.
 */
export interface BotIdentity {
  botUserId: string;
  botId: string | undefined;
}

/** The pause after the first failed try, doubled after each further one up to `maxMs`. */
export interface RetryPolicy {
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_CONNECT_RETRY: RetryPolicy = { firstMs: 1_000, maxMs: 60_000 };
/** One try gives up after this long: a black-holed address must not leave readiness silent for minutes. */
const ATTEMPT_TIMEOUT_MS = 10_000;

export interface SlackConnection {
  /** Starts trying (once); never throws, never rejects. */
  start(): void;
  stop(): void;
  identity(): BotIdentity | null;
  /** True once Slack has answered; false when `timeoutMs` passes first, or the connection is stopped. */
  connected(timeoutMs?: number): Promise<boolean>;
  readiness(): { ok: boolean; detail: string };
}

export interface SlackConnectionDeps {
  token: string;
  apiUrl: string;
  /** The Web API client's own log lines (retries, warnings): never the token. */
  slackLog: SlackLogger;
  log: Logger;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

/** The URL a check calls, shown in readiness and logs: without any credentials the base URL may carry. */
function authTestUrl(apiUrl: string): string {
  try {
    const u = new URL('auth.test', apiUrl);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return `${apiUrl}auth.test`;
  }
}

/** The cause of a failed call in a few words: a network code, Slack's error, the HTTP status, a timeout. */
export function failureReason(e: unknown, timeoutMs: number): string {
  const err = e as {
    code?: string;
    message?: string;
    data?: { error?: string };
    statusCode?: number;
    retryAfter?: number;
    original?: { name?: string; message?: string; cause?: { code?: string; message?: string } };
  };
  switch (err?.code) {
    case ErrorCode.PlatformError:
      return err.data?.error ?? 'platform error';
    case ErrorCode.HTTPError:
      return `HTTP ${err.statusCode}`;
    case ErrorCode.RateLimitedError:
      return `rate limited (retry after ${err.retryAfter} s)`;
    case ErrorCode.RequestError: {
      const original = err.original;
      if (original?.name === 'TimeoutError' || original?.name === 'AbortError')
        return `no answer within ${timeoutMs} ms`;
      return original?.cause?.code ?? original?.cause?.message ?? original?.message ?? 'request failed';
    }
  }
  return err?.message ?? String(e);
}

export function slackConnection(deps: SlackConnectionDeps): SlackConnection {
  const retry = deps.retry ?? DEFAULT_CONNECT_RETRY;
  const timeoutMs = deps.timeoutMs ?? ATTEMPT_TIMEOUT_MS;
  // Its own client: one try per attempt (the pause between attempts is ours), rate limits reported, not slept on.
  const client = new WebClient(deps.token, {
    slackApiUrl: deps.apiUrl,
    logger: deps.slackLog,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
  });
  const url = authTestUrl(deps.apiUrl);
  let identity: BotIdentity | null = null;
  let detail = `Slack not answered yet: auth.test ${url}`;
  let started = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pauseMs = retry.firstMs;
  const waiters = new Set<(ok: boolean) => void>();
  const settle = (ok: boolean) => {
    for (const w of [...waiters]) w(ok);
    waiters.clear();
  };

  async function attempt(): Promise<void> {
    try {
      const r = await client.auth.test();
      if (stopped) return;
      if (!r.user_id) throw new Error('auth.test answered without a user_id');
      identity = { botUserId: r.user_id, botId: r.bot_id };
      detail = `Slack connected as ${r.user_id}`;
      deps.log.info({ bot_user_id: r.user_id, team_id: r.team_id }, 'slack connected');
      settle(true);
    } catch (e) {
      if (stopped) return;
      // fetch names the URL in some errors; credentials in it (user:password@) never reach a log or probe.
      const reason = failureReason(e, timeoutMs).replace(/\/\/[^/@\s]+@/g, '//');
      detail = `Slack unreachable: auth.test ${url}: ${reason}`;
      deps.log.warn({ method: 'auth.test', reason, retry_in_ms: pauseMs }, detail);
      timer = setTimeout(() => void attempt(), pauseMs);
      pauseMs = Math.min(pauseMs * 2, retry.maxMs);
    }
  }

  return {
    start() {
      if (started) return;
      started = true;
      void attempt();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      settle(identity !== null);
    },
    identity: () => identity,
    connected(waitMs) {
      if (identity) return Promise.resolve(true);
      if (stopped) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        let t: NodeJS.Timeout | undefined;
        const done = (ok: boolean) => {
          clearTimeout(t);
          waiters.delete(done);
          resolve(ok);
        };
        if (waitMs !== undefined) t = setTimeout(() => done(false), waitMs);
        waiters.add(done);
      });
    },
    readiness: () => ({ ok: identity !== null, detail }),
  };
}
