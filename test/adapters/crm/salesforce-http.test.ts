import { generateKeyPairSync, verify } from 'node:crypto';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JWT_LIFETIME_S, type SalesforceCredentials } from '../../../src/adapters/crm/salesforce/auth.ts';
import { SalesforceHttp } from '../../../src/adapters/crm/salesforce/http.ts';
import { CrmError } from '../../../src/app/crm/ports.ts';

/**
 * The Salesforce HTTP client against nock, with Salesforce's documented answers: the OAuth token
 * endpoint's grant and `invalid_grant`, `Sforce-Limit-Info`, the REST error list
 * (`[{"message","errorCode"}]`) for an expired session, the daily and the concurrent request limits,
 * 429/503 with Retry-After. Time is simulated: sleeps advance the clock and are asserted exactly.
 */

const LOGIN = 'https://login.salesforce.com';
const INSTANCE = 'https://acme.my.salesforce.com';
const V = '/services/data/v62.0';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const JWT: SalesforceCredentials = {
  kind: 'jwt',
  clientId: '3MVG9A2kN3Bn17huEXAMPLEconsumerKey',
  username: 'integration@acme.example',
  privateKey,
};
const REFRESH: Extract<SalesforceCredentials, { kind: 'refresh' }> = {
  kind: 'refresh',
  clientId: '3MVG9A2kN3Bn17huEXAMPLEconsumerKey',
  clientSecret: 'SECRET-1955279925675241571',
  refreshToken: '5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJo7Xr34yOQ7GCFUN5DnNPxzDIoGoWi4evqOl_REFRESH',
};
const ACCESS = '00D5g000004EXAMPLE!AQ0AQHq0dMHEXAMPLEzmpkb58urFRkgeBGsxL_QJWwYMfAbUeeG7c1E';
const NOW = 1_800_000_000_000;

const granted = (token = ACCESS) => ({
  access_token: token,
  instance_url: INSTANCE,
  id: 'https://login.salesforce.com/id/00D5g000004EXAMPLE/0055g00000EXAMPLE',
  token_type: 'Bearer',
  issued_at: String(NOW),
  signature: 'CMJ4l+CCaPQiKjoOEwEig9H4wqhpuLSk4J2urAe+fVg=',
});
const EMPTY = { totalSize: 0, done: true, records: [] };
const usage = (used: number, max = 100_000) => ({ 'Sforce-Limit-Info': `api-usage=${used}/${max}` });

