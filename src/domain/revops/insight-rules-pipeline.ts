/** Pipeline insight rules (DOMAIN.md §9): win rate, velocity, stuck deals. */
import { confidence, distancePast } from './confidence.ts';
import type { Insight } from './figures.ts';
import {
  fmtPct,
  type InsightInput,
  type InsightOptions,
  insight,
  periodText,
  severityBelow,
  THRESHOLDS,
  usd,
} from './insight-rules.ts';
import { crossesLeakBudget } from './leak.ts';

/** Win rate strictly under 20% (exactly 20% is not an insight); needs at least one closed deal. */
export function lowWinRate(r: InsightInput): Insight[] {
  const { winRatePct, won, lost } = r.pipeline;
  const t = THRESHOLDS.winRate;
  if (winRatePct === null || winRatePct >= t.warning) return [];
  return [
    insight({
      id: 'low_win_rate',
      severity: severityBelow(winRatePct, t),
      confidence: confidence(won + lost, distancePast(winRatePct, t.warning)),
      title: `Win rate ${fmtPct(winRatePct)} is under ${t.warning}%`,
      detail:
        `${periodText(r.filter.fromMs, r.filter.toMs)}: ${won} won and ${lost} lost of ${won + lost} ` +
        `closed deals, a win rate of ${fmtPct(winRatePct)} against a ${t.warning}% floor.`,
      view: 'pipeline',
      evidence: { winRatePct, won, lost, thresholdPct: t.warning },
    }),
  ];
}

/**
 * Velocity strictly under $1,000/day. Only with open deals whose stage is known: an empty pipeline has
 * velocity 0 by arithmetic, and "velocity is low" would say nothing the open-pipeline figure does not.
 */
export function lowVelocity(r: InsightInput): Insight[] {
  const p = r.pipeline;
  const t = THRESHOLDS.velocity;
  const known = p.stages.reduce((n, s) => n + s.deals, 0);
  if (known === 0 || p.velocityCentsPerDay >= t.warning) return [];
  const perDay = `${usd(p.velocityCentsPerDay)}/day`;
  return [
    insight({
      id: 'low_velocity',
      severity: severityBelow(p.velocityCentsPerDay, t),
      confidence: confidence(known, distancePast(p.velocityCentsPerDay, t.warning)),
      title: `Pipeline velocity ${perDay} is under ${usd(t.warning)}/day`,
      detail:
        `As of the end of ${periodText(r.filter.fromMs, r.filter.toMs)}: ${known} open deals weighted at ` +
        `${usd(p.weightedCents)} move at ${perDay}, under the ${usd(t.warning)}/day floor.`,
      view: 'pipeline',
      evidence: {
        velocityCentsPerDay: p.velocityCentsPerDay,
        weightedCents: p.weightedCents,
        openDeals: known,
        thresholdCentsPerDay: t.warning,
      },
    }),
  ];
}

/**
 * Any stuck deal ("N deals worth $X stuck over 45 days"). Worth more than the leak budget, the stuck
 * pipeline is a revenue leak (leak.ts, the rule the pipeline watch judges by too): critical, and `leak`
 * carries what is at risk; app/revops/leak-link.ts adds the pipeline incident it feeds.
 */
export function stuckDeals(r: InsightInput, opts: InsightOptions): Insight[] {
  const { stuck, stuckTotal } = r.pipeline;
  if (stuckTotal.deals === 0) return [];
  const longest = stuck[0]?.daysInStage ?? opts.stuckMinDays;
  const isLeak = crossesLeakBudget(stuckTotal.amountCents, opts.leakBudgetCents);
  const noun = stuckTotal.deals === 1 ? 'deal' : 'deals';
  return [
    insight({
      id: 'stuck_deals',
      severity: isLeak ? 'critical' : 'warning',
      confidence: confidence(stuckTotal.deals, distancePast(longest, opts.stuckMinDays)),
      title: `${stuckTotal.deals} ${noun} worth ${usd(stuckTotal.amountCents)} stuck over ${opts.stuckMinDays} days`,
      detail:
        `As of the end of ${periodText(r.filter.fromMs, r.filter.toMs)}: ${stuckTotal.deals} open ${noun} ` +
        `worth ${usd(stuckTotal.amountCents)} have sat in their stage ${opts.stuckMinDays} days or more; ` +
        `the longest ${longest} days${isLeak ? `, over the ${usd(opts.leakBudgetCents!)} leak budget` : ''}.`,
      view: 'pipeline',
      evidence: {
        deals: stuckTotal.deals,
        amountCents: stuckTotal.amountCents,
        minDays: opts.stuckMinDays,
        longestDays: longest,
        leakBudgetCents: opts.leakBudgetCents,
      },
      leak: isLeak ? { reason: 'stuck_deals', atRiskCents: stuckTotal.amountCents } : null,
    }),
  ];
}
