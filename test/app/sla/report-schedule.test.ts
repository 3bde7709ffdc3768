import { describe, expect, it } from 'vitest';
import type { NewJob } from '../../../src/app/outbox/ports.ts';
import { GOLD_GRACE_MS, scheduleWeeklyReport } from '../../../src/app/sla/report.ts';
import { silentLog } from '../../support/db.ts';

/** The Monday post's job: the last complete UTC week, never due before Gold has written its Sunday. */
describe('scheduleWeeklyReport', () => {
  const ctx = { actor: { type: 'system' as const, job: 'sla-report' }, requestId: 'r', log: silentLog };
  const run = async (iso: string) => {
    const jobs: NewJob[] = [];
    const outbox = {
      enqueueOnce: async (j: NewJob) => {
        jobs.push(j);
        return true;
      },
    };
    const out = await scheduleWeeklyReport({ outbox, clock: { now: () => Date.parse(iso) } }, ctx, 'CALERTS');
    return { out, job: jobs[0]! };
  };

  it('Monday 09:00 UTC: the week that just ended, due at once', async () => {
    const { out, job } = await run('2026-11-23T09:00:00Z');
    expect(out.week).toBe('2026-W47');
    expect(job).toMatchObject({ kind: 'sla.report', key: 'sla-report:2026-W47:CALERTS' });
    expect(job.runAfterMs).toBe(Date.parse('2026-11-23T09:00:00Z'));
  });

  it('fired right at Monday 00:00 UTC (09:00 in Tokyo): waits for the nightly Gold run', async () => {
    const { out, job } = await run('2026-11-23T00:00:00Z');
    expect(out.week).toBe('2026-W47');
    expect(job.runAfterMs).toBe(Date.parse('2026-11-23T00:00:00Z') + GOLD_GRACE_MS);
  });

  it('before the UTC week ends (Monday 09:00 in Sydney is Sunday 22:00 UTC): the week before', async () => {
    expect((await run('2026-11-22T22:00:00Z')).out.week).toBe('2026-W46');
  });
});
