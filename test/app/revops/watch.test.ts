import { describe, expect, it } from 'vitest';
import { revopsReads } from '../../../src/adapters/db/revops-reads.ts';
import { limitViolations } from '../../../src/adapters/slack/blocks/limits.ts';
import { renderOutbound } from '../../../src/adapters/slack/blocks/outbound.ts';
import { renderRevopsInsights } from '../../../src/adapters/slack/blocks/revops-insights.ts';
import { withLeakIncident } from '../../../src/app/revops/leak-link.ts';
import type { RevopsReads } from '../../../src/app/revops/ports.ts';
import { DEFAULT_REVOPS_OPTIONS, revopsReport } from '../../../src/app/revops/report.ts';
import { leakLine } from '../../../src/app/revops/view-text.ts';
import { type PipelineWatchDeps, watchPipeline } from '../../../src/app/revops/watch.ts';
import { DEFAULT_BUDGET_POLICY } from '../../../src/domain/budget/budget.ts';
import { revopsLeakFigures } from '../../../src/domain/incidents/incident.ts';
import { REVOPS_STUCK_DEDUPE_KEY } from '../../../src/domain/revops/leak.ts';
import { DAY_MS } from '../../../src/shared/time.ts';
import { backends, testCtx } from '../../support/db.ts';
import { drain, posted } from '../incidents/delivery-support.ts';
import { kinds, useIncidentWorld, type World } from '../incidents/setup.ts';

/**
 * The pipeline watch as an incident source over a real database (PGlite, and PostgreSQL when
 * DATABASE_URL is set): deals inserted by SQL, stuck deals as of the world's clock against a $500,000
 * budget. One incident however often it runs, updated when the stuck pipeline changes, resolved when it
 * falls back within the budget; its War Room renders within Slack's limits; the insight names it.
 */

const BUDGET = 50_000_000; // $500,000

function watchDeps(
  w: World,
  leakBudgetCents: number | null = BUDGET,
  reads?: RevopsReads,
): PipelineWatchDeps {
  return {
    reads: reads ?? revopsReads(w.db),
    incident: w.deps,
    settings: { stuck: DEFAULT_REVOPS_OPTIONS.stuck, leakBudgetCents, budget: DEFAULT_BUDGET_POLICY },
  };
}

/** Open deals that entered their stage `days` ago, as the import would have stored them. */
async function insertDeals(w: World, deals: Array<{ id: string; cents: number; days: number }>) {
  const now = w.clock.now();
  for (const d of deals)
    await w.db.query(
      `INSERT INTO revops_deals (deal_id, account, segment, owner, stage, amount_cents, created_at,
         last_stage_change, probability, source_channel)
       VALUES ($1, $2, 'ENT', 'Dana Whitfield', 'Negotiation', $3, $4, $5, 0.6, 'Events')`,
      [
        d.id,
        `${d.id} & Sons <Ltd>`,
        d.cents,
        new Date(now - (d.days + 30) * DAY_MS).toISOString(),
        new Date(now - d.days * DAY_MS).toISOString(),
      ],
    );
}

const setAmount = (w: World, id: string, cents: number) =>
  w.db.query('UPDATE revops_deals SET amount_cents = $2 WHERE deal_id = $1', [id, cents]);

const incidentsOfKey = async (w: World) =>
  (
    await w.db.query<{ n: number }>('SELECT count(*)::int AS n FROM incidents WHERE dedupe_key = $1', [
      REVOPS_STUCK_DEDUPE_KEY,
    ])
  )[0]!.n;

