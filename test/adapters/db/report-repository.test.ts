import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { goldRepository } from '../../../src/adapters/db/gold-repository.ts';
import { reportOutbox, reportRepository } from '../../../src/adapters/db/report-repository.ts';
import { slaRepository } from '../../../src/adapters/db/sla-repository.ts';
import { add, newSketch, toBytes } from '../../../src/adapters/telemetry/sketch.ts';
import { sketchOps } from '../../../src/adapters/telemetry/sketch-ops.ts';
import { runSlaEngine } from '../../../src/app/sla/engine.ts';
import { buildWeeklyReport } from '../../../src/app/sla/report.ts';
import type { SlaReportReads } from '../../../src/app/telemetry/ports.ts';
import type { SlaDefinition } from '../../../src/domain/sla/definition.ts';
import { parseIsoWeek } from '../../../src/domain/sla/report.ts';
import { snapshotOf } from '../../../src/domain/sla/snapshot.ts';
import { availabilityFrom, snapshotAudit } from '../../domain/sla/openslo-fixtures.ts';
import { backends, silentLog } from '../../support/db.ts';

/** The weekly report's reads (report-repository.ts) and its enqueue-once outbox, on each backend. */
const at = (iso: string) => Date.parse(iso);
const DAY = 86_400_000;
const HOUR = 3_600_000;
const week = (() => {
  const r = parseIsoWeek('2026-W47');
  if (!r.ok) throw new Error(r.error);
  return r.week;
})();
const W = week.startMs;

const AVAIL = availabilityFrom(at('2026-11-01T00:00:00Z'));
const OLD: SlaDefinition = {
  ...AVAIL,
  id: 'retired',
  name: 'Retired',
  activeFromMs: at('2026-10-01T00:00:00Z'),
  activeToMs: null,
};

const audit = (id: string) => snapshotAudit(id, W);

/** One hour row whose sketch holds `values` (ms). */
async function hour(db: Db, atMs: number, values: number[], tags = 'a') {
  const s = newSketch();
  for (const v of values) add(s, v);
  await db.query(
    `INSERT INTO silver_hour (service, metric, tags, tags_hash, hour, count, errors, sum, sketch)
     VALUES ('checkout', 'http.server.request', '{}', $1, $2, $3, 0, 0, $4)`,
    [tags, new Date(atMs).toISOString(), values.length, Buffer.from(toBytes(s))],
  );
}

async function incident(db: Db, key: string, openedMs: number) {
  await db.query(
    `INSERT INTO incidents (dedupe_key, title, state, severity, paging, opened_at, resolved_at, figures)
     VALUES ($1, 't', 'resolved', 3, 'WARN', $2, $3, '{}')`,
    [key, new Date(openedMs).toISOString(), new Date(openedMs + HOUR).toISOString()],
  );
}

