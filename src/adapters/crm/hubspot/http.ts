import { type CallGuard, CrmError, type CrmUsage } from '../../../app/crm/ports.ts';
import {
  DEFAULT_BURST,
  readRateHeaders,
  retryAfterMs,
  SEARCH_LIMIT,
  SlidingWindow,
  type WindowLimit,
} from './rate-limits.ts';

/**
 * HubSpot's HTTP surface as one sync uses it: bearer auth with the private-app token, pacing by the rate
 * limits (rate-limits.ts), the daily share asked before every call (the CallGuard), 429 and Retry-After
 * honoured, timeouts and 5xx retried a few times, and HubSpot's error bodies turned into CrmErrors whose
 * kind says whether an admin must act (401: token expired or revoked; 403 MISSING_SCOPES). The token is
 * only ever in the Authorization header: no message, URL or log line carries it.
 */

export interface HubspotHttpOptions {
  /** https://api.hubapi.com, or a fake's URL in tests. */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  burst?: WindowLimit;
  search?: WindowLimit;
  timeoutMs?: number;
  /** Retries of a timeout, a dropped connection or a 5xx before the sync fails. */
  maxRetries?: number;
  /** 429s waited out in a row before the sync fails. */
  max429?: number;
}

/** HubSpot's error body: `{"status":"error","message":…,"category":…,"policyName":…,"correlationId":…}`. */
interface ErrorBody {
  message: string;
  category: string | null;
  policyName: string | null;
  requiredScopes: string[];
}

const MAX_MESSAGE = 300;

