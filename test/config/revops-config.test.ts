import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig as load } from '../../src/config/config.ts';

/** The RevOps variables (issue 14): the weekly digest's channel, schedule and zone, and the stuck rule. */
const loadConfig = (env: Record<string, string | undefined>) => load({ PII_HASH_KEY: 'k', ...env });

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('RevOps configuration', () => {
  it('defaults: no digest channel, Monday 09:00 UTC, stuck from 45 days and $50,000', () => {
    expect(loadConfig({}).revops).toEqual({
      digest: { channel: null, cron: '0 9 * * 1', timezone: 'UTC' },
      stuck: { minDays: 45, minCents: 5_000_000 },
    });
  });

  it('DIGEST_* and REVOPS_STUCK_* override; the digest does not fall back to the alerts channel', () => {
    const c = loadConfig({
      ALERTS_CHANNEL: 'CALERTS',
      DIGEST_CHANNEL: 'CREVOPS',
      DIGEST_TIMEZONE: 'America/New_York',
      DIGEST_CRON: '30 8 * * 1',
      REVOPS_STUCK_DAYS: '30',
      REVOPS_STUCK_MIN_USD: '25000.50',
    });
    expect(c.revops).toEqual({
      digest: { channel: 'CREVOPS', cron: '30 8 * * 1', timezone: 'America/New_York' },
      stuck: { minDays: 30, minCents: 2_500_050 },
    });
    expect(loadConfig({ ALERTS_CHANNEL: 'CALERTS' }).revops.digest.channel).toBeNull();
  });

  it('lists every bad RevOps variable at once', () => {
    const problems = problemsOf({
      DIGEST_CHANNEL: '#revops',
      DIGEST_TIMEZONE: 'Mars/Olympus',
      DIGEST_CRON: 'every monday',
      REVOPS_STUCK_DAYS: '0',
      REVOPS_STUCK_MIN_USD: '-1',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DIGEST_CHANNEL must be a Slack id like C0123ABCD/),
        expect.stringMatching(/^DIGEST_CRON "every monday" is not a cron expression/),
        expect.stringMatching(/^REVOPS_STUCK_DAYS /),
        expect.stringMatching(/^REVOPS_STUCK_MIN_USD /),
        'DIGEST_TIMEZONE "Mars/Olympus" is not an IANA time zone (e.g. UTC, Europe/Berlin)',
      ]),
    );
  });
});
