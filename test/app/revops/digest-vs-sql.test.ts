/**
 * Acceptance (issue 14): the generator's year of data, imported through the import use case `leak import`
 * runs, gives a digest whose figures match an independent SQL query (independent-sql.ts, written from the
 * README's definitions, not from src/adapters/db/revops-*-sql.ts). Checked for the last full ISO week (the
 * digest) and for a quarter, and for the period before each (the report's `previous`), on PGlite and, when
 * DATABASE_URL is set, on PostgreSQL.
 *
 * The data ends on a Thursday, so deals moved after the week's end (their stage then unknown) are in it.
 * The generator gives every customer a history, so a few customers without one are imported beside it
 * (the fallback: their mrr from the start month up to, not including, the churn month).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCsvFile } from '../../../src/adapters/csv/reader.ts';
import type { Db } from '../../../src/adapters/db/client.ts';
import { importRunRepository } from '../../../src/adapters/db/import-runs-repository.ts';
import { revopsReads } from '../../../src/adapters/db/revops-reads.ts';
import { revopsWrites } from '../../../src/adapters/db/revops-writes.ts';
import { buildDigest } from '../../../src/app/revops/digest.ts';
import { type RevopsImportDeps, readCsvKind, runRevopsImport } from '../../../src/app/revops/import.ts';
import { revopsReport } from '../../../src/app/revops/report.ts';
import { lastCompleteDigestWeek } from '../../../src/app/revops/view-period.ts';
import { writeGenerated } from '../../../src/commands/revops-generate.ts';
import { customerLine, headerLine } from '../../../src/domain/revops/csv-out.ts';
import type { RevopsReport } from '../../../src/domain/revops/figures.ts';
import type { Customer, RevopsFilter } from '../../../src/domain/revops/types.ts';
import { backends, testCtx } from '../../support/db.ts';
import { buildMrrTable, checkMarketing, checkPipeline, checkRevenue, monthOf } from './independent-sql.ts';

/** The data ends at Thursday 2026-11-05 00:00 UTC ("now"); the last full week is 2026-W44 (26 Oct – 1 Nov). */
const END = Date.parse('2026-11-05T00:00:00Z');
const QUARTER: RevopsFilter = {
  fromMs: Date.parse('2026-07-01T00:00:00Z'),
  toMs: Date.parse('2026-10-01T00:00:00Z'),
};
const SIZE = { seed: 7, deals: 4_000, customers: 800 };

/** Customers without MRR history, around both periods' edges. */
const noHistory = (id: string, start: string, mrrUsd: number, churn: string | null): Customer => ({
  customerId: id,
  account: `Fallback ${id}`,
  segment: 'MM',
  plan: 'Growth',
  startDate: start,
  mrrCents: mrrUsd * 100,
  churnDate: churn,
  churnReason: churn === null ? null : 'Budget cut',
});
const FALLBACK: Customer[] = [
  noHistory('X-1', '2025-01-10', 1_000, null), // pays throughout
  noHistory('X-2', '2026-08-15', 2_000, null), // new in August
  noHistory('X-3', '2025-06-01', 3_000, '2026-08-20'), // pays through July, churns in August
  noHistory('X-4', '2026-10-05', 4_000, '2026-11-01'), // October only: churns in the week's November
  noHistory('X-5', '2026-11-01', 500, null), // new in November
  noHistory('X-6', '2025-01-01', 0, null), // pays nothing
  noHistory('X-7', '2026-07-01', 700, '2026-07-20'), // churns in its start month: never pays
  noHistory('X-8', '2026-06-01', 800, null), // has a history (GAPS): the fallback does not apply
];
/** The generator never lets a customer come back: X-8 does, in August and in October. */
const GAPS = [
  ['2026-06', 800],
  ['2026-08', 900], // July has no row: 0
  ['2026-09', 0],
  ['2026-10', 900], // and no row for November: churn
] as const;

const quiet = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

