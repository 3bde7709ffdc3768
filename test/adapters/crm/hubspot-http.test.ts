import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HubspotHttp } from '../../../src/adapters/crm/hubspot/http.ts';
import { SlidingWindow } from '../../../src/adapters/crm/hubspot/rate-limits.ts';
import { CrmError } from '../../../src/app/crm/ports.ts';

/**
 * The HubSpot HTTP client against nock, with HubSpot's documented answers: rate-limit headers, the 429
 * body and Retry-After, the 401 of a revoked token, the 403 of a missing scope. Time is simulated: the
 * client's sleeps advance the clock, so every wait is asserted to the millisecond and costs nothing.
 */

const API = 'https://api.hubapi.com';
const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';

function clock(startMs = 1_800_000_000_000) {
  let now = startMs;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    slept,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const client = (c = clock(), guard: () => string | null = () => null, extra = {}) =>
  new HubspotHttp({ baseUrl: API, token: TOKEN, now: c.now, sleep: c.sleep, ...extra }, guard);

const rateHeaders = (remaining: number, dailyRemaining = 249_000) => ({
  'X-HubSpot-RateLimit-Max': '100',
  'X-HubSpot-RateLimit-Remaining': String(remaining),
  'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
  'X-HubSpot-RateLimit-Daily': '250000',
  'X-HubSpot-RateLimit-Daily-Remaining': String(dailyRemaining),
});

const OWNERS = { results: [], paging: undefined };

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe('HubSpot HTTP client', () => {
  it('sends the private-app token as a bearer token and reads the rate-limit headers', async () => {
    nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get('/crm/v3/owners')
      .query({ limit: '100' })
      .reply(200, OWNERS, rateHeaders(99, 248_500));
    const http = client();
    expect(await http.get('/crm/v3/owners', { limit: '100', after: undefined })).toEqual({ results: [] });
    expect(http.usage()).toMatchObject({
      spent: 1,
      dailyMax: 250_000,
      dailyRemaining: 248_500,
      rateLimited: 0,
    });
  });

  it('a 429 is waited out for its Retry-After, then retried', async () => {
    nock(API)
      .get('/crm/v3/owners')
      .reply(
        429,
        {
          status: 'error',
          message: 'You have reached your ten_secondly_rolling limit.',
          errorType: 'RATE_LIMIT',
          correlationId: 'c033cdaa-2c40-4a64-ae48-b4cec88dad24',
          policyName: 'TEN_SECONDLY_ROLLING',
        },
        { 'Retry-After': '3', ...rateHeaders(0) },
      )
      .get('/crm/v3/owners')
      .reply(200, OWNERS, rateHeaders(99));
    const c = clock();
    const http = client(c);
    await http.get('/crm/v3/owners');
    expect(c.slept).toContain(3000);
    expect(http.usage()).toMatchObject({ spent: 2, rateLimited: 1 });
  });

  it("the daily limit is not retried: the sync stops with HubSpot's words", async () => {
    nock(API).get('/crm/v3/owners').reply(429, {
      status: 'error',
      message: 'You have reached your daily limit.',
      errorType: 'RATE_LIMIT',
      correlationId: 'c033cdaa-2c40-4a64-ae48-b4cec88dad24',
      policyName: 'DAILY',
      requestId: '3d3e35b7-0dae-4b9f-a6e3-9c230cbcf8dd',
    });
    const err = await client()
      .get('/crm/v3/owners')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CrmError);
    expect(err).toMatchObject({ kind: 'rate_limited', status: 429 });
    expect((err as Error).message).toContain('You have reached your daily limit.');
  });

  it('a revoked token (401) fails at once, with the reason and never the token', async () => {
    nock(API).get('/crm/v3/pipelines/deals').reply(401, {
      status: 'error',
      message:
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
      correlationId: '501fd6e4-ae6c-4bb1-8f5d-8cf4ff1b1d43',
      category: 'INVALID_AUTHENTICATION',
    });
    const err = (await client()
      .get('/crm/v3/pipelines/deals')
      .catch((e: unknown) => e)) as CrmError;
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(
      /^HubSpot refused the token \(401 INVALID_AUTHENTICATION\): Authentication credentials not found/,
    );
    expect(err.message).not.toContain(TOKEN);
  });

  it('a missing scope (403 MISSING_SCOPES) names the scope the private app needs', async () => {
    nock(API)
      .post('/crm/v3/objects/deals/search')
      .reply(403, {
        status: 'error',
        message:
          "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
        correlationId: 'b9e1f4a5-9f9c-4a3f-a0b8-2f1a0c1d2e3f',
        errors: [
          {
            message: 'One or more of the following scopes are required.',
            context: { requiredScopes: ['crm.objects.deals.read'] },
          },
        ],
        links: { 'scopes-documentation': 'https://developers.hubspot.com/scopes' },
        category: 'MISSING_SCOPES',
      });
    const err = (await client()
      .post('/crm/v3/objects/deals/search', {}, { search: true })
      .catch((e: unknown) => e)) as CrmError;
    expect(err.kind).toBe('scopes');
    expect(err.message).toContain('(needs crm.objects.deals.read)');
  });

  it('a 5xx or a dropped connection is retried with backoff, then fails as unavailable', async () => {
    nock(API)
      .get('/crm/v3/owners')
      .reply(502, 'Bad Gateway')
      .get('/crm/v3/owners')
      .replyWithError('socket hang up')
      .get('/crm/v3/owners')
      .reply(200, OWNERS);
    const c = clock();
    await client(c).get('/crm/v3/owners');
    expect(c.slept).toEqual([1000, 2000]);

    nock(API).get('/crm/v3/owners').times(2).reply(503, { status: 'error', message: 'Service Unavailable' });
    const err = (await client(clock(), () => null, { maxRetries: 1 })
      .get('/crm/v3/owners')
      .catch((e: unknown) => e)) as CrmError;
    expect(err.kind).toBe('unavailable');
    expect(err.message).toBe('HubSpot answered 503 to GET /crm/v3/owners: Service Unavailable');
  });

  it('the guard is asked before every call: the daily share stops the sync before the call', async () => {
    let calls = 0;
    nock(API).get('/crm/v3/owners').reply(200, OWNERS, rateHeaders(99));
    const http = client(clock(), () => (calls++ >= 1 ? 'share reached' : null));
    await http.get('/crm/v3/owners');
    await expect(http.get('/crm/v3/owners')).rejects.toMatchObject({
      kind: 'budget',
      message: 'share reached',
    });
    expect(http.usage().spent).toBe(1);
  });

  it('paces itself to the burst limit HubSpot announces, and to 4 searches a second', async () => {
    const c = clock();
    nock(API)
      .get('/crm/v3/owners')
      .times(3)
      .reply(200, OWNERS, {
        ...rateHeaders(1),
        'X-HubSpot-RateLimit-Max': '2',
        'X-HubSpot-RateLimit-Interval-Milliseconds': '1000',
      });
    const http = client(c);
    for (let i = 0; i < 3; i++) await http.get('/crm/v3/owners');
    // Two fit the announced window; the third waits for the first to leave it (plus the 1 % margin).
    expect(c.slept).toEqual([1010]);

    const s = clock();
    nock(API).post('/crm/v3/objects/contacts/search').times(5).reply(200, { total: 0, results: [] });
    const searching = client(s);
    for (let i = 0; i < 5; i++) await searching.post('/crm/v3/objects/contacts/search', {}, { search: true });
    expect(s.slept).toEqual([1010]);
  });

  it("a window shared with another process: HubSpot's remaining count wins over ours", () => {
    const w = new SlidingWindow({ max: 10, intervalMs: 10_000 });
    w.record(0);
    expect(w.delay(1)).toBe(0);
    w.reconcile(1, 0); // HubSpot says none left: 9 calls were made by someone else
    expect(w.delay(2)).toBe(10_100 - 2);
  });

  it('a call counts in the window until an interval after its answer: a late send is never one too many', () => {
    const w = new SlidingWindow({ max: 1, intervalMs: 1000 });
    const slot = w.record(0);
    w.settle(slot, 300); // answered 300 ms later: HubSpot may have counted it as late as that
    expect(w.delay(1000)).toBe(1310 - 1000);
  });
});
