import { describe, expect, it } from 'vitest';
import type { Actor, Ctx } from '../../src/app/context.ts';
import { FUTURE_SKEW_MS, runScan, type ScanDeps } from '../../src/app/scan/scan.ts';
import { DEFAULT_BUDGET_POLICY } from '../../src/domain/budget/budget.ts';
import type { FunnelRecord } from '../../src/domain/records/record.ts';
import { DEFAULT_THRESHOLDS } from '../../src/domain/rules/catalog.ts';
import { MINUTE_MS } from '../../src/shared/time.ts';
import { buildOpp, buildRecord, minutesAgo, NOW } from '../domain/build.ts';
import { InMemoryRecords, InMemoryScans } from '../support/fakes.ts';

/** Each clock read advances by this much, so elapsed time and "which read was used" are observable. */
const TICK_MS = 250;

/**
 * Two records with known issues at NOW:
 * - lead1: a $10,000 lead created 31 minutes ago, never touched → SLA_BREACH_UNTOUCHED (31 > 30),
 *   round(10,000 × 0.5) = $5,000. Created 0 whole days ago, so no NO_NEXT_STEP (and it has one anyway).
 * - opp1: a clean $10,000 Proposal opportunity with no owner → UNASSIGNED_OWNER = value = $10,000.
 * Total $15,000 of a $50,000 budget: burn 0.3 → WARN (0.25 < 0.3 ≤ 0.5), severity 4 (open issues, burn ≤ 0.5).
 */
const lead1 = (): FunnelRecord =>
  buildRecord({ id: 'lead1', createdAtMs: minutesAgo(31), lastTouchAtMs: null, valueCents: 1_000_000 });
const opp1 = (): FunnelRecord => buildOpp({ id: 'opp1', owner: '' });

function setup(records: FunnelRecord[] = [lead1(), opp1()], actor: Actor = { type: 'cli', user: 'tester' }) {
  const recordRepo = new InMemoryRecords(records);
  const scans = new InMemoryScans();
  const reads: number[] = [];
  let t = NOW;
  const clock = {
    now: () => {
      reads.push(t);
      const v = t;
      t += TICK_MS;
      return v;
    },
  };
  const logs: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at =
    (level: string) =>
    (obj: object, msg: string): void =>
      void logs.push({ level, obj: obj as Record<string, unknown>, msg });
  const ctx: Ctx = {
    actor,
    requestId: 'req-1',
    log: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') },
  };
  const deps: ScanDeps = {
    records: recordRepo,
    scans,
    clock,
    thresholds: DEFAULT_THRESHOLDS,
    budget: DEFAULT_BUDGET_POLICY,
  };
  return { deps, ctx, recordRepo, scans, logs, reads };
}

const typesById = (issues: { issueId: string }[]) => issues.map((i) => i.issueId).sort();