describe.each(backends)('pipeline watch on $name', (backend) => {
  const ref = useIncidentWorld(backend);
  const fresh = async () => {
    await ref.w.db.query('DELETE FROM revops_deals');
    return ref.w;
  };

  it('declares once over the budget, stays one incident on reruns, updates on change, resolves within it', async () => {
    const w = await fresh();
    // $600,000 stuck (1.2× the budget) in two deals; a recent one and a small old one are not stuck.
    await insertDeals(w, [
      { id: 'D1', cents: 40_000_000, days: 90 },
      { id: 'D2', cents: 20_000_000, days: 50 },
      { id: 'D3', cents: 90_000_000, days: 10 },
      { id: 'D4', cents: 4_000_000, days: 200 },
    ]);
    const first = await watchPipeline(watchDeps(w), testCtx());
    expect(first).toMatchObject({ firing: true, change: { action: 'declared' } });
    const id = first.change.incident!.id;
    const incident = (await w.repos.incidents.get(id))!;
    expect(incident).toMatchObject({
      dedupeKey: REVOPS_STUCK_DEDUPE_KEY,
      title: 'Stuck deals over the leak budget',
      severity: 2,
      paging: 'PAGE',
    });
    expect(revopsLeakFigures(incident)).toMatchObject({
      stuckDeals: 2,
      stuckCents: 60_000_000,
      leakBudgetCents: BUDGET,
      budgetMultiple: 1.2,
      source: 'deals',
    });
    expect(revopsLeakFigures(incident)!.deals.map((d) => [d.dealId, d.daysInStage])).toEqual([
      ['D1', 90],
      ['D2', 50],
    ]);
    await drain(w);
    expect(posted(w, 'page')).toHaveLength(1);

    // The War Room as delivered: its own kind, saying what it is, within Slack's limits.
    const [room] = posted(w, 'war_room');
    const rendered = renderOutbound(room!.message);
    expect(limitViolations(rendered)).toEqual([]);
    expect(rendered.text).toBe(
      'SEV-2 · Stuck deals over the leak budget · DETECTED: 2 deals worth $600,000 stuck over 45 days ' +
        '(budget $500,000), 1.2× the budget',
    );
    expect(JSON.stringify(rendered.blocks)).toContain('D1 &amp; Sons &lt;Ltd&gt;');
    expect(w.chat.channels.get(room!.channel)!.name).toMatch(/-stuck-deals-over-the-leak-budget$/);

    // The same stuck pipeline a day later (days in stage grow by themselves): nothing changes, no page.
    w.clock.advance(DAY_MS);
    expect((await watchPipeline(watchDeps(w), testCtx())).change).toMatchObject({ action: 'none' });
    expect(await incidentsOfKey(w)).toBe(1);
    await drain(w);
    expect(posted(w, 'page')).toHaveLength(1);

    // A deal grows past 2× the budget: updated, SEV-1, paged again (worse), still one incident.
    await setAmount(w, 'D1', 90_000_000);
    const worse = await watchPipeline(watchDeps(w), testCtx());
    expect(worse.change).toMatchObject({ action: 'updated', incident: { id, severity: 1 } });
    await drain(w);
    expect(posted(w, 'page')).toHaveLength(2);

    // Amounts lowered to exactly the budget: no longer a leak, resolved with its numbers.
    await setAmount(w, 'D1', 30_000_000);
    const back = await watchPipeline(watchDeps(w), testCtx());
    expect(back).toMatchObject({ firing: false, change: { action: 'resolved', incident: { id } } });
    expect(await w.repos.incidents.listOpen()).toEqual([]);
    expect(await kinds(w, id)).toEqual(['DETECTED', 'PAGED', 'SEVERITY_CHANGED', 'PAGED', 'RESOLVED']);
    const resolved = (await w.repos.incidents.timeline(id, 10)).find((e) => e.kind === 'RESOLVED')!;
    expect(resolved.data).toMatchObject({
      reason:
        'stuck pipeline back within the leak budget: 2 deals worth $500,000 stuck over 45 days (budget $500,000)',
      stuck_cents: 50_000_000,
    });
    expect((await watchPipeline(watchDeps(w), testCtx())).change.action).toBe('none');
    expect(await incidentsOfKey(w)).toBe(1);
  });

  it('two watches at once open one incident', async () => {
    const w = await fresh();
    await insertDeals(w, [{ id: 'D1', cents: 80_000_000, days: 60 }]);
    const runs = await Promise.all([1, 2, 3].map(() => watchPipeline(watchDeps(w), testCtx())));
    expect(runs.map((r) => r.change.action).sort()).toEqual(['declared', 'none', 'none']);
    expect(await incidentsOfKey(w)).toBe(1);
  });

  it('without a budget reads nothing and opens nothing, and resolves an incident left open', async () => {
    const w = await fresh();
    await insertDeals(w, [{ id: 'D1', cents: 80_000_000, days: 60 }]);
    const unread = {
      pipeline: () => Promise.reject(new Error('no budget: the pipeline must not be read')),
    } as unknown as RevopsReads;
    expect(await watchPipeline(watchDeps(w, null, unread), testCtx())).toMatchObject({
      figures: null,
      firing: false,
      change: { action: 'none', incident: null },
    });
    const open = await watchPipeline(watchDeps(w), testCtx());
    expect(open.change.action).toBe('declared');
    const off = await watchPipeline(watchDeps(w, null, unread), testCtx());
    expect(off.change).toMatchObject({ action: 'resolved', incident: { id: open.change.incident!.id } });
    const [entry] = (await w.repos.incidents.timeline(open.change.incident!.id, 10)).filter(
      (e) => e.kind === 'RESOLVED',
    );
    expect(entry!.data['reason']).toMatch(/^REVOPS_LEAK_BUDGET_USD is no longer set/);
  });

  it('the stuck-deals insight says which incident it feeds, on Slack and in the terminal', async () => {
    const w = await fresh();
    await insertDeals(w, [{ id: 'D1', cents: 80_000_000, days: 60 }]);
    const reads = revopsReads(w.db);
    const opts = { ...DEFAULT_REVOPS_OPTIONS, leakBudgetCents: BUDGET };
    const now = w.clock.now();
    const report = () =>
      revopsReport(reads, { fromMs: now - 30 * DAY_MS, toMs: now }, opts).then((r) =>
        withLeakIncident(r, () => w.repos.incidents.listOpen()),
      );

    const before = (await report()).insights.find((i) => i.id === 'stuck_deals')!;
    expect(before.leak).toEqual({ reason: 'stuck_deals', atRiskCents: 80_000_000, incident: null });
    expect(leakLine(before.leak!)).toMatch(/no pipeline incident is open now/);

    const { change } = await watchPipeline(watchDeps(w), testCtx());
    await drain(w);
    const channelId = (await w.repos.incidents.get(change.incident!.id))!.channelId!;
    const after = await report();
    const leak = after.insights.find((i) => i.id === 'stuck_deals')!.leak!;
    expect(leak.incident).toMatchObject({
      id: change.incident!.id,
      severity: 2,
      state: 'detected',
      channelId,
    });
    expect(leakLine(leak)).toMatch(
      new RegExp(`→ feeds open incident #${change.incident!.id} \\(SEV-2, DETECTED, #inc-\\d{8}-`),
    );
    const slack = renderRevopsInsights({ period: { label: 'last 30 days' } as never, report: after });
    expect(limitViolations(slack)).toEqual([]);
    // (FakeChat's channel ids are too short to link; test/adapters/slack/revops-incident.test.ts links one.)
    expect(JSON.stringify(slack.blocks)).toContain(
      `Crosses the leak budget ($800,000 at risk) → feeds open incident #${change.incident!.id} (SEV-2, DETECTED)`,
    );
  });
});
