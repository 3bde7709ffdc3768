import { type CallGuard, CrmError, type CrmUsage } from '../../../app/crm/ports.ts';
import { retryAfterMs } from '../hubspot/rate-limits.ts';
import { type AccessToken, requestToken, type SalesforceCredentials } from './auth.ts';
import { readError, refusal, SalesforceApiError } from './errors.ts';

/**
 * Salesforce's HTTP surface as one sync uses it: an access token got lazily (auth.ts) and sent as the
 * bearer, refreshed once when Salesforce says the session expired (401 INVALID_SESSION_ID) and the call
 * retried; the daily share asked before every call (the CallGuard), the org's allowance read from every
 * answer's `Sforce-Limit-Info: api-usage=N/M`; 429 and 503 waited out for their Retry-After; timeouts and
 * 5xx retried a few times; Salesforce's error bodies (`[{"message":…,"errorCode":…}]`) turned into
 * CrmErrors whose kind says who must act. The token is only ever in the Authorization header.
 */

export interface SalesforceHttpOptions {
  /** https://login.salesforce.com, test.salesforce.com, a My Domain, or a fake's URL in tests. */
  loginUrl: string;
  /** Where API calls go; null: the token response's `instance_url`. */
  instanceUrl: string | null;
  /** `62.0`. */
  apiVersion: string;
  credentials: SalesforceCredentials;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  timeoutMs?: number;
  /** Retries of a timeout, a dropped connection or a 5xx before the sync fails. */
  maxRetries?: number;
  /** 429s (and concurrent-request refusals) waited out in a row before the sync fails. */
  max429?: number;
}

/** `Sforce-Limit-Info: api-usage=18/5000; api-bursts=1/750` → calls used in the last 24 h, and the limit. */
export function readLimitInfo(h: Headers): { used: number; max: number } | null {
  const m = /api-usage=(\d+)\/(\d+)/.exec(h.get('sforce-limit-info') ?? '');
  return m ? { used: Number(m[1]), max: Number(m[2]) } : null;
}

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export type Answer = { res: Response; what: string };

export class SalesforceHttp {
  readonly #o: Required<Omit<SalesforceHttpOptions, 'instanceUrl'>> & { instanceUrl: string | null };
  readonly #guard: CallGuard;
  #token: Promise<AccessToken> | null = null;
  #usage: CrmUsage = { spent: 0, dailyMax: null, dailyRemaining: null, rateLimited: 0, waitedMs: 0 };

