import { z } from 'zod';
import { blankToUndefined, num, optionalString } from './fields.ts';

/**
 * The Salesforce connector's variables (issue 16; README "CRM connectors" → Salesforce), kept beside the
 * schema so its slice and its cross-variable rules read together. Unset SALESFORCE_CLIENT_ID: Salesforce
 * is not synced. Set: exactly one way to get a token, JWT bearer (a key file and a username) or a
 * refresh token (and the consumer secret when the app requires it).
 */

export const SALESFORCE_ENV = {
  SALESFORCE_LOGIN_URL: z.preprocess(blankToUndefined, z.url().default('https://login.salesforce.com')),
  SALESFORCE_INSTANCE_URL: z.preprocess(blankToUndefined, z.url().optional()),
  SALESFORCE_CLIENT_ID: optionalString,
  SALESFORCE_CLIENT_SECRET: optionalString,
  SALESFORCE_REFRESH_TOKEN: optionalString,
  SALESFORCE_JWT_KEY_FILE: optionalString,
  SALESFORCE_USERNAME: optionalString,
  SALESFORCE_API_VERSION: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d{2,3}\.0$/, 'must be an API version like 62.0')
      .default('62.0'),
  ),
  SALESFORCE_BULK_THRESHOLD: num(10_000, (n) => n.int().positive()),
};

type SalesforceEnv = z.infer<z.ZodObject<typeof SALESFORCE_ENV>>;

export interface SalesforceConfig {
  loginUrl: string;
  /** Null: the token response's instance_url. */
  instanceUrl: string | null;
  clientId: string;
  auth:
    | { kind: 'jwt'; keyFile: string; username: string }
    | { kind: 'refresh'; refreshToken: string; clientSecret: string | null };
  apiVersion: string;
  bulkThreshold: number;
}

const trim = (url: string) => url.replace(/\/+$/, '');

/** Null without SALESFORCE_CLIENT_ID (salesforceProblems has refused every incomplete combination). */
export function salesforceSlice(e: SalesforceEnv): SalesforceConfig | null {
  if (!e.SALESFORCE_CLIENT_ID) return null;
  const auth: SalesforceConfig['auth'] = e.SALESFORCE_JWT_KEY_FILE
    ? {
        kind: 'jwt',
        keyFile: e.SALESFORCE_JWT_KEY_FILE.trim(),
        username: e.SALESFORCE_USERNAME?.trim() ?? '',
      }
    : {
        kind: 'refresh',
        refreshToken: e.SALESFORCE_REFRESH_TOKEN?.trim() ?? '',
        clientSecret: e.SALESFORCE_CLIENT_SECRET?.trim() ?? null,
      };
  return {
    loginUrl: trim(e.SALESFORCE_LOGIN_URL),
    instanceUrl: e.SALESFORCE_INSTANCE_URL ? trim(e.SALESFORCE_INSTANCE_URL) : null,
    clientId: e.SALESFORCE_CLIENT_ID.trim(),
    auth,
    apiVersion: e.SALESFORCE_API_VERSION,
    bulkThreshold: e.SALESFORCE_BULK_THRESHOLD,
  };
}

/** Combinations of the variables that cannot get a token, each named (checked on the raw environment). */
export function salesforceProblems(env: Record<string, string | undefined>): string[] {
  const set = (k: string) => Boolean(env[k]?.trim());
  const problems: string[] = [];
  const jwt = set('SALESFORCE_JWT_KEY_FILE') || set('SALESFORCE_USERNAME');
  const refresh = set('SALESFORCE_REFRESH_TOKEN');
  if (!set('SALESFORCE_CLIENT_ID')) {
    const given = [
      'SALESFORCE_JWT_KEY_FILE',
      'SALESFORCE_USERNAME',
      'SALESFORCE_REFRESH_TOKEN',
      'SALESFORCE_CLIENT_SECRET',
      'SALESFORCE_INSTANCE_URL',
    ].filter(set);
    if (given.length > 0)
      problems.push(
        `SALESFORCE_CLIENT_ID (the connected app's consumer key) is required with ${given.join(', ')}`,
      );
    return problems;
  }
  if (!jwt && !refresh)
    problems.push(
      'SALESFORCE_CLIENT_ID is set: also set SALESFORCE_JWT_KEY_FILE and SALESFORCE_USERNAME (JWT bearer flow) or SALESFORCE_REFRESH_TOKEN (refresh token flow)',
    );
  if (jwt && refresh)
    problems.push(
      'set either SALESFORCE_JWT_KEY_FILE with SALESFORCE_USERNAME (JWT bearer flow) or SALESFORCE_REFRESH_TOKEN, not both',
    );
  if (jwt && !refresh) {
    if (!set('SALESFORCE_JWT_KEY_FILE'))
      problems.push(
        'SALESFORCE_JWT_KEY_FILE (the private key whose certificate the connected app has) is required with SALESFORCE_USERNAME',
      );
    if (!set('SALESFORCE_USERNAME'))
      problems.push(
        'SALESFORCE_USERNAME (the pre-authorized integration user) is required with SALESFORCE_JWT_KEY_FILE',
      );
  }
  return problems;
}
