import type { BudgetPolicy } from '../../domain/budget/budget.ts';
import { type Incident, revopsLeakFigures } from '../../domain/incidents/incident.ts';
import { judgeStuckLeak, stuckLeakFigures, stuckLeakFiring } from '../../domain/incidents/revops-leak.ts';
import {
  REVOPS_STUCK_DEDUPE_KEY,
  type RevopsLeakFigures,
  STUCK_LEAK_TITLE,
  stuckLeakResolveReason,
} from '../../domain/revops/leak.ts';
import { pipelineFigures } from '../../domain/revops/pipeline.ts';
import type { Cents } from '../../shared/money.ts';
import { DAY_MS } from '../../shared/time.ts';
import type { Ctx } from '../context.ts';
import type { IncidentDeps } from '../incidents/deps.ts';
import {
  applyVerdict,
  type IncidentChange,
  type IncidentReading,
  inIncidentTx,
} from '../incidents/transitions.ts';
import type { RevopsReads, StuckRule } from './ports.ts';

/**
 * The pipeline watch (issue 14), daily and on `leak revops watch`: are the deals stuck as of now worth more
 * than the leak budget (REVOPS_LEAK_BUDGET_USD)? The stuck-deals insight asks the same of a period's end by
 * the same rule (domain/revops/leak.ts); the watch is what turns it into an incident, through the shared
 * transitions, under its own dedupe key (leak.ts says why not the funnel's): declared over the budget,
 * updated when the reading changes, resolved once back within it or when no budget is set any more.
 * Idempotent: the key's lock, the partial unique index on open incidents and the conditional UPDATEs make
 * a repeated or concurrent run change nothing twice.
 */
export interface PipelineWatchDeps {
  reads: Pick<RevopsReads, 'pipeline'>;
  incident: IncidentDeps;
  settings: {
    stuck: StuckRule;
    /** Null: insights never cross into a leak, and an incident left open from before resolves. */
    leakBudgetCents: Cents | null;
    /** The revenue budget's severity and paging thresholds (DOMAIN.md §4), read with the budget multiple. */
    budget: BudgetPolicy;
  };
}

export interface PipelineWatchOutcome {
  /** The reading; null when no budget is set (nothing is read then). */
  figures: RevopsLeakFigures | null;
  /** Over the budget. */
  firing: boolean;
  change: IncidentChange;
}

/** How far back the period starts: the stuck deals are as of its end; the flows it also reads are unused. */
const PERIOD_MS = DAY_MS;

/** The stuck deals as of now against the budget; null without a budget (nothing is read then). */
async function readFigures(deps: PipelineWatchDeps, nowMs: number): Promise<RevopsLeakFigures | null> {
  const { stuck, leakBudgetCents, budget } = deps.settings;
  if (leakBudgetCents === null) return null;
  const agg = await deps.reads.pipeline({ fromMs: nowMs - PERIOD_MS, toMs: nowMs }, stuck);
  const reading = {
    pipeline: pipelineFigures(agg),
    budgetCents: leakBudgetCents,
    rule: { minDays: stuck.minDays, minCents: stuck.minCents },
    nowMs,
  };
  return stuckLeakFigures(reading, budget);
}

export async function watchPipeline(deps: PipelineWatchDeps, ctx: Ctx): Promise<PipelineWatchOutcome> {
  const nowMs = deps.incident.clock.now();
  const { leakBudgetCents } = deps.settings;
  const figures = await readFigures(deps, nowMs);
  const change = await inIncidentTx(deps.incident, ctx, async (s) => {
    await s.tx.lockKey(REVOPS_STUCK_DEDUPE_KEY);
    const open = await s.tx.findOpen(REVOPS_STUCK_DEDUPE_KEY);
    const lastResolved = open ? null : await s.tx.findLastResolved(REVOPS_STUCK_DEDUPE_KEY);
    const verdict = judgeStuckLeak(open, lastResolved, figures, deps.incident.policy, nowMs);
    if (verdict.action === 'none') return { action: 'none', incident: open } satisfies IncidentChange;
    return applyVerdict(s, verdict, open, leakReading(figures, open, leakBudgetCents));
  });
  if (change.action !== 'none') {
    ctx.log.info(
      {
        incident_id: change.incident.id,
        action: change.action,
        severity: change.incident.severity,
        stuck_cents: figures?.stuckCents ?? null,
        leak_budget_cents: leakBudgetCents,
      },
      'pipeline watch changed the stuck-deals incident',
    );
    deps.incident.onEnqueued?.();
  }
  return { figures, firing: stuckLeakFiring(figures), change };
}

/**
 * The reading as the transitions take it. Without a budget only a resolve is possible (judgeStuckLeak),
 * and it keeps the figures the incident shows. A resolve keeps the severity it had and stops paging.
 */
function leakReading(
  measured: RevopsLeakFigures | null,
  open: Incident | null,
  budgetCents: Cents | null,
): IncidentReading<RevopsLeakFigures> {
  const f = measured ?? (open ? revopsLeakFigures(open) : null);
  if (f === null) throw new Error('pipeline watch: a transition without figures (no budget, no incident)');
  const data = { stuck_deals: f.stuckDeals, stuck_cents: f.stuckCents, leak_budget_cents: f.leakBudgetCents };
  return {
    dedupeKey: REVOPS_STUCK_DEDUPE_KEY,
    title: STUCK_LEAK_TITLE,
    next: { severity: f.severity, paging: f.paging, figures: f },
    repage: 'rise_from_ok',
    resolve: {
      next: { paging: 'OK', figures: f },
      reason: () => stuckLeakResolveReason(measured, budgetCents),
    },
    data: { declared: () => data, reopened: data, updated: data },
  };
}
