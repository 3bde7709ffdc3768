import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/adapters/db/client.ts';
import { BOT_TOKEN, SIGNING_SECRET } from '../e2e/harness.ts';
import { type CliTarget, openCliTarget } from '../support/cli.ts';
import { backends } from '../support/db.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { type Child, CRASH_ENV, leak, leakStoppedAt } from './crash-helpers.ts';

/**
 * Issue 17: `leak scan` killed with SIGKILL before, inside and after its one transaction, and the server's
 * scheduled scan killed mid-run, on PGlite and on PostgreSQL. After each kill a new process must find the
 * findings exactly as the last stored scan left them (never a scan's row without its findings, or
 * findings without their scan) and no run still `running`.
 */
const DEMO = fileURLToPath(new URL('../../src/demo/northwind-funnel.csv', import.meta.url));
const FIRST = '2026-11-02T16:00:00Z';
/** A later instant: more leads past their SLA, more stale deals, so its findings differ from FIRST's. */
const LATER = '2026-11-20T16:00:00Z';
const T = 240_000;

/** The stored scans, and whether the open findings are those of the newest reconciled scan. */
async function scanState(db: Db) {
  const [s] = await db.query<{ scans: number; issues: number | null; at_risk: number | null }>(
    `SELECT count(*)::int AS scans,
            (SELECT issues_count FROM scans WHERE reconciled ORDER BY as_of DESC, id DESC LIMIT 1) AS issues,
            (SELECT total_at_risk_cents::float8 FROM scans WHERE reconciled ORDER BY as_of DESC, id DESC LIMIT 1) AS at_risk
     FROM scans`,
  );
  const [f] = await db.query<{ open: number; cents: number }>(
    `SELECT count(*)::int AS open, COALESCE(sum(estimated_loss_cents), 0)::float8 AS cents
     FROM findings WHERE status = 'open'`,
  );
  const [r] = await db.query<{ running: number }>(
    'SELECT count(*)::int AS running FROM scheduled_runs WHERE finished_at IS NULL',
  );
  return {
    scans: s!.scans,
    consistent: s!.issues === f!.open && s!.at_risk === f!.cents,
    running: r!.running,
  };
}

describe.each(backends.map((b) => b.name))('leak scan killed (%s)', (backend) => {
  let target: CliTarget;
  let env: Record<string, string>;
  let child: Child | undefined;
  let fake: FakeSlack | undefined;

  beforeAll(async () => {
    target = await openCliTarget(backend, 'leak-crash-scan');
    env = { ...target.env, ...CRASH_ENV };
    const imported = await leak(['import', DEMO], env);
    expect(imported.code, imported.err).toBe(2); // the demo funnel has 6 broken rows
    const first = await leak(['scan', '--as-of', FIRST], env);
    expect(first.code, first.err).toBe(0);
    expect(await target.withDb(scanState)).toEqual({ scans: 1, consistent: true, running: 0 });
  }, T);

  afterAll(async () => {
    await child?.kill();
    await fake?.close();
    await target?.dispose();
  });

  it.each(['scan:evaluated', 'scan:before-commit'])(
    'killed at %s: nothing of that scan is stored, the findings are the last scan’s',
    async (point) => {
      const before = await target.withDb(scanState);
      child = await leakStoppedAt(['scan', '--as-of', LATER], env, point);
      await child.kill();
      child = undefined;
      const restarted = await leak(['imports'], env);
      expect(restarted.code, restarted.err).toBe(0);
      expect(await target.withDb(scanState)).toEqual({ ...before, consistent: true, running: 0 });
    },
    T,
  );

  it(
    'killed right after its commit: the scan and its findings are stored together; the next scan moves the incident',
    async () => {
      const before = await target.withDb(scanState);
      child = await leakStoppedAt(['scan', '--as-of', LATER], env, 'scan:committed');
      await child.kill();
      child = undefined;
      expect(await target.withDb(scanState)).toEqual({
        scans: before.scans + 1,
        consistent: true,
        running: 0,
      });
      const next = await leak(['scan', '--as-of', LATER], env);
      expect(next.code, next.err).toBe(0);
      expect(next.out).toMatch(/Incident #\d+ \(SEV-\d, \w+, \w+\) (updated|unchanged|declared)\./);
      expect(await target.withDb(scanState)).toMatchObject({ scans: before.scans + 2, consistent: true });
    },
    T,
  );

  it(
    'the server killed in the middle of its scheduled scan: the run is failed at the next start of any process',
    async () => {
      fake = await startFakeSlack();
      const before = await target.withDb(scanState);
      child = await leakStoppedAt(
        ['serve'],
        {
          ...env,
          SLACK_BOT_TOKEN: BOT_TOKEN,
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          SLACK_API_URL: fake.apiUrl,
          PORT: '0',
          // Every 2 seconds: the first fire comes soon after start.
          SCAN_CRON: '*/2 * * * * *',
        },
        'scan:before-commit',
      );
      // (PGlite's directory belongs to the server while it runs: only PostgreSQL can be looked at now.)
      if (backend === 'postgres') {
        const during = await target.withDb((db) =>
          db.query<{ job: string }>('SELECT job FROM scheduled_runs WHERE finished_at IS NULL'),
        );
        expect(during).toContainEqual({ job: 'scheduled-scan' });
      }
      await child.kill();
      child = undefined;

      const restarted = await leak(['imports'], env);
      expect(restarted.code, restarted.err).toBe(0);
      expect(restarted.err).toMatch(
        /"run_kind":"scheduled","run_id":"scheduled-scan@[^"]+".*abandoned run marked failed/,
      );
      expect(await target.withDb(scanState)).toEqual({ ...before, consistent: true, running: 0 });
      const [run] = await target.withDb((db) =>
        db.query<{ outcome: string; error: string }>(
          `SELECT outcome, error FROM scheduled_runs WHERE job = 'scheduled-scan' ORDER BY slot DESC LIMIT 1`,
        ),
      );
      expect(run).toMatchObject({
        outcome: 'failed',
        error: expect.stringMatching(/^abandoned: the process/),
      });
    },
    T,
  );
});