function clock() {
  let now = NOW;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

const client = (
  credentials: SalesforceCredentials = JWT,
  c = clock(),
  guard: () => string | null = () => null,
  extra = {},
) =>
  new SalesforceHttp(
    {
      loginUrl: LOGIN,
      instanceUrl: null,
      apiVersion: '62.0',
      credentials,
      now: c.now,
      sleep: c.sleep,
      ...extra,
    },
    guard,
  );

/** Captures the token requests' form bodies. */
function tokenEndpoint(times = 1, reply: [number, unknown] = [200, granted()]) {
  const bodies: URLSearchParams[] = [];
  nock(LOGIN)
    .post('/services/oauth2/token', (b: string | Record<string, string>) => {
      bodies.push(new URLSearchParams(typeof b === 'string' ? b : (b as Record<string, string>)));
      return true;
    })
    .times(times)
    .reply(reply[0], reply[1] as nock.Body);
  return bodies;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe('Salesforce OAuth', () => {
  it('JWT bearer: an RS256 assertion (iss, sub, aud, exp ≤ 3 min) verified with the public key', async () => {
    const bodies = tokenEndpoint();
    nock(INSTANCE, { reqheaders: { authorization: `Bearer ${ACCESS}` } })
      .get(`${V}/query`)
      .query({ q: 'SELECT Id FROM User' })
      .reply(200, EMPTY, usage(18, 15_000));
    const http = client();
    expect(await http.query('SELECT Id FROM User')).toEqual(EMPTY);

    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [header, claims, signature] = bodies[0]!.get('assertion')!.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'RS256' });
    const c = JSON.parse(Buffer.from(claims!, 'base64url').toString());
    expect(c).toEqual({
      iss: JWT.clientId,
      sub: 'integration@acme.example',
      aud: LOGIN,
      exp: NOW / 1000 + JWT_LIFETIME_S,
    });
    expect(c.exp - NOW / 1000).toBeLessThanOrEqual(180);
    const signed = Buffer.from(`${header}.${claims}`);
    expect(verify('sha256', signed, publicKey, Buffer.from(signature!, 'base64url'))).toBe(true);
    // Tampered claims do not verify: the signature covers them.
    expect(
      verify('sha256', Buffer.from(`${header}.${claims}x`), publicKey, Buffer.from(signature!, 'base64url')),
    ).toBe(false);

    // The API calls go to the instance the token names; the allowance comes from Sforce-Limit-Info.
    expect(http.usage()).toMatchObject({ spent: 1, dailyMax: 15_000, dailyRemaining: 14_982 });
  });

  it('refresh token: client id, secret and token in the body; SALESFORCE_INSTANCE_URL wins over instance_url', async () => {
    const bodies = tokenEndpoint();
    nock('https://override.my.salesforce.com').get(`${V}/query`).query(true).reply(200, EMPTY, usage(1));
    const c = clock();
    const http = new SalesforceHttp(
      {
        loginUrl: `${LOGIN}/`,
        instanceUrl: 'https://override.my.salesforce.com/',
        apiVersion: '62.0',
        credentials: REFRESH,
        now: c.now,
        sleep: c.sleep,
      },
      () => null,
    );
    await http.query('SELECT Id FROM Lead');
    expect(Object.fromEntries(bodies[0]!)).toEqual({
      grant_type: 'refresh_token',
      client_id: REFRESH.clientId,
      client_secret: 'SECRET-1955279925675241571',
      refresh_token: REFRESH.refreshToken,
    });
  });

  it('an expired session (401 INVALID_SESSION_ID) gets one new token and the call again', async () => {
    const bodies = tokenEndpoint(1, [200, granted('00D5g000004EXAMPLE!first')]);
    nock(INSTANCE, { reqheaders: { authorization: 'Bearer 00D5g000004EXAMPLE!first' } })
      .get(`${V}/query`)
      .query(true)
      .reply(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    tokenEndpoint(1, [200, granted('00D5g000004EXAMPLE!second')]);
    nock(INSTANCE, { reqheaders: { authorization: 'Bearer 00D5g000004EXAMPLE!second' } })
      .get(`${V}/query`)
      .query(true)
      .reply(200, EMPTY, usage(2));
    const http = client();
    expect(await http.query('SELECT Id FROM Lead')).toEqual(EMPTY);
    expect(bodies).toHaveLength(1);
    expect(http.usage().spent).toBe(2);
  });

  it('a session refused again after the refresh fails as auth, with no loop', async () => {
    tokenEndpoint(2);
    nock(INSTANCE)
      .get(`${V}/query`)
      .query(true)
      .times(2)
      .reply(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const err = (await client()
      .query('SELECT Id FROM Lead')
      .catch((e: unknown) => e)) as CrmError;
    expect(err).toBeInstanceOf(CrmError);
    expect(err).toMatchObject({ kind: 'auth', status: 401 });
    expect(err.message).toBe(
      'Salesforce refused the session (401 INVALID_SESSION_ID): Session expired or invalid',
    );
  });

  it('a refused grant (invalid_grant) is an auth failure with the reason, and never the secrets', async () => {
    tokenEndpoint(1, [400, { error: 'invalid_grant', error_description: 'expired access/refresh token' }]);
    const err = (await client(REFRESH)
      .query('SELECT Id FROM Lead')
      .catch((e: unknown) => e)) as CrmError;
    expect(err).toMatchObject({ kind: 'auth', status: 400 });
    expect(err.message).toBe(
      'Salesforce refused the refresh token (400 invalid_grant): expired access/refresh token',
    );
    expect(err.message).not.toContain('SECRET');
    expect(err.message).not.toContain('5Aep861');

    tokenEndpoint(1, [
      400,
      { error: 'invalid_grant', error_description: "user hasn't approved this consumer" },
    ]);
    const jwt = (await client()
      .query('SELECT Id FROM Lead')
      .catch((e: unknown) => e)) as CrmError;
    expect(jwt.message).toBe(
      "Salesforce refused the JWT bearer grant (400 invalid_grant): user hasn't approved this consumer",
    );
  });
});

describe('Salesforce limits and errors', () => {
  it("the daily limit (403 REQUEST_LIMIT_EXCEEDED TotalRequests) is not retried: Salesforce's words", async () => {
    tokenEndpoint();
    nock(INSTANCE)
      .get(`${V}/query`)
      .query(true)
      .reply(
        403,
        [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
        usage(100_012),
      );
    const http = client();
    const err = (await http.query('SELECT Id FROM Lead').catch((e: unknown) => e)) as CrmError;
    expect(err).toMatchObject({ kind: 'rate_limited', status: 403 });
    expect(err.message).toContain("the org's daily API request limit is reached");
    expect(err.message).toContain('TotalRequests Limit exceeded.');
    // Past the limit (bursts) is none left, never a negative count.
    expect(http.usage()).toMatchObject({ dailyMax: 100_000, dailyRemaining: 0 });
  });

  it('the concurrent-request limit, a 429 and a 503 are waited out for their Retry-After, then retried', async () => {
    tokenEndpoint();
    nock(INSTANCE)
      .get(`${V}/query`)
      .query(true)
      .reply(403, [
        { message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
      ])
      .get(`${V}/query`)
      .query(true)
      .reply(429, [{ message: 'Too many requests', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], {
        'Retry-After': '5',
      })
      .get(`${V}/query`)
      .query(true)
      .reply(503, 'Service Unavailable', { 'Retry-After': '7' })
      .get(`${V}/query`)
      .query(true)
      .reply(200, EMPTY, usage(40));
    const c = clock();
    const http = client(JWT, c);
    expect(await http.query('SELECT Id FROM Lead')).toEqual(EMPTY);
    expect(c.slept).toEqual([1000, 5000, 7000]);
    expect(http.usage()).toMatchObject({ spent: 4, rateLimited: 2, waitedMs: 13_000 });
  });

  it('a field the org does not have (400 INVALID_FIELD) fails as config, naming it', async () => {
    tokenEndpoint();
    nock(INSTANCE)
      .get(`${V}/query`)
      .query(true)
      .reply(400, [
        {
          message:
            "\nSELECT Id, Region__c FROM Lead\n           ^\nERROR at Row:1:Column:12\nNo such column 'Region__c' on entity 'Lead'.",
          errorCode: 'INVALID_FIELD',
        },
      ]);
    const err = (await client()
      .query('SELECT Id, Region__c FROM Lead')
      .catch((e: unknown) => e)) as CrmError;
    expect(err).toMatchObject({ kind: 'config', status: 400 });
    expect(err.message).toContain("No such column 'Region__c' on entity 'Lead'.");
  });

  it('a user without API access (403 API_DISABLED_FOR_ORG) fails as a missing permission', async () => {
    tokenEndpoint();
    nock(INSTANCE)
      .get(`${V}/query`)
      .query(true)
      .reply(403, [
        { message: 'The REST API is not enabled for this Organization.', errorCode: 'API_DISABLED_FOR_ORG' },
      ]);
    await expect(client().query('SELECT Id FROM Lead')).rejects.toMatchObject({
      kind: 'scopes',
      status: 403,
    });
  });

  it('the guard is asked before every call: the daily share stops the sync before the call', async () => {
    tokenEndpoint();
    nock(INSTANCE).get(`${V}/query`).query(true).reply(200, EMPTY, usage(10));
    let calls = 0;
    const http = client(JWT, clock(), () => (calls++ >= 1 ? 'share reached' : null));
    await http.query('SELECT Id FROM Lead');
    await expect(http.query('SELECT Id FROM Lead')).rejects.toMatchObject({
      kind: 'budget',
      message: 'share reached',
    });
    expect(http.usage().spent).toBe(1);
  });
});
