import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CrmError } from '../../../app/crm/ports.ts';
import { parseAnswer, tokenGranted } from './responses.ts';

/**
 * Getting an access token from Salesforce's OAuth token endpoint (`POST {login}/services/oauth2/token`),
 * by one of the two flows a connected app offers a server with no one at the keyboard:
 *
 * - JWT bearer: an assertion signed RS256 with the private key whose certificate is uploaded to the
 *   connected app (claims iss = consumer key, sub = username, aud = login URL, exp ≤ 3 minutes ahead);
 *   the user must be pre-authorized (profile or permission set) since nobody approves it interactively.
 * - Refresh token: a refresh token issued once to the integration user (scopes `api refresh_token`).
 *
 * Neither counts against the org's API requests. A refused grant (`invalid_grant`: revoked token,
 * unapproved user, wrong certificate) is CrmError('auth') with Salesforce's own description; the
 * secrets (key, refresh token, client secret, the assertion) only ever travel in the request body.
 */

export type SalesforceCredentials =
  | { kind: 'jwt'; clientId: string; username: string; privateKey: KeyObject }
  | { kind: 'refresh'; clientId: string; clientSecret: string | null; refreshToken: string };

export interface AccessToken {
  accessToken: string;
  /** The org's own host (`https://acme.my.salesforce.com`), where the API calls go. */
  instanceUrl: string;
}

export interface TokenRequest {
  loginUrl: string;
  credentials: SalesforceCredentials;
  fetch: typeof fetch;
  nowMs: number;
  timeoutMs: number;
}

/** Salesforce refuses an assertion whose exp is more than 3 minutes ahead. */
export const JWT_LIFETIME_S = 180;

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** An RS256 JWT bearer assertion (RFC 7523) for the connected app and user. */
export function signAssertion(
  c: { clientId: string; username: string; privateKey: KeyObject },
  audience: string,
  nowMs: number,
): string {
  const header = b64url(JSON.stringify({ alg: 'RS256' }));
  const claims = b64url(
    JSON.stringify({
      iss: c.clientId,
      sub: c.username,
      aud: audience,
      exp: Math.floor(nowMs / 1000) + JWT_LIFETIME_S,
    }),
  );
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), c.privateKey);
  return `${header}.${claims}.${b64url(signature)}`;
}

/** The private key of SALESFORCE_JWT_KEY_FILE (PEM, PKCS#8 or PKCS#1), or why it cannot be used. */
export function loadPrivateKey(path: string): KeyObject | { problem: string } {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (e) {
    return {
      problem: `SALESFORCE_JWT_KEY_FILE ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    };
  }
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa')
      return { problem: `SALESFORCE_JWT_KEY_FILE ${path}: not an RSA private key (JWT bearer signs RS256)` };
    return key;
  } catch {
    return { problem: `SALESFORCE_JWT_KEY_FILE ${path}: not a PEM private key` };
  }
}

function grantBody(r: TokenRequest): URLSearchParams {
  const c = r.credentials;
  if (c.kind === 'jwt')
    return new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: signAssertion(c, r.loginUrl, r.nowMs),
    });
  const body = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: c.clientId,
    refresh_token: c.refreshToken,
  });
  if (c.clientSecret !== null) body.set('client_secret', c.clientSecret);
  return body;
}

const grantName = (c: SalesforceCredentials) =>
  c.kind === 'jwt' ? 'the JWT bearer grant' : 'the refresh token';

/** One token request: the token, or a CrmError (`auth` when refused, `unavailable` when it may pass). */
export async function requestToken(r: TokenRequest): Promise<AccessToken> {
  const what = 'POST /services/oauth2/token';
  let res: Response;
  try {
    res = await r.fetch(`${r.loginUrl}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: grantBody(r).toString(),
      signal: AbortSignal.timeout(r.timeoutMs),
    });
  } catch (e) {
    throw new CrmError('unavailable', `Salesforce did not answer ${what}: ${(e as Error).message}`);
  }
  const text = await res.text().catch(() => '');
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {}
  if (res.ok) {
    const t = parseAnswer(tokenGranted, body, what);
    return { accessToken: t.access_token, instanceUrl: t.instance_url.replace(/\/+$/, '') };
  }
  const o = (body ?? {}) as Record<string, unknown>;
  const code = typeof o['error'] === 'string' ? o['error'] : null;
  const desc = typeof o['error_description'] === 'string' ? o['error_description'] : text.slice(0, 300);
  if (res.status >= 500 || res.status === 429)
    throw new CrmError('unavailable', `Salesforce answered ${res.status} to ${what}: ${desc}`, res.status);
  throw new CrmError(
    'auth',
    `Salesforce refused ${grantName(r.credentials)} (${res.status}${code ? ` ${code}` : ''}): ${desc || 'no reason given'}`,
    res.status,
  );
}