/** `leak import <file>` for each file, as the command runs it: kind from the header, then the use case. */
async function importAll(db: Db, files: string[]): Promise<void> {
  const deps: RevopsImportDeps = {
    writes: revopsWrites(db),
    importRuns: importRunRepository(db),
    clock: { now: () => Date.now() },
    openCsv: (file) => openCsvFile(file),
  };
  for (const file of files) {
    const verdict = await readCsvKind(deps.openCsv, file);
    if (verdict === null || !verdict.ok || verdict.layout.kind === 'funnel')
      throw new Error(`${file}: bad header`);
    const out = await runRevopsImport(deps, testCtx(), { file, kind: verdict.layout.kind, dryRun: false });
    expect(out.rejected, file).toEqual([]);
  }
}

const pctClose = (actual: number | null, expected: number | null, what: string) => {
  if (expected === null) expect(actual, what).toBeNull();
  else expect(actual, what).toBeCloseTo(expected, 9);
};

/** Every headline figure of one period's figures against the independent queries. */
async function expectMatches(db: Db, f: RevopsReport['previous'], filter: RevopsFilter, label: string) {
  const { fromMs, toMs } = filter;
  const p = await checkPipeline(db, fromMs, toMs);
  const at = (what: string) => `${label}: ${what}`;
  expect(f.pipeline.source, at('source')).toBe('deals');
  expect(f.pipeline.openDeals, at('open deals')).toBe(p.openDeals);
  expect(f.pipeline.openCents, at('open pipeline')).toBe(p.openCents);
  expect(Math.abs(f.pipeline.weightedCents - p.weightedCents), at('weighted')).toBeLessThan(1);
  expect(f.pipeline.won, at('won')).toBe(p.won);
  expect(f.pipeline.lost, at('lost')).toBe(p.lost);
  expect(f.pipeline.wonCents, at('won amount')).toBe(p.wonCents);
  pctClose(f.pipeline.winRatePct, p.winRatePct, at('win rate'));
  expect(f.pipeline.avgDealSizeCents, at('avg deal')).toBe(
    p.avgDealSizeCents === null ? null : Math.round(p.avgDealSizeCents),
  );
  expect(f.pipeline.velocityCentsPerDay / p.velocityCentsPerDay, at('velocity')).toBeCloseTo(1, 9);
  expect(f.pipeline.stuckTotal, at('stuck total')).toEqual({
    deals: p.stuckDeals,
    amountCents: p.stuckCents,
  });
  expect(
    f.pipeline.stuck.map((s) => s.daysInStage),
    at('stuck listed'),
  ).toEqual(p.stuckDays.slice(0, 10));
  for (const s of f.pipeline.stuck) expect(s.daysInStage, at(s.dealId)).toBe(p.daysOf.get(s.dealId));

  const r = await checkRevenue(db, fromMs, toMs);
  expect(f.revenue.mrrCents, at('MRR')).toBe(r.mrrCents);
  expect(f.revenue.arrCents, at('ARR')).toBe(r.arrCents);
  expect(f.revenue.activeCustomers, at('active customers')).toBe(r.activeCustomers);
  pctClose(f.revenue.churnRatePct, r.churnRatePct, at('churn rate'));
  pctClose(f.revenue.nrrPct, r.nrrPct, at('NRR'));
  pctClose(f.revenue.grrPct, r.grrPct, at('GRR'));
  expect(f.revenue.months, at('MRR roll-forward')).toEqual(r.months);

  const m = await checkMarketing(db, fromMs, toMs);
  const zero = { spendCents: 0, leads: 0, won: 0, revenueCents: 0 };
  for (const c of f.marketing.channels)
    expect(m.has(c.channel), at(`channel ${c.channel} listed`)).toBe(true);
  const total = { ...zero };
  for (const [channel, want] of m) {
    const got = f.marketing.channels.find((c) => c.channel === channel);
    const seen = got
      ? { spendCents: got.spendCents, leads: got.leads, won: got.won, revenueCents: got.revenueCents }
      : zero;
    expect(seen, at(`channel ${channel}`)).toEqual(want);
    if (got) {
      expect(got.cacCents, at(`${channel} CAC`)).toBe(
        want.won === 0 ? null : Math.round(want.spendCents / want.won),
      );
      pctClose(
        got.roiPct,
        want.spendCents === 0 ? null : ((want.revenueCents - want.spendCents) / want.spendCents) * 100,
        at(`${channel} ROI`),
      );
    }
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += want[k];
  }
  const t = f.marketing.totals;
  expect(
    { spendCents: t.spendCents, leads: t.leads, won: t.won, revenueCents: t.revenueCents },
    at('total'),
  ).toEqual(total);
  expect(t.cacCents, at('total CAC')).toBe(total.won === 0 ? null : Math.round(total.spendCents / total.won));
  pctClose(
    t.roiPct,
    total.spendCents === 0 ? null : ((total.revenueCents - total.spendCents) / total.spendCents) * 100,
    at('total ROI'),
  );
}

