import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goldRepository } from '../../src/adapters/db/gold-repository.ts';
import { slaRepository } from '../../src/adapters/db/sla-repository.ts';
import { sketchOps } from '../../src/adapters/telemetry/sketch-ops.ts';
import { isoWeekContaining, lastCompleteWeek, parseIsoWeek } from '../../src/domain/sla/report.ts';
import { snapshotOf } from '../../src/domain/sla/snapshot.ts';
import { availabilityFrom, searchLatency, snapshotAudit } from '../domain/sla/openslo-fixtures.ts';
import { type CliTarget, openCliTarget, runLeak } from '../support/cli.ts';
import { backends } from '../support/db.ts';

/** `leak sla report` through the real entry point, on PGlite (and PostgreSQL when configured). */

const DAY = 86_400_000;
const W47 = (() => {
  const r = parseIsoWeek('2026-W47');
  if (!r.ok) throw new Error(r.error);
  return r.week;
})();

const AVAIL = availabilityFrom(Date.parse('2026-11-01T00:00:00Z'));
const SEARCH = searchLatency(AVAIL);

describe.each(backends)('leak sla report on $name', (backend) => {
  let target: CliTarget;
  const leak = (args: string[]) => runLeak(args, target.env);

  beforeAll(async () => {
    target = await openCliTarget(backend.name, 'leak-sla-report');
    // Migrated by the CLI itself, then seeded.
    expect((await leak(['migrate'])).code).toBe(0);
    await target.withDb(async (db) => {
      await slaRepository(db).apply([{ open: AVAIL }, { open: SEARCH }]);
      const gold = goldRepository(db, sketchOps);
      const audit = (id: string) => snapshotAudit(id, W47.startMs);
      for (let d = 0; d < 7; d++) {
        const day = {
          dayMs: W47.startMs + d * DAY,
          total: 100_000,
          errors: d === 2 ? 40 : 5,
          badMinutes: d === 2 ? 3 : 0,
        };
        await gold.insertSnapshot(snapshotOf(AVAIL, day, d === 2 ? 12 : 0), audit(AVAIL.id));
        await gold.insertSnapshot(
          snapshotOf(SEARCH, { ...day, total: 1000, slowOrBad: d < 2 ? 50 : 5, badMinutes: 0 }, 0),
          audit(SEARCH.id),
        );
      }
    });
  }, 60_000);
  afterAll(async () => {
    await target.dispose();
  });

  it('prints the week as a readable table', async () => {
    const r = await leak(['sla', 'report', '--week', '2026-W47']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('SLA report 2026-W47 (Mon 16 Nov – Sun 22 Nov 2026)');
    expect(r.out).toContain('1 met, 1 breached, 0 without data');
    // checkout: 70 bad of 700 000 = 99.990% against 99.9%, burn 0.1; search: 125 slow of 7 000 = 98.21%.
    // Shares and burns are written as the War Room writes them (floored shares, burn as ×).
    const checkout = r.out.split('\n').find((l) => l.startsWith('checkout-availability'))!;
    expect(checkout).toMatch(/checkout\s+99\.9%\s+99\.990%\s+met\s+90%\s+0\.40× Wed\s+3 min\s+0\s+12 min/);
    const search = r.out.split('\n').find((l) => l.startsWith('search-latency'))!;
    expect(search).toMatch(/search\s+99%\s+98\.21%\s+breached\s+0%\s+5\.0× Mon/);
    expect(r.out).toContain('Daily attainment (UTC days)');
    // Every day of a past week is in Gold: nothing is marked live.
    expect(r.out).not.toContain('live');
    expect(r.out).toContain('Revenue SLOs: no scan ran this week.');
    expect(r.out).toContain('Recovered by fix packs this week: $0');
  });

  it('--json is the report document; --service filters', async () => {
    const r = await leak(['sla', 'report', '--week', '2026-W47', '--service', 'checkout', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({
      week: '2026-W47',
      start: '2026-11-16T00:00:00.000Z',
      end: '2026-11-23T00:00:00.000Z',
      service: 'checkout',
      complete: true,
      summary: { met: 1, breached: 0, noData: 0 },
      revenue: null,
      recoveredCents: 0,
    });
    expect(doc.slas).toHaveLength(1);
    expect(doc.slas[0]).toMatchObject({
      id: 'checkout-availability',
      total: 700_000,
      bad: 70,
      breaches: 3,
      downtimeMinutes: 12,
      status: 'met',
    });
    expect(doc.slas[0].daily).toHaveLength(7);
  });

  it('--chart writes a PNG', async () => {
    const file = join(tmpdir(), `sla-chart-${backend.name}-${process.pid}.png`);
    const r = await leak(['sla', 'report', '--week', '2026-W47', '--chart', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Chart (PNG 960×480) written to ${file}`);
    expect([...readFileSync(file).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('defaults to the last complete week', async () => {
    const r = await leak(['sla', 'report', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).week).toBe(lastCompleteWeek(Date.now()).label);
  });

  it('refuses a bad week with usage (64) and a future week with 1', async () => {
    const bad = await leak(['sla', 'report', '--week', '2026-W54']);
    expect(bad.code).toBe(64);
    expect(bad.err).toContain('--week: "2026-W54": 2026 has weeks W01 to W53, not W54');
    expect(bad.err).toContain('leak sla report [--week YYYY-Www]');
    const future = await leak(['sla', 'report', '--week', '2999-W01']);
    expect(future.code).toBe(1);
    expect(future.err).toMatch(/2999-W01 has not started yet/);
    expect((await leak(['sla', 'list', '--week', '2026-W47'])).code).toBe(64);
    expect((await leak(['--help'])).out).toContain('leak sla report [--week 2026-W47]');
  });
});

describe.each(backends)('leak sla report for the week in progress on $name', (backend) => {
  let target: CliTarget;
  const leak = (args: string[]) => runLeak(args, target.env);
  const MIN = 60_000;
  const now = Date.now();
  const today = Math.floor(now / DAY) * DAY;
  const thisWeek = isoWeekContaining(now);
  const dayIndex = Math.round((today - thisWeek.startMs) / DAY);

  beforeAll(async () => {
    target = await openCliTarget(backend.name, 'leak-sla-report-live');
    expect((await leak(['migrate'])).code).toBe(0);
    await target.withDb(async (db) => {
      const checkout = availabilityFrom(thisWeek.startMs - 30 * DAY);
      const search = { ...checkout, id: 'search-availability', service: 'search', name: 'Search' };
      await slaRepository(db).apply([{ open: checkout }, { open: search }]);
      // Search answered every request today: a day at 100%.
      await db.query(
        `INSERT INTO silver_minute (service, metric, tags, tags_hash, minute, count, errors)
         VALUES ('search', 'http.server.request', '{}', 'a', $1, 40, 0)`,
        [new Date(today).toISOString()],
      );
      // Today, Silver minutes only (no Gold yet): 10 minutes of 100 requests, the last 5 failing half.
      for (let m = 0; m < 10; m++)
        await db.query(
          `INSERT INTO silver_minute (service, metric, tags, tags_hash, minute, count, errors)
           VALUES ('checkout', 'http.server.request', '{}', 'a', $1, 100, $2)`,
          [new Date(today + m * MIN).toISOString(), m >= 5 ? 50 : 0],
        );
      // The SLA's incident, opened today and still open.
      await db.query(
        `INSERT INTO incidents (dedupe_key, title, state, severity, paging, opened_at, figures)
         VALUES ('sla:checkout-availability', 'SLA burn: Checkout availability', 'detected', 2, 'PAGE', $1, '{}')`,
        [new Date(today + 5 * MIN).toISOString()],
      );
    });
  }, 60_000);
  afterAll(async () => {
    await target.dispose();
  });

  it('shows the events, attainment and open incident of today, marked live', async () => {
    const r = await leak(['sla', 'report', '--week', thisWeek.label]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('(partial: the week is not over)');
    expect(r.out).toContain('1 met, 1 breached, 0 without data');
    expect(r.out).not.toMatch(/no events|without data\n\nNo SLA/i);
    // 250 bad of 1 000: 75.00%, burn 250×, five minutes over budget, one incident still open.
    const row = r.out.split('\n').find((l) => l.startsWith('checkout-availability'))!;
    expect(row).toMatch(/99\.9%\s+75\.00%\s+breached\s+0%\s+250\.0× \w{3}\s+5 min\s+1 \(1 open\)/);
    expect(r.out).toContain('live, not yet in Gold');
    const daily = r.out
      .split('\n')
      .filter((l) => l.startsWith('checkout-availability'))
      .at(-1)!;
    expect(daily.trim().split(/\s{2,}/)[dayIndex + 1]).toBe('75.00%*');
    // A day at 100% reads 100%: "-" is only for a day without events.
    const search = r.out.split('\n').filter((l) => l.startsWith('search-availability'));
    expect(search[0]).toMatch(/search\s+99\.9%\s+100%\s+met\s+100%\s+0\.00× \w{3}/);
    const cells = search
      .at(-1)!
      .trim()
      .split(/\s{2,}/);
    expect(cells[dayIndex + 1]).toBe('100%*');
    expect(cells.slice(1).filter((c) => c !== '-')).toEqual(['100%*']);
  });

  it('--json marks the live day and counts the open incident', async () => {
    const r = await leak(['sla', 'report', '--week', thisWeek.label, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out).slas.find((x: { id: string }) => x.id === 'checkout-availability');
    expect(s).toMatchObject({
      total: 1_000,
      bad: 250,
      attainment: 0.75,
      status: 'breached',
      breaches: 5,
      incidents: 1,
      openIncidents: 1,
      days: 0,
    });
    expect(s.liveDays).toBe(dayIndex + 1);
    expect(s.daily[dayIndex]).toEqual({ dayMs: today, attainment: 0.75, live: true });
  });
});
