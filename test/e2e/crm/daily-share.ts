import { expect } from 'vitest';
import { type CliTarget, runLeak } from '../../support/cli.ts';

/**
 * The CRM_DAILY_SHARE scenario, the same for every CRM (hubspot-cli and salesforce-cli tests): a fake with
 * a daily allowance of 10 calls; at a 50 % share the first sync stops at 5 calls and says what it spent,
 * the second stops at once (4 left, kept for other integrations), and on a new day at 100 % it finishes
 * with every mappable record stored.
 */
export async function expectDailyShare(o: {
  label: string;
  target: CliTarget;
  env: Record<string, string>;
  fake: { requests: unknown[]; newDay(): void };
  /** The funnel id prefix of the records counted at the end, and how many there must be. */
  idPrefix: string;
  records: number;
}): Promise<void> {
  const env = { ...o.env, CRM_DAILY_SHARE: '0.5' };
  const first = await runLeak(['crm', 'sync'], env);
  expect(first.out).toMatch(new RegExp(`^${o.label} sync \\(run \\d+\\): partial in `));
  expect(first.out).toContain(
    'Stopped early: this sync reached its share of the daily allowance: 5 calls of 5 (CRM_DAILY_SHARE 50% of 10)',
  );
  expect(first.out).toMatch(/Spent 5 API calls = 50% of the daily allowance \(10\/day, 5 left today/);
  expect(o.fake.requests).toHaveLength(5);
  // Half the day's allowance is gone: the next sync leaves the rest to the other integrations.
  const second = await runLeak(['crm', 'sync'], env);
  expect(second.out).toContain(
    'Stopped early: the account has 4 calls left today, kept for other integrations (CRM_DAILY_SHARE 50% of 10)',
  );
  expect(o.fake.requests).toHaveLength(6);
  o.fake.newDay();
  const third = await runLeak(['crm', 'sync'], { ...env, CRM_DAILY_SHARE: '1' });
  expect(third.out).toMatch(new RegExp(`^${o.label} sync \\(run \\d+\\): succeeded in `));
  const [n] = await o.target.withDb((db) =>
    db.query<{ n: number }>('SELECT count(*)::int AS n FROM records WHERE id LIKE $1', [`${o.idPrefix}%`]),
  );
  expect(n!.n).toBe(o.records);
}