async function readError(res: Response): Promise<ErrorBody> {
  const text = await res.text().catch(() => '');
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {}
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
  const errors = Array.isArray(body['errors']) ? (body['errors'] as Array<Record<string, unknown>>) : [];
  const requiredScopes = errors.flatMap((e) => {
    const ctx = e['context'] as Record<string, unknown> | undefined;
    return Array.isArray(ctx?.['requiredScopes']) ? (ctx['requiredScopes'] as unknown[]).map(String) : [];
  });
  const message = (str(body['message']) ?? (text.trim() || res.statusText || 'no message')).slice(
    0,
    MAX_MESSAGE,
  );
  return {
    message,
    category: str(body['category']) ?? str(body['errorType']),
    policyName: str(body['policyName']),
    requiredScopes,
  };
}

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class HubspotHttp {
  readonly #o: Required<Omit<HubspotHttpOptions, 'burst' | 'search'>>;
  readonly #guard: CallGuard;
  readonly #burst: SlidingWindow;
  readonly #search: SlidingWindow;
  #usage: CrmUsage = { spent: 0, dailyMax: null, dailyRemaining: null, rateLimited: 0, waitedMs: 0 };

  constructor(opts: HubspotHttpOptions, guard: CallGuard) {
    this.#o = {
      baseUrl: opts.baseUrl.replace(/\/+$/, ''),
      token: opts.token,
      fetch: opts.fetch ?? fetch,
      now: opts.now ?? Date.now,
      sleep: opts.sleep ?? sleepMs,
      timeoutMs: opts.timeoutMs ?? 30_000,
      maxRetries: opts.maxRetries ?? 3,
      max429: opts.max429 ?? 8,
    };
    this.#guard = guard;
    this.#burst = new SlidingWindow(opts.burst ?? DEFAULT_BURST);
    this.#search = new SlidingWindow(opts.search ?? SEARCH_LIMIT);
  }

  usage(): CrmUsage {
    return { ...this.#usage };
  }

  get(path: string, query: Record<string, string | undefined> = {}): Promise<unknown> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v);
    const qs = q.toString();
    return this.#request('GET', qs === '' ? path : `${path}?${qs}`, undefined, false);
  }

  /** `search`: a CRM search endpoint (its own 4-per-second limit). */
  post(path: string, body: unknown, opts: { search?: boolean } = {}): Promise<unknown> {
    return this.#request('POST', path, JSON.stringify(body), opts.search === true);
  }

  async #wait(ms: number): Promise<void> {
    if (ms <= 0) return;
    this.#usage.waitedMs += ms;
    await this.#o.sleep(ms);
  }

  /** Waits for a slot in each window the call counts in; returns what to settle once it is answered. */
  async #pace(search: boolean): Promise<() => void> {
    for (;;) {
      const now = this.#o.now();
      const wait = Math.max(this.#burst.delay(now), search ? this.#search.delay(now) : 0);
      if (wait === 0) break;
      await this.#wait(wait);
    }
    // Checked and taken with no await between: concurrent calls (a page read ahead) never share a slot.
    const now = this.#o.now();
    const burst = this.#burst.record(now);
    const searchSlot = search ? this.#search.record(now) : null;
    return () => {
      const at = this.#o.now();
      this.#burst.settle(burst, at);
      if (searchSlot) this.#search.settle(searchSlot, at);
    };
  }

  /** Takes in what HubSpot said of its limits (search answers say nothing). */
  #observe(h: Headers): void {
    const r = readRateHeaders(h);
    if (r.window) this.#burst.setLimit(r.window);
    if (r.remaining !== null) this.#burst.reconcile(this.#o.now(), r.remaining);
    if (r.daily !== null) this.#usage.dailyMax = r.daily;
    if (r.dailyRemaining !== null) this.#usage.dailyRemaining = r.dailyRemaining;
  }

  async #send(method: string, path: string, body: string | undefined): Promise<Response | Error> {
    try {
      return await this.#o.fetch(`${this.#o.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#o.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  }

  async #request(method: string, path: string, body: string | undefined, search: boolean): Promise<unknown> {
    const what = `${method} ${path.split('?')[0]}`;
    let transient = 0;
    let limited = 0;
    for (;;) {
      const stop = this.#guard(this.usage());
      if (stop !== null) throw new CrmError('budget', stop);
      const settle = await this.#pace(search);
      this.#usage.spent++;
      if (this.#usage.dailyRemaining !== null) this.#usage.dailyRemaining--;
      const res = await this.#send(method, path, body);
      settle();
      if (res instanceof Error) {
        if (++transient > this.#o.maxRetries)
          throw new CrmError('unavailable', `HubSpot did not answer ${what}: ${res.message}`);
        await this.#wait(1000 * 2 ** (transient - 1));
        continue;
      }
      this.#observe(res.headers);
      if (res.ok) return readJson(res, what);
      const err = await readError(res);
      if (res.status === 429) {
        const daily = err.policyName === 'DAILY' || /daily/i.test(err.message);
        if (daily || ++limited > this.#o.max429)
          throw new CrmError(
            'rate_limited',
            `HubSpot refused ${what} for its rate limit: ${err.message}`,
            429,
          );
        this.#usage.rateLimited++;
        await this.#wait(retryAfterMs(res.headers, this.#o.now()) ?? this.#defaultBackoff(err, search));
        continue;
      }
      if (res.status >= 500 || res.status === 408) {
        if (++transient > this.#o.maxRetries)
          throw new CrmError(
            'unavailable',
            `HubSpot answered ${res.status} to ${what}: ${err.message}`,
            res.status,
          );
        await this.#wait(retryAfterMs(res.headers, this.#o.now()) ?? 1000 * 2 ** (transient - 1));
        continue;
      }
      throw refusal(res.status, what, err);
    }
  }

  /** No Retry-After: wait out the window the policy names (search: a second; burst: its interval). */
  #defaultBackoff(err: ErrorBody, search: boolean): number {
    if (search || /SECONDLY/.test(err.policyName ?? '')) return SEARCH_LIMIT.intervalMs;
    return this.#burst.limit.intervalMs;
  }
}

async function readJson(res: Response, what: string): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    throw new CrmError('bad_response', `HubSpot answered ${what} with a body that is not JSON`, res.status);
  }
}

/** A 4xx that retrying will not fix: who must act, and HubSpot's own words. */
function refusal(status: number, what: string, err: ErrorBody): CrmError {
  const cat = err.category ? ` ${err.category}` : '';
  if (status === 401)
    return new CrmError('auth', `HubSpot refused the token (401${cat}): ${err.message}`, status);
  if (status === 403 && err.category === 'MISSING_SCOPES') {
    const scopes = err.requiredScopes.length > 0 ? ` (needs ${err.requiredScopes.join(', ')})` : '';
    return new CrmError(
      'scopes',
      `HubSpot refused ${what}: the private app lacks a scope${scopes}: ${err.message}`,
      status,
    );
  }
  if (status === 403)
    return new CrmError('auth', `HubSpot refused ${what} (403${cat}): ${err.message}`, status);
  return new CrmError('config', `HubSpot refused ${what} (${status}${cat}): ${err.message}`, status);
}