describe.each(backends)('weekly SLA report reads on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let reads: SlaReportReads;

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    reads = reportRepository(db, sketchOps);
    const slas = slaRepository(db);
    await slas.apply([{ open: AVAIL }, { open: OLD }]);
    // Retired before the week: not in it.
    await slas.apply([{ close: { id: 'retired', version: 1, activeToMs: at('2026-11-10T00:00:00Z') } }]);
    const gold = goldRepository(db, sketchOps);
    // Sunday before, three days of the week, Monday after: only the week's three count.
    for (const [d, total, errors] of [
      [-1, 1000, 500],
      [0, 100_000, 50],
      [1, 100_000, 300],
      [4, 50_000, 0],
      [7, 1000, 1000],
    ] as const) {
      const s = snapshotOf(
        AVAIL,
        { dayMs: W + d * DAY, total, errors, badMinutes: d === 1 ? 7 : 0 },
        d === 1 ? 33 : 0,
      );
      await gold.insertSnapshot(s, audit(AVAIL.id));
    }
    await incident(db, 'sla:checkout-availability', W + DAY + 2 * HOUR);
    await incident(db, 'sla:checkout-availability', W - HOUR); // the week before
    await incident(db, 'revenue', W + 2 * DAY); // not an SLA incident
    // p99: this week two tag sets in two hours (merged: 1 000 ms, where averaging hour p99s would say 550),
    // the week before one hour.
    await hour(db, W + 5 * HOUR, Array<number>(99).fill(100), 'a');
    await hour(db, W + 6 * HOUR, [1000, 1000], 'b');
    await hour(db, W - 3 * DAY, [50, 60, 70]);
    // Scans: one before, two in the week (the later one wins), none after.
    const scan = (iso: string, atRisk: number, current: number) =>
      db.query(
        `INSERT INTO scans (as_of, started_at, actor, records_count, issues_count, high_issues, total_at_risk_cents,
           budget_cents, burn_rate, budget_remaining, paging, incident_severity, reconciled, top_causes,
           affected_segments, slos)
         VALUES ($1, $1, 'test', 10, 1, 0, $2, 5000000, 0.1, 0.9, 'OK', 4, true, $3, '[]', $4)`,
        [
          iso,
          atRisk,
          JSON.stringify([{ issueType: 'STALE_OPP', count: 1, lossCents: atRisk }]),
          JSON.stringify([
            {
              id: 'SLO_DEAL_VELOCITY',
              name: 'Deal Velocity',
              target: 0.9,
              current,
              breached: current < 0.9,
              budgetShare: 0.4,
              budgetCents: 2_000_000,
              badCount: 1,
              population: 10,
            },
          ]),
        ],
      );
    await scan('2026-11-15T12:00:00Z', 1, 1);
    await scan('2026-11-18T12:00:00Z', 2, 1);
    await scan('2026-11-22T23:00:00Z', 700_000, 0.8);
  });
  afterAll(async () => {
    await dispose();
  });

  it('definitions in force during the week', async () => {
    const defs = await reads.definitionsDuring(week.startMs, week.endMs);
    expect(defs.map((d) => [d.id, d.version, d.target])).toEqual([['checkout-availability', 1, 0.999]]);
  });

  it("the week's snapshots, with their service", async () => {
    const snaps = await reads.snapshots(week.startMs, week.endMs);
    expect(snaps.map((s) => [(s.dayMs - W) / DAY, s.total, s.errors, s.service])).toEqual([
      [0, 100_000, 50, 'checkout'],
      [1, 100_000, 300, 'checkout'],
      [4, 50_000, 0, 'checkout'],
    ]);
    expect(snaps[1]).toMatchObject({ breaches: 7, downtimeMinutes: 33, budgetBurn: expect.closeTo(3, 9) });
  });

  it('SLA incidents opened in the week only', async () => {
    expect(await reads.slaIncidents(week.startMs, week.endMs)).toEqual([
      { slaId: 'checkout-availability', openedAtMs: W + DAY + 2 * HOUR, open: false },
    ]);
  });

  it('p99 from the hour sketches merged (101 values merged: the p99 is 1 000 ms)', async () => {
    const thisWeek = await reads.p99(AVAIL, week.startMs, week.endMs);
    expect(thisWeek).toBeGreaterThan(990);
    expect(thisWeek).toBeLessThan(1010);
    const before = await reads.p99(AVAIL, week.startMs - 7 * DAY, week.startMs);
    expect(before).toBeGreaterThan(59);
    expect(before).toBeLessThan(61);
    expect(await reads.p99({ ...AVAIL, metric: 'nothing' }, week.startMs, week.endMs)).toBeNull();
  });

  it('the latest scan in the week', async () => {
    const s = await reads.latestScanBetween(week.startMs, week.endMs);
    expect(s).toMatchObject({ asOfMs: at('2026-11-22T23:00:00Z'), totalAtRiskCents: 700_000 });
    expect(s!.slos[0]).toMatchObject({ id: 'SLO_DEAL_VELOCITY', current: 0.8, breached: true });
    expect(await reads.latestScanBetween(week.endMs, week.endMs + 7 * DAY)).toBeNull();
  });

  it('the whole report through the use case', async () => {
    const r = await buildWeeklyReport(
      {
        reads,
        recovered: async () => 4_200,
        clock: { now: () => at('2026-11-30T09:00:00Z') },
        day: { gold: goldRepository(db, sketchOps), sketches: sketchOps },
      },
      { week, service: null },
    );
    expect(r.slas).toHaveLength(1);
    const s = r.slas[0]!;
    expect(s).toMatchObject({
      total: 250_000,
      bad: 350,
      status: 'breached',
      breaches: 7,
      incidents: 1,
      downtimeMinutes: 33,
      days: 3,
      // The four days Gold lacks were counted from Silver: it holds nothing for them.
      liveDays: 4,
    });
    expect(s.attainment).toBeCloseTo(0.9986, 9);
    expect(s.budgetRemaining).toBe(0);
    expect(s.daily.map((d) => d.attainment)).toEqual([0.9995, 0.997, null, null, 1, null, null]);
    expect(s.p99.changePct).toBeGreaterThan(1300);
    expect(r.revenue?.slos[0]).toMatchObject({ id: 'SLO_DEAL_VELOCITY', atRiskCents: 700_000 });
    expect(r.recoveredCents).toBe(4_200);
  });

  it('enqueueOnce adds a job once, whatever became of the first', async () => {
    const outbox = reportOutbox(db);
    const job = {
      kind: 'sla.report' as const,
      key: 'sla-report:2026-W47:CALERTS',
      incidentId: null,
      payload: { week: '2026-W47', channel: 'CALERTS' },
    };
    expect(await outbox.enqueueOnce(job)).toBe(true);
    await db.query(`UPDATE jobs SET state = 'done', done_at = now() WHERE key = $1`, [job.key]);
    expect(await outbox.enqueueOnce(job)).toBe(false);
    const rows = await db.query<{ state: string; n: number }>(
      'SELECT state, count(*)::int AS n FROM jobs WHERE key = $1 GROUP BY state',
      [job.key],
    );
    expect(rows).toEqual([{ state: 'done', n: 1 }]);
  });
});