describe('runScan', () => {
  it('evaluates at the clock when no as-of is given', async () => {
    const { deps, ctx, scans, reads } = setup();
    const out = await runScan(deps, ctx);

    // First clock read is both the start and the as-of; the second read only measures elapsed time.
    expect(reads).toEqual([NOW, NOW + TICK_MS]);
    expect(out.summary.asOfMs).toBe(NOW);
    expect(out.elapsedMs).toBe(TICK_MS);
    expect(scans.scans).toHaveLength(1);
    expect(scans.scans[0]).toMatchObject({ id: 'scan-1', asOfMs: NOW, startedAtMs: NOW });
    expect(typesById(out.summary.issues)).toEqual(['lead1_SLA_BREACH_UNTOUCHED', 'opp1_UNASSIGNED_OWNER']);
    expect(out.summary.totalAtRiskCents).toBe(1_500_000);
  });

  it('honours an explicit as-of (--as-of): rules, summary and stored scan use it, not the clock', async () => {
    const { deps, ctx, scans } = setup();
    // Two minutes earlier the lead was 29 minutes old: not yet past the 30-minute SLA.
    const asOfMs = NOW - 2 * MINUTE_MS;
    const out = await runScan(deps, ctx, { asOfMs });

    expect(out.summary.asOfMs).toBe(asOfMs);
    expect(typesById(out.summary.issues)).toEqual(['opp1_UNASSIGNED_OWNER']);
    expect(out.summary.totalAtRiskCents).toBe(1_000_000);
    // The stored scan is dated at the as-of; when it ran is still the clock's business.
    expect(scans.scans[0]).toMatchObject({ asOfMs, startedAtMs: NOW });
    expect(out.elapsedMs).toBe(TICK_MS);
  });

  it('refuses an as-of beyond clock skew in the future, and stores nothing', async () => {
    // A future scan would become the newest reconciled one and freeze findings for every real scan after it.
    const { deps, ctx, scans } = setup();
    await expect(runScan(deps, ctx, { asOfMs: NOW + FUTURE_SKEW_MS + 60_000 })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/is in the future/),
    });
    expect(scans.scans).toEqual([]);
    // Clock skew between the caller and this process is tolerated.
    const lead = buildRecord({ id: 'l2', createdAtMs: NOW - 28 * MINUTE_MS, lastTouchAtMs: null });
    const near = setup([lead]);
    const out = await runScan(near.deps, near.ctx, { asOfMs: NOW + 4 * MINUTE_MS });
    expect(typesById(out.summary.issues)).toEqual(['l2_SLA_BREACH_UNTOUCHED']);
  });

  it.each<[Actor, string]>([
    [{ type: 'slack', teamId: 'T1', userId: 'U1' }, 'slack:T1:U1'],
    [{ type: 'cli', user: 'alice' }, 'cli:alice'],
    [{ type: 'system', job: 'nightly-scan' }, 'system:nightly-scan'],
    [{ type: 'api', key: 'k1' }, 'api:k1'],
  ])('passes the actor label through to the stored scan (%o → %s)', async (actor, label) => {
    const { deps, ctx, scans } = setup(undefined, actor);
    await runScan(deps, ctx);
    expect(scans.scans.map((s) => s.actor)).toEqual([label]);
  });

  it("logs one 'scan completed' line carrying the totals and the delta", async () => {
    const { deps, ctx, logs } = setup();
    const out = await runScan(deps, ctx);

    expect(logs).toHaveLength(1);
    expect(logs[0]).toEqual({
      level: 'info',
      msg: 'scan completed',
      obj: {
        scan_id: 'scan-1',
        as_of: '2025-06-02T12:00:00.000Z',
        records: 2,
        issues: 2,
        at_risk_cents: 1_500_000,
        burn: 0.3,
        paging: 'WARN',
        severity: 4,
        newIssues: 2,
        stillOpen: 0,
        reopened: 0,
        cleared: 0,
        reconciled: true,
        elapsed_ms: TICK_MS,
      },
    });
    expect(out.summary).toMatchObject({ burn: 0.3, paging: 'WARN', incidentSeverity: 4, highIssues: 2 });
  });

  it('hands the repository the summary it returns, and returns the delta the repository reconciled', async () => {
    const { deps, ctx, scans, recordRepo, logs } = setup();
    const first = await runScan(deps, ctx);
    expect(scans.scans[0]!.summary).toBe(first.summary);
    expect(first).toMatchObject({ scanId: 'scan-1', delta: { newIssues: 2, stillOpen: 0 } });

    const second = await runScan(deps, ctx);
    expect(second).toMatchObject({
      scanId: 'scan-2',
      delta: { newIssues: 0, stillOpen: 2, reopened: 0, cleared: 0, reconciled: true },
    });

    // Give the opportunity an owner: its finding clears on the next scan.
    await recordRepo.upsertMany([buildOpp({ id: 'opp1', owner: 'carol' })]);
    const third = await runScan(deps, ctx);
    expect(third.delta).toEqual({ newIssues: 0, stillOpen: 1, reopened: 0, cleared: 1, reconciled: true });
    expect(logs.at(-1)?.obj).toMatchObject({
      scan_id: 'scan-3',
      issues: 1,
      at_risk_cents: 500_000,
      cleared: 1,
    });
  });

  it('an empty workspace scans clean: nothing at risk, severity 5, OK', async () => {
    const { deps, ctx, logs } = setup([]);
    const out = await runScan(deps, ctx);
    expect(out.summary).toMatchObject({
      records: 0,
      issues: [],
      totalAtRiskCents: 0,
      burn: 0,
      paging: 'OK',
      incidentSeverity: 5,
    });
    expect(logs[0]?.obj).toMatchObject({ records: 0, issues: 0, at_risk_cents: 0, severity: 5 });
  });

  it('a failing load records no scan and logs no completion', async () => {
    const { deps, ctx, scans, recordRepo, logs } = setup();
    recordRepo.loadAll = () => Promise.reject(new Error('connection reset'));
    await expect(runScan(deps, ctx)).rejects.toThrow('connection reset');
    expect(scans.scans).toEqual([]);
    expect(logs).toEqual([]);
  });
});
