/**
 * Pipeline figures (DOMAIN.md §9) from what SQL aggregated (aggregates.ts; adapters/db/revops-pipeline-sql.ts
 * documents the as-of reconstruction). Pure: no clock, the period end is already in the aggregates.
 */
import type { Cents } from '../../shared/money.ts';
import type { OwnerAggregate, PipelineAggregates, StageAggregate } from './aggregates.ts';
import type { OwnerFigure, PipelineFigures, StageFigure } from './figures.ts';
import { OPEN_STAGES } from './types.ts';

/** The funnel a new deal walks, in order: conversion of a stage is to the next one of this list. */
export const FUNNEL_CHAIN = ['Discovery', 'Demo', 'Negotiation', 'Closed_Won'] as const;

/**
 * x / y × 100, or null when y is 0 (a rate over nothing is undefined, not zero). Multiplied first, so a
 * whole percentage of whole numbers is exact (110,000 / 100,000 is 110, not 110.00000000000001).
 */
export const pct = (x: number, y: number): number | null => (y === 0 ? null : (x * 100) / y);

/** won / (won + lost) × 100; null when nothing closed. */
export const winRate = (won: number, lost: number): number | null => pct(won, won + lost);

/**
 * Weighted open pipeline / mean of the non-zero days in stage, in cents per day. Deals that entered their
 * stage less than a whole day ago are left out of the mean (they would make it 0 and the velocity
 * infinite); with none left the divisor is 1 day (DOMAIN.md §9 "default 1").
 */
export function velocity(weightedCents: Cents, nonZeroDaysDeals: number, nonZeroDaysSum: number): number {
  const meanDays = nonZeroDaysDeals === 0 ? 1 : nonZeroDaysSum / nonZeroDaysDeals;
  return weightedCents / meanDays;
}

const sum = <T>(xs: readonly T[], f: (x: T) => number): number => xs.reduce((n, x) => n + f(x), 0);

/**
 * One row per open stage: the three of the funnel always (an empty stage is shown as 0, not hidden),
 * then any other stage the data holds (funnel records keep their own stage names) by name.
 */
function stageFigures(agg: PipelineAggregates): StageFigure[] {
  const byName = new Map(agg.byStage.map((s) => [s.stage, s]));
  const extra = agg.byStage
    .map((s) => s.stage)
    .filter((s) => !(OPEN_STAGES as readonly string[]).includes(s));
  const names = [...OPEN_STAGES, ...extra.sort()];
  const reached = agg.created.reached;
  return names.map((stage) => {
    const s: StageAggregate | undefined = byName.get(stage);
    const at = FUNNEL_CHAIN.indexOf(stage as (typeof FUNNEL_CHAIN)[number]);
    const next = at >= 0 && at < FUNNEL_CHAIN.length - 1 ? FUNNEL_CHAIN[at + 1]! : null;
    return {
      stage,
      deals: s?.deals ?? 0,
      amountCents: s?.amountCents ?? 0,
      weightedCents: s?.weightedCents ?? 0,
      avgDaysInStage: s && s.deals > 0 ? s.daysInStageSum / s.deals : null,
      // Of the period's new deals that reached this stage, the share that reached the next one.
      conversionPct: next === null ? null : pct(reached[next] ?? 0, reached[stage] ?? 0),
    };
  });
}

/** Owners by open pipeline, largest first, then by name (deterministic). */
function ownerFigures(owners: readonly OwnerAggregate[]): OwnerFigure[] {
  return [...owners]
    .sort((a, b) => b.openCents - a.openCents || (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0))
    .map((o) => ({
      owner: o.owner,
      openDeals: o.openDeals,
      openCents: o.openCents,
      weightedCents: o.weightedCents,
      won: o.won,
      lost: o.lost,
      winRatePct: winRate(o.won, o.lost),
    }));
}

export function pipelineFigures(agg: PipelineAggregates): PipelineFigures {
  const { closed } = agg;
  const weightedCents = sum(agg.byStage, (s) => s.weightedCents);
  return {
    source: agg.source,
    // Open at the period end: the deals whose stage then is known, and those that have moved since.
    openDeals: sum(agg.byStage, (s) => s.deals) + agg.closedSince.deals,
    openCents: sum(agg.byStage, (s) => s.amountCents) + agg.closedSince.amountCents,
    weightedCents,
    winRatePct: winRate(closed.won, closed.lost),
    avgDealSizeCents: closed.won === 0 ? null : Math.round(closed.wonCents / closed.won),
    velocityCentsPerDay: velocity(
      weightedCents,
      sum(agg.byStage, (s) => s.nonZeroDaysDeals),
      sum(agg.byStage, (s) => s.nonZeroDaysSum),
    ),
    won: closed.won,
    lost: closed.lost,
    wonCents: closed.wonCents,
    createdDeals: agg.created.deals,
    stages: stageFigures(agg),
    owners: ownerFigures(agg.byOwner),
    stuck: agg.stuck,
    stuckTotal: agg.stuckTotal,
  };
}
