import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskSecrets } from '../../../src/adapters/log/logger.ts';

/** Salesforce's secrets never reach a log line: by path (the config slice) or by shape (an access token). */

describe('Salesforce secrets in logs', () => {
  it('an access token is masked inside any message; the refresh token and secret by their config paths', () => {
    const token = '00D5g000004EXAMPLE!AQ0AQHq0dMHEXAMPLEzmpkb58urFRkgeBGsxL_QJWwYMfAbUe';
    expect(maskSecrets(`request failed: Bearer ${token} refused`)).toBe(
      'request failed: Bearer [redacted] refused',
    );
    let out = '';
    const log = createLogger(
      'info',
      new Writable({
        write(chunk, _e, cb) {
          out += String(chunk);
          cb();
        },
      }),
    );
    log.info(
      {
        crm: {
          salesforce: { auth: { kind: 'refresh', refreshToken: '5Aep861SECRET', clientSecret: 'CSSECRET' } },
        },
        SALESFORCE_REFRESH_TOKEN: '5Aep861SECRET',
      },
      `token ${token}`,
    );
    expect(out).not.toContain('5Aep861SECRET');
    expect(out).not.toContain('CSSECRET');
    expect(out).not.toContain('AQ0AQHq0dMH');
    expect(out).toContain('[redacted]');
  });
});
