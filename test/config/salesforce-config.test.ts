import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig as load } from '../../src/config/config.ts';

/** SALESFORCE_* (issue 16): one way to get a token, every incomplete combination listed at once. */

const loadConfig = (env: Record<string, string>) => load({ PII_HASH_KEY: 'config-test-pii-key', ...env });
const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

describe('Salesforce configuration', () => {
  it('unset: not synced', () => {
    expect(loadConfig({}).crm.salesforce).toBeNull();
  });

  it('JWT bearer: the login URL (default), the key file and the user; instance from the token unless set', () => {
    expect(
      loadConfig({
        SALESFORCE_CLIENT_ID: '3MVG9key',
        SALESFORCE_JWT_KEY_FILE: '/run/secrets/sf.key',
        SALESFORCE_USERNAME: 'integration@acme.example',
      }).crm.salesforce,
    ).toEqual({
      loginUrl: 'https://login.salesforce.com',
      instanceUrl: null,
      clientId: '3MVG9key',
      auth: { kind: 'jwt', keyFile: '/run/secrets/sf.key', username: 'integration@acme.example' },
      apiVersion: '62.0',
      bulkThreshold: 10_000,
    });
  });

  it('refresh token, a sandbox login URL, an instance URL, an API version and a bulk threshold', () => {
    expect(
      loadConfig({
        SALESFORCE_CLIENT_ID: '3MVG9key',
        SALESFORCE_CLIENT_SECRET: 'secret',
        SALESFORCE_REFRESH_TOKEN: '5Aep861token',
        SALESFORCE_LOGIN_URL: 'https://test.salesforce.com/',
        SALESFORCE_INSTANCE_URL: 'https://acme--uat.sandbox.my.salesforce.com',
        SALESFORCE_API_VERSION: '61.0',
        SALESFORCE_BULK_THRESHOLD: '50000',
      }).crm.salesforce,
    ).toEqual({
      loginUrl: 'https://test.salesforce.com',
      instanceUrl: 'https://acme--uat.sandbox.my.salesforce.com',
      clientId: '3MVG9key',
      auth: { kind: 'refresh', refreshToken: '5Aep861token', clientSecret: 'secret' },
      apiVersion: '61.0',
      bulkThreshold: 50_000,
    });
  });

  it('every problem is listed: no way to a token, both ways, half of JWT, bad values', () => {
    expect(problems({ SALESFORCE_CLIENT_ID: 'k' })).toEqual([
      'SALESFORCE_CLIENT_ID is set: also set SALESFORCE_JWT_KEY_FILE and SALESFORCE_USERNAME (JWT bearer flow) or SALESFORCE_REFRESH_TOKEN (refresh token flow)',
    ]);
    expect(
      problems({ SALESFORCE_CLIENT_ID: 'k', SALESFORCE_JWT_KEY_FILE: '/k', SALESFORCE_REFRESH_TOKEN: 'r' }),
    ).toEqual([
      'set either SALESFORCE_JWT_KEY_FILE with SALESFORCE_USERNAME (JWT bearer flow) or SALESFORCE_REFRESH_TOKEN, not both',
    ]);
    expect(problems({ SALESFORCE_CLIENT_ID: 'k', SALESFORCE_USERNAME: 'u@x' })).toEqual([
      'SALESFORCE_JWT_KEY_FILE (the private key whose certificate the connected app has) is required with SALESFORCE_USERNAME',
    ]);
    expect(problems({ SALESFORCE_REFRESH_TOKEN: 'TOPSECRET' })).toEqual([
      "SALESFORCE_CLIENT_ID (the connected app's consumer key) is required with SALESFORCE_REFRESH_TOKEN",
    ]);
    const bad = problems({
      SALESFORCE_CLIENT_ID: 'k',
      SALESFORCE_REFRESH_TOKEN: 'TOPSECRET',
      SALESFORCE_LOGIN_URL: 'login.salesforce.com',
      SALESFORCE_API_VERSION: 'v62',
      SALESFORCE_BULK_THRESHOLD: '0',
    });
    expect(bad).toHaveLength(3);
    expect(bad.join('\n')).toMatch(/SALESFORCE_LOGIN_URL/);
    expect(bad.join('\n')).toContain('SALESFORCE_API_VERSION must be an API version like 62.0');
    expect(bad.join('\n')).toMatch(/SALESFORCE_BULK_THRESHOLD/);
    expect(bad.join('\n')).not.toContain('TOPSECRET');
  });
});
