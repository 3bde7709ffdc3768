/** Revenue insight rules (DOMAIN.md §9): churn, NRR, the top churn reason. */
import { confidence, distancePast } from './confidence.ts';
import type { Insight } from './figures.ts';
import {
  fmtPct,
  type InsightInput,
  insight,
  periodText,
  severityBelow,
  THRESHOLDS,
  usd,
} from './insight-rules.ts';

/** Customers paying in the month before the period: the retention base (its first month's start). */
const baseCustomers = (r: InsightInput): number => r.revenue.months[0]?.customersStart ?? 0;

/** Logo churn strictly over 5% of the customers paying at the period start. */
export function highChurn(r: InsightInput): Insight[] {
  const { churnRatePct } = r.revenue;
  const t = THRESHOLDS.churn;
  if (churnRatePct === null || churnRatePct <= t.warning) return [];
  const base = baseCustomers(r);
  return [
    insight({
      id: 'high_churn',
      severity: churnRatePct > t.critical ? 'critical' : 'warning',
      confidence: confidence(base, distancePast(churnRatePct, t.warning)),
      title: `Churn ${fmtPct(churnRatePct)} is over ${t.warning}%`,
      detail:
        `${periodText(r.filter.fromMs, r.filter.toMs)}: of ${base} customers paying at the start, ` +
        `${fmtPct(churnRatePct)} pay nothing in the last month, against a ${t.warning}% ceiling.`,
      view: 'revenue',
      evidence: { churnRatePct, baseCustomers: base, thresholdPct: t.warning },
    }),
  ];
}

/** NRR strictly under 105% (churn subtracted; see revenue.ts). */
export function lowNrr(r: InsightInput): Insight[] {
  const { nrrPct, grrPct } = r.revenue;
  const t = THRESHOLDS.nrr;
  if (nrrPct === null || nrrPct >= t.warning) return [];
  const base = baseCustomers(r);
  return [
    insight({
      id: 'low_nrr',
      severity: severityBelow(nrrPct, t),
      confidence: confidence(base, distancePast(nrrPct, t.warning)),
      title: `NRR ${fmtPct(nrrPct)} is under ${t.warning}%`,
      detail:
        `${periodText(r.filter.fromMs, r.filter.toMs)}: the ${base} customers paying at the start now pay ` +
        `${fmtPct(nrrPct)} of what they paid then (GRR ${grrPct === null ? 'n/a' : fmtPct(grrPct)}), ` +
        `under the ${t.warning}% target.`,
      view: 'revenue',
      evidence: { nrrPct, grrPct, baseCustomers: base, thresholdPct: t.warning },
    }),
  ];
}

/** The churn reason that cost the most MRR in the period (ties: more customers, then the name). */
export function topChurnReason(r: InsightInput): Insight[] {
  const reasons = [...r.revenue.churnReasons].sort(
    (a, b) =>
      b.mrrCents - a.mrrCents ||
      b.customers - a.customers ||
      (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0),
  );
  const top = reasons[0];
  if (!top) return [];
  const customers = reasons.reduce((n, x) => n + x.customers, 0);
  const mrr = reasons.reduce((n, x) => n + x.mrrCents, 0);
  const share = mrr === 0 ? top.customers / customers : top.mrrCents / mrr;
  return [
    insight({
      id: `top_churn_reason:${top.reason}`,
      severity: 'info',
      confidence: confidence(customers, share),
      title: `Top churn reason: ${top.reason} (${top.customers} customers, ${usd(top.mrrCents)} MRR)`,
      detail:
        `${periodText(r.filter.fromMs, r.filter.toMs)}: ${customers} customers worth ${usd(mrr)} MRR churned; ` +
        `"${top.reason}" accounts for ${top.customers} of them and ${fmtPct(share * 100)} of that MRR.`,
      view: 'revenue',
      evidence: {
        reason: top.reason,
        customers: top.customers,
        mrrCents: top.mrrCents,
        churnedMrrCents: mrr,
      },
    }),
  ];
}
