import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/adapters/db/client.ts';
import { migrate, migrationStatus } from '../../../src/adapters/db/migrate.ts';
import { getImportRun, makeRepositories } from '../../../src/adapters/db/repositories.ts';
import { runScan } from '../../../src/app/scan/scan.ts';
import { DEFAULT_BUDGET_POLICY } from '../../../src/domain/budget/budget.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/domain/rules/catalog.ts';
import { DAY_MS } from '../../../src/shared/time.ts';
import { buildOpp, buildRecord, daysAgo, NOW } from '../../domain/build.ts';
import { backends, silentLog } from '../../support/db.ts';

const ctx = { actor: { type: 'system', job: 'test' } as const, requestId: 't', log: silentLog };

describe.each(backends)('repositories on $name', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let repos: ReturnType<typeof makeRepositories>;
  const scanDeps = () => ({
    records: repos.records,
    scans: repos.scans,
    // Scans here pass explicit as-of instants up to a few weeks after NOW; the clock is past all of them.
    clock: { now: () => NOW + 365 * DAY_MS },
    thresholds: DEFAULT_THRESHOLDS,
    budget: DEFAULT_BUDGET_POLICY,
  });

  beforeAll(async () => {
    ({ db, dispose } = await backend.open());
    repos = makeRepositories(db);
  });
  afterAll(async () => dispose());

  it('applies migrations once and reports ready', async () => {
    expect(await migrate(db, silentLog)).toEqual([]);
    expect((await migrationStatus(db)).pending).toEqual([]);
    expect(await db.ready()).toMatchObject({ ok: true });
  });

  it('upserts by id and round-trips awkward text through COPY', async () => {
    const nasty = 'Tab\there, new\nline, back\\slash, "quotes", émoji 🚀, \\N';
    await repos.records.upsertMany([
      buildRecord({ id: 'a', name: nasty, notes: nasty, valueCents: 123_45 }),
      buildOpp({ id: 'b', lastTouchAtMs: null }),
    ]);
    await repos.records.upsertMany([
      buildRecord({ id: 'a', name: nasty, notes: nasty, owner: 'bob', valueCents: 99 }),
    ]);
    expect(await repos.records.count()).toBe(2);
    const rows = await repos.records.loadAll();
    const a = rows.find((r) => r.id === 'a')!;
    expect(a).toMatchObject({ name: nasty, owner: 'bob', valueCents: 99, type: 'lead' });
    expect(a.createdAtMs).toBe(buildRecord().createdAtMs);
    expect(rows.find((r) => r.id === 'b')!.lastTouchAtMs).toBeNull();
    const [notes] = await db.query<{ notes: string }>("SELECT notes FROM records WHERE id = 'a'");
    expect(notes?.notes).toBe(nasty);
  });

  it('records an import run with its rejected rows', async () => {
    const id = await repos.importRuns.start({
      file: 'x.csv',
      dryRun: false,
      actor: 'cli:t',
      startedAtMs: NOW,
    });
    await repos.importRuns.finish(id, {
      total: 3,
      imported: 2,
      rejected: [{ line: 3, reason: "unknown type 'prospect'" }],
      finishedAtMs: NOW + 1000,
    });
    const run = await getImportRun(db, id);
    expect(run).toMatchObject({ status: 'partial', totalRows: 3, importedRows: 2, rejectedRows: 1 });
    expect(run?.rejected).toEqual([{ line: 3, reason: "unknown type 'prospect'" }]);
  });

  it('reconciles findings across scans: new, still open, cleared, reopened', async () => {
    await db.query('DELETE FROM records');
    // An unowned opportunity: UNASSIGNED_OWNER ($10,000) only.
    await repos.records.upsertMany([buildOpp({ id: 'o1', owner: '' })]);
    const first = await runScan(scanDeps(), ctx, { asOfMs: NOW });
    expect(first.delta).toEqual({ newIssues: 1, stillOpen: 0, reopened: 0, cleared: 0, reconciled: true });
    expect(first.summary.totalAtRiskCents).toBe(1_000_000);

    const second = await runScan(scanDeps(), ctx, { asOfMs: NOW + DAY_MS });
    expect(second.delta).toEqual({ newIssues: 0, stillOpen: 1, reopened: 0, cleared: 0, reconciled: true });

    await repos.records.upsertMany([buildOpp({ id: 'o1', owner: 'carol' })]);
    const third = await runScan(scanDeps(), ctx, { asOfMs: NOW + 2 * DAY_MS });
    expect(third.delta).toMatchObject({ newIssues: 0, cleared: 1 });
    const [f] = await db.query<{ status: string; cleared_scan_id: string }>(
      "SELECT status, cleared_scan_id::text FROM findings WHERE issue_id = 'o1_UNASSIGNED_OWNER'",
    );
    expect(f).toEqual({ status: 'cleared', cleared_scan_id: third.scanId });

    await repos.records.upsertMany([buildOpp({ id: 'o1', owner: '' })]);
    const fourth = await runScan(scanDeps(), ctx, { asOfMs: NOW + 3 * DAY_MS });
    expect(fourth.delta).toMatchObject({ newIssues: 0, reopened: 1, cleared: 0 });
    const seen = await repos.scans.firstSeen(['o1_UNASSIGNED_OWNER', 'nope']);
    expect(seen.get('o1_UNASSIGNED_OWNER')).toBe(NOW);
    expect(seen.has('nope')).toBe(false);
  });

  it('a backfill scan never clears what a later scan still sees', async () => {
    await db.query('DELETE FROM records');
    await repos.records.upsertMany([buildOpp({ id: 'o2', region: '' })]);
    await runScan(scanDeps(), ctx, { asOfMs: NOW + 10 * DAY_MS });
    await db.query('DELETE FROM records');
    const backfill = await runScan(scanDeps(), ctx, { asOfMs: NOW + 5 * DAY_MS });
    expect(backfill.delta.cleared).toBe(0);
    const [f] = await db.query<{ status: string }>(
      "SELECT status FROM findings WHERE issue_id = 'o2_ROUTING_MISMATCH'",
    );
    expect(f?.status).toBe('open');
  });

  it('writes only what changed: last seen is resolved by the view while open and stored when cleared', async () => {
    await db.query('DELETE FROM records');
    await db.query('DELETE FROM findings');
    await db.query('DELETE FROM scans');
    await repos.records.upsertMany([buildOpp({ id: 'w1', owner: '' }), buildOpp({ id: 'w2', region: '' })]);
    const first = await runScan(scanDeps(), ctx, { asOfMs: NOW });
    const second = await runScan(scanDeps(), ctx, { asOfMs: NOW + 60_000 });
    // Nothing changed between the two scans: no finding row was rewritten by the second.
    const changed = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM findings WHERE changed_scan_id::text = $1',
      [second.scanId],
    );
    expect(changed[0]?.n).toBe(0);
    const seen = await db.query<{ issue_id: string; ms: number }>(
      `SELECT issue_id, floor(extract(epoch FROM seen_until) * 1000)::float8 AS ms FROM findings_seen ORDER BY 1`,
    );
    expect(seen).toEqual([
      { issue_id: 'w1_UNASSIGNED_OWNER', ms: NOW + 60_000 },
      { issue_id: 'w2_ROUTING_MISMATCH', ms: NOW + 60_000 },
    ]);

    await repos.records.upsertMany([buildOpp({ id: 'w1', owner: 'dana' })]);
    const third = await runScan(scanDeps(), ctx, { asOfMs: NOW + 120_000 });
    expect(third.delta).toMatchObject({ cleared: 1, stillOpen: 1, newIssues: 0 });
    const [cleared] = await db.query<{ last_seen: number; by: string; status: string }>(
      `SELECT floor(extract(epoch FROM last_seen_at) * 1000)::float8 AS last_seen, last_seen_scan_id::text AS by, status
       FROM findings WHERE issue_id = 'w1_UNASSIGNED_OWNER'`,
    );
    expect(cleared).toEqual({ last_seen: NOW + 60_000, by: second.scanId, status: 'cleared' });
    expect(first.delta.reconciled).toBe(true);
  });

  it('a backfill stores its totals and leaves findings alone', async () => {
    const latest = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM findings');
    const backfill = await runScan(scanDeps(), ctx, { asOfMs: NOW - 30 * DAY_MS });
    expect(backfill.delta).toEqual({
      newIssues: 0,
      stillOpen: 0,
      reopened: 0,
      cleared: 0,
      reconciled: false,
    });
    const [row] = await db.query<{ reconciled: boolean; issues: number }>(
      'SELECT reconciled, issues_count AS issues FROM scans WHERE id::text = $1',
      [backfill.scanId],
    );
    expect(row).toEqual({ reconciled: false, issues: backfill.summary.issues.length });
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM findings'))[0]?.n).toBe(
      latest[0]?.n,
    );
  });

  it('two scans at once both persist, and each new issue is inserted once', async () => {
    await db.query('DELETE FROM records');
    await db.query('DELETE FROM findings');
    await repos.records.upsertMany(
      Array.from({ length: 5000 }, (_, i) => buildOpp({ id: `c${i}`, owner: '', region: '' })),
    );
    const outcomes = await Promise.all(
      [1, 2, 3].map(() => runScan(scanDeps(), ctx, { asOfMs: NOW + 20 * DAY_MS })),
    );
    // 3 issues per record: unowned, no region, and stale (idle 20 days at this as-of). Exactly one scan
    // saw them as new, the others as still open: never inserted twice, never a duplicate-key crash.
    expect(outcomes.map((o) => o.delta.newIssues).sort((x, y) => x - y)).toEqual([0, 0, 15_000]);
    const [n] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM findings WHERE status = 'open'",
    );
    expect(n?.n).toBe(15_000);
  });

  it('stores the scan totals with money in cents', async () => {
    await db.query('DELETE FROM records');
    await repos.records.upsertMany([
      buildOpp({ id: 's1', stage: 'Proposal', valueCents: 1_000_000, lastTouchAtMs: daysAgo(14) }),
    ]);
    const o = await runScan(scanDeps(), ctx, { asOfMs: NOW });
    const [row] = await db.query<Record<string, unknown>>(
      `SELECT total_at_risk_cents::float8 AS cents, budget_cents::float8 AS budget, paging, incident_severity::int AS sev,
              issues_count AS issues FROM scans WHERE id = $1`,
      [o.scanId],
    );
    // The DOMAIN.md check value: Proposal, $10,000, 14 days idle → $2,250.
    expect(row).toEqual({ cents: 225_000, budget: 5_000_000, paging: 'OK', sev: 4, issues: 1 });
  });
});
