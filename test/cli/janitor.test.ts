import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliTarget, openCliTarget, runLeak } from '../support/cli.ts';
import { backends } from '../support/db.ts';

/**
 * `leak janitor [--dry-run] [--json]` through the real entry point, on the system clock: on PGlite the CLI
 * and the test take turns on one on-disk directory; on PostgreSQL (when DATABASE_URL is set) the CLI gets
 * the URL of a fresh database.
 */

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const dayName = (ms: number) =>
  `bronze_events_${new Date(ms).toISOString().slice(0, 10).replaceAll('-', '')}`;
const OLD = today - 20 * DAY;
const RECENT = today - 2 * DAY;

describe.each(backends.map((b) => b.name))('leak janitor on %s', (name) => {
  let target: CliTarget;
  const leak = (args: string[]) => runLeak(args, target.env);
  const state = () =>
    target.withDb(async (db) => ({
      partitions: (
        await db.query<{ name: string }>(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'bronze_events'::regclass ORDER BY 1`,
        )
      ).map((r) => r.name),
      bronze: (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM bronze_events'))[0]!.n,
      evidence: await db.query<{ message: string }>('SELECT message FROM bronze_evidence'),
      series: (
        await db.query<{ metric: string }>('SELECT metric FROM metric_series_state ORDER BY metric')
      ).map((r) => r.metric),
    }));

  beforeAll(async () => {
    target = await openCliTarget(name, 'leak-janitor');
    expect((await leak(['migrate'])).code).toBe(0);
    await target.withDb(async (db) => {
      const [inc] = await db.query<{ id: string }>(
        `INSERT INTO incidents (dedupe_key, title, state, severity, paging, opened_at, figures)
         VALUES ('sla:checkout', 'checkout errors', 'detected', 2, 'PAGE', now(), '{}'::jsonb)
         RETURNING id::text AS id`,
      );
      for (const [day, message, incident] of [
        [OLD, 'old', null],
        [OLD, 'old-evidence', inc!.id],
        [RECENT, 'recent', null],
      ] as const) {
        await db.query('SELECT ensure_bronze_partition($1::date)', [
          new Date(day).toISOString().slice(0, 10),
        ]);
        await db.query(
          `INSERT INTO bronze_events (time, service, name, level, ok, message, incident_id)
           VALUES ($1::timestamptz, 'checkout', 'http.request', 'ERROR', false, $2, $3::bigint)`,
          [new Date(day + 3_600_000).toISOString(), message, incident],
        );
      }
      // Two cumulative series' states: one last written 8 days ago (idle past the 7 days of Bronze), one
      // an hour ago.
      for (const [metric, hoursAgo] of [
        ['idle.requests', 8 * 24],
        ['live.requests', 1],
      ] as const) {
        await db.query(
          `INSERT INTO metric_series_state
             (series_hash, series_key, service, metric, kind, start_time, last_time, state, version, updated_at)
           VALUES (sha256(convert_to($1, 'UTF8')), $1, 'checkout', $2, 'sum', now() - interval '30 days',
                   now() - make_interval(hours => $3), '{"kind":"sum"}'::jsonb, 4, now() - make_interval(hours => $3))`,
          [JSON.stringify(['checkout', metric, []]), metric, hoursAgo],
        );
      }
    });
  });
  afterAll(async () => target.dispose());

  it('is listed in --help, has its own help, and rejects bad usage with 64', async () => {
    expect((await leak(['--help'])).out).toMatch(/leak janitor \[--dry-run\] \[--json\]/);
    const help = await leak(['janitor', '--help']);
    expect(help).toMatchObject({ code: 0, out: expect.stringMatching(/never touched/) });
    expect((await leak(['janitor', 'now'])).code).toBe(64);
    expect((await leak(['janitor', '--force'])).code).toBe(64);
  });

  it('--dry-run --json reports what would go and changes nothing', async () => {
    const before = await state();
    const r = await leak(['janitor', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({
      dryRun: true,
      bronze: {
        retentionDays: 7,
        created: [dayName(today), dayName(today + DAY)],
        dropped: [{ name: dayName(OLD), rows: 2, evidence: 1 }],
        kept: [dayName(RECENT), dayName(today), dayName(today + DAY)],
      },
      evidenceKept: 1,
      silver: { hoursRolledUp: 0, minutesPurged: 0, hoursPurged: 0 },
      series: { purged: 1 },
      tagLimit: 10_000,
      overTagLimit: [],
    });
    expect(await state()).toEqual(before);
  });

  it('drops the old partition, keeps its evidence and creates the partitions ahead', async () => {
    const r = await leak(['janitor']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`dropped ${dayName(OLD)}: 2 rows, 1 evidence rows kept`);
    expect(r.out).toContain(`created ${dayName(today)}, ${dayName(today + DAY)}`);
    expect(r.out).toContain('Evidence kept: 1 rows');
    expect(r.out).toMatch(/Metric series state purged \(idle since before \d{4}-\d{2}-\d{2}\): 1 series/);
    expect(r.out).toContain('Gold: untouched');
    expect(await state()).toEqual({
      partitions: [dayName(RECENT), dayName(today), dayName(today + DAY)],
      bronze: 1,
      evidence: [{ message: 'old-evidence' }],
      series: ['live.requests'],
    });

    const dry = await leak(['janitor', '--dry-run']);
    expect(dry.out).toMatch(/dry run: nothing was changed/);
    expect(dry.out).toContain('no partition past retention');
    expect(dry.out).toMatch(/Metric series state to purge \(idle since before [\d-]+\): 0 series/);
  });
});
