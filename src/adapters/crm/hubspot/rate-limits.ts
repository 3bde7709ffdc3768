/**
 * HubSpot's rate limits as the client paces itself by them (https://developers.hubspot.com/docs/api/usage-details):
 *
 * - a burst limit per private app, `X-HubSpot-RateLimit-Max` calls per `-Interval-Milliseconds` (100 per
 *   10 s on Free and Starter, 190 on Professional and Enterprise), rolling;
 * - a daily limit per account, `-Daily` and `-Daily-Remaining` (shared with every other integration);
 * - the CRM search endpoints: 4 requests per second per token, and their answers carry none of the headers.
 *
 * The client keeps a sliding log of when its own calls started and waits for a slot before each call, so
 * it runs at the limit without being refused. When HubSpot says fewer calls are left in the window than
 * the log counts (another process uses the same token), the log is filled up to match.
 */

export interface WindowLimit {
  max: number;
  intervalMs: number;
}

/** Before the first answer says otherwise: the lowest published burst limit (Free and Starter). */
export const DEFAULT_BURST: WindowLimit = { max: 100, intervalMs: 10_000 };
export const SEARCH_LIMIT: WindowLimit = { max: 4, intervalMs: 1_000 };

/**
 * HubSpot counts a call when it arrives, which is after we start it by however long the request takes to
 * leave (an event loop busy with a page, a slow network). A call is therefore counted from when it is
 * started until `interval` after its answer came back (the arrival lies between the two), so a late send
 * can never put one call too many in HubSpot's window; it costs one round trip per window. 1 % of the
 * window (100 ms of 10 s) more covers timer granularity.
 */
const MARGIN_SHARE = 0.01;

/** A call in the window: when it started, then when its answer arrived. */
export interface Slot {
  t: number;
}

export class SlidingWindow {
  #limit: WindowLimit;
  /** Ordered by `t`. */
  #slots: Slot[] = [];

  constructor(limit: WindowLimit) {
    this.#limit = limit;
  }

  get limit(): WindowLimit {
    return this.#limit;
  }

  setLimit(limit: WindowLimit): void {
    if (limit.max > 0 && limit.intervalMs > 0) this.#limit = limit;
  }

  #span(): number {
    return this.#limit.intervalMs * (1 + MARGIN_SHARE);
  }

  #prune(nowMs: number): void {
    const from = nowMs - this.#span();
    let drop = 0;
    while (drop < this.#slots.length && this.#slots[drop]!.t <= from) drop++;
    if (drop > 0) this.#slots.splice(0, drop);
  }

  /** Milliseconds until a call may start (0: now). */
  delay(nowMs: number): number {
    this.#prune(nowMs);
    const over = this.#slots.length - this.#limit.max;
    if (over < 0) return 0;
    // The call that must leave the window first for one more to fit.
    return Math.max(0, Math.ceil(this.#slots[over]!.t + this.#span() - nowMs));
  }

  /** A call starts now; settle() its slot when the answer arrives. */
  record(nowMs: number): Slot {
    const slot = { t: nowMs };
    this.#slots.push(slot);
    return slot;
  }

  /** The call's answer arrived: it counts from now (see MARGIN_SHARE). */
  settle(slot: Slot, nowMs: number): void {
    if (nowMs <= slot.t) return;
    slot.t = nowMs;
    this.#slots.sort((a, b) => a.t - b.t);
  }

  /** HubSpot's count of calls left in its window; fewer than ours means others share the limit. */
  reconcile(nowMs: number, remaining: number): void {
    this.#prune(nowMs);
    const deficit = this.#limit.max - remaining - this.#slots.length;
    for (let i = 0; i < deficit; i++) this.#slots.push({ t: nowMs });
  }
}

export interface RateHeaders {
  window: WindowLimit | null;
  remaining: number | null;
  daily: number | null;
  dailyRemaining: number | null;
}

const intHeader = (h: Headers, name: string): number | null => {
  const v = h.get(name);
  if (v === null || !/^\s*\d+\s*$/.test(v)) return null;
  return Number(v);
};

export function readRateHeaders(h: Headers): RateHeaders {
  const max = intHeader(h, 'x-hubspot-ratelimit-max');
  const intervalMs = intHeader(h, 'x-hubspot-ratelimit-interval-milliseconds');
  return {
    window: max !== null && intervalMs !== null ? { max, intervalMs } : null,
    remaining: intHeader(h, 'x-hubspot-ratelimit-remaining'),
    daily: intHeader(h, 'x-hubspot-ratelimit-daily'),
    dailyRemaining: intHeader(h, 'x-hubspot-ratelimit-daily-remaining'),
  };
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function retryAfterMs(h: Headers, nowMs: number): number | null {
  const v = h.get('retry-after')?.trim();
  if (!v) return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}
