/** Marketing insight rules (DOMAIN.md §9 and issue 14): ROI, top spend, lowest conversion, CAC payback. */
import { confidence, distancePast } from './confidence.ts';
import type { ChannelFigure, Insight } from './figures.ts';
import { fmtPct, type InsightInput, insight, periodText, THRESHOLDS, usd } from './insight-rules.ts';

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Per channel: ROI strictly under 200% while the channel won someone (CAC > 0). */
export function lowRoi(r: InsightInput): Insight[] {
  const t = THRESHOLDS.roi;
  const period = periodText(r.filter.fromMs, r.filter.toMs);
  return r.marketing.channels
    .filter((c) => c.roiPct !== null && c.roiPct < t.warning && c.cacCents !== null && c.cacCents > 0)
    .map((c) =>
      insight({
        id: `low_roi:${c.channel}`,
        severity: c.roiPct! < t.critical ? 'critical' : 'warning',
        confidence: confidence(c.won, distancePast(c.roiPct!, t.warning)),
        title: `ROI of ${c.channel} ${fmtPct(c.roiPct!)} is under ${t.warning}%`,
        detail:
          `${period}: ${c.channel} spent ${usd(c.spendCents)}, won ${c.won} customers (CAC ` +
          `${usd(c.cacCents!)}) and ${usd(c.revenueCents)} of closed-won revenue, an ROI of ` +
          `${fmtPct(c.roiPct!)} against a ${t.warning}% floor.`,
        view: 'marketing',
        evidence: {
          channel: c.channel,
          roiPct: c.roiPct,
          spendCents: c.spendCents,
          revenueCents: c.revenueCents,
          cacCents: c.cacCents,
          won: c.won,
          thresholdPct: t.warning,
        },
      }),
    );
}

/** The channel that spent the most (ties by name); none when nothing was spent. */
export function topSpendChannel(r: InsightInput): Insight[] {
  const spending = r.marketing.channels.filter((c) => c.spendCents > 0);
  const top = [...spending].sort((a, b) => b.spendCents - a.spendCents || byName(a.channel, b.channel))[0];
  if (!top) return [];
  const share = top.spendCents / r.marketing.totals.spendCents;
  return [
    insight({
      id: `top_spend_channel:${top.channel}`,
      severity: 'info',
      confidence: confidence(spending.length, share),
      title: `${top.channel} is the highest-spend channel (${usd(top.spendCents)}, ${fmtPct(share * 100)} of spend)`,
      detail:
        `${periodText(r.filter.fromMs, r.filter.toMs)}: ${top.channel} spent ${usd(top.spendCents)} of ` +
        `${usd(r.marketing.totals.spendCents)} across ${spending.length} channels, for ${top.leads} leads ` +
        `and ${top.won} customers won.`,
      view: 'marketing',
      evidence: {
        channel: top.channel,
        spendCents: top.spendCents,
        totalSpendCents: r.marketing.totals.spendCents,
        sharePct: share * 100,
      },
    }),
  ];
}

/**
 * The channel with the lowest lead → won conversion (ties by name), among channels with leads; needs two
 * of them (the only channel is not "the lowest").
 */
export function lowestConvertingChannel(r: InsightInput): Insight[] {
  const ranked = r.marketing.channels.filter((c): c is ChannelFigure & { conversionPct: number } => {
    return c.conversionPct !== null;
  });
  if (ranked.length < 2) return [];
  const low = [...ranked].sort(
    (a, b) => a.conversionPct - b.conversionPct || byName(a.channel, b.channel),
  )[0]!;
  const overall = r.marketing.totals.conversionPct ?? 0;
  return [
    insight({
      id: `lowest_converting_channel:${low.channel}`,
      severity: 'info',
      confidence: confidence(low.leads, distancePast(low.conversionPct, overall)),
      title: `${low.channel} converts worst: ${fmtPct(low.conversionPct)} of leads won`,
      detail:
        `${periodText(r.filter.fromMs, r.filter.toMs)}: ${low.channel} turned ${low.leads} leads into ` +
        `${low.won} customers (${fmtPct(low.conversionPct)}), against ${fmtPct(overall)} over all channels.`,
      view: 'marketing',
      evidence: {
        channel: low.channel,
        conversionPct: low.conversionPct,
        leads: low.leads,
        won: low.won,
        overallConversionPct: overall,
      },
    }),
  ];
}

/** Per segment with a payback: over its benchmark is a warning, within it an info. */
export function cacPayback(r: InsightInput): Insight[] {
  const period = periodText(r.filter.fromMs, r.filter.toMs);
  return r.marketing.segments
    .filter((s) => s.paybackMonths !== null)
    .map((s) => {
      const months = s.paybackMonths!;
      const over = s.verdict === 'over';
      return insight({
        id: `cac_payback:${s.segment}`,
        severity: over ? 'warning' : 'info',
        confidence: confidence(s.won, distancePast(months, s.benchmarkMonths)),
        title:
          `${s.segment} CAC payback ${months.toFixed(1)} months is ${over ? 'over' : 'within'} ` +
          `the ${s.benchmarkMonths}-month benchmark`,
        detail:
          `${period}: ${s.segment} spent ${usd(s.spendCents)} to win ${s.won} customers (CAC ` +
          `${usd(s.cacCents!)}); new ${s.segment} customers pay ${usd(s.arpaCents!)} MRR on average, so ` +
          `winning one pays back in ${months.toFixed(1)} months (benchmark ${s.benchmarkMonths}).`,
        view: 'marketing',
        evidence: {
          segment: s.segment,
          paybackMonths: months,
          benchmarkMonths: s.benchmarkMonths,
          cacCents: s.cacCents,
          arpaCents: s.arpaCents,
          won: s.won,
        },
      });
    });
}