describe.each(backends)('the digest of a generated year against independent SQL, on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), 'leak-digest-vs-sql-'));

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    const files = await writeGenerated(dir, { ...SIZE, endMs: END }, { out: quiet(), err: quiet() });
    const extra = join(dir, 'customers-without-history.csv');
    writeFileSync(extra, headerLine('customers') + FALLBACK.map(customerLine).join(''));
    const gaps = join(dir, 'mrr-with-gaps.csv');
    writeFileSync(gaps, headerLine('mrr') + GAPS.map(([month, usd]) => `X-8,${month},${usd}\n`).join(''));
    // Customers (both files) before their history, as the README says.
    const [deals, customers, mrr, spend] = files.map((f) => f.file);
    await importAll(db, [customers!, extra, mrr!, gaps, deals!, spend!]);
    await buildMrrTable(db, monthOf(END));
  }, 300_000);
  afterAll(async () => {
    await dispose?.();
    rmSync(dir, { recursive: true, force: true });
  });

  const report = (f: RevopsFilter) => revopsReport(revopsReads(db), f);

  it('the last full ISO week: the digest and the week before it', async () => {
    const week = lastCompleteDigestWeek(END, 'UTC');
    expect(week.label).toBe('2026-W44');
    const digest = await buildDigest({ report, clock: { now: () => END }, timezone: 'UTC' }, week);
    expect(digest.partial).toBe(false);
    const r = digest.report;
    expect(r.filter).toEqual({ fromMs: week.fromMs, toMs: week.toMs });
    // The week's end is before the data's: some deals open then have moved since.
    expect(r.pipeline.openDeals).toBeGreaterThan(r.pipeline.stages.reduce((n, s) => n + s.deals, 0));
    expect(r.revenue.months.map((m) => m.month)).toEqual(['2026-10-01', '2026-11-01']);
    expect(r.revenue.months.map((m) => m.reactivationCents)).toEqual([90_000, 0]);
    await expectMatches(db, r, r.filter, 'week');
    await expectMatches(
      db,
      r.previous,
      { fromMs: week.fromMs - 7 * 86_400_000, toMs: week.fromMs },
      'week before',
    );
  }, 120_000);

  it('a quarter (Q3 2026) and the 92 days before it', async () => {
    const r = await report(QUARTER);
    expect(r.revenue.months.map((m) => m.month)).toEqual(['2026-07-01', '2026-08-01', '2026-09-01']);
    // The data has something to check in every part of the quarter.
    expect(r.pipeline.won).toBeGreaterThan(50);
    expect(r.pipeline.stuckTotal.deals).toBeGreaterThan(0);
    expect(r.revenue.months.every((m) => m.newCents > 0 && m.churnCents > 0 && m.expansionCents > 0)).toBe(
      true,
    );
    expect(r.marketing.channels.length).toBeGreaterThanOrEqual(6);
    await expectMatches(db, r, QUARTER, 'Q3');
    const before = { fromMs: QUARTER.fromMs - (QUARTER.toMs - QUARTER.fromMs), toMs: QUARTER.fromMs };
    await expectMatches(db, r.previous, before, 'before Q3');
  }, 120_000);

  it('the customers without history count by the fallback', async () => {
    const q = await checkRevenue(db, QUARTER.fromMs, QUARTER.toMs);
    const withoutFallback = await db.query<{ mrr: number }>(
      `SELECT sum(mrr)::float8 AS mrr FROM check_mrr WHERE month = '2026-09-01' AND customer_id NOT LIKE 'X-%'`,
    );
    // X-1 ($1,000) and X-2 ($2,000) pay in September; X-3 churned in August; X-6 pays nothing; X-8 $0.
    expect(q.mrrCents - withoutFallback[0]!.mrr).toBe(300_000);
    expect((await report(QUARTER)).revenue.mrrCents).toBe(q.mrrCents);
  }, 60_000);
});
