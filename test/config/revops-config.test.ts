import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig as load } from '../../src/config/config.ts';

/**
 * The RevOps variables (issue 14): the weekly digest's channel, schedule and zone, the stuck rule, the leak
 * budget and the pipeline watch's schedule.
 */
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
  it('defaults: no digest channel, Monday 09:00 UTC, stuck from 45 days and $50,000, no leak budget', () => {
    expect(loadConfig({}).revops).toEqual({
      digest: { channel: null, cron: '0 9 * * 1', timezone: 'UTC' },
      stuck: { minDays: 45, minCents: 5_000_000 },
      leakBudgetCents: null,
      watchCron: '0 8 * * *',
    });
    // Blank is unset, as for every variable.
    expect(loadConfig({ REVOPS_LEAK_BUDGET_USD: '  ' }).revops.leakBudgetCents).toBeNull();
  });

  it('REVOPS_LEAK_BUDGET_USD is dollars to the cent; REVOPS_WATCH_CRON moves the pipeline watch', () => {
    const c = loadConfig({ REVOPS_LEAK_BUDGET_USD: '500000.25', REVOPS_WATCH_CRON: '30 6 * * 1-5' });
    expect(c.revops).toMatchObject({ leakBudgetCents: 50_000_025, watchCron: '30 6 * * 1-5' });
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
      leakBudgetCents: null,
      watchCron: '0 8 * * *',
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
      REVOPS_LEAK_BUDGET_USD: '0',
      REVOPS_WATCH_CRON: 'daily',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DIGEST_CHANNEL must be a Slack id like C0123ABCD/),
        expect.stringMatching(/^DIGEST_CRON "every monday" is not a cron expression/),
        expect.stringMatching(/^REVOPS_STUCK_DAYS /),
        expect.stringMatching(/^REVOPS_STUCK_MIN_USD /),
        expect.stringMatching(/^REVOPS_LEAK_BUDGET_USD must be a positive dollar amount/),
        expect.stringMatching(/^REVOPS_WATCH_CRON "daily" is not a cron expression/),
        'DIGEST_TIMEZONE "Mars/Olympus" is not an IANA time zone (e.g. UTC, Europe/Berlin)',
      ]),
    );
  });
});
