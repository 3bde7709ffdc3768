import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goldRepository } from '../../src/adapters/db/gold-repository.ts';
import { slaRepository } from '../../src/adapters/db/sla-repository.ts';
import { mergeSketchBytes } from '../../src/adapters/telemetry/sketch.ts';
import { lastCompleteWeek, parseIsoWeek } from '../../src/domain/sla/report.ts';
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
      const gold = goldRepository(db, mergeSketchBytes);
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
    // checkout: 70 bad of 700 000 = 99.99% against 99.9%, burn 0.1; search: 125 slow of 7 000 = 98.2143%.
    const checkout = r.out.split('\n').find((l) => l.startsWith('checkout-availability'))!;
    expect(checkout).toMatch(/checkout\s+99\.9%\s+99\.99%\s+met\s+90%\s+0\.4x Wed\s+3 min\s+0\s+12 min/);
    const search = r.out.split('\n').find((l) => l.startsWith('search-latency'))!;
    expect(search).toMatch(/search\s+99%\s+98\.2143%\s+breached\s+0%\s+5x Mon/);
    expect(r.out).toContain('Daily attainment (UTC days):');
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
