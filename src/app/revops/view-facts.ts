import type { RevopsReport } from '../../domain/revops/figures.ts';
import type { Compared } from '../../domain/revops/types.ts';
import { formatCount } from '../../shared/format.ts';
import { formatUsd } from '../../shared/money.ts';

/**
 * The headline figures of the RevOps views with their change against the previous period, as the report
 * compared them (`RevopsReport.changes`), written once for every surface (view-tables.ts has the tables).
 */

/** A headline figure with its change against the previous period of the same length. */
export interface Fact {
  label: string;
  value: string;
  /** "+$12,000 (+8.5%)", "−2.1 pp", or null when there is none (see `compared`). */
  change: string | null;
  /** Whether the change is good news: churn going down is; null when flat or unknown. */
  good: boolean | null;
  /**
   * False for a figure the report does not compare (weighted pipeline and velocity: the stage a deal was
   * in at a past period end is unknown, app/revops/report.ts), true when it does (its change may still be
   * null: no previous figure).
   */
  compared: boolean;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MINUS = '−';

/** "14.3%"; "-" for a figure not defined for the data. */
export const pct = (v: number | null, digits = 1): string => (v === null ? '-' : `${v.toFixed(digits)}%`);
export const usd = (c: number | null): string => (c === null ? '-' : formatUsd(c));
export const perDay = (centsPerDay: number): string => `${formatUsd(centsPerDay)}/day`;
export const months = (m: number | null): string => (m === null ? '-' : `${m.toFixed(1)} mo`);
/** "Nov 2026" for the month `2026-11-01`. */
export const monthText = (month: string): string =>
  `${MONTHS[Number(month.slice(5, 7)) - 1] ?? month.slice(5, 7)} ${month.slice(0, 4)}`;

const signed = (v: number, text: string): string => (v > 0 ? `+${text}` : v < 0 ? `${MINUS}${text}` : text);

type Kind = 'usd' | 'pct' | 'count' | 'velocity';

function changeText(kind: Kind, c: Compared): string | null {
  if (c.delta === null) return null;
  const d = c.delta;
  if (kind === 'pct') return `${signed(d, Math.abs(d).toFixed(1))} pp`;
  const abs =
    kind === 'count'
      ? formatCount(Math.abs(d))
      : kind === 'velocity'
        ? perDay(Math.abs(d))
        : formatUsd(Math.abs(d));
  const rel = c.pct === null ? '' : ` (${signed(c.pct, `${Math.abs(c.pct).toFixed(1)}%`)})`;
  return `${signed(Math.round(d) === 0 ? 0 : d, abs)}${rel}`;
}

function valueText(kind: Kind, v: number | null): string {
  if (v === null) return '-';
  if (kind === 'pct') return pct(v);
  if (kind === 'count') return formatCount(v);
  if (kind === 'velocity') return perDay(v);
  return formatUsd(v);
}

/** A figure and its change as the report compared it (`changes[key]`); not compared when absent. */
function fact(
  r: RevopsReport,
  label: string,
  kind: Kind,
  current: number | null,
  key: string | null,
  lowerIsBetter = false,
): Fact {
  const c = key === null ? undefined : r.changes[key];
  if (c === undefined)
    return { label, value: valueText(kind, current), change: null, good: null, compared: false };
  const d = c.delta;
  const good = d === null || Math.abs(d) < 1e-9 ? null : d > 0 !== lowerIsBetter;
  return { label, value: valueText(kind, current), change: changeText(kind, c), good, compared: true };
}

export function pipelineFacts(r: RevopsReport): Fact[] {
  const p = r.pipeline;
  return [
    fact(r, 'Open pipeline', 'usd', p.openCents, 'openCents'),
    fact(r, 'Weighted', 'usd', p.weightedCents, null),
    fact(r, 'Win rate', 'pct', p.winRatePct, 'winRatePct'),
    fact(r, 'Avg deal', 'usd', p.avgDealSizeCents, 'avgDealSizeCents'),
    fact(r, 'Velocity', 'velocity', p.velocityCentsPerDay, null),
    fact(r, 'Won', 'usd', p.wonCents, 'wonCents'),
  ];
}

export function revenueFacts(r: RevopsReport): Fact[] {
  const v = r.revenue;
  return [
    fact(r, 'MRR', 'usd', v.mrrCents, 'mrrCents'),
    fact(r, 'ARR', 'usd', v.arrCents, 'arrCents'),
    fact(r, 'Churn', 'pct', v.churnRatePct, 'churnRatePct', true),
    fact(r, 'NRR', 'pct', v.nrrPct, 'nrrPct'),
    fact(r, 'GRR', 'pct', v.grrPct, 'grrPct'),
    fact(r, 'Customers', 'count', v.activeCustomers, 'activeCustomers'),
  ];
}

export function marketingFacts(r: RevopsReport): Fact[] {
  const t = r.marketing.totals;
  return [
    fact(r, 'Spend', 'usd', t.spendCents, 'spendCents'),
    fact(r, 'Leads', 'count', t.leads, 'leads'),
    fact(r, 'Won', 'count', t.won, 'marketingWon'),
    fact(r, 'CAC', 'usd', t.cacCents, 'cacCents', true),
    fact(r, 'ROI', 'pct', t.roiPct, 'roiPct'),
  ];
}

/** "Open pipeline $1,234,000 (+$12,000 (+1.0%))", for text surfaces. */
export const factLine = (f: Fact): string =>
  `${f.label} ${f.value}${f.change === null ? '' : ` (${f.change})`}`;
