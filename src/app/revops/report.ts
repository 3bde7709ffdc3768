/**
 * The RevOps report (issue 14): one period's pipeline, revenue and marketing figures, the previous
 * period's (same length, just before, same slices), the headline changes and the insights. The six reads
 * run in parallel; every figure is aggregated by the database (RevopsReads), so the report holds a few
 * hundred numbers whatever the size of the imports.
 */
import { DEFAULT_PAYBACK_BENCHMARKS, type PaybackBenchmarks } from '../../domain/revops/benchmarks.ts';
import type {
  MarketingFigures,
  PipelineFigures,
  RevenueFigures,
  RevopsReport,
} from '../../domain/revops/figures.ts';
import { insights } from '../../domain/revops/insights.ts';
import { marketingFigures } from '../../domain/revops/marketing.ts';
import { pipelineFigures } from '../../domain/revops/pipeline.ts';
import { revenueFigures } from '../../domain/revops/revenue.ts';
import { type Compared, compare, previousPeriod, type RevopsFilter } from '../../domain/revops/types.ts';
import type { RevopsReads, StuckRule } from './ports.ts';

export interface RevopsOptions {
  stuck: StuckRule;
  benchmarks: PaybackBenchmarks;
  /** Stuck pipeline worth more than this is a revenue leak; null: never. */
  leakBudgetCents: number | null;
}

/** DOMAIN.md §9: stuck = ≥ 45 days in stage and ≥ $50,000; the ten longest are listed. */
export const DEFAULT_REVOPS_OPTIONS: RevopsOptions = {
  stuck: { minDays: 45, minCents: 5_000_000, limit: 10 },
  benchmarks: DEFAULT_PAYBACK_BENCHMARKS,
  leakBudgetCents: null,
};

interface Figures {
  pipeline: PipelineFigures;
  revenue: RevenueFigures;
  marketing: MarketingFigures;
}

/**
 * Headline figures that mean the same in both periods. Weighted pipeline, velocity and stuck deals are
 * not compared: for a past period end the stage each deal was in then is unknown for deals that have
 * moved since (the import keeps only the current stage), so those figures of the previous period cover
 * only part of its pipeline and a change against them would be an artefact. Open pipeline is compared:
 * a deal open then is known to have been open, whatever its stage. `won` is closed-won deals;
 * `marketingWon` is the spend file's customers won.
 */
function headline(f: Figures): Record<string, number | null> {
  const { pipeline: p, revenue: r, marketing: m } = f;
  return {
    openCents: p.openCents,
    openDeals: p.openDeals,
    won: p.won,
    lost: p.lost,
    winRatePct: p.winRatePct,
    avgDealSizeCents: p.avgDealSizeCents,
    wonCents: p.wonCents,
    createdDeals: p.createdDeals,
    mrrCents: r.mrrCents,
    arrCents: r.arrCents,
    activeCustomers: r.activeCustomers,
    churnRatePct: r.churnRatePct,
    nrrPct: r.nrrPct,
    spendCents: m.totals.spendCents,
    leads: m.totals.leads,
    marketingWon: m.totals.won,
    cacCents: m.totals.cacCents,
    roiPct: m.totals.roiPct,
  };
}

export function changes(current: Figures, previous: Figures): Record<string, Compared> {
  const now = headline(current);
  const then = headline(previous);
  return Object.fromEntries(Object.keys(now).map((k) => [k, compare(now[k] ?? null, then[k] ?? null)]));
}

async function figures(reads: RevopsReads, f: RevopsFilter, opts: RevopsOptions): Promise<Figures> {
  const [pipeline, revenue, marketing] = await Promise.all([
    reads.pipeline(f, opts.stuck),
    reads.revenue(f),
    reads.marketing(f),
  ]);
  return {
    pipeline: pipelineFigures(pipeline),
    revenue: revenueFigures(revenue),
    marketing: marketingFigures(marketing, opts.benchmarks),
  };
}

export async function revopsReport(
  reads: RevopsReads,
  filter: RevopsFilter,
  opts: RevopsOptions = DEFAULT_REVOPS_OPTIONS,
): Promise<RevopsReport> {
  const [current, previous] = await Promise.all([
    figures(reads, filter, opts),
    figures(reads, previousPeriod(filter), opts),
  ]);
  const report = { filter, ...current, previous, changes: changes(current, previous) };
  return {
    ...report,
    insights: insights(report, { stuckMinDays: opts.stuck.minDays, leakBudgetCents: opts.leakBudgetCents }),
  };
}
