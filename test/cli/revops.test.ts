import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revopsWrites } from '../../src/adapters/db/revops-writes.ts';
import { lastCompleteDigestWeek } from '../../src/app/revops/view-period.ts';
import type { RevopsReport } from '../../src/domain/revops/figures.ts';
import { type CliTarget, openCliTarget, runLeak } from '../support/cli.ts';
import { backends } from '../support/db.ts';
import { seedRevops } from '../support/revops-report.ts';

/**
 * `leak revops <view>` and `leak digest` through the real entry point and the real SQL reads, on PGlite
 * (and PostgreSQL when configured), over the small data set of test/support/revops-report.ts seeded
 * around the week that just ended.
 */

const DAY = 86_400_000;
const week = lastCompleteDigestWeek(Date.now(), 'UTC');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const FROM = day(week.fromMs);
const TO = day(week.toMs - DAY);

describe.each(backends)('leak revops and leak digest on $name', (backend) => {
  let target: CliTarget;
  const leak = (args: string[]) => runLeak(args, target.env);

  beforeAll(async () => {
    target = await openCliTarget(backend.name, 'leak-revops');
    expect((await leak(['migrate'])).code).toBe(0);
    await target.withDb((db) => seedRevops(revopsWrites(db), week.fromMs));
  }, 60_000);
  afterAll(async () => {
    await target.dispose();
  });

  it('pipeline: headline, stages, owners and the stuck deal as tables', async () => {
    const r = await leak(['revops', 'pipeline', '--from', FROM, '--to', TO]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Pipeline, ${week.span}`);
    expect(r.out).toMatch(/Open pipeline +\$185,000/);
    expect(r.out).toMatch(/Weighted +\$[\d,]+ +not compared/);
    expect(r.out).toMatch(/Discovery +1 +\$120,000/);
    expect(r.out).toMatch(/Dana Whitfield/);
    expect(r.out).toContain('Stuck deals (1 worth $120,000), longest in stage first');
    expect(r.out).toMatch(/D1 +D1 Inc +Dana Whitfield +Discovery +\$120,000/);
  });

  it('a slice: segment and owner narrow the figures', async () => {
    const r = await leak([
      'revops',
      'pipeline',
      '--from',
      FROM,
      '--to',
      TO,
      '--segment',
      'mm',
      '--owner',
      'Luis Ortega',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('(segment MM, owner Luis Ortega)');
    expect(r.out).toMatch(/Open pipeline +\$40,000/);
  });

  it('--json prints the RevopsReport of the period', async () => {
    const r = await leak(['revops', 'marketing', '--from', FROM, '--to', TO, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as RevopsReport;
    expect(report.filter).toEqual({ fromMs: week.fromMs, toMs: week.toMs });
    expect(report.pipeline.openCents).toBe(18_500_000);
    expect(report.marketing.totals.spendCents).toBe(7 * 50_000 + 100_000);
    expect(report.marketing.channels.map((c) => c.channel).sort()).toEqual(['Events', 'Paid Search']);
  });

  it('revenue and insights print their tables', async () => {
    const rev = await leak(['revops', 'revenue', '--period', 'last-week']);
    expect(rev.code).toBe(0);
    expect(rev.out).toContain('MRR movement by month');
    expect(rev.out).toContain('Cohort retention');
    const ins = await leak(['revops', 'insights', '--from', FROM, '--to', TO]);
    expect(ins.code).toBe(0);
    expect(ins.out).toMatch(/Insights|nothing stands out/);
  });

  it('digest: the week as text, its three charts written as PNG files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leak-digest-'));
    const r = await leak(['digest', '--week', week.label, '--chart', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`RevOps weekly digest ${week.label}, ${week.span} (UTC)`);
    expect(r.out).toMatch(/Open pipeline +\$185,000/);
    expect(r.out).toContain('Stuck deals (1 worth $120,000)');
    const files = readdirSync(dir).sort();
    expect(files).toEqual([
      `revops-channels-${FROM}-${TO}.png`,
      `revops-mrr-${FROM}-${TO}.png`,
      `revops-pipeline-${FROM}-${TO}.png`,
    ]);
    for (const f of files)
      expect([...readFileSync(join(dir, f)).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(r.err).toContain('Chart written to');
  });

  it('digest --json is the RevopsReport of the week; its Monday names the same week', async () => {
    const r = await leak(['digest', '--week', week.monday, '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as RevopsReport).filter).toEqual({ fromMs: week.fromMs, toMs: week.toMs });
  });

  it.each([
    [['revops'], 64, 'expected a view: pipeline, revenue, marketing, insights'],
    [['revops', 'forecast'], 64, "(got 'forecast')"],
    [['revops', 'pipeline', '--segment', 'XL'], 64, '--segment must be one of SMB, MM, ENT'],
    [['revops', 'pipeline', '--to', '2026-11-30'], 64, '--to needs --from'],
    [['revops', 'pipeline', '--period', 'fortnight'], 64, "--period 'fortnight'"],
    [['revops', 'pipeline', '--period', '30d', '--from', '2026-11-01'], 64, 'either --period or --from/--to'],
    [
      ['revops', 'pipeline', '--from', '2026-11-30', '--to', '2026-11-01'],
      64,
      'ends (2026-11-01) before it starts',
    ],
    [['digest', '--week', '2026-11-25'], 1, '2026-11-25 is not a Monday'],
    [['digest', '2026-W48'], 64, "unexpected '2026-W48' (use --week)"],
  ])('leak %j: exit %i, says what is wrong', async (args, code, message) => {
    const r = await leak(args);
    expect(r.code).toBe(code);
    expect(r.err).toContain(message);
  });
});