  constructor(opts: SalesforceHttpOptions, guard: CallGuard) {
    this.#o = {
      loginUrl: opts.loginUrl.replace(/\/+$/, ''),
      instanceUrl: opts.instanceUrl?.replace(/\/+$/, '') ?? null,
      apiVersion: opts.apiVersion,
      credentials: opts.credentials,
      fetch: opts.fetch ?? fetch,
      now: opts.now ?? Date.now,
      sleep: opts.sleep ?? sleepMs,
      timeoutMs: opts.timeoutMs ?? 60_000,
      maxRetries: opts.maxRetries ?? 3,
      max429: opts.max429 ?? 8,
    };
    this.#guard = guard;
  }

  /** `/services/data/v62.0`. */
  get dataPath(): string {
    return `/services/data/v${this.#o.apiVersion}`;
  }

  usage(): CrmUsage {
    return { ...this.#usage };
  }

  /** GET a JSON resource: a path under the instance (a query, a `nextRecordsUrl`, a job). */
  async getJson(path: string): Promise<unknown> {
    const a = await this.#request('GET', path, undefined, 'application/json');
    return readJson(a);
  }

  async postJson(path: string, body: unknown): Promise<unknown> {
    const a = await this.#request('POST', path, JSON.stringify(body), 'application/json');
    return readJson(a);
  }

  /** PATCH a JSON body (sObject Collections updates). */
  async patchJson(path: string, body: unknown): Promise<unknown> {
    const a = await this.#request('PATCH', path, JSON.stringify(body), 'application/json');
    return readJson(a);
  }

  /** GET a CSV resource (Bulk API 2.0 results): the text and the headers that page it. */
  async getCsv(path: string): Promise<{ text: string; headers: Headers }> {
    const { res, what } = await this.#request('GET', path, undefined, 'text/csv');
    try {
      return { text: await res.text(), headers: res.headers };
    } catch (e) {
      // The body is read after the answer started: a timeout or a dropped connection midway.
      throw new CrmError('unavailable', `Salesforce stopped sending ${what}: ${(e as Error).message}`);
    }
  }

  /** SOQL through the REST query resource (`GET …/query?q=`). */
  query(soql: string): Promise<unknown> {
    return this.getJson(`${this.dataPath}/query?q=${encodeURIComponent(soql)}`);
  }

  /** The session's clock, and a wait that is not a rate limit's (a Bulk job's poll interval). */
  now(): number {
    return this.#o.now();
  }

  pause(ms: number): Promise<void> {
    return this.#wait(ms, false);
  }

  async #wait(ms: number, rateLimit: boolean): Promise<void> {
    if (ms <= 0) return;
    if (rateLimit) this.#usage.waitedMs += ms;
    await this.#o.sleep(ms);
  }

  /** A token, asked for once and shared by every call of the session; transient failures retried. */
  #tokenNow(): Promise<AccessToken> {
    this.#token ??= (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await requestToken({
            loginUrl: this.#o.loginUrl,
            credentials: this.#o.credentials,
            fetch: this.#o.fetch,
            nowMs: this.#o.now(),
            timeoutMs: this.#o.timeoutMs,
          });
        } catch (e) {
          if (!(e instanceof CrmError) || e.kind !== 'unavailable' || attempt > this.#o.maxRetries) throw e;
          await this.#wait(1000 * 2 ** (attempt - 1), false);
        }
      }
    })();
    // A refused grant is not remembered: the next call asks again (the admin may have fixed it).
    const pending = this.#token;
    pending.catch(() => {
      if (this.#token === pending) this.#token = null;
    });
    return pending;
  }

  #observe(h: Headers): void {
    const l = readLimitInfo(h);
    if (l === null) return;
    this.#usage.dailyMax = l.max;
    // Bursts past the limit are allowed for a while: `used` may exceed `max`.
    this.#usage.dailyRemaining = Math.max(0, l.max - l.used);
  }

  async #send(
    token: AccessToken,
    method: string,
    path: string,
    body: string | undefined,
    accept: string,
  ): Promise<Response | Error> {
    try {
      return await this.#o.fetch(`${this.#o.instanceUrl ?? token.instanceUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token.accessToken}`,
          accept,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  }

  async #request(method: string, path: string, body: string | undefined, accept: string): Promise<Answer> {
    const what = `${method} ${path.split('?')[0]}`;
    let transient = 0;
    let limited = 0;
    let refreshed = false;
    for (;;) {
      const session = this.#tokenNow();
      const token = await session;
      const stop = this.#guard(this.usage());
      if (stop !== null) throw new CrmError('budget', stop);
      this.#usage.spent++;
      if (this.#usage.dailyRemaining !== null) this.#usage.dailyRemaining--;
      const res = await this.#send(token, method, path, body, accept);
      if (res instanceof Error) {
        if (++transient > this.#o.maxRetries)
          throw new CrmError('unavailable', `Salesforce did not answer ${what}: ${res.message}`);
        await this.#wait(1000 * 2 ** (transient - 1), false);
        continue;
      }
      this.#observe(res.headers);
      if (res.ok) return { res, what };
      const err = await readError(res);
      if (res.status === 401 && !refreshed) {
        // The session expired (or was revoked by an admin): one new token, then the same call again.
        // A call in flight beside it may have renewed the token already: only this one is dropped.
        refreshed = true;
        if (this.#token === session) this.#token = null;
        continue;
      }
      const concurrent =
        res.status === 403 && err.errorCode === 'REQUEST_LIMIT_EXCEEDED' && /concurrent/i.test(err.message);
      if (res.status === 429 || concurrent) {
        if (++limited > this.#o.max429)
          throw new SalesforceApiError(
            'rate_limited',
            `Salesforce kept refusing ${what} for its rate limits: ${err.message}`,
            res.status,
            err.errorCode,
          );
        this.#usage.rateLimited++;
        await this.#wait(retryAfterMs(res.headers, this.#o.now()) ?? 1000 * 2 ** (limited - 1), true);
        continue;
      }
      if (res.status >= 500 || res.status === 408) {
        if (++transient > this.#o.maxRetries)
          throw new SalesforceApiError(
            'unavailable',
            `Salesforce answered ${res.status} to ${what}: ${err.message}`,
            res.status,
            err.errorCode,
          );
        const after = retryAfterMs(res.headers, this.#o.now());
        await this.#wait(after ?? 1000 * 2 ** (transient - 1), after !== null);
        continue;
      }
      throw refusal(res.status, what, err);
    }
  }
}

async function readJson(a: Answer): Promise<unknown> {
  try {
    return await a.res.json();
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError' || name === 'TypeError')
      throw new CrmError('unavailable', `Salesforce stopped sending ${a.what}: ${(e as Error).message}`);
    throw new CrmError(
      'bad_response',
      `Salesforce answered ${a.what} with a body that is not JSON`,
      a.res.status,
    );
  }
}