describe.each(backends)('a week in progress on $name: live from Silver, then the same in Gold', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  // Wednesday 18 November (day 2 of 2026-W47), 15:00 UTC.
  const WED = W + 2 * DAY;
  const NOW = WED + 15 * HOUR;
  const MIN = 60_000;
  const gold = () => goldRepository(db, sketchOps);
  const report = (nowMs: number) =>
    buildWeeklyReport(
      {
        reads: reportRepository(db, sketchOps),
        recovered: async () => 0,
        clock: { now: () => nowMs },
        day: { gold: gold(), sketches: sketchOps },
      },
      { week, service: null },
    );

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    await slaRepository(db).apply([{ open: AVAIL }]);
    // Ten minutes of 100 requests from 14:00, the last five failing half of them: Silver minutes only.
    for (let m = 0; m < 10; m++)
      await db.query(
        `INSERT INTO silver_minute (service, metric, tags, tags_hash, minute, count, errors)
         VALUES ('checkout', 'http.server.request', '{}', 'a', $1, 100, $2)`,
        [new Date(WED + 14 * HOUR + m * MIN).toISOString(), m >= 5 ? 50 : 0],
      );
    // Its incident, opened at 14:05 and resolved at 14:35; another SLA's incident still open since 14:00.
    await db.query(
      `INSERT INTO incidents (dedupe_key, title, state, severity, paging, opened_at, resolved_at, figures)
       VALUES ('sla:checkout-availability', 't', 'resolved', 2, 'PAGE', $1, $2, '{}'),
              ('sla:other', 't', 'detected', 2, 'PAGE', $3, NULL, '{}')`,
      [
        new Date(WED + 14 * HOUR + 5 * MIN).toISOString(),
        new Date(WED + 14 * HOUR + 35 * MIN).toISOString(),
        new Date(WED + 14 * HOUR).toISOString(),
      ],
    );
  });
  afterAll(async () => {
    await dispose();
  });

  it('reports today from Silver, marked live, with its incident', async () => {
    const r = await report(NOW);
    const s = r.slas[0]!;
    expect(r.complete).toBe(false);
    expect(s).toMatchObject({
      total: 1_000,
      bad: 250,
      attainment: 0.75,
      status: 'breached',
      breaches: 5,
      incidents: 1,
      downtimeMinutes: 30,
      days: 0,
      liveDays: 3,
    });
    expect(s.daily[2]).toEqual({ dayMs: WED, attainment: 0.75, live: true });
    // Monday and Tuesday had no events: live, but no figure.
    expect(s.daily.slice(0, 2).map((d) => [d.attainment, d.live])).toEqual([
      [null, true],
      [null, true],
    ]);
    // Thursday has not come yet.
    expect(s.daily[3]).toEqual({ dayMs: WED + DAY, attainment: null, live: false });
  });

  it("an open incident's downtime today runs up to now, not to midnight", async () => {
    expect(await gold().downtimeMinutes('other', WED, NOW)).toBe(60);
    expect(await gold().downtimeMinutes('other', WED)).toBe(10 * 60);
  });

  it('after the nightly run, Gold holds exactly the figures the report showed live', async () => {
    const live = (await report(NOW)).slas[0]!;
    const ctx = { actor: { type: 'system' as const, job: 'sla-engine' }, requestId: 'r', log: silentLog };
    await runSlaEngine({ slas: slaRepository(db), gold: gold(), sketches: sketchOps }, ctx, {
      nowMs: WED + DAY + 10 * MIN,
      day: WED,
    });
    const stored = (await reportRepository(db, sketchOps).snapshots(week.startMs, week.endMs))[0]!;
    expect(stored).toMatchObject({ dayMs: WED, total: 1_000, errors: 250, breaches: 5, downtimeMinutes: 30 });
    const after = (await report(WED + DAY + 10 * MIN)).slas[0]!;
    expect(after.daily[2]).toEqual({ ...live.daily[2], live: false });
    for (const k of [
      'total',
      'bad',
      'attainment',
      'burn',
      'breaches',
      'downtimeMinutes',
      'worstBurn',
    ] as const)
      expect(after[k]).toEqual(live[k]);
    expect([after.days, after.liveDays]).toEqual([1, 3]);
  });
});
